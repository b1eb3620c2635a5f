#!/bin/bash
#-------------------------------------------------------------------------
# run.sh — run one benchmark scenario with one command.
#
#   bench/run.sh WORKLOAD [--mock [N]]                   (default: mock, 1 broker)
#   bench/run.sh WORKLOAD --bootstrap HOST:PORT [--broker-pid PID | --broker-pidfile FILE]
#                         [--peer] [--ceiling [--wal-dir DIR]]
#   common options: [--out DIR] [--set key=value]... [--quiet]
#
#   --bootstrap  the broker under test (Strata: 127.0.0.1:9092 by default)
#   --broker-pid / --broker-pidfile
#                the broker's postmaster; CPU and memory of it and all its
#                descendants are sampled (Strata: DATADIR/strata.pid)
#   --mock [N]   librdkafka's in-memory mock cluster with N brokers (1),
#                in its own process, as the target
#   --peer       after the broker run, run the same workload against the
#                mock cluster and print broker/mock ratios
#   --ceiling    first measure the physical ceiling (bench/ceiling.sh: fio
#                on --wal-dir, iperf3 on loopback) and print ratios to it
#   --out        result directory (default bench/results/NAME-STAMP)
#   --set        override a workload setting (repeatable)
#
# Results: OUT/{broker,mock}/ (summary.txt, result.json, timeseries.*,
# *.png, *.svg), OUT/ceiling/ceiling.json, OUT/compare.txt.
#
# bench/run.sh
#-------------------------------------------------------------------------
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$HERE/strata_bench"

[ $# -ge 1 ] || { sed -n '2,28p' "$0"; exit 2; }
case "$1" in -h|--help) sed -n '2,28p' "$0"; exit 0 ;; esac
WORKLOAD=$1; shift
[ -f "$WORKLOAD" ] || { echo "run.sh: no workload file $WORKLOAD" >&2; exit 2; }

BOOTSTRAP=
PIDARGS=()
MOCK=
PEER=
CEILING=
WAL_DIR=${TMPDIR:-/tmp}
OUT=
SETS=()
while [ $# -gt 0 ]; do
	case "$1" in
		--bootstrap) BOOTSTRAP=$2; shift 2 ;;
		--broker-pid|--broker-pidfile) PIDARGS=("$1" "$2"); shift 2 ;;
		--mock)
			MOCK=1
			if [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]]; then MOCK=$2; shift; fi
			shift ;;
		--peer) PEER=1; shift ;;
		--ceiling) CEILING=1; shift ;;
		--wal-dir) WAL_DIR=$2; shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		--set) SETS+=(--set "$2"); shift 2 ;;
		*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
if [ -n "$BOOTSTRAP" ] && [ -n "$MOCK" ]; then
	echo "run.sh: --bootstrap and --mock are exclusive (use --peer to add the mock)" >&2; exit 2
fi
[ -n "$BOOTSTRAP" ] || MOCK=${MOCK:-1}
if [ -n "$PEER" ] && [ -z "$BOOTSTRAP" ]; then
	echo "run.sh: --peer needs --bootstrap" >&2; exit 2
fi

# make rebuilds the driver when any of its sources changed
make -s -C "$HERE" strata_bench >&2

NAME=$(sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*\([^#[:space:]]*\).*/\1/p' "$WORKLOAD" | tail -1)
NAME=${NAME:-$(basename "$WORKLOAD" .wl)}
[ -n "$OUT" ] || OUT="$HERE/results/$NAME-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname): $(nproc) CPUs, $(uname -r)"
	echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	printf '%q ' "$0" "$WORKLOAD" ${BOOTSTRAP:+--bootstrap "$BOOTSTRAP"} "${PIDARGS[@]}" \
		${MOCK:+--mock "$MOCK"} ${PEER:+--peer} ${CEILING:+--ceiling --wal-dir "$WAL_DIR"} "${SETS[@]}"
	echo
} >"$OUT/command.txt"

if [ -n "$CEILING" ]; then
	"$HERE/ceiling.sh" --wal-dir "$WAL_DIR" --out "$OUT/ceiling"
fi

RC=0
if [ -n "$BOOTSTRAP" ]; then
	"$BENCH" "$WORKLOAD" --bootstrap "$BOOTSTRAP" "${PIDARGS[@]}" --label broker --out "$OUT/broker" "${SETS[@]}" || RC=$?
fi
if [ -n "$MOCK" ] || [ -n "$PEER" ]; then
	"$BENCH" "$WORKLOAD" --mock-cluster "${MOCK:-1}" --label mock --out "$OUT/mock" "${SETS[@]}" || RC=$?
fi

python3 - "$OUT" <<'PY' | tee "$OUT/compare.txt"
import json, os, sys
out = sys.argv[1]
def load(p):
    try:
        return json.load(open(os.path.join(out, p)))
    except Exception:
        return None
runs = [(n, load(n + "/result.json")) for n in ("broker", "mock")]
runs = [(n, r) for n, r in runs if r]
ceil = load("ceiling/ceiling.json")
print("== %s: comparison (%s) ==" % (runs[0][1]["workload"] if runs else "?", out))
hdr = "%-8s %10s %9s %9s %9s %9s %9s %9s %9s %10s" % ("target", "pub msg/s", "pub MiB/s", "cons MiB/s",
      "pub p50", "pub p99", "pub p99.9", "e2e p99", "e2e p99.9", "core-s/GiB")
print(hdr)
for n, r in runs:
    L = r["latency"]
    print("%-8s %10.0f %9.1f %9.1f %9.2f %9.2f %9.2f %9.2f %9.2f %10.3f%s" % (
        n, r["publish"]["msgs_per_s"], r["publish"]["mib_per_s"], r["consume"]["mib_per_s"],
        L["publish"]["p50_ms"], L["publish"]["p99_ms"], L["publish"]["p99_9_ms"],
        L["end_to_end"]["p99_ms"], L["end_to_end"]["p99_9_ms"],
        r["broker"]["core_s_per_gib_in_out"], "" if r["complete"] else "  (incomplete: %s)" % r["abort_reason"]))
d = dict(runs)
if "broker" in d and "mock" in d and d["mock"]["publish"]["mib_per_s"] > 0:
    print("broker/mock publish throughput: %.2f x" % (d["broker"]["publish"]["mib_per_s"] / d["mock"]["publish"]["mib_per_s"]))
if ceil:
    for n, r in runs:
        pub = r["publish"]["mib_per_s"]
        print("%s publish vs ceiling: %.1f%% of durable writes (%.0f MiB/s, the disk's best block size and depth), %.1f%% of raw O_DIRECT (%.0f MiB/s)%s" % (
            n, 100 * pub / max(ceil["wal_dsync"]["mib_per_s"], 1e-9), ceil["wal_dsync"]["mib_per_s"],
            100 * pub / max(ceil["wal_direct"]["mib_per_s"], 1e-9), ceil["wal_direct"]["mib_per_s"],
            ", %.1f%% of loopback TCP (%.0f MiB/s)" % (100 * (pub + r["consume"]["mib_per_s"]) / ceil["loopback_tcp"]["mib_per_s"],
                                                        ceil["loopback_tcp"]["mib_per_s"]) if "mib_per_s" in ceil["loopback_tcp"] else ""))
        print("%s publish p99 vs one 4 KiB O_DSYNC write p99: %.2f ms vs %.3f ms" % (
            n, r["latency"]["publish"]["p99_ms"], ceil["dsync4k_qd1"]["clat_p99_ms"]))
PY
exit $RC
