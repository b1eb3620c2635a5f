#!/bin/bash
#-------------------------------------------------------------------------
# produce_path.sh — the produce path's table (issue 16) in one command:
# the device's durable ceiling, librdkafka's mock broker and a Strata
# broker, measured in the same run, printed as one table with the ratios.
#
#   bench/produce_path.sh [--out DIR] [--port PORT] [--messages N]
#                         [--rounds N] [--rates "102400 204800"]
#                         [--duration SECONDS] [--huge-pages N|off]
#                         [--quick]
#
# Rows (1 KiB messages throughout):
#   produce throughput   kcat -P, --messages × 1 KiB, acks=all, a topic of
#                        4 partitions, kcat's defaults otherwise; Strata and
#                        the mock alternate for --rounds rounds, the best of
#                        each counts; compared with the mock and with the
#                        device's durable bandwidth (ceiling.sh: fio
#                        O_DIRECT|O_DSYNC at the best block size and depth)
#   CPU per GiB          the broker's process tree, sampled from /proc by
#                        the driver (strata_bench), per GiB produced: produce
#                        only, and produce + consume 1:1, 16 partitions at
#                        the first of --rates; compared with what memcpy +
#                        CRC-32C of the same bytes costs (copycrc)
#   publish p99 / p99.9  strata_bench tail-read-16p-fixed (16 partitions,
#                        linger 1 ms, consumers at the tail) at each of
#                        --rates msg/s (default 100 and 200 MiB/s), Strata
#                        and the mock
#
# The broker is one of the benchmark's own (broker_env.sh: in OUT/data,
# WAL 1 GB, file:// objects in the same directory, so uploads run as in
# the issue's measurements; num_partitions = 4 for kcat's topics), built
# from the strata_ctl on PATH.  Configure it without --enable-cassert.
# Its shared memory is mapped with 2 MB pages, as doc/wal.md recommends:
# run as root, the script reserves --huge-pages N of them (1024, 2 GiB:
# the broker's and the embedded catalog's shared memory) with sysctl
# vm.nr_hugepages for the run and puts the old value back at the end;
# --huge-pages off (or not root) leaves the kernel as it is, and the
# broker maps 4 KiB pages.  The table's header says which.
# --quick runs everything at small sizes (a check that the command works,
# not figures).  Takes about 6 minutes with the defaults.
#
# Output: OUT/table.md (also printed) and OUT/table.json; every run's own
# files under OUT (ceiling/, kcat/, tail-RATE/{broker,mock}/,
# produce-RATE/{broker,mock}/, copycrc.txt, command.txt).
#
# Run on a quiet machine only: on two shared cores any other work changes
# every figure.
#
# bench/produce_path.sh
#-------------------------------------------------------------------------
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH="$HERE/strata_bench"
# shellcheck source=bench/broker_env.sh
. "$HERE/broker_env.sh"

OUT=
PORT=19650
MESSAGES=300000
ROUNDS=3
RATES="102400 204800"
DURATION=30
WARMUP=5
CEIL_ARGS=()
COPY_GIB=4
QUICK=
HUGE_PAGES=1024
while [ $# -gt 0 ]; do
	case "$1" in
		--out) OUT=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--messages) MESSAGES=$2; shift 2 ;;
		--rounds) ROUNDS=$2; shift 2 ;;
		--rates) RATES=$2; shift 2 ;;
		--duration) DURATION=$2; shift 2 ;;
		--huge-pages) HUGE_PAGES=$2; shift 2 ;;
		--quick)
			QUICK=1 MESSAGES=20000 ROUNDS=1 RATES="2000 4000" DURATION=4 WARMUP=1 COPY_GIB=1
			CEIL_ARGS=(--bs "64k 1m" --iodepth "1 8" --size 32M --runtime 1)
			shift ;;
		-h|--help) sed -n '2,44p' "$0"; exit 0 ;;
		*) echo "produce_path.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
for n in "$PORT" "$MESSAGES" "$ROUNDS" "$DURATION"; do
	case "$n" in ''|*[!0-9]*) echo "produce_path.sh: --port, --messages, --rounds and --duration want whole numbers" >&2; exit 2 ;; esac
done
for r in $RATES; do
	case "$r" in ''|*[!0-9]*) echo "produce_path.sh: --rates wants msg/s numbers" >&2; exit 2 ;; esac
done
case "$HUGE_PAGES" in off|[0-9]*) ;; *) echo "produce_path.sh: --huge-pages wants a number of 2 MB pages or off" >&2; exit 2 ;; esac
[ "$ROUNDS" -ge 1 ] || { echo "produce_path.sh: --rounds must be at least 1" >&2; exit 2; }
for t in kcat strata_ctl fio iperf3 python3 curl; do
	command -v $t >/dev/null || { echo "produce_path.sh: $t is not installed (or not on PATH)" >&2; exit 2; }
done

make -s -C "$HERE" strata_bench copycrc >&2
[ -n "$OUT" ] || OUT="$HERE/results/produce-path-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT/kcat"
OUT=$(cd "$OUT" && pwd)
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname): $(nproc) CPUs, $(uname -r)"
	echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "# strata_ctl: $(command -v strata_ctl)"
	printf '%q ' "$0" --messages "$MESSAGES" --rounds "$ROUNDS" --rates "$RATES" \
		--duration "$DURATION" --port "$PORT" ${QUICK:+--quick}
	echo
} >"$OUT/command.txt"
FIRST_RATE=${RATES%% *}

# CPU seconds (user + system, children reaped included) of a process tree.
tree_cpu()
{
	python3 - "$1" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
kids = {}
stats = {}
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        s = open("/proc/%s/stat" % d).read()
    except OSError:
        continue
    f = s[s.rindex(")") + 2:].split()
    kids.setdefault(int(f[1]), []).append(int(d))
    stats[int(d)] = sum(int(x) for x in f[11:15])
todo, total = [int(sys.argv[1])], 0
while todo:
    p = todo.pop()
    total += stats.get(p, 0)
    todo.extend(kids.get(p, []))
print("%.3f" % (total / hz))
PY
}

echo "== 1. the device's durable ceiling (fio in $OUT, the WAL's filesystem) ==" >&2
"$HERE/ceiling.sh" --wal-dir "$OUT" --out "$OUT/ceiling" --port $((PORT + 2)) "${CEIL_ARGS[@]}" >&2

echo "== 2. memcpy + CRC-32C of $COPY_GIB GiB ==" >&2
"$HERE/copycrc" "$COPY_GIB" | tee "$OUT/copycrc.txt" >&2

echo "== 3. a Strata broker of the benchmark's own on port $PORT ==" >&2
HUGE_OLD=
if [ "$HUGE_PAGES" != off ] && [ -w /proc/sys/vm/nr_hugepages ]; then
	HUGE_OLD=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$HUGE_OLD" -lt "$HUGE_PAGES" ]; then
		echo "$HUGE_PAGES" >/proc/sys/vm/nr_hugepages || true
	fi
fi
BENCH_BROKER_CONF="num_partitions = 4" bench_broker_start "$OUT" "$PORT"
# broker_env.sh's EXIT trap stops the broker; the reservation goes after it.
if [ -n "$HUGE_OLD" ]; then
	trap 'bench_broker_cleanup; echo "$HUGE_OLD" >/proc/sys/vm/nr_hugepages || true' EXIT
fi
grep -m1 'shared memory:' "$OUT/strata.log" | sed 's/.*LOG:  //' >"$OUT/shmem.txt" || true
BROKER_PID=$(head -1 "$PIDFILE")

echo "== 4. kcat: $MESSAGES x 1 KiB, acks=all, 4 partitions, $ROUNDS alternating rounds ==" >&2
python3 - "$MESSAGES" >"$OUT/kcat/messages" <<'PY'
import os, sys, base64
n = int(sys.argv[1])
out = sys.stdout.buffer
block = base64.b64encode(os.urandom(768 * 64))  # printable, no newline
for i in range(n):
    o = (i * 1031) % (len(block) - 1024)
    out.write(block[o:o + 1024] + b"\n")
PY
MOCK_TOPICS=()
for r in $(seq 1 "$ROUNDS"); do MOCK_TOPICS+=(--mock-topic "kcat-$r:4"); done
coproc MOCK { exec "$BENCH" --serve-mock 1 "${MOCK_TOPICS[@]}"; }
read -r word MOCK_BOOT <&"${MOCK[0]}"
[ "$word" = BOOTSTRAP ] || { echo "produce_path.sh: the mock cluster did not start" >&2; exit 1; }
MOCK_RUN_PID=$MOCK_PID

# one kcat run: TARGET BOOTSTRAP TOPIC PID; appends a line to kcat/runs.tsv
kcat_round()
{
	local target=$1 boot=$2 topic=$3 pid=$4 c0 c1 t0 t1
	c0=$(tree_cpu "$pid")
	t0=$(date +%s.%N)
	if ! kcat -P -b "$boot" -t "$topic" -X acks=all -l "$OUT/kcat/messages" \
		2>"$OUT/kcat/$target-$topic.err" || grep -qi 'fail\|error' "$OUT/kcat/$target-$topic.err"; then
		echo "produce_path.sh: kcat to $target failed (see $OUT/kcat/$target-$topic.err)" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	c1=$(tree_cpu "$pid")
	printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$topic" "$MESSAGES" \
		"$(python3 -c "print($t1 - $t0)")" "$(python3 -c "print($c1 - $c0)")" >>"$OUT/kcat/runs.tsv"
}
printf 'target\ttopic\tmessages\tseconds\tcpu_s\n' >"$OUT/kcat/runs.tsv"
for r in $(seq 1 "$ROUNDS"); do
	kcat_round strata "$BOOT" "kcat-$r" "$BROKER_PID"
	kcat_round mock "$MOCK_BOOT" "kcat-$r" "$MOCK_RUN_PID"
done
eval "exec ${MOCK[1]}>&-"
wait "$MOCK_RUN_PID" 2>/dev/null || true

WL="$HERE/workloads/tail-read-16p-fixed.wl"
SETS=(--set duration="${DURATION}s" --set warmup="${WARMUP}s")
echo "== 5. produce only at $FIRST_RATE msg/s, 16 partitions (strata_bench) ==" >&2
"$BENCH" "$WL" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" --label broker \
	--out "$OUT/produce-$FIRST_RATE/broker" "${SETS[@]}" --set produce_rate="$FIRST_RATE" \
	--set consumers_per_topic=0 >&2 || true
"$BENCH" "$WL" --mock-cluster 1 --label mock --out "$OUT/produce-$FIRST_RATE/mock" "${SETS[@]}" \
	--set produce_rate="$FIRST_RATE" --set consumers_per_topic=0 >&2 || true
for rate in $RATES; do
	echo "== 6. tail read at $rate msg/s, 16 partitions, linger 1 ms (strata_bench) ==" >&2
	"$BENCH" "$WL" --bootstrap "$BOOT" --broker-pidfile "$PIDFILE" --label broker \
		--out "$OUT/tail-$rate/broker" "${SETS[@]}" --set produce_rate="$rate" >&2 || true
	"$BENCH" "$WL" --mock-cluster 1 --label mock --out "$OUT/tail-$rate/mock" "${SETS[@]}" \
		--set produce_rate="$rate" >&2 || true
done

RATES="$RATES" FIRST_RATE="$FIRST_RATE" QUICK="$QUICK" ROUNDS="$ROUNDS" python3 - "$OUT" <<'PY' | tee "$OUT/table.md"
import json, os, re, sys
out = sys.argv[1]
rates = [int(r) for r in os.environ["RATES"].split()]
first = int(os.environ["FIRST_RATE"])

def load(p):
    try:
        return json.load(open(os.path.join(out, p)))
    except Exception:
        return None

def mib(rate):
    return rate * 1024 / 1048576.0

ceil = load("ceiling/ceiling.json")
m = re.search(r"([0-9.]+) core-s/GiB", open(os.path.join(out, "copycrc.txt")).read())
copycrc = float(m.group(1)) if m else None
runs = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "kcat/runs.tsv"))][1:]
best = {}
kcat_cpu = {}
for target, topic, n, secs, cpu in runs:
    mibs = int(n) * 1024 / 1048576.0 / float(secs)
    if mibs > best.get(target, 0):
        best[target] = mibs
        kcat_cpu[target] = float(cpu) / (int(n) * 1024 / 2.0 ** 30)

def ratio(a, b):
    return a / b if a is not None and b else None

def fmt(x, f="%.2f"):
    return "n/a" if x is None else f % x

def met(ok):
    return "n/a" if ok is None else ("yes" if ok else "no")

rows = []
table = {"date": open(os.path.join(out, "command.txt")).readline().lstrip("# ").strip(),
         "quick": bool(os.environ["QUICK"]), "rows": rows}

# produce throughput
s, k = best.get("strata"), best.get("mock")
dev = ceil["wal_dsync"] if ceil else None
rs, rd = ratio(s, k), ratio(s, dev["mib_per_s"] if dev else None)
rows.append({"measure": "produce throughput (kcat, %s x 1 KiB, acks=all, 4 partitions, best of %s)"
             % (runs[0][2] if runs else "?", os.environ["ROUNDS"]),
             "strata": "%s MiB/s" % fmt(s, "%.1f"),
             "reference": "mock %s MiB/s; device %s MiB/s (O_DIRECT|O_DSYNC %s qd%s)" % (
                 fmt(k, "%.1f"), fmt(dev and dev["mib_per_s"], "%.1f"), dev and dev["bs"], dev and dev["iodepth"]),
             "ratio": "%s x mock; %s x device" % (fmt(rs), fmt(rd)),
             "target": ">= 1.0 x mock, >= 0.9 x device",
             "met": met(None if rs is None or rd is None else rs >= 1.0 and rd >= 0.9),
             "values": {"strata_mib_s": s, "mock_mib_s": k, "device_mib_s": dev and dev["mib_per_s"]}})

# CPU per GiB produced
def res(kind, rate, target):
    return load("%s-%d/%s/result.json" % (kind, rate, target))

def cpu(r):
    return r["broker"]["core_s_per_gib_produced"] if r and r["publish"]["mib_per_s"] > 0 else None

po_s, po_m = cpu(res("produce", first, "broker")), cpu(res("produce", first, "mock"))
rows.append({"measure": "broker CPU per GiB produced, produce only (16 partitions, %.0f MiB/s)" % mib(first),
             "strata": "%s core-s" % fmt(po_s),
             "reference": "memcpy + CRC-32C %s; mock %s; kcat run above: Strata %s, mock %s" % (
                 fmt(copycrc), fmt(po_m), fmt(kcat_cpu.get("strata")), fmt(kcat_cpu.get("mock"))),
             "ratio": "%s x memcpy + CRC-32C" % fmt(ratio(po_s, copycrc)),
             "target": "<= 0.8 core-s/GiB",
             "met": met(None if po_s is None else po_s <= 0.8),
             "values": {"strata": po_s, "mock": po_m, "copycrc": copycrc,
                        "kcat_strata": kcat_cpu.get("strata"), "kcat_mock": kcat_cpu.get("mock")}})
tr_s, tr_m = cpu(res("tail", first, "broker")), cpu(res("tail", first, "mock"))
rows.append({"measure": "broker CPU per GiB produced, produce + consume 1:1 (16 partitions, %.0f MiB/s)" % mib(first),
             "strata": "%s core-s" % fmt(tr_s),
             "reference": "memcpy + CRC-32C %s; mock %s" % (fmt(copycrc), fmt(tr_m)),
             "ratio": "%s x memcpy + CRC-32C" % fmt(ratio(tr_s, copycrc)),
             "target": "<= 1.2 core-s/GiB",
             "met": met(None if tr_s is None else tr_s <= 1.2),
             "values": {"strata": tr_s, "mock": tr_m}})

# publish latency
targets = [(5, 12), (6, 15)]
for i, rate in enumerate(rates):
    b, mk = res("tail", rate, "broker"), res("tail", rate, "mock")
    def lat(r):
        if not r:
            return None, None, None
        L = r["latency"]["publish"]
        return L["p99_ms"], L["p99_9_ms"], r["publish"]["mib_per_s"]
    b99, b999, bm = lat(b)
    m99, m999, mm = lat(mk)
    t = targets[i] if i < len(targets) else None
    rows.append({"measure": "publish p99 / p99.9, 16 partitions, linger 1 ms, %.0f MiB/s offered" % mib(rate),
                 "strata": "%s / %s ms (%s MiB/s acked)" % (fmt(b99), fmt(b999), fmt(bm, "%.1f")),
                 "reference": "mock %s / %s ms (%s MiB/s acked)" % (fmt(m99), fmt(m999), fmt(mm, "%.1f")),
                 "ratio": "%s / %s x mock" % (fmt(ratio(b99, m99)), fmt(ratio(b999, m999))),
                 "target": "<= %d / <= %d ms" % t if t else "",
                 "met": met(None if t is None or b99 is None else
                            b99 <= t[0] and b999 <= t[1] and bm >= 0.95 * mib(rate)),
                 "values": {"strata_p99_ms": b99, "strata_p99_9_ms": b999, "strata_mib_s": bm,
                            "mock_p99_ms": m99, "mock_p99_9_ms": m999, "mock_mib_s": mm}})

print("## Produce path, %s%s" % (table["date"], " (--quick: not figures)" if table["quick"] else ""))
print()
try:
    shmem = open(os.path.join(out, "shmem.txt")).read().strip()
except OSError:
    shmem = ""
table["shared_memory"] = shmem
if shmem:
    print("The broker's %s." % shmem)
    print()
print("| measure | Strata | reference in the same run | ratio | target | met |")
print("|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %s | %s | %s |" % (r["measure"], r["strata"], r["reference"].replace("|", "\\|"),
                                               r["ratio"], r["target"], r["met"]))
print()
print("Latency rows count as met only if Strata acknowledged at least 95 % of the offered rate.")
print("Every run's own output is in the run directory (OUT, here %s)." % os.path.basename(out))
json.dump(table, open(os.path.join(out, "table.json"), "w"), indent=2)
PY
