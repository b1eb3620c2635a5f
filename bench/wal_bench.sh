#!/bin/sh
# WAL benchmark: bench/wal_bench with 1, 4, 16 and 64 appenders (1 KiB
# record batches, each acknowledged once durable), then fio on the same
# filesystem with the WAL writer's own pattern (O_DIRECT|O_DSYNC, libaio,
# its average write size, queue depth wal_io_depth) and a single 4 KiB
# O_DSYNC write at queue depth 1; prints the ratios the issue asks for:
#   throughput(64 appenders) / fio bandwidth            (target >= 0.8)
#   ack p99(1 appender) / fio 4 KiB O_DSYNC qd1 p99     (target <= 1.5)
#
# usage: bench/wal_bench.sh DIR [SECONDS_PER_RUN]   (make -C bench first)
# Environment: WAL_IO_DEPTH (8), WAL_SIZE_MB (512), LOG_CACHE_SIZE (256MB),
# WAL_SYNC_METHOD (o_dsync), FIO_SIZE (256M).
# The disk of the development machine is shared and noisy: compare ratios
# from one run, not absolute numbers across runs.
set -e
DIR=${1:?usage: $0 DIR [SECONDS]}
SECS=${2:-5}
DEPTH=${WAL_IO_DEPTH:-8}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR"
rm -f "$DIR/bench.wal" "$DIR/fio.dat"
OUT="$DIR/wal_bench.out"
: > "$OUT"
for n in 1 4 16 64; do
	WAL_IO_DEPTH=$DEPTH timeout $((SECS + 60)) "$HERE/wal_bench" "$DIR" "$SECS" "$n" | tee -a "$OUT"
done
AVG=$(awk '/appenders=64 /{for(i=1;i<=NF;i++) if ($i ~ /^avg_write_bytes=/) {split($i,a,"="); print a[2]}}' "$OUT")
BS=$(( (AVG + 4095) / 4096 * 4096 ))
[ "$BS" -lt 4096 ] && BS=4096
fio_json() {
	timeout $((SECS + 30)) fio --name=w --filename="$DIR/fio.dat" --size=${FIO_SIZE:-256M} --time_based \
		--runtime="$SECS" --rw=write --direct=1 --sync=dsync --output-format=json "$@" 2>/dev/null
}
fio_json --ioengine=libaio --iodepth="$DEPTH" --bs="$BS" > "$DIR/fio_group.json"
fio_json --ioengine=psync --bs=4k > "$DIR/fio_4k.json"
rm -f "$DIR/fio.dat"
/usr/bin/python3 - "$OUT" "$DIR/fio_group.json" "$DIR/fio_4k.json" "$BS" "$DEPTH" <<'PY'
import json, sys, re
out, g, q, bs, depth = sys.argv[1:6]
runs = {}
for line in open(out):
    kv = dict(x.split('=') for x in line.split())
    runs[int(kv['appenders'])] = kv
g = json.load(open(g))['jobs'][0]['write']
q = json.load(open(q))['jobs'][0]['write']
gbw = g['bw_bytes'] / 2**20
qp99 = q['clat_ns']['percentile']['99.000000'] / 1000
qp50 = q['clat_ns']['percentile']['50.000000'] / 1000
print(f"fio O_DIRECT|O_DSYNC libaio bs={bs} qd={depth}: {gbw:.1f} MiB/s")
print(f"fio 4k O_DSYNC qd1: p50 {qp50:.0f} us, p99 {qp99:.0f} us")
if 64 in runs:
    r = float(runs[64]['MiB/s']) / gbw if gbw else 0
    print(f"ratio throughput(64 appenders)/fio = {r:.2f} (target >= 0.8)")
if 1 in runs:
    r = float(runs[1]['ack_p99_us']) / qp99 if qp99 else 0
    print(f"ratio ack p99(1 appender)/fio 4k qd1 p99 = {r:.2f} (target <= 1.5)")
PY
