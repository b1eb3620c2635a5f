#-------------------------------------------------------------------------
# broker_env.sh — sourced by catchup.sh and saturation.sh: a broker of the
# benchmark's own, in OUT/data, on PORT (metrics on PORT+1).
#
#   bench_broker_start OUT PORT [OBJECT_STORE_URL]
#
# sets DATA, BOOT, METRICS and PIDFILE; WAL 1 GB, log cache and block cache
# 256 MB, object store file://DATA/objects unless a URL is given, and the
# lines of BENCH_BROKER_CONF (if set) appended to strata.conf.  With
# BENCH_BROKER_CPUS (a taskset CPU list, e.g. 1) the broker and everything
# it starts (its embedded catalog too) run on those CPUs only.  On exit
# the broker is stopped and its data directory (the whole backlog, several
# GiB) removed, unless BENCH_KEEP_DATA=1.
#
# bench/broker_env.sh
#-------------------------------------------------------------------------
bench_broker_start()
{
	local out=$1 port=$2 store=${3:-}

	DATA="$out/data"
	BOOT=127.0.0.1:$port
	METRICS=127.0.0.1:$((port + 1))
	PIDFILE="$DATA/postmaster.pid"
	strata_ctl init -D "$DATA" --broker-id 1 --listeners "PLAINTEXT://$BOOT" --wal-size 1GB \
		${store:+--object-store "$store"} >"$out/init.log"
	cat >>"$DATA/strata.conf" <<CONF
log_cache_size = 256MB
block_cache_size = 256MB
metrics_listen = '$METRICS'
${BENCH_BROKER_CONF:-}
CONF
	${BENCH_BROKER_CPUS:+taskset -c "$BENCH_BROKER_CPUS"} \
		strata_ctl start -D "$DATA" -l "$out/strata.log" -w >/dev/null
	trap bench_broker_cleanup EXIT
}

# The EXIT trap: stop the broker, remove its data directory.
bench_broker_cleanup()
{
	strata_ctl stop -D "$DATA" -m fast >/dev/null 2>&1 || true
	[ "${BENCH_KEEP_DATA:-0}" = 1 ] || rm -rf "$DATA"
}

# Scrape the broker's latency histograms (brokerhist.py) twice a second
# into DIR/<unix time>.txt until DIR/stop exists; BENCH_SCRAPER is the pid.
bench_scrape_start()
{
	local dir=$1 here keep

	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	keep=$(python3 -c "import sys; sys.path.insert(0, '$here'); import brokerhist; print(brokerhist.GREP)")
	mkdir -p "$dir"
	rm -f "$dir/stop"
	(
		while [ ! -e "$dir/stop" ]; do
			curl -s "http://$METRICS/metrics" 2>/dev/null | grep -E "$keep" >"$dir/$(date +%s.%N).txt" || true
			sleep 0.5
		done
	) &
	BENCH_SCRAPER=$!
}

bench_scrape_stop()
{
	touch "$1/stop"
	wait "$BENCH_SCRAPER" || true
}
