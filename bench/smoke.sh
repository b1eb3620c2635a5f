#!/bin/bash
#-------------------------------------------------------------------------
# smoke.sh — TAP smoke test of strata_bench against librdkafka's mock
# cluster (about 10 s): a short fixed-rate run must deliver and consume
# every message in order at the target rate, run its event, and write
# every output file; malformed workloads must be refused with a clear
# message and exit status 2.  Run by "make -C bench check" through prove.
#
# bench/smoke.sh
#-------------------------------------------------------------------------
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$HERE/strata_bench"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench-smoke.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
n=0
fail=0
ok() {	# ok COND-EXIT-STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

timeout 60 "$BENCH" "$HERE/workloads/smoke.wl" --mock-cluster 1 --out "$TMP/run" >"$TMP/stdout" 2>"$TMP/stderr"
ok $? "smoke run against the mock cluster exits 0"

python3 - "$TMP/run" >"$TMP/checks" 2>&1 <<'PY'
import json, os, sys
d = sys.argv[1]
r = json.load(open(os.path.join(d, "result.json")))
def check(cond, name):
    print(("ok" if cond else "not ok") + " " + name)
check(r["complete"], "run complete")
check(abs(r["publish"]["msgs_per_s"] - 2000) < 200, "publish rate %.0f msg/s is within 10%% of 2000" % r["publish"]["msgs_per_s"])
check(r["errors"] == 0, "no producer/consumer errors (%d)" % r["errors"])
check(r["totals"]["acked"] > 5000 and r["totals"]["unconsumed_at_end"] == 0,
      "every acked message consumed (%d acked)" % r["totals"]["acked"])
check(r["sequence_gaps"] == 0 and r["sequence_duplicates"] == 0, "no sequence gaps or duplicates")
check(r["latency"]["publish"]["count"] > 4000 and r["latency"]["publish"]["p50_ms"] > 0, "publish latency recorded")
check(r["latency"]["end_to_end"]["count"] > 4000, "end-to-end latency recorded")
check(r["latency"]["publish"]["p50_ms"] <= r["latency"]["publish"]["p99_ms"] <= r["latency"]["publish"]["max_ms"],
      "publish p50 <= p99 <= max")
check(r["broker"]["pid"] > 0 and r["broker"]["cpu_s_run"] > 0 and r["broker"]["peak_rss_mib"] > 1,
      "mock cluster process CPU and memory sampled")
check(len(r["events"]) == 1 and r["events"][0]["status"] == 0 and 1.9 < r["events"][0]["started_s"] < 2.5,
      "event ran at t=2 s with status 0")
check("smoke-event" in open(os.path.join(d, "events.log")).read(), "event output in events.log")
rows = open(os.path.join(d, "timeseries.csv")).read().splitlines()
check(len(rows) >= 4 and rows[0].startswith("t_s,"), "per-second time series (%d rows)" % (len(rows) - 1))
ts = json.load(open(os.path.join(d, "timeseries.json")))
check(len(ts) == len(rows) - 1, "timeseries.json matches the CSV")
for f in ("throughput", "latency", "percentiles", "resources"):
    for ext in ("png", "svg"):
        p = os.path.join(d, f + "." + ext)
        check(os.path.exists(p) and os.path.getsize(p) > 1000, "plot %s.%s written" % (f, ext))
PY
ok $? "result checks ran"
while read -r status rest; do
	if [ "$status" = ok ]; then ok 0 "$rest"; else ok 1 "${rest#ok }"; fi
done <"$TMP/checks"

# static assignment, two producers and two consumers, catch-up from a backlog
timeout 60 "$BENCH" "$HERE/workloads/smoke.wl" --mock-cluster 1 --out "$TMP/run2" \
	--set subscription=assign --set producers_per_topic=2 --set consumers_per_topic=2 \
	--set consumer_start=earliest --set backlog_size=2MB --set warmup=0 --set duration=2 \
	--set 'event=0.5 true' >"$TMP/stdout2" 2>"$TMP/stderr2"
ok $? "backlog run with static assignment exits 0"
python3 - "$TMP/run2" >"$TMP/checks2" 2>&1 <<'PY'
import json, os, sys
r = json.load(open(os.path.join(sys.argv[1], "result.json")))
def check(cond, name):
    print(("ok" if cond else "not ok") + " " + name)
b = r["backlog"]
check(r["complete"] and r["errors"] == 0, "backlog run complete without errors")
check(b["bytes"] >= 2 * 1048576 and b["drain_s"] is not None and b["drain_s"] > 0,
      "backlog of %d bytes built and drained in %s s" % (b["bytes"], b["drain_s"]))
check(r["latency"]["publish_produce_only"]["count"] > 0, "produce-only publish latency recorded")
check(r["totals"]["unconsumed_at_end"] == 0 and r["sequence_gaps"] == 0 and r["sequence_duplicates"] == 0,
      "two consumers read every message of two producers exactly once (%d)" % r["totals"]["consumed"])
PY
ok $? "backlog checks ran"
while read -r status rest; do
	if [ "$status" = ok ]; then ok 0 "$rest"; else ok 1 "${rest#ok }"; fi
done <"$TMP/checks2"

# bad input: clear message, exit status 2, no crash
printf 'name = x\nbogus_key = 1\n' >"$TMP/bad1.wl"
printf 'name = x\nproduce_rate = fast\n' >"$TMP/bad2.wl"
printf 'name = x\nmessage_size = 10\n' >"$TMP/bad3.wl"
printf 'name = x\nevent = soon echo hi\n' >"$TMP/bad4.wl"
printf 'name = x\npartitions_per_topic\n' >"$TMP/bad5.wl"
printf 'name = x\nname = it'"'"'s\n' >"$TMP/bad6.wl"
printf 'name = x\nbacklog_size = 10MB\n' >"$TMP/bad7.wl"
for i in 1 2 3 4 5 6; do
	"$BENCH" "$TMP/bad$i.wl" --mock-cluster 1 --out "$TMP/bad" >/dev/null 2>"$TMP/err$i"
	rc=$?
	[ $rc = 2 ] && grep -q "bad$i.wl:2:" "$TMP/err$i"
	ok $? "malformed workload $i refused with line number (exit $rc: $(head -c 120 "$TMP/err$i"))"
done
"$BENCH" "$TMP/nonexistent.wl" --mock-cluster 1 >/dev/null 2>"$TMP/err6"
[ $? = 2 ] && grep -q "cannot open workload file" "$TMP/err6"
ok $? "missing workload file refused"
"$BENCH" "$TMP/bad7.wl" --mock-cluster 1 --out "$TMP/bad" >/dev/null 2>"$TMP/err7"
[ $? = 2 ] && grep -q "consumer_start = earliest" "$TMP/err7"
ok $? "backlog with consumer_start = latest refused"
"$BENCH" "$HERE/workloads/smoke.wl" >/dev/null 2>&1
[ $? = 2 ]
ok $? "no target (--bootstrap or --mock-cluster) refused"

echo "1..$n"
exit $fail
