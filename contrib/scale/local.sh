#!/bin/sh
#-------------------------------------------------------------------------
# local.sh — a scale_out_command / scale_in_command for brokers on this
# machine: each broker a process of its own with a data directory of its
# own, all on the cluster's shared catalog and object store.  A cloud
# version of this script would call its provider's API instead (start an
# instance from an image that runs "strata_ctl init" and "start", and
# terminate it after "strata_ctl stop -m fast").
#
#   local.sh out [--base DIR] [--port PORT] [--host HOST] [--conf FILE]
#                [--metrics-port MPORT] [--init-opts "OPTS"] ID...
#       Start a broker for each ID: data directory DIR/broker-ID (created
#       with strata_ctl init if missing), listening on HOST:PORT+ID, with
#       FILE appended to its strata.conf (the cluster's settings: capacity,
#       balancer and scaling settings, ...), and with --metrics-port its
#       metrics endpoint on HOST:MPORT+ID.
#   local.sh in ID...
#       Stop each broker with strata_ctl stop -m fast (the controller's
#       balancer has drained it; the stop hands its coordinator slots
#       over).  Its data directory is found in the catalog
#       (strata.brokers.data_dir), or else in DIR/broker-ID.
#
# In strata.conf (the controller expands %i to the broker ids):
#   scale_out_command = '/path/to/local.sh out --base /srv/strata --port 9100 --conf /srv/strata/cluster.conf %i'
#   scale_in_command = '/path/to/local.sh in %i'
#
# The controller's balancer runs it with STRATA_CATALOG (the catalog's
# connection string), STRATA_OBJECT_STORE and STRATA_DATA_DIR (its own
# data directory) in the environment; --base defaults to the directory
# above STRATA_DATA_DIR, --port to 9092, --host to 127.0.0.1.  strata_ctl
# (and psql, for "in") are taken from PATH.  Exit status 0 when every
# broker was started or stopped.
#
# contrib/scale/local.sh
#-------------------------------------------------------------------------
set -u

usage()
{
	echo "usage: $0 out [--base DIR] [--port PORT] [--host HOST] [--conf FILE] [--metrics-port MPORT] [--init-opts OPTS] ID..." >&2
	echo "       $0 in ID..." >&2
	exit 2
}

[ $# -ge 1 ] || usage
action=$1
shift
base=
port=9092
host=127.0.0.1
conf=
metrics_port=
init_opts=
while [ $# -gt 0 ]; do
	case $1 in
		--base) base=$2; shift 2 ;;
		--port) port=$2; shift 2 ;;
		--host) host=$2; shift 2 ;;
		--conf) conf=$2; shift 2 ;;
		--metrics-port) metrics_port=$2; shift 2 ;;
		--init-opts) init_opts=$2; shift 2 ;;
		--) shift; break ;;
		-*) usage ;;
		*) break ;;
	esac
done
[ $# -ge 1 ] || usage
for id in "$@"; do
	case $id in
		''|*[!0-9]*) echo "$0: \"$id\" is not a broker id" >&2; exit 2 ;;
	esac
done
if [ -z "$base" ]; then
	[ -n "${STRATA_DATA_DIR:-}" ] || { echo "$0: no --base and no STRATA_DATA_DIR" >&2; exit 2; }
	base=$(dirname "$STRATA_DATA_DIR")
fi

# out: initialise (once) and start broker $1.
start_one()
{
	id=$1
	dir=$base/broker-$id
	if [ ! -f "$dir/strata.conf" ]; then
		# shellcheck disable=SC2086
		if ! strata_ctl init -D "$dir" --broker-id "$id" \
				--listeners "PLAINTEXT://$host:$((port + id))" \
				--catalog "$STRATA_CATALOG" --object-store "$store" $init_opts; then
			echo "$0: could not initialise broker $id in $dir" >&2
			return 1
		fi
		[ -z "$conf" ] || cat "$conf" >>"$dir/strata.conf"
		[ -z "$metrics_port" ] || echo "metrics_listen = '$host:$((metrics_port + id))'" >>"$dir/strata.conf"
	fi
	if strata_ctl start -D "$dir" -l "$dir/strata.log" -w -t 120; then
		echo "started broker $id ($dir, $host:$((port + id)))"
	else
		echo "$0: could not start broker $id (see $dir/strata.log)" >&2
		return 1
	fi
}

case $action in
	out)
		[ -n "${STRATA_CATALOG:-}" ] || { echo "$0: STRATA_CATALOG is not set (run by the controller's balancer)" >&2; exit 2; }
		store=${STRATA_OBJECT_STORE:-}
		# An empty object_store is the controller's file://DATADIR/objects.
		[ -n "$store" ] || store="file://$STRATA_DATA_DIR/objects"
		# The brokers start side by side: each start waits for its broker to be ready.
		pids=
		for id in "$@"; do
			start_one "$id" &
			pids="$pids $!"
		done
		failed=0
		for pid in $pids; do
			wait "$pid" || failed=1
		done
		exit $failed
		;;
	in)
		failed=0
		for id in "$@"; do
			dir=
			if [ -n "${STRATA_CATALOG:-}" ] && command -v psql >/dev/null 2>&1; then
				dir=$(psql -X -A -t -d "$STRATA_CATALOG" \
					-c "SELECT data_dir FROM strata.brokers WHERE id = $id" 2>/dev/null)
			fi
			[ -n "$dir" ] || dir=$base/broker-$id
			if strata_ctl stop -D "$dir" -m fast -w -t 120; then
				echo "stopped broker $id ($dir)"
			else
				echo "$0: could not stop broker $id ($dir)" >&2
				failed=1
			fi
		done
		exit $failed
		;;
	*)
		usage
		;;
esac
