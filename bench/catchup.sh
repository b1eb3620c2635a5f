#!/bin/bash
#-------------------------------------------------------------------------
# catchup.sh — the seed's catch-up read scenario against a Strata broker of
# its own, at this machine's scale, with one command:
#
#   bench/catchup.sh [--backlog-seconds N] [--baseline-seconds N] [--duration S]
#                    [--cold-read-bandwidth SIZE|spare|Fx] [--store URL] [--out DIR]
#                    [--pin] [--set KEY=VALUE ...]
#
#  1. init and start a broker in a fresh data directory (WAL 1 GB and log
#     cache 256 MB, block cache 256 MB; object store file://DATADIR/objects
#     unless --store);
#  2. prefill: produce at the broker's maximum rate for --backlog-seconds
#     (default 60) with no consumer.  This measures the broker's limit and
#     builds a backlog of several GiB, almost all of it only in objects;
#  3. with --cold-read-bandwidth, set cold_read_bandwidth by a reload
#     (SIZE as in strata.conf, e.g. 40MB; "spare" is the measured limit
#     minus the scenario's produce rate, in bytes per second; "1.3x" is
#     1.3 times the scenario's produce rate);
#     the scenario (workloads/catch-up-read.wl): produce at half the
#     measured limit.  First produce only for --baseline-seconds (default
#     30; the baseline latency is recorded after a 5 s warm-up), then start
#     a consumer from the beginning, which reads the whole backlog from
#     object storage while the producer goes on for --duration;
#  4. print publish p99 with and without the catch-up reader and their
#     ratio (target <= 1.2), catch-up throughput, and the object-store
#     requests per GiB written, as the broker counted them
#     (strata_objstore_requests_total from its metrics endpoint on PORT+1).
#
# --set KEY=VALUE goes to strata_bench for both the prefill and the scenario
# (a workload key, e.g. partitioning=sticky).
#
# --pin: the clients (strata_bench, the metrics scraper) run on CPU 0 and
# the broker (with its embedded catalog) on CPU 1 (taskset), so that
# neither side's CPU time shows in the other's latency.
#
# OUT/summary.json holds the figures bench/catchup_isolation.sh compares:
# producer and reader rates, client publish p99 and the broker's own
# Produce p99, each produce-only and during catch-up.
#
# The broker's data directory (OUT/data, the whole backlog) is removed at
# the end; BENCH_KEEP_DATA=1 keeps it.
#
# Needs bench/strata_bench (make -C bench) and an installed Strata
# (strata_ctl on PATH, e.g. tmp_install's bin after make check).
#
# bench/catchup.sh
#-------------------------------------------------------------------------
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BACKLOG_S=60
BASELINE_S=30
DURATION=60s
STORE=
OUT=
COLD_BW=
PIN=0
EXTRA=()
while [ $# -gt 0 ]; do
	case "$1" in
		--backlog-seconds) BACKLOG_S=$2; shift 2 ;;
		--baseline-seconds) BASELINE_S=$2; shift 2 ;;
		--duration) DURATION=$2; shift 2 ;;
		--store) STORE=$2; shift 2 ;;
		--cold-read-bandwidth) COLD_BW=$2; shift 2 ;;
		--set) EXTRA+=(--set "$2"); shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		--pin) PIN=1; shift ;;
		-h|--help) sed -n '2,47p' "$0"; exit 0 ;;
		*) echo "catchup.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$OUT" ] || OUT="$HERE/results/catchup-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
. "$HERE/broker_env.sh"
CLIENT_CPU=()
if [ "$PIN" = 1 ]; then
	if [ "$(nproc)" -lt 2 ]; then
		echo "catchup.sh: --pin needs two CPUs" >&2
		exit 2
	fi
	export BENCH_BROKER_CPUS=1
	CLIENT_CPU=(taskset -c 0)
	echo "== pinned: clients on CPU 0, the broker on CPU 1"
fi
echo "$PIN" >"$OUT/pinned.txt"

make -s -C "$HERE" strata_bench   # rebuilds it only if a source changed
bench_broker_start "$OUT" "${CATCHUP_PORT:-19092}" "$STORE"

echo "== prefill: maximum rate for ${BACKLOG_S}s, no consumer"
${CLIENT_CPU[@]+"${CLIENT_CPU[@]}"} "$HERE/strata_bench" "$HERE/workloads/catch-up-read.wl" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" \
	--label prefill --out "$OUT/prefill" \
	--set topic_prefix=catchup --set random_suffix=false --set consumers_per_topic=0 \
	--set backlog_size=0 --set produce_rate=max --set warmup=0s --set duration="${BACKLOG_S}s" \
	${EXTRA[@]+"${EXTRA[@]}"} >/dev/null
MAX=$(python3 -c "import json;print(int(json.load(open('$OUT/prefill/result.json'))['publish']['msgs_per_s']))")
HALF=$((MAX / 2))
echo "   broker limit: $MAX msg/s; the scenario produces at $HALF msg/s"

if [ -n "$COLD_BW" ]; then
	if [ "$COLD_BW" = spare ]; then
		MAX_BPS=$(python3 -c "import json;print(int(json.load(open('$OUT/prefill/result.json'))['publish']['mib_per_s'] * 2**20))")
		COLD_BW=$((MAX_BPS - MAX_BPS * HALF / MAX))
	elif [[ "$COLD_BW" == *x ]]; then
		# a multiple of the scenario's produce rate, in bytes per second
		COLD_BW=$(python3 -c "import json;r=json.load(open('$OUT/prefill/result.json'));print(int(float('${COLD_BW%x}') * $HALF * r['config']['message_size']))")
	fi
	echo "cold_read_bandwidth = $COLD_BW" >>"$DATA/strata.conf"
	strata_ctl reload -D "$DATA" >/dev/null
	echo "   cold_read_bandwidth = $COLD_BW (reloaded)"
fi
echo "$COLD_BW" >"$OUT/cold_read_bandwidth.txt"

echo "== catch-up: $HALF msg/s, produce-only baseline, then a consumer from the beginning"
# The broker's own latency histograms, twice a second, named by wall-clock
# time: the summary takes each phase's share of them.
bench_scrape_start "$OUT/scrapes"
${CLIENT_CPU[@]+"${CLIENT_CPU[@]}"} "$HERE/strata_bench" "$HERE/workloads/catch-up-read.wl" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" \
	--label catchup --out "$OUT/catchup" \
	--set topic_prefix=catchup --set random_suffix=false --set produce_rate="$HALF" \
	--set backlog_size=$((HALF * 1024 * BASELINE_S)) --set backlog_timeout=120s \
	--set warmup=5s --set duration="$DURATION" ${EXTRA[@]+"${EXTRA[@]}"} >/dev/null || true
bench_scrape_stop "$OUT/scrapes"

# The object-store requests the broker really made (strata_objstore_*).
curl -s "http://$METRICS/metrics" >"$OUT/metrics.txt" || true

CONN="host=$DATA/catalog port=5432 dbname=strata user=strata"
psql -X -q -A -t -F ' ' -d "$CONN" -c "
	SELECT count(*), coalesce(sum(size), 0), 0,
	       count(*) FILTER (WHERE kind = 'so'), count(*) FILTER (WHERE kind = 'sso')
	FROM strata.objects WHERE state = 'committed' AND compactions = 0" >"$OUT/objects.txt"

python3 - "$OUT" "$HERE" <<'PY' | tee "$OUT/summary.txt"
import json, os, sys
out = sys.argv[1]
pre = json.load(open(os.path.join(out, "prefill/result.json")))
r = json.load(open(os.path.join(out, "catchup/result.json")))
L = r["latency"]
base = L.get("publish_produce_only", {})
b0 = r["backlog"]
during = L.get("publish_while_catching_up") or L["publish"]
objs, size, puts, so, sso = (float(x) for x in open(os.path.join(out, "objects.txt")).read().split())
gib = size / 2**30
print("== catch-up read (%s)" % out)
bw = open(os.path.join(out, "cold_read_bandwidth.txt")).read().strip()
print("cold_read_bandwidth: %s; partitioning: %s, linger.ms %s" % (bw if bw else "0 (no limit)",
      r["config"]["partitioning"], r["config"]["linger_ms"]))
print("broker limit (prefill at max): %.0f msg/s, %.1f MiB/s; objects hold %.2f GiB" % (
    pre["publish"]["msgs_per_s"], pre["publish"]["mib_per_s"], gib))

# The broker's side of the same two phases, from its own histograms.
sys.path.insert(0, sys.argv[2])
import brokerhist
sdir = os.path.join(out, "scrapes")
bo = brokerhist.phase(sdir, r["start_unix_s"] + r["config"]["warmup_s"], r["start_unix_s"] + b0["consumers_start_s"])
bd = brokerhist.phase(sdir, r["start_unix_s"] + b0["consumers_start_s"], r["start_unix_s"] + b0["catching_up_until_s"])
print("publish at %.0f msg/s: p50/p99/p99.9 produce-only %.2f / %.2f / %.2f ms; during catch-up %.2f / %.2f / %.2f ms" % (
    r["publish"]["msgs_per_s"], base.get("p50_ms", -1), base.get("p99_ms", -1), base.get("p99_9_ms", -1),
    during["p50_ms"], during["p99_ms"], during["p99_9_ms"]))
if base.get("p99_ms", 0) > 0:
    print("publish p99 ratio, catch-up / produce-only: %.2f (target <= 1.2)" % (during["p99_ms"] / base["p99_ms"]))
b = r.get("backlog", {})
drain = b.get("drain_s")
print("catch-up: consumer %.1f MiB/s over the run; backlog drained in %s s" % (
    r["consume"]["mib_per_s"], "%.1f" % drain if isinstance(drain, (int, float)) else "(not drained)"))
print("objects from uploads: %d (%d stream objects, %d stream-set objects), %.2f GiB" % (objs, so, sso, gib))
req, uploaded = {}, 0.0
for line in open(os.path.join(out, "metrics.txt")):
    if line.startswith('strata_objstore_requests_total{request="'):
        name = line.split('"')[1]
        req[name] = float(line.split()[-1])
    elif line.startswith("strata_upload_bytes_total "):
        uploaded = float(line.split()[-1])
    elif line.startswith("strata_cold_read_throttle_wait_seconds_count "):
        req["_throttled"] = float(line.split()[-1])
    elif line.startswith("strata_cold_read_throttle_wait_seconds_sum "):
        req["_throttle_s"] = float(line.split()[-1])
throttled, throttle_s = req.pop("_throttled", 0), req.pop("_throttle_s", 0)
if throttled:
    print("cold reads that waited for cold_read_bandwidth: %.0f GETs, %.1f s in all" % (throttled, throttle_s))
writes = sum(req.get(k, 0) for k in ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"))
if uploaded:
    print("object-store write requests made (metrics, uploads and compaction): %.0f for %.2f GiB uploaded: %.1f per GiB"
          " (AutoMQ's 16 MiB parts: 64 per GiB)" % (writes, uploaded / 2**30, writes / (uploaded / 2**30)))
    print("object-store reads: %.0f GetObject, %.1f per GiB uploaded; all requests: %s" % (
        req.get("GetObject", 0), req.get("GetObject", 0) / (uploaded / 2**30),
        ", ".join("%s %.0f" % (k, v) for k, v in sorted(req.items()) if v)))
for line in brokerhist.report(bo, bd, "produce-only", "during catch-up"):
    print(line)
print("broker CPU: %.2f core-s per GiB produced and consumed" % r["broker"]["core_s_per_gib_in_out"])

# The isolation figures: the reader's rate against the producers' during
# the catch-up phase, and the broker's own Produce p99 in both phases.
span = b0["catching_up_until_s"] - b0["consumers_start_s"]
msg_size = r["config"]["message_size"]
# the reader reads the prefill and the backlog, then keeps up with the
# producers: while catching up, it moved everything acked before the
# phase's end that it had not read before the phase
read_bytes = None
if isinstance(drain, (int, float)) and drain > 0:
    read_bytes = (pre["totals"]["acked"] + b0["msgs"]) * msg_size + r["publish"]["msgs_per_s"] * drain * msg_size
    span = drain
elif span > 0:
    read_bytes = r["totals"]["consumed"] * msg_size
reader = read_bytes / span / 2**20 if read_bytes and span > 0 else float("nan")
producer = r["publish"]["mib_per_s"]
P = 'strata_kafka_request_duration_seconds_bucket{api="Produce"'
received = 0.0
for line in open(os.path.join(out, "metrics.txt")):
    if line.startswith("strata_objstore_received_bytes_total "):
        received = float(line.split()[-1])
s = {
    "objstore_read_mib": received / 2**20,
    "pinned": open(os.path.join(out, "pinned.txt")).read().strip() == "1",
    "producer_mib_s": producer,
    "reader_mib_s": reader,
    "reader_over_producer": reader / producer if producer > 0 else float("nan"),
    "client_publish_p99_ms": [base.get("p99_ms", float("nan")), during["p99_ms"]],
    "broker_produce_p99_ms": [bo[P][1] if bo and P in bo else float("nan"),
                              bd[P][1] if bd and P in bd else float("nan")],
}
json.dump(s, open(os.path.join(out, "summary.json"), "w"), indent=1)
print("reader during catch-up: %.1f MiB/s, %.2f x the producers' %.1f MiB/s (target >= 1.5)" % (
    reader, s["reader_over_producer"], producer))
bp = s["broker_produce_p99_ms"]
print("broker's Produce p99 ratio, catch-up / produce-only: %.2f (target <= 1.2)" % (bp[1] / bp[0] if bp[0] > 0 else float("nan")))
PY
