#!/bin/bash
#-------------------------------------------------------------------------
# saturation.sh — what a saturated CPU alone does to publish latency on
# this machine, with nothing read and nothing of the broker's touched:
#
#   bench/saturation.sh [--rate N] [--limit-seconds N] [--seconds N]
#                       [--hogs N] [--out DIR] [--set KEY=VALUE ...]
#
#  1. init and start a broker as catchup.sh does (broker_env.sh);
#  2. unless --rate: produce at the broker's maximum rate for
#     --limit-seconds (default 20) to measure its limit; the rate is half
#     of it, as in the catch-up scenario;
#  3. run A: produce only (workloads/catch-up-read.wl, no consumer) at the
#     rate for 5 s of warm-up plus --seconds (default 30);
#  4. run B: the same, while --hogs (default: one per CPU) busy loops run
#     under SCHED_IDLE, the lowest priority Linux has: they take only CPU
#     that nothing else wants, do no I/O and share nothing with the broker;
#  5. print publish p50/p99 of both runs and their ratio, the broker's own
#     Produce request and WAL flush times (brokerhist.py), and how busy the
#     machine was.
#
# The catch-up scenario (catchup.sh) compares publish p99 with and without
# a consumer reading a backlog; on a machine whose clients share the
# broker's CPUs that consumer saturates them.  This separates the part of
# the catch-up's effect that any saturation has here from the part the
# cold reads themselves have.
#
# bench/saturation.sh
#-------------------------------------------------------------------------
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RATE=
LIMIT_S=20
SECONDS_=30
HOGS=$(nproc)
OUT=
EXTRA=()
while [ $# -gt 0 ]; do
	case "$1" in
		--rate) RATE=$2; shift 2 ;;
		--limit-seconds) LIMIT_S=$2; shift 2 ;;
		--seconds) SECONDS_=$2; shift 2 ;;
		--hogs) HOGS=$2; shift 2 ;;
		--set) EXTRA+=(--set "$2"); shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
		*) echo "saturation.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$OUT" ] || OUT="$HERE/results/saturation-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
. "$HERE/broker_env.sh"

make -s -C "$HERE" strata_bench   # rebuilds it only if a source changed
bench_broker_start "$OUT" "${SATURATION_PORT:-19092}"
HOG_PIDS=()
stop_hogs()
{
	[ ${#HOG_PIDS[@]} -eq 0 ] || kill "${HOG_PIDS[@]}" 2>/dev/null || true
	HOG_PIDS=()
}
trap 'stop_hogs; bench_broker_cleanup' EXIT

produce()
{
	local label=$1; shift
	"$HERE/strata_bench" "$HERE/workloads/catch-up-read.wl" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" \
		--label "$label" --out "$OUT/$label" \
		--set topic_prefix=saturation --set random_suffix=false --set consumers_per_topic=0 \
		--set backlog_size=0 "$@" ${EXTRA[@]+"${EXTRA[@]}"} >/dev/null
}

if [ -z "$RATE" ]; then
	echo "== limit: maximum rate for ${LIMIT_S}s"
	produce limit --set produce_rate=max --set warmup=0s --set duration="${LIMIT_S}s"
	MAX=$(python3 -c "import json;print(int(json.load(open('$OUT/limit/result.json'))['publish']['msgs_per_s']))")
	RATE=$((MAX / 2))
	echo "   broker limit: $MAX msg/s"
fi

bench_scrape_start "$OUT/scrapes"
echo "== A: produce only at $RATE msg/s"
produce idle-cpu --set produce_rate="$RATE" --set warmup=5s --set duration="${SECONDS_}s"
echo "== B: the same, with $HOGS SCHED_IDLE busy loops"
for _ in $(seq "$HOGS"); do
	chrt --idle 0 /bin/sh -c 'while :; do :; done' &
	HOG_PIDS+=($!)
done
produce saturated --set produce_rate="$RATE" --set warmup=5s --set duration="${SECONDS_}s"
stop_hogs
bench_scrape_stop "$OUT/scrapes"

python3 - "$OUT" "$HERE" "$HOGS" <<'PY' | tee "$OUT/summary.txt"
import json, os, sys
out, here, hogs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, here)
import brokerhist
runs = {}
for name in ("idle-cpu", "saturated"):
    r = json.load(open(os.path.join(out, name, "result.json")))
    t0 = r["start_unix_s"] + r["config"]["warmup_s"]
    runs[name] = (r, brokerhist.phase(os.path.join(out, "scrapes"), t0, t0 + r["config"]["duration_s"]))
a, b = runs["idle-cpu"], runs["saturated"]
print("== CPU saturation (%s)" % out)
print("publish at %.0f msg/s, produce only; %d SCHED_IDLE busy loops in run B" % (a[0]["config"]["produce_rate"], hogs))
for (r, _), what in ((a, "A, idle CPU left"), (b, "B, CPU saturated")):
    p = r["latency"]["publish"]
    print("%-18s publish %.0f msg/s, p50/p99/p99.9 %.2f / %.2f / %.2f ms; machine %.0f%% busy; broker %.2f cores" % (
        what + ":", r["publish"]["msgs_per_s"], p["p50_ms"], p["p99_ms"], p["p99_9_ms"],
        100 * r["machine_busy_fraction"], r["broker"]["cores_window"]))
print("publish p99 ratio, saturated / idle CPU: %.2f" % (b[0]["latency"]["publish"]["p99_ms"] / a[0]["latency"]["publish"]["p99_ms"]))
for line in brokerhist.report(a[1], b[1], "idle CPU", "saturated"):
    print(line)
PY
