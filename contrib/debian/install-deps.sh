#!/bin/sh
# contrib/debian/install-deps.sh — install what Strata needs to build and be
# tested on Debian 12, as root.  Installs only what is missing.
set -eu

PKGS="gcc make autoconf pkg-config libpq-dev libcurl4-openssl-dev libssl-dev libaio-dev zlib1g-dev
      perl libipc-run-perl postgresql-15 postgresql-client-15 curl ca-certificates
      kcat python3-confluent-kafka python3-kafka python3-botocore librdkafka-dev
      python3-lz4 python3-snappy python3-zstandard
      fio iperf3 gnuplot-nox clang libclang-rt-14-dev procps"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm: any installed version that has npm will do (s3rver, kafkajs).
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: these Debian packages are missing:$missing; run this script as root" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The Debian postgresql package starts a cluster on port 5432 that Strata
# does not use; it is left alone.
