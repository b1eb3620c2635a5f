#!/bin/sh
# contrib/debian/quickstart.sh — from a fresh Debian 12 machine (as root) to a
# running Strata broker on 127.0.0.1:9092 with the embedded defaults:
# embedded PostgreSQL catalog, file:// object store, WAL file in the data
# directory.  Usage: sh contrib/debian/quickstart.sh [PREFIX] [DATADIR]
set -eu

PREFIX=${1:-/usr/local/strata}
DATADIR=${2:-/var/lib/strata/data}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

sh contrib/debian/install-deps.sh
./configure --prefix="$PREFIX" -q
make -s -j2
make -s install

mkdir -p "$(dirname "$DATADIR")"
if [ ! -f "$DATADIR/strata.conf" ]; then
	"$PREFIX/bin/strata_ctl" init -D "$DATADIR"
fi
"$PREFIX/bin/strata_ctl" status -D "$DATADIR" >/dev/null 2>&1 ||
	"$PREFIX/bin/strata_ctl" start -D "$DATADIR" -l "$DATADIR/log/strata.log" -w

cat <<MSG

Strata is running on 127.0.0.1:9092 (data directory $DATADIR).
  stop it:     $PREFIX/bin/strata_ctl stop -D $DATADIR
  its log:     $DATADIR/log/strata.log
MSG
