#!/usr/bin/env bash
# Installs what the compatibility suite needs beyond `npm ci` (which brings kafkajs and
# @platformatic/kafka): kcat, kafka-python and confluent-kafka-python from Debian packages, with
# the codec modules kafka-python uses, and a JDK with Maven: the JDK builds and runs the Java
# family (compat/java) and runs the Apache Kafka reference broker (`--reference`); Maven fetches
# Apache Kafka 4.4.0's jars for both into ~/.m2 (offline once they are there). Then builds
# compat/java. Safe to run again: installs only what is missing.
set -euo pipefail

install_packages() {
  local packages=(kcat python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard)
  local missing=()
  for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "compat setup: all client packages installed"
    return
  fi
  if ! command -v apt-get >/dev/null; then
    echo "compat setup: missing ${missing[*]} and no apt-get to install them; those clients' scenarios will fail" >&2
    return
  fi
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "compat setup: installed ${missing[*]}"
}

install_packages
if bash "$(dirname "$0")/java/build.sh"; then
  echo "compat setup: built compat/java"
else
  echo "compat setup: compat/java did not build; the Java family's scenarios will report the client not available" >&2
fi
