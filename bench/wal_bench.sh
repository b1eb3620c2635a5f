#!/bin/sh
# WAL benchmark: bench/wal_bench with 1, 4, 16 and 64 appenders (1 KiB
# record batches, each acknowledged once durable) in two modes:
#   one-at-a-time  each appender waits for its append before the next
#                  (a producer with one request in flight);
#   pipelined      each appender keeps INFLIGHT appends outstanding (a
#                  Kafka connection with several produce requests in flight).
# Then fio on the same filesystem, in the same run:
#   - for the 64-appender row of each mode, the write pattern the WAL
#     actually produced in that row: O_DIRECT|O_DSYNC, libaio, its mean write
#     size (rounded up to 4 KiB) at its mean number of writes in flight
#     (write_depth, by Little's law; rounded, at least 1);
#   - the device's ceiling for the WAL writer's flags: 256 KiB at depth
#     WAL_IO_DEPTH, so that a WAL making small writes does not look good
#     only because fio was asked for small writes too;
#   - a single 4 KiB O_DSYNC write at queue depth 1 (psync).
# It prints the ratios the issue asks for:
#   throughput(64 appenders) / fio with the same pattern    (target >= 0.8)
#   ack p99(1 appender) / fio 4 KiB O_DSYNC qd1 p99         (target <= 1.5)
#
# usage: bench/wal_bench.sh DIR [SECONDS_PER_RUN]   (make -C bench first)
# Environment: WAL_IO_DEPTH (8), WAL_SIZE_MB (512), LOG_CACHE_SIZE (32MB), WAL_BENCH_PREFAULT (1),
# WAL_SYNC_METHOD (o_dsync), WAL_APPENDER_FLUSH (on; off = only the WAL
# writer writes, as before the appenders' own flush), FIO_SIZE (256M),
# INFLIGHT (8), APPENDERS ("1 4 16 64"; the ratios need 1 and 64).
# The disk of the development machine is shared and noisy: compare ratios
# from one run, not absolute numbers across runs.
set -e
DIR=${1:?usage: $0 DIR [SECONDS]}
SECS=${2:-5}
DEPTH=${WAL_IO_DEPTH:-8}
INFLIGHT=${INFLIGHT:-8}
APPENDERS=${APPENDERS:-1 4 16 64}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR"
rm -f "$DIR/bench.wal" "$DIR/fio.dat"
OUT="$DIR/wal_bench.out"
: > "$OUT"
for k in 1 "$INFLIGHT"; do
	for n in $APPENDERS; do
		WAL_IO_DEPTH=$DEPTH timeout $((SECS + 60)) "$HERE/wal_bench" "$DIR" "$SECS" "$n" 1024 "$k" | tee -a "$OUT"
	done
done

# The pattern of a row: "BS QD" from its mean write size and write_depth.
pattern() {
	awk -v n="$1" -v k="$2" '
		{ delete kv; for (i = 1; i <= NF; i++) { split($i, a, "="); kv[a[1]] = a[2] } }
		kv["appenders"] == n && kv["inflight"] == k {
			bs = int((kv["avg_write_bytes"] + 4095) / 4096) * 4096; if (bs < 4096) bs = 4096
			qd = int(kv["write_depth"] + 0.5); if (qd < 1) qd = 1
			print bs, qd }' "$OUT"
}
fio_json() {
	timeout $((SECS + 30)) fio --name=w --filename="$DIR/fio.dat" --size=${FIO_SIZE:-256M} --time_based \
		--runtime="$SECS" --rw=write --direct=1 --sync=dsync --output-format=json "$@" 2>/dev/null
}
set -- $(pattern 64 1)
BS1=${1:-4096} QD1=${2:-1}
set -- $(pattern 64 "$INFLIGHT")
BSP=${1:-4096} QDP=${2:-1}
fio_json --ioengine=libaio --iodepth="$QD1" --bs="$BS1" > "$DIR/fio_one.json"
fio_json --ioengine=libaio --iodepth="$QDP" --bs="$BSP" > "$DIR/fio_pipe.json"
fio_json --ioengine=libaio --iodepth="$DEPTH" --bs=256k > "$DIR/fio_ceiling.json"
fio_json --ioengine=psync --bs=4k > "$DIR/fio_4k.json"
rm -f "$DIR/fio.dat"
/usr/bin/python3 - "$OUT" "$DIR" "$INFLIGHT" "$BS1" "$QD1" "$BSP" "$QDP" "$DEPTH" <<'PY'
import json, sys
out, d, inflight, bs1, qd1, bsp, qdp, depth = sys.argv[1:9]
inflight = int(inflight)
runs = {}
for line in open(out):
    kv = dict(x.split('=', 1) for x in line.split())
    runs[(int(kv['appenders']), int(kv['inflight']))] = kv
def fio(name):
    return json.load(open(f"{d}/fio_{name}.json"))['jobs'][0]['write']
one, pipe, ceil, q = fio('one'), fio('pipe'), fio('ceiling'), fio('4k')
mib = lambda w: w['bw_bytes'] / 2**20
qp50 = q['clat_ns']['percentile']['50.000000'] / 1000
qp99 = q['clat_ns']['percentile']['99.000000'] / 1000
print(f"fio O_DIRECT|O_DSYNC libaio bs={bs1} qd={qd1} (pattern of 64 appenders one-at-a-time): {mib(one):.1f} MiB/s")
print(f"fio O_DIRECT|O_DSYNC libaio bs={bsp} qd={qdp} (pattern of 64 appenders pipelined x{inflight}): {mib(pipe):.1f} MiB/s")
print(f"fio O_DIRECT|O_DSYNC libaio bs=256k qd={depth} (device ceiling): {mib(ceil):.1f} MiB/s")
print(f"fio 4k O_DSYNC qd1: p50 {qp50:.0f} us, p99 {qp99:.0f} us")
for k, w, label in ((1, one, 'one-at-a-time'), (inflight, pipe, f'pipelined x{inflight}')):
    r = runs.get((64, k))
    if r and mib(w):
        print(f"ratio throughput(64 appenders, {label})/fio same pattern = {float(r['MiB/s']) / mib(w):.2f} (target >= 0.8); "
              f"/device ceiling = {float(r['MiB/s']) / mib(ceil):.2f}")
r = runs.get((1, 1))
if r and qp99:
    print(f"ratio ack p99(1 appender)/fio 4k qd1 p99 = {float(r['ack_p99_us']) / qp99:.2f} (target <= 1.5)")
PY
