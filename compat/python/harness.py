"""Shared by the Python clients' scenario scripts: argument handling, checks, and the exit
status the runner reads (0 = pass; otherwise the last stderr line says why).

Usage: <script> FEATURE BOOTSTRAP NAME [TLS_BOOTSTRAP CA_FILE]  (NAME is unique to the scenario
and run; TLS_BOOTSTRAP is the broker's SSL listener and CA_FILE the CA of its certificate; the
bootstraps of a cluster list every broker, comma-separated)."""
import sys
import time
import traceback


class Context:
    def __init__(self, bootstrap, base_name, tls=None):
        self.bootstrap = bootstrap
        self.base_name = base_name
        self.tls = tls

    def name(self, suffix=""):
        return f"{self.base_name}-{suffix}" if suffix else self.base_name

    def over_tls(self):
        """(a Context whose bootstrap is the SSL listener, the CA file); fails when the run has none."""
        check(self.tls is not None, "this run has no TLS listener (give --tls-bootstrap HOST:PORT and --tls-ca FILE)")
        bootstrap, ca_file = self.tls
        return Context(bootstrap, self.base_name), ca_file


def servers(bootstrap):
    """The host:port entries of a bootstrap list, sorted, to compare with what brokers advertise."""
    return sorted(bootstrap.split(","))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def equal(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r:.300}, got {actual!r:.300}")


def eventually(what, probe, timeout_s=20.0, interval_s=0.1):
    """Calls probe until it returns something other than None; fails after timeout_s."""
    deadline = time.monotonic() + timeout_s
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value is not None:
                return value
        except Exception as err:  # noqa: BLE001 - reported if it never succeeds
            last_error = err
        time.sleep(interval_s)
    raise AssertionError(f"{what} never happened" + (f" (last error: {last_error!r})" if last_error else ""))


def expect_error(what, action):
    """Runs action, which must raise; returns the exception."""
    try:
        action()
    except Exception as err:  # noqa: BLE001 - the caller checks which error it is
        return err
    raise AssertionError(f"{what}: expected an error, but it succeeded")


# The compaction scenario's data, as in compat/lib/fixtures.ts: a compacted topic rolling its
# segment 100 ms after its first record; two produce calls of keyed records with overwrites and a
# tombstone, then (after the roll time) one record in a new segment. Read from the beginning once
# the log is compacted: the latest record per key at its original offset, the tombstone included.
COMPACTED_TOPIC_CONFIG = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.01", "segment.ms": "100"}
COMPACTION_ROUNDS = [
    [(b"a", b"a1"), (b"b", b"b1"), (b"c", b"c1"), (b"d", b"d1")],
    [(b"a", b"a2"), (b"b", None), (b"c", b"c2")],
]
COMPACTION_TAIL = (b"e", b"e1")
COMPACTION_ROLL_WAIT_S = 0.3
COMPACTED = [(3, b"d", b"d1"), (4, b"a", b"a2"), (5, b"b", None), (6, b"c", b"c2"), (7, b"e", b"e1")]
# Kafka's cleaner looks for work every 15 s (log.cleaner.backoff.ms).
COMPACTION_TIMEOUT_S = 55

def main(scenarios):
    feature, bootstrap, base_name = sys.argv[1:4]
    tls = tuple(sys.argv[4:6]) if len(sys.argv) >= 6 else None
    scenario = scenarios.get(feature)
    if scenario is None:
        print(f"no scenario {feature!r} in {sys.argv[0]}", file=sys.stderr)
        sys.exit(2)
    try:
        scenario(Context(bootstrap, base_name, tls))
    except AssertionError as err:
        print(str(err), file=sys.stderr)
        sys.exit(1)
    except Exception as err:  # noqa: BLE001 - any client error fails the scenario, with its trace
        traceback.print_exc()
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
