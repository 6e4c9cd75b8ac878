#!/usr/bin/env bash
# Builds the Java family of the compat suite (compat/java) into target/creek-compat-java.jar and
# target/classpath.txt: offline when ~/.m2 already holds the dependencies, else from Maven Central.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
  echo "compat java: no mvn or java on PATH; the Java family's scenarios will report the client not available" >&2
  exit 1
fi
mvn -B -q -Dstyle.color=never -o package 2>/dev/null || mvn -B -q -Dstyle.color=never package
