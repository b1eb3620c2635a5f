#!/bin/bash
#-------------------------------------------------------------------------
# catchup.sh — the seed's catch-up read scenario against a Strata broker of
# its own, at this machine's scale, with one command:
#
#   bench/catchup.sh [--backlog-seconds N] [--baseline-seconds N] [--duration S]
#                    [--cold-read-bandwidth SIZE|spare] [--store URL] [--out DIR]
#                    [--set KEY=VALUE ...]
#
#  1. init and start a broker in a fresh data directory (WAL 1 GB and log
#     cache 256 MB, block cache 256 MB; object store file://DATADIR/objects
#     unless --store);
#  2. prefill: produce at the broker's maximum rate for --backlog-seconds
#     (default 60) with no consumer.  This measures the broker's limit and
#     builds a backlog of several GiB, almost all of it only in objects;
#  3. with --cold-read-bandwidth, set cold_read_bandwidth by a reload
#     (SIZE as in strata.conf, e.g. 40MB; "spare" is the measured limit
#     minus the scenario's produce rate, in bytes per second);
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
# The broker's data directory (OUT/data, the whole backlog) is removed at
# the end; CATCHUP_KEEP_DATA=1 keeps it.
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
		-h|--help) sed -n '2,38p' "$0"; exit 0 ;;
		*) echo "catchup.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$OUT" ] || OUT="$HERE/results/catchup-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DATA="$OUT/data"
PORT=${CATCHUP_PORT:-19092}
BOOT=127.0.0.1:$PORT

[ -x "$HERE/strata_bench" ] || make -s -C "$HERE" strata_bench
strata_ctl init -D "$DATA" --broker-id 1 --listeners "PLAINTEXT://$BOOT" --wal-size 1GB \
	${STORE:+--object-store "$STORE"} >"$OUT/init.log"
METRICS=127.0.0.1:$((PORT + 1))
cat >>"$DATA/strata.conf" <<CONF
log_cache_size = 256MB
block_cache_size = 256MB
metrics_listen = '$METRICS'
CONF
strata_ctl start -D "$DATA" -l "$OUT/strata.log" -w >/dev/null
# The data directory holds the whole backlog (several GiB): removed at the
# end unless CATCHUP_KEEP_DATA=1.
trap 'strata_ctl stop -D "$DATA" -m fast >/dev/null 2>&1 || true; [ "${CATCHUP_KEEP_DATA:-0}" = 1 ] || rm -rf "$DATA"' EXIT
PIDFILE="$DATA/postmaster.pid"

echo "== prefill: maximum rate for ${BACKLOG_S}s, no consumer"
"$HERE/strata_bench" "$HERE/workloads/catch-up-read.wl" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" \
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
	fi
	echo "cold_read_bandwidth = $COLD_BW" >>"$DATA/strata.conf"
	strata_ctl reload -D "$DATA" >/dev/null
	echo "   cold_read_bandwidth = $COLD_BW (reloaded)"
fi
echo "$COLD_BW" >"$OUT/cold_read_bandwidth.txt"

echo "== catch-up: $HALF msg/s, produce-only baseline, then a consumer from the beginning"
# The broker's own latency histograms, twice a second, named by wall-clock
# time: the summary takes each phase's share of them.
mkdir -p "$OUT/scrapes"
(
	while [ ! -e "$OUT/scrapes/stop" ]; do
		curl -s "http://$METRICS/metrics" 2>/dev/null |
			grep -E '^strata_(kafka_request_duration_seconds_bucket\{api="Produce"|wal_flush_duration_seconds_bucket)' \
			>"$OUT/scrapes/$(date +%s.%N).txt" || true
		sleep 0.5
	done
) &
SCRAPER=$!
"$HERE/strata_bench" "$HERE/workloads/catch-up-read.wl" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" \
	--label catchup --out "$OUT/catchup" \
	--set topic_prefix=catchup --set random_suffix=false --set produce_rate="$HALF" \
	--set backlog_size=$((HALF * 1024 * BASELINE_S)) --set backlog_timeout=120s \
	--set warmup=5s --set duration="$DURATION" ${EXTRA[@]+"${EXTRA[@]}"} >/dev/null || true
touch "$OUT/scrapes/stop"
wait "$SCRAPER" || true

# The object-store requests the broker really made (strata_objstore_*).
curl -s "http://$METRICS/metrics" >"$OUT/metrics.txt" || true

CONN="host=$DATA/catalog port=5432 dbname=strata user=strata"
psql -X -q -A -t -F ' ' -d "$CONN" -c "
	SELECT count(*), coalesce(sum(size), 0), 0,
	       count(*) FILTER (WHERE kind = 'so'), count(*) FILTER (WHERE kind = 'sso')
	FROM strata.objects WHERE state = 'committed' AND compactions = 0" >"$OUT/objects.txt"

python3 - "$OUT" <<'PY' | tee "$OUT/summary.txt"
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

# The broker's side of the same two phases, from its own histograms (the
# quantile is interpolated inside a power-of-two bucket, as Prometheus'
# histogram_quantile does): request time of Produce (read to response
# written) and WAL flush time (write submitted to durable).
def scrape(path):
    h = {}
    for line in open(path):
        name, rest = line.split("{", 1)
        le = rest.split('le="', 1)[1].split('"', 1)[0]
        h.setdefault(name, []).append((float("inf") if le == "+Inf" else float(le), float(line.split()[-1])))
    return h
sdir = os.path.join(out, "scrapes")
scrapes = sorted((float(f[:-4]), f) for f in os.listdir(sdir) if f.endswith(".txt"))
def at(t, after):
    c = [s for s in scrapes if (s[0] >= t if after else s[0] <= t)]
    return scrape(os.path.join(sdir, (c[0] if after else c[-1])[1])) if c else None
def quantile(b, q):
    total = b[-1][1]
    if total <= 0:
        return float("nan")
    lo_le, lo_c = 0.0, 0.0
    for le, c in b:
        if c >= q * total:
            if le == float("inf"):
                return lo_le * 1000
            return (lo_le + (le - lo_le) * (q * total - lo_c) / max(c - lo_c, 1)) * 1000
        lo_le, lo_c = le, c
def broker_phase(t_from, t_to):
    a, z = at(r["start_unix_s"] + t_from, False), at(r["start_unix_s"] + t_to, True)
    if not a or not z:
        return None
    res = {}
    for name in z:
        x = dict(a.get(name, []))
        d = [(le, c - x.get(le, 0)) for le, c in z[name]]
        res[name] = (quantile(d, 0.5), quantile(d, 0.99))
    return res
bo = broker_phase(r["config"].get("warmup_s", 5), b0["consumers_start_s"])
bd = broker_phase(b0["consumers_start_s"], b0["catching_up_until_s"])
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
if bo and bd:
    for name, what in (("strata_kafka_request_duration_seconds_bucket", "Produce request time"),
                       ("strata_wal_flush_duration_seconds_bucket", "WAL flush time")):
        if name in bo and name in bd:
            print("broker's %s p50/p99: produce-only %.2f / %.2f ms; during catch-up %.2f / %.2f ms" % (
                what, bo[name][0], bo[name][1], bd[name][0], bd[name][1]))
print("broker CPU: %.2f core-s per GiB produced and consumed" % r["broker"]["core_s_per_gib_in_out"])
PY
