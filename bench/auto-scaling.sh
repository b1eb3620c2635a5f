#!/bin/bash
#-------------------------------------------------------------------------
# auto-scaling.sh — the seed's daily load curve (40 MiB/s at night, peaks
# of 20x and 30x that in the morning and the evening), compressed in time
# and scaled to this machine, against an elastic cluster that scales
# itself; with one command:
#
#   bench/auto-scaling.sh [--day S] [--scale F] [--real-capacity MIB]
#                         [--base MIB] [--interval S] [--out-cooldown S]
#                         [--in-cooldown S] [--max-brokers N]
#                         [--partitions N] [--port PORT] [--out DIR]
#
#  1. bench/elastic_env.sh's cluster (a private catalog and object store,
#     brokers started and stopped by contrib/scale/local.sh), one broker to
#     begin with;
#  2. the real workload: --base MiB/s produced (default 40) times the
#     curve below, 1:1 produce/consume of 1 KiB messages; the run offers it
#     multiplied by --scale (default 1/300), and a day lasts --day seconds
#     (default 720: an hour in 30 s);
#  3. every broker's broker_capacity is --real-capacity MiB/s of traffic
#     (produced plus fetched; default 192, what an r6in.large carries at
#     AutoMQ's figures: 2200 MiB/s on 23 brokers, 1:1) times --scale, so
#     the brokers the run uses are those the real workload would use;
#     scaling_target 80 %, scaling_out_cooldown --out-cooldown (default
#     20 s), scaling_in_cooldown --in-cooldown (default 60 s),
#     balancer_interval --interval (default 5 s) -- starting and stopping
#     brokers is not compressed;
#  4. writes brokers.csv (brokers, utilisation, traffic each second),
#     objstore.json (the object-store requests every broker counted),
#     run.json (what bench/cost.py needs) and summary.txt, and plots
#     brokers over time against the offered load and publish latency
#     (autoscaling.png).
#
# The curve, hour: multiple of the base: 0: 1, 6: 1, 9: 20, 11: 20, 13: 8,
# 17: 8, 19: 30, 21: 30, 24: 1 (linear in between).
#
# Then: bench/cost.py DIR prints the monthly bill of the workload for
# Strata (from this run) and for Kafka provisioned for the peak.
#
# Needs bench/strata_bench (make -C bench), an installed Strata (strata_ctl
# on PATH), PostgreSQL's server programs and gnuplot.
#
# bench/auto-scaling.sh
#-------------------------------------------------------------------------
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
DAY=720
SCALE=0.00333333
REAL_CAPACITY=192
BASE=40
INTERVAL=5
OUT_COOLDOWN=20
IN_COOLDOWN=60
MAX_BROKERS=20
PARTITIONS=24
PORT=19800
OUT=
while [ $# -gt 0 ]; do
	case $1 in
		--day) DAY=$2; shift 2 ;;
		--scale) SCALE=$(echo "scale=10; $2" | bc); shift 2 ;;
		--real-capacity) REAL_CAPACITY=$2; shift 2 ;;
		--base) BASE=$2; shift 2 ;;
		--interval) INTERVAL=$2; shift 2 ;;
		--out-cooldown) OUT_COOLDOWN=$2; shift 2 ;;
		--in-cooldown) IN_COOLDOWN=$2; shift 2 ;;
		--max-brokers) MAX_BROKERS=$2; shift 2 ;;
		--partitions) PARTITIONS=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--out) OUT=$2; shift 2 ;;
		--help|-h) sed -n '2,/^#----/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "auto-scaling.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done
make -s -C "$here" strata_bench >/dev/null
OUT=${OUT:-$here/results/auto-scaling-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
# shellcheck source=bench/elastic_env.sh
. "$here/elastic_env.sh"

CURVE="0:1 6:1 9:20 11:20 13:8 17:8 19:30 21:30 24:1"
cap=$(echo "$REAL_CAPACITY * 1048576 * $SCALE / 1" | bc)
# The offered msg/s of 1 KiB over the run: base x multiple x scale.
schedule=$(for p in $CURVE; do
	h=${p%:*}
	m=${p#*:}
	printf '%ss:%s, ' "$(echo "$h * $DAY / 24" | bc -l | xargs printf '%.2f')" \
		"$(echo "$BASE * $m * 1024 * $SCALE / 1" | bc -l | xargs printf '%.0f')"
done | sed 's/, $//')
echo "== auto-scaling: a day in $DAY s, scale $SCALE, broker_capacity $cap B/s ($OUT)"
echo "   offered msg/s: $schedule"

elastic_start "$OUT" "$PORT" "broker_capacity = $cap
broker_lease_time = 3s
balancer_interval = ${INTERVAL}s
balancer_min_load = $(( cap / 100 ))
scaling_target = 80
scaling_emergency = 90
scaling_out_cooldown = ${OUT_COOLDOWN}s
scaling_in_cooldown = ${IN_COOLDOWN}s
scaling_min_brokers = 1
scaling_max_brokers = $MAX_BROKERS
scaling_timeout = 2min"
elastic_poll_start

cat >"$OUT/autoscaling.wl" <<WL
name = auto-scaling
topics = 1
partitions_per_topic = $PARTITIONS
topic_prefix = daily
random_suffix = false
message_size = 1KB
producers_per_topic = 2
consumers_per_topic = 2
subscription = assign
consumer_start = latest
rate_schedule = $schedule
acks = all
linger_ms = 5
warmup = 0s
duration = ${DAY}s
WL
"$here/strata_bench" "$OUT/autoscaling.wl" --bootstrap "$BOOT" --out "$OUT/bench" >"$OUT/bench.log" 2>&1 || true
elastic_poll_stop
elastic_psql "SELECT id, decided, direction, policy, utilisation_pct, brokers_before, brokers_wanted, state, total_s, note
              FROM strata.scaling_history ORDER BY id" >"$OUT/scaling_history.txt"

echo "== results"
/usr/bin/python3 - "$OUT" "$DAY" "$SCALE" "$REAL_CAPACITY" "$BASE" "$CURVE" <<'PY'
import csv, json, statistics, sys
out, day, scale, real_cap, base, curve = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
res = json.load(open(out + '/bench/result.json'))
start = res['start_unix_s']
brokers = [r for r in csv.DictReader(open(out + '/brokers.csv')) if 0 <= float(r['unix_s']) - start <= day]
obj = json.load(open(out + '/objstore.json'))
# Broker-seconds over the day (each sample stands for the second after it).
bsec = sum(int(r['live_brokers']) for r in brokers)
mean = bsec / max(len(brokers), 1)
peak = max((int(r['live_brokers']) for r in brokers), default=0)
rows = list(csv.DictReader(open(out + '/bench/timeseries.csv')))
p99 = [float(r['pub_p99_ms']) for r in rows if float(r['publish_msgs']) > 0 and float(r['t_s']) <= day]
run = {'day_s': day, 'scale': scale, 'real_capacity_mib': real_cap, 'base_mib': base, 'curve': curve,
       'mean_brokers': mean, 'peak_brokers': peak, 'samples': len(brokers),
       'broker_hours_per_day': mean * 24, 'produced_bytes_run': obj.get('bytes_in', 0),
       'objstore_requests': obj.get('requests', {}), 'upload_objects': obj.get('upload_objects', 0),
       'upload_bytes': obj.get('upload_bytes', 0),
       'publish_p99_ms_median': statistics.median(p99) if p99 else None,
       'publish_p99_ms_worst': max(p99) if p99 else None}
json.dump(run, open(out + '/run.json', 'w'), indent=1)
with open(out + '/summary.txt', 'w') as f:
    f.write("auto-scaling: a day in %.0f s at scale %g (broker_capacity = %.0f MiB/s x scale)\n" % (day, scale, real_cap))
    f.write("  brokers: mean %.2f, peak %d; %.1f broker-hours a day\n" % (mean, peak, mean * 24))
    if p99:
        f.write("  publish p99: median %.1f ms, worst second %.1f ms\n" % (run['publish_p99_ms_median'],
                                                                        run['publish_p99_ms_worst']))
    f.write("  object-store requests in the run: %s\n" % ', '.join('%s %d' % (k, v) for k, v in
                                                               sorted(run['objstore_requests'].items()) if v))
with open(out + '/brokers.dat', 'w') as f:
    for r in brokers:
        f.write("%.1f %s %s\n" % ((float(r['unix_s']) - start) / day * 24, r['live_brokers'],
                                  r['utilisation_pct'] or 'NaN'))
with open(out + '/load.dat', 'w') as f:
    for r in rows:
        f.write("%.3f %s %s %s\n" % (float(r['t_s']) / day * 24, r['target_rate'], r['publish_mibps'],
                                     r['pub_p99_ms']))
PY
cat "$OUT/summary.txt"
cat >"$OUT/autoscaling.gp" <<'GP'
set terminal pngcairo size 1100,800
set output 'autoscaling.png'
set multiplot layout 2,1 title "auto-scaling over the seed's daily curve (compressed)"
set xlabel 'hour of the day'
set xrange [0:24]
set xtics 3
set ylabel 'publish MiB/s'
set y2label 'live brokers'
set y2range [0:*]
set y2tics 1
set ytics nomirror
plot 'load.dat' using 1:3 with lines title 'publish MiB/s', \
     'brokers.dat' using 1:2 axes x1y2 with steps lw 2 title 'live brokers'
unset y2label
unset y2tics
set logscale y
set ylabel 'publish p99 (ms)'
plot 'load.dat' using 1:($4 > 0 ? $4 : 1/0) with lines title 'publish p99'
unset multiplot
GP
(cd "$OUT" && gnuplot autoscaling.gp) && echo "plot: $OUT/autoscaling.png"
echo "bill: bench/cost.py $OUT"
