#!/bin/bash
#-------------------------------------------------------------------------
# catchup_isolation.sh — catch-up isolation measured where it is decided:
# the broker's own Produce latency (its request-time histogram, from the
# metrics endpoint) with and without a catch-up reader reading the backlog
# from object storage, both with the clients and the broker sharing the
# machine's CPUs and pinned apart (taskset: clients on CPU 0, broker on
# CPU 1).  One command:
#
#   bench/catchup_isolation.sh [catchup.sh options ...]
#
# runs bench/catchup.sh twice, unpinned then with --pin, with the same
# options (e.g. --backlog-seconds 60 --duration 60s), and prints for both:
# the broker's Produce p99 produce-only and during catch-up and their ratio
# (the issue's target: <= 1.2), the reader's rate over the producers'
# (the measurement counts only if >= 1.5), and the clients' publish p99
# ratio for reference.  The runs' directories are kept under
# bench/results/catchup-isolation-<time>/{unpinned,pinned}; the table is
# also written to table.txt there.
#
# bench/catchup_isolation.sh
#-------------------------------------------------------------------------
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
esac
for a in "$@"; do
	case "$a" in
		--pin|--out) echo "catchup_isolation.sh: $a is chosen here, not passed on" >&2; exit 2 ;;
	esac
done
OUT="$HERE/results/catchup-isolation-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"

echo "=== unpinned: clients and broker share the CPUs"
"$HERE/catchup.sh" --out "$OUT/unpinned" "$@"
echo "=== pinned: clients on CPU 0, broker on CPU 1"
"$HERE/catchup.sh" --out "$OUT/pinned" --pin "$@"

python3 - "$OUT" <<'PY' | tee "$OUT/table.txt"
import json, math, os, sys
out = sys.argv[1]
runs = [(name, json.load(open(os.path.join(out, name, "summary.json")))) for name in ("unpinned", "pinned")]

def ratio(pair):
    a, b = pair
    return b / a if a > 0 and not math.isnan(a) and not math.isnan(b) else float("nan")

print("== catch-up isolation (%s)" % out)
print("| measure | %s | target |" % " | ".join(n for n, _ in runs))
print("|---|" + "---|" * len(runs) + "---|")
print("| producers, MiB/s | %s | |" % " | ".join("%.1f" % s["producer_mib_s"] for _, s in runs))
print("| reader during catch-up, MiB/s (x producers) | %s | >= 1.5x |" % " | ".join(
    "%.1f (%.2fx)" % (s["reader_mib_s"], s["reader_over_producer"]) for _, s in runs))
print("| read from object storage, MiB | %s | the backlog |" % " | ".join(
    "%.0f" % s["objstore_read_mib"] for _, s in runs))
print("| broker's Produce p99, produce-only -> catch-up, ms | %s | |" % " | ".join(
    "%.2f -> %.2f" % tuple(s["broker_produce_p99_ms"]) for _, s in runs))
print("| **broker's Produce p99 ratio** | %s | <= 1.2 |" % " | ".join(
    "%.2f" % ratio(s["broker_produce_p99_ms"]) for _, s in runs))
print("| client publish p99, produce-only -> catch-up, ms | %s | |" % " | ".join(
    "%.2f -> %.2f" % tuple(s["client_publish_p99_ms"]) for _, s in runs))
print("| client publish p99 ratio | %s | (reference) |" % " | ".join(
    "%.2f" % ratio(s["client_publish_p99_ms"]) for _, s in runs))
for name, s in runs:
    if s["objstore_read_mib"] < 1:
        print("note: %s: the reader found the backlog in the log cache, not in object storage: make it larger"
              " (--backlog-seconds) than log_cache_size (256MB)" % name)
    if not s["reader_over_producer"] >= 1.5:
        print("note: %s: the reader read at %.2fx the producers' rate, below 1.5x: that run's ratio does not count" % (
            name, s["reader_over_producer"]))
PY
