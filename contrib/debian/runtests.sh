#!/bin/sh
# contrib/debian/runtests.sh — the whole test suite on Debian 12 (as root):
# installs what is missing, builds with the TAP tests enabled and runs
# "make check" (a temporary installation, every TAP test through prove, the
# unit tests and the regress/ suite).  .ci/run runs exactly this.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

sh contrib/debian/install-deps.sh
# s3rver and kafkajs for the tests, from the committed lockfile
(cd src/test/node && npm ci --no-audit --no-fund --loglevel=error)
./configure --enable-tap-tests --enable-cassert -q
make -s -j2
make check
