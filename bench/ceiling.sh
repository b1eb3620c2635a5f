#!/bin/bash
#-------------------------------------------------------------------------
# ceiling.sh — the physical ceiling of this machine, measured in the same
# run as the benchmark so the broker's figures can be read as ratios:
#
#   1. fio, O_DIRECT|O_DSYNC libaio sequential writes at every block size
#      and queue depth given: the most durable writes can do on this disk
#      (the device's durable bandwidth).  The best combination is the
#      ceiling, whatever the WAL writer's own pattern is: the writer sizes
#      its writes from the load (4 KiB-aligned, up to 1 MiB, wal_io_depth
#      in flight)
#   2. fio, the same without O_DSYNC at each block size and the deepest
#      queue: the device's raw O_DIRECT bandwidth
#   3. fio, 4 KiB O_DIRECT|O_DSYNC writes at queue depth 1: the latency floor
#      of one durable write (p50/p99/p99.9)
#   4. iperf3 over loopback, one stream: the most a TCP connection carries
#
# Usage: bench/ceiling.sh [--wal-dir DIR] [--bs "16k 64k 256k 1m"]
#                         [--iodepth "1 4 16 32"] [--size 256M]
#                         [--runtime 3] [--port 19640] [--out DIR]
#
# --wal-dir is a directory on the device that holds (or will hold) the WAL;
# a scratch file is created there and removed afterwards.  A device or an
# existing file is never written.  Every step is bounded by `timeout`.
# Prints a table and writes ceiling.json into --out (default: a temp dir).
#
# bench/ceiling.sh
#-------------------------------------------------------------------------
set -euo pipefail

WAL_DIR=${TMPDIR:-/tmp}
BS="16k 64k 256k 1m"
QD="1 4 16 32"
SIZE=256M
RUNTIME=3
PORT=19640
OUT=
while [ $# -gt 0 ]; do
	case "$1" in
		--wal-dir) WAL_DIR=$2; shift 2 ;;
		--bs) BS=$2; shift 2 ;;
		--iodepth) QD=$2; shift 2 ;;
		--size) SIZE=$2; shift 2 ;;
		--runtime) RUNTIME=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		-h|--help) sed -n '2,28p' "$0"; exit 0 ;;
		*) echo "ceiling.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
[ -d "$WAL_DIR" ] || { echo "ceiling.sh: --wal-dir $WAL_DIR is not a directory" >&2; exit 2; }
case "$RUNTIME" in ''|*[!0-9]*) echo "ceiling.sh: --runtime wants whole seconds" >&2; exit 2 ;; esac
[ "$RUNTIME" -le 60 ] || { echo "ceiling.sh: --runtime at most 60 s" >&2; exit 2; }
for t in fio iperf3 python3; do
	command -v $t >/dev/null || { echo "ceiling.sh: $t is not installed" >&2; exit 2; }
done
[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata-ceiling.XXXXXX")
mkdir -p "$OUT"
SCRATCH="$WAL_DIR/strata-ceiling.$$.fio"
IPERF_PID=
cleanup() {
	rm -f "$SCRATCH"
	[ -n "$IPERF_PID" ] && kill "$IPERF_PID" 2>/dev/null || true
}
trap cleanup EXIT
LIMIT=$((RUNTIME + 30))

# Lay the file out first, so the timed runs overwrite allocated blocks as a
# preallocated WAL does.
timeout 120 fio --name=layout --filename="$SCRATCH" --size="$SIZE" --rw=write --bs=1m \
	--direct=1 --ioengine=libaio --iodepth=8 --output-format=json >"$OUT/fio-layout.json"

COMMON=(--filename="$SCRATCH" --size="$SIZE" --time_based --runtime="$RUNTIME" --ramp_time=1 --output-format=json)
QD_MAX=0
for qd in $QD; do
	case "$qd" in *[!0-9]*|'') echo "ceiling.sh: bad --iodepth $qd" >&2; exit 2 ;; esac
	[ "$qd" -gt "$QD_MAX" ] && QD_MAX=$qd
done
for bs in $BS; do
	case "$bs" in *[!0-9kKmM]*|'') echo "ceiling.sh: bad --bs $bs" >&2; exit 2 ;; esac
	for qd in $QD; do
		timeout $LIMIT fio --name=wal_dsync "${COMMON[@]}" --rw=write --bs="$bs" --ioengine=libaio \
			--iodepth="$qd" --direct=1 --sync=dsync >"$OUT/fio-wal-dsync-$bs-qd$qd.json"
	done
	timeout $LIMIT fio --name=wal_direct "${COMMON[@]}" --rw=write --bs="$bs" --ioengine=libaio \
		--iodepth="$QD_MAX" --direct=1 >"$OUT/fio-wal-direct-$bs.json"
done
timeout $LIMIT fio --name=dsync4k "${COMMON[@]}" --rw=write --bs=4k --ioengine=psync \
	--direct=1 --sync=dsync >"$OUT/fio-dsync4k.json"

# iperf3 on loopback: a one-off server on our own port.
iperf3 -s -B 127.0.0.1 -p "$PORT" -1 >/dev/null 2>&1 &
IPERF_PID=$!
sleep 0.5
timeout $LIMIT iperf3 -c 127.0.0.1 -p "$PORT" -t "$RUNTIME" -J >"$OUT/iperf3.json" || true
wait "$IPERF_PID" 2>/dev/null || true
IPERF_PID=

BS="$BS" QD="$QD" QD_MAX="$QD_MAX" WAL_DIR="$WAL_DIR" python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def fio(name):
    j = json.load(open(os.path.join(out, name)))
    w = j["jobs"][0]["write"]
    pct = w.get("clat_ns", {}).get("percentile", {})
    def p(k): return pct.get(k, 0) / 1e6
    return {"mib_per_s": w["bw_bytes"] / 1048576.0, "iops": w["iops"],
            "clat_p50_ms": p("50.000000"), "clat_p99_ms": p("99.000000"),
            "clat_p99_9_ms": p("99.900000")}
sizes = os.environ["BS"].split()
depths = [int(q) for q in os.environ["QD"].split()]
qd_max = int(os.environ["QD_MAX"])
grid = {}
for b in sizes:
    for q in depths:
        g = fio("fio-wal-dsync-%s-qd%d.json" % (b, q))
        g.update({"bs": b, "iodepth": q})
        grid["%s qd%d" % (b, q)] = g
r = {"wal_dir": os.environ["WAL_DIR"], "bs": sizes, "iodepths": depths,
     "wal_dsync_grid": grid,
     "wal_dsync_by_bs": {b: max((grid["%s qd%d" % (b, q)] for q in depths), key=lambda x: x["mib_per_s"])
                         for b in sizes},
     "wal_direct_by_bs": {b: dict(fio("fio-wal-direct-%s.json" % b), bs=b, iodepth=qd_max) for b in sizes},
     "dsync4k_qd1": fio("fio-dsync4k.json")}
# the ceiling is the best block size and depth, not the WAL writer's own pattern
r["wal_dsync"] = max(grid.values(), key=lambda x: x["mib_per_s"])
r["wal_direct"] = max(r["wal_direct_by_bs"].values(), key=lambda x: x["mib_per_s"])
r["iodepth"] = r["wal_dsync"]["iodepth"]
try:
    ip = json.load(open(os.path.join(out, "iperf3.json")))
    bps = ip["end"]["sum_received"]["bits_per_second"]
    r["loopback_tcp"] = {"gbit_per_s": bps / 1e9, "mib_per_s": bps / 8 / 1048576.0}
except Exception as e:
    r["loopback_tcp"] = {"error": str(e)}
json.dump(r, open(os.path.join(out, "ceiling.json"), "w"), indent=2)
l = r["dsync4k_qd1"]
print("== physical ceiling (%s, fio on %s) ==" % (out, r["wal_dir"]))
for k, d in grid.items():
    print("O_DIRECT|O_DSYNC %-4s qd%-3d %9.1f MiB/s %9.0f IOPS  clat p50 %.3f p99 %.3f ms%s" %
          (d["bs"], d["iodepth"], d["mib_per_s"], d["iops"], d["clat_p50_ms"], d["clat_p99_ms"],
           "   <- best (the durable ceiling)" if d is r["wal_dsync"] else ""))
for b in sizes:
    n = r["wal_direct_by_bs"][b]
    print("raw O_DIRECT     %-4s qd%-3d %9.1f MiB/s %9.0f IOPS  clat p50 %.3f p99 %.3f ms" %
          (b, qd_max, n["mib_per_s"], n["iops"], n["clat_p50_ms"], n["clat_p99_ms"]))
print("4 KiB O_DIRECT|O_DSYNC qd1           %9.1f MiB/s %9.0f IOPS  lat p50 %.3f p99 %.3f p99.9 %.3f ms" %
      (l["mib_per_s"], l["iops"], l["clat_p50_ms"], l["clat_p99_ms"], l["clat_p99_9_ms"]))
t = r["loopback_tcp"]
if "error" in t:
    print("loopback TCP (iperf3): failed: %s" % t["error"])
else:
    print("loopback TCP (iperf3, 1 stream)      %9.1f MiB/s (%.1f Gbit/s)" % (t["mib_per_s"], t["gbit_per_s"]))
PY
