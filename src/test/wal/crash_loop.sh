#!/bin/sh
#-------------------------------------------------------------------------
#
# crash_loop.sh
#	  Run the WAL's crash test (t/001_wal_crash.pl: 20 kill -9 rounds, 6
#	  more with wal_sync_method = fdatasync, the back-pressure test) RUNS
#	  times with consecutive seeds, and print a summary: runs passed,
#	  failed and hung, kill -9 rounds checked, acknowledged batches
#	  logged, and how much the WAL writer padded and overlapped its
#	  writes.  A run that has not ended after RUN_TIMEOUT seconds counts
#	  as hung: a hang is a failure to explain, never a reason to wait
#	  longer.  The logs of failed and hung runs are kept.
#
#	  Usage (from a configured and built tree, or `make -C src/test/wal
#	  crash-loop RUNS=200`):
#		src/test/wal/crash_loop.sh [RUNS [FIRST_SEED]]
#	  Environment: RUN_TIMEOUT (seconds, default 300), LOOP_DIR (where the
#	  runs' files go, default src/test/wal/tmp_loop).
#	  Exit status 0 only if every run passed.
#
# src/test/wal/crash_loop.sh
#
#-------------------------------------------------------------------------

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
runs=${1:-200}
seed0=${2:-$(date +%s)}
timeout_s=${RUN_TIMEOUT:-300}
loopdir=${LOOP_DIR:-$here/tmp_loop}
prog=$top/src/test/modules/wal_crash/wal_crash

if [ ! -x "$prog" ]; then
	echo "crash_loop.sh: $prog is not built (run make first)" >&2
	exit 2
fi
command -v prove >/dev/null || { echo "crash_loop.sh: prove not found" >&2; exit 2; }

rm -rf "$loopdir"
mkdir -p "$loopdir"
pass=0 fail=0 hung=0
rounds=0 acked=0 padding=0 pipelined=0 killed_overlapping=0
failed_runs=""
start=$(date +%s)

i=1
while [ "$i" -le "$runs" ]; do
	seed=$((seed0 + i))
	dir=$loopdir/run$i
	mkdir -p "$dir/tmp_check"
	(
		cd "$here" &&
		TESTDIR=$dir TESTLOGDIR=$dir/log STRATA_TOP_SRCDIR=$top WAL_CRASH_SEED=$seed \
			timeout "$timeout_s" prove t/001_wal_crash.pl
	) >"$dir/prove.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	elif [ "$rc" -eq 124 ]; then
		hung=$((hung + 1))
		failed_runs="$failed_runs run$i(seed $seed, hung)"
	else
		fail=$((fail + 1))
		failed_runs="$failed_runs run$i(seed $seed, rc $rc)"
	fi

	# What the run exercised, from the test program's own lines.
	for log in "$dir"/log/crash.log "$dir"/log/crash_fdatasync.log; do
		[ -f "$log" ] || continue
		n=$(grep -c '^ok round' "$log")
		rounds=$((rounds + n))
		a=$(sed -n 's/^# \([0-9]*\) acknowledged batches.*/\1/p' "$log" | tail -1)
		acked=$((acked + ${a:-0}))
		line=$(grep '^ok the WAL writer padded' "$log" | tail -1)
		p=$(echo "$line" | sed -n 's/.*padded \([0-9]*\) bytes.*/\1/p')
		w=$(echo "$line" | sed -n 's/.*submitted \([0-9]*\) writes.*/\1/p')
		k=$(echo "$line" | sed -n 's/.*; \([0-9]*\) rounds were killed.*/\1/p')
		padding=$((padding + ${p:-0}))
		pipelined=$((pipelined + ${w:-0}))
		killed_overlapping=$((killed_overlapping + ${k:-0}))
	done
	[ "$rc" -eq 0 ] && rm -rf "$dir"
	printf 'run %d/%d seed %d: %s\n' "$i" "$runs" "$seed" \
		"$([ "$rc" -eq 0 ] && echo pass || { [ "$rc" -eq 124 ] && echo HUNG || echo FAIL; })"
	i=$((i + 1))
done

elapsed=$(($(date +%s) - start))
echo "----"
echo "WAL crash loop: $runs runs (seeds $((seed0 + 1))..$((seed0 + runs))) in ${elapsed} s"
echo "  passed $pass, failed $fail, hung $hung (timeout ${timeout_s} s)"
echo "  kill -9 rounds recovered and checked: $rounds; acknowledged batches logged: $acked"
echo "  WAL writer: $padding bytes of padding, $pipelined writes submitted while another was in flight;"
echo "  $killed_overlapping rounds killed with two or more writes in flight"
if [ -n "$failed_runs" ]; then
	echo "  not passed:$failed_runs (logs in $loopdir)"
	exit 1
fi
exit 0
