#!/usr/bin/env bash
# Installs what the compatibility suite needs beyond `npm ci` (which brings kafkajs and
# @platformatic/kafka): kcat, kafka-python and confluent-kafka-python from Debian packages, with
# the codec modules kafka-python uses, and Maven and a Java runtime for the Apache Kafka reference
# broker (`--reference`; Maven caches Kafka's jars in ~/.m2). Safe to run again: installs only
# what is missing.
set -euo pipefail

packages=(kcat python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "compat setup: all client packages, Java and Maven installed"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "compat setup: missing ${missing[*]} and no apt-get to install them; those clients' scenarios will fail" >&2
  exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "compat setup: installed ${missing[*]}"
