#-------------------------------------------------------------------------
# shellcheck shell=bash
# elastic_env.sh — sourced by emergency-scaling.sh and auto-scaling.sh: an
# elastic cluster of the benchmark's own in OUT.  A private PostgreSQL
# catalog (OUT/pg, on a unix socket) and a file:// object store
# (OUT/objects) shared by every broker; brokers started and stopped by
# contrib/scale/local.sh in OUT/brokers/broker-N, listening on PORT+N with
# their metrics on PORT+500+N: broker 1 by elastic_start, the others by the
# controller's scale_out_command.  Every broker gets OUT/cluster.conf.
#
#   elastic_start OUT PORT "SETTINGS"   # SETTINGS: lines added to cluster.conf
#   elastic_poll_start                  # OUT/brokers.csv, OUT/objstore.json
#   elastic_psql "SQL"                  # on the catalog
#
# sets CATALOG, BOOT (broker 1's address) and ELASTIC_SCALE (local.sh).  On exit
# the poller, every broker and the catalog are stopped, and OUT's data
# removed unless BENCH_KEEP_DATA=1.
#
# bench/elastic_env.sh
#-------------------------------------------------------------------------
ELASTIC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ELASTIC_SCALE=$ELASTIC_HERE/../contrib/scale/local.sh

# PostgreSQL refuses root: then it runs as the system user strata.
elastic_as_pg()
{
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=strata --regid=strata --init-groups -- "$@"
	else
		"$@"
	fi
}

elastic_psql()
{
	psql -X -q -A -t -d "$CATALOG" -c "$1"
}

elastic_start()
{
	local out=$1 port=$2 settings=$3
	local pgbin

	ELASTIC_OUT=$out
	mkdir -p "$out/brokers" "$out/objects"
	pgbin=$(pg_config --bindir 2>/dev/null || true)
	[ -x "$pgbin/initdb" ] || pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ "$(id -u)" = 0 ]; then
		id strata >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin strata
		mkdir -p "$out/pg"
		chown strata: "$out/pg"
		chmod 0700 "$out/pg"
	fi
	elastic_as_pg "$pgbin/initdb" -D "$out/pg" -U strata -A trust -E UTF8 --no-locale >"$out/initdb.log"
	printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\nfsync = off\nmax_connections = 200\n" \
		"$out/pg" >>"$out/pg/postgresql.conf"
	elastic_as_pg "$pgbin/pg_ctl" start -w -D "$out/pg" -l "$out/pg/postgresql.log" >/dev/null
	ELASTIC_PGBIN=$pgbin
	psql -X -q -d "host=$out/pg port=5432 dbname=postgres user=strata" -c "CREATE DATABASE strata"
	CATALOG="host=$out/pg port=5432 dbname=strata user=strata"
	ELASTIC_PORT=$port
	trap elastic_cleanup EXIT
	cat >"$out/cluster.conf" <<CONF
log_cache_size = 128MB
block_cache_size = 32MB
auto_create_topics = off
scale_out_command = '$ELASTIC_SCALE out --base $out/brokers --port $port --metrics-port $((port + 500)) --conf $out/cluster.conf %i'
scale_in_command = '$ELASTIC_SCALE in %i'
$settings
CONF
	STRATA_CATALOG=$CATALOG STRATA_OBJECT_STORE="file://$out/objects" \
		"$ELASTIC_SCALE" out --base "$out/brokers" --port "$port" --metrics-port $((port + 500)) \
		--conf "$out/cluster.conf" --init-opts "--wal-size 512MB" 1 >"$out/broker1.log"
	BOOT=127.0.0.1:$((port + 1))
}

# Once a second: live brokers, the balancer's state and utilisation, the
# traffic; and the object-store requests every broker counted.
elastic_poll_start()
{
	rm -f "$ELASTIC_OUT/poll.stop"
	/usr/bin/python3 "$ELASTIC_HERE/elastic_poll.py" "$CATALOG" $((ELASTIC_PORT + 500)) \
		"$ELASTIC_OUT/brokers.csv" "$ELASTIC_OUT/objstore.json" "$ELASTIC_OUT/poll.stop" &
	ELASTIC_POLL_PID=$!
}

elastic_poll_stop()
{
	if [ -n "${ELASTIC_POLL_PID:-}" ]; then
		touch "$ELASTIC_OUT/poll.stop"
		wait "$ELASTIC_POLL_PID" 2>/dev/null || true
		ELASTIC_POLL_PID=
	fi
}

elastic_cleanup()
{
	local d

	elastic_poll_stop
	# No more scaling while the brokers stop.
	for d in "$ELASTIC_OUT"/brokers/broker-*; do
		[ -f "$d/postmaster.pid" ] || continue
		printf "scale_out_command = ''\nscale_in_command = ''\n" >>"$d/strata.conf"
		strata_ctl reload -D "$d" >/dev/null 2>&1 || true
	done
	for d in "$ELASTIC_OUT"/brokers/broker-*; do
		[ -f "$d/postmaster.pid" ] && strata_ctl stop -D "$d" -m immediate >/dev/null 2>&1
	done
	elastic_as_pg "$ELASTIC_PGBIN/pg_ctl" stop -D "$ELASTIC_OUT/pg" -m fast >/dev/null 2>&1 || true
	if [ "${BENCH_KEEP_DATA:-0}" != 1 ]; then
		rm -rf "$ELASTIC_OUT/pg" "$ELASTIC_OUT/objects"
		for d in "$ELASTIC_OUT"/brokers/broker-*; do
			rm -rf "$d/wal" "$d/objects"
		done
	fi
}
