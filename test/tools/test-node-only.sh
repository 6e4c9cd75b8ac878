#!/usr/bin/env bash
# Runs `npm test` as on a machine with only Node.js and npm: PATH is one temporary directory holding
# links to node, npm and npx, and CREEK_TEST_REQUIRE_ALL and ETCD_BIN are unset, so every test that
# needs another program (kcat, Python clients, openssl, keytool, chromium, etcd, script) skips with
# its printed reason. Extra arguments go to vitest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for program in node npm npx; do ln -s "$(command -v "$program")" "$bin/$program"; done
# npm runs scripts with `sh` from PATH unless told where a shell is.
env -u CREEK_TEST_REQUIRE_ALL -u ETCD_BIN PATH="$bin" npm_config_script_shell=/bin/sh npm test -- "$@"
