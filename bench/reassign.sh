#!/bin/bash
#-------------------------------------------------------------------------
# reassign.sh — the seed's partition-reassignment scenario at this
# machine's scale, with one command:
#
#   bench/reassign.sh [--fill-mb N] [--bg-rate MSGS] [--move-at S] [--out DIR]
#
#  1. two brokers share one catalog (broker 1's embedded PostgreSQL) and one
#     file:// object store; each has its own WAL (1 GB) and data directory;
#  2. partition 0 of topic reassign-0, led by broker 1, is filled with
#     --fill-mb MiB (default 1024) and left to reach object storage;
#  3. workloads/reassign.wl produces 40 MiB/s to it (and reads it at the
#     head) while a second driver produces --bg-rate msg/s (default 10000)
#     to the 8 partitions of topic bg-0 (background traffic);
#  4. at --move-at seconds (default 15) `strata_ctl move` moves the
#     partition to broker 2;
#  5. prints the move's time (strata_ctl, and the catalog's record of it)
#     and the producer's publish latency: the worst second around the move
#     (from 1 s before to 5 s after) against the worst and the p99 of the
#     other seconds.  AutoMQ: a 2.2 s move and a 2.2 s latency spike; the
#     goal here is under 1 s for both.
#
# Needs bench/strata_bench (make -C bench) and an installed Strata
# (strata_ctl on PATH).  The data directories are removed at the end
# unless BENCH_KEEP_DATA=1.
#
# bench/reassign.sh
#-------------------------------------------------------------------------
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
FILL_MB=1024
BG_RATE=10000
MOVE_AT=15
OUT=
while [ $# -gt 0 ]; do
	case $1 in
		--fill-mb) FILL_MB=$2; shift 2 ;;
		--bg-rate) BG_RATE=$2; shift 2 ;;
		--move-at) MOVE_AT=$2; shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		--help|-h) sed -n '2,/^#----/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "reassign.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done
make -s -C "$here" strata_bench >/dev/null
OUT=${OUT:-$here/results/reassign-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
B1=$OUT/b1
B2=$OUT/b2
P1=19720
P2=19730

cleanup()
{
	strata_ctl stop -D "$B2" -m immediate >/dev/null 2>&1 || true
	strata_ctl stop -D "$B1" -m fast >/dev/null 2>&1 || true
	[ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$B1" "$B2"
}
trap cleanup EXIT

echo "== reassign: two brokers, $FILL_MB MiB in the moved partition ($OUT)"
conf() { printf 'log_cache_size = 256MB\nblock_cache_size = 256MB\nauto_create_topics = off\n' >>"$1/strata.conf"; }
strata_ctl init -D "$B1" --broker-id 1 --listeners "PLAINTEXT://127.0.0.1:$P1" --wal-size 1GB >"$OUT/init1.log"
conf "$B1"
strata_ctl start -D "$B1" -l "$OUT/b1.log" -w >/dev/null
# Broker 2 uses broker 1's embedded catalog, now running, and its object store.
CATALOG="host=$B1/catalog port=5432 dbname=strata user=strata"
strata_ctl init -D "$B2" --broker-id 2 --listeners "PLAINTEXT://127.0.0.1:$P2" --wal-size 1GB \
	--catalog "$CATALOG" --object-store "file://$B1/objects" >"$OUT/init2.log"
conf "$B2"
strata_ctl start -D "$B2" -l "$OUT/b2.log" -w >/dev/null
psqlc() { psql -X -q -A -t -d "$CATALOG" -c "$1"; }
# PostgreSQL refuses root: the embedded catalog runs as the user strata.
if [ "$(id -u)" = 0 ]; then psqlc() { setpriv --reuid=strata --regid=strata --init-groups -- psql -X -q -A -t -d "$CATALOG" -c "$1"; }; fi

BOOT="127.0.0.1:$P1,127.0.0.1:$P2"
/usr/bin/python3 - "$BOOT" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
fs = a.create_topics([NewTopic('reassign-0', 1, replica_assignment=[[1]]),
                      NewTopic('bg-0', num_partitions=8, replication_factor=1)])
for f in fs.values():
    f.result()
PY

echo "-- filling reassign-0/0 with $FILL_MB MiB"
line=$(head -c 49152 /dev/urandom | base64 -w 0 | head -c 65535)
# (yes ends on SIGPIPE when head has enough: only kcat's status counts)
(set +o pipefail
 yes "$line" | head -n $((FILL_MB * 16)) | kcat -b "$BOOT" -P -t reassign-0 -p 0 -X acks=1 -X linger.ms=20 \
	-X queue.buffering.max.kbytes=262144 -X message.max.bytes=10000000)
# All but the last upload_threshold (64 MB) of it in objects, as in steady operation.
until [ "$(psqlc "SELECT object_end_offset >= $((FILL_MB * 16)) - 1024 FROM strata.stream_objects WHERE topic = 'reassign-0'")" = t ]; do sleep 1; done
echo "objects hold $(psqlc "SELECT pg_size_pretty(sum(bytes)) FROM strata.topic_storage WHERE topic = 'reassign-0'") of reassign-0"

echo "-- producing 40 MiB/s to it and $BG_RATE msg/s to bg-0; the move at ${MOVE_AT}s"
"$here/strata_bench" "$here/workloads/reassign.wl" --bootstrap "$BOOT" --out "$OUT/bench" \
	--set "event=$MOVE_AT strata_ctl move -D $B1 reassign-0 0 2" >"$OUT/bench.log" 2>&1 &
main_pid=$!
"$here/strata_bench" "$here/workloads/reassign.wl" --bootstrap "$BOOT" --out "$OUT/bg" \
	--set topic_prefix=bg --set partitions_per_topic=8 --set consumers_per_topic=0 \
	--set produce_rate="$BG_RATE" >"$OUT/bg.log" 2>&1 &
bg_pid=$!
wait $main_pid || true
wait $bg_pid || true

echo "== results"
grep -h 'moved partition' "$OUT/bench/events.log" || echo "the move did not report (see $OUT/bench/events.log)"
psqlc "SELECT 'catalog: move of ' || topic || '/' || partition || ' from broker ' || from_broker || ' to ' || to_broker
       || ' took ' || duration_ms || ' ms' FROM strata.move_history WHERE topic = 'reassign-0'"
python3 - "$OUT/bench/timeseries.csv" "$OUT/bench/events.log" "$MOVE_AT" <<'PY'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
move_at = float(sys.argv[3])
near = [r for r in rows if move_at - 1 <= float(r['t_s']) <= move_at + 5]
rest = [r for r in rows if r not in near and float(r['publish_msgs']) > 0]
worst = lambda rs, k: max((float(r[k]) for r in rs), default=0.0)
print("publish latency, worst second around the move: p99 %.1f ms, max %.1f ms"
      % (worst(near, 'pub_p99_ms'), worst(near, 'pub_max_ms')))
print("publish latency, the other seconds: worst p99 %.1f ms, worst max %.1f ms"
      % (worst(rest, 'pub_p99_ms'), worst(rest, 'pub_max_ms')))
mib = [float(r['publish_mibps']) for r in rows if float(r['t_s']) > 2]
print("publish rate: %.1f MiB/s on average (offered 40)" % (sum(mib) / max(len(mib), 1)))
PY
grep -h -E 'missing|duplicated|unconsumed' "$OUT/bench/summary.txt" | head -3 || true
