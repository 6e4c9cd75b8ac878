package dev.creek.compat;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;

/** Assertions whose messages say what was expected and what came back. */
public final class Check {
  private Check() {}

  public static final class Failed extends RuntimeException {
    Failed(String message) {
      super(message);
    }
  }

  /** A failure that ends an `eventually` at once: waiting longer cannot help. */
  public static final class Fatal extends RuntimeException {
    Fatal(String message) {
      super(message);
    }
  }

  /** Fails at once, also inside `eventually`. */
  public static void require(boolean condition, String message) {
    if (!condition) throw new Fatal(message);
  }

  public static void check(boolean condition, String message) {
    if (!condition) throw new Failed(message);
  }

  public static void equal(Object actual, Object expected, String what) {
    if (!Objects.equals(actual, expected)) throw new Failed(what + ": expected " + show(expected) + ", got " + show(actual));
  }

  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  @FunctionalInterface
  public interface Probe<T> {
    /** null means "not yet". */
    T get() throws Exception;
  }

  /** Runs an action that must fail; returns the cause (unwrapped from ExecutionException). */
  public static Throwable failure(String what, Action action) {
    try {
      action.run();
    } catch (Throwable err) {
      return err instanceof ExecutionException && err.getCause() != null ? err.getCause() : err;
    }
    throw new Failed(what + ": expected an error, but it succeeded");
  }

  /** The failure must be of this class (the client's own exception type, as the broker's error code maps to it). */
  public static <E extends Throwable> E failsWith(Class<E> type, String what, Action action) {
    Throwable err = failure(what, action);
    if (!type.isInstance(err)) throw new Failed(what + ": expected " + type.getSimpleName() + ", got " + describe(err));
    return type.cast(err);
  }

  /** Polls until the probe returns non-null; fails after the timeout with the last error seen. */
  public static <T> T eventually(String what, Duration timeout, Probe<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = probe.get();
        if (value != null) return value;
      } catch (Fatal err) {
        throw err;
      } catch (Failed err) {
        last = err;
      } catch (Exception err) {
        last = err;
      }
      Thread.sleep(100);
    }
    throw new Failed(what + " never happened" + (last == null ? "" : " (last: " + describe(last) + ")"));
  }

  public static <T> T eventually(String what, Probe<T> probe) throws InterruptedException {
    return eventually(what, Duration.ofSeconds(20), probe);
  }

  public static String describe(Throwable err) {
    Throwable e = err instanceof ExecutionException && err.getCause() != null ? err.getCause() : err;
    String text = e instanceof Failed || e instanceof Fatal ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    return e.getCause() != null && e.getCause() != e && !(e instanceof Failed) && !(e instanceof Fatal) ? text + " (cause: " + e.getCause() + ")" : text;
  }

  static String show(Object value) {
    String text = String.valueOf(value);
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }
}
