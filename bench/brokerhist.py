#!/usr/bin/python3
#-------------------------------------------------------------------------
# brokerhist.py — the broker's own latency over a stretch of a run, from
# two scrapes of its metrics endpoint: Produce request time (request read
# to response written) and WAL flush time (write submitted to durable).
#
#   brokerhist.py BEFORE AFTER      print p50 / p99 between two scrapes
#
# Used by catchup.sh and saturation.sh, which also import it.  A scrape is
# the text of GET /metrics (or only its _bucket lines).  Quantiles are
# interpolated inside the power-of-two buckets, as Prometheus'
# histogram_quantile does, so they are estimates to within a bucket.
#
# bench/brokerhist.py
#-------------------------------------------------------------------------
import os
import re
import sys

HISTOGRAMS = (
    ('strata_kafka_request_duration_seconds_bucket{api="Produce"', "Produce request time"),
    ("strata_wal_flush_duration_seconds_bucket", "WAL flush time"),
)
# The lines to keep when scraping often (grep -E).
GREP = "^(" + "|".join(re.escape(prefix) for prefix, _ in HISTOGRAMS) + ")"


def load(path):
    """{histogram: [(upper bound, cumulative count)]} of one scrape."""
    h = {}
    for line in open(path):
        for prefix, _ in HISTOGRAMS:
            if line.startswith(prefix) and 'le="' in line:
                le = line.split('le="', 1)[1].split('"', 1)[0]
                h.setdefault(prefix, []).append(
                    (float("inf") if le == "+Inf" else float(le), float(line.split()[-1])))
    return h


def quantile(buckets, q):
    """The q-quantile in ms of cumulative buckets, interpolated in its bucket."""
    total = buckets[-1][1] if buckets else 0
    if total <= 0:
        return float("nan")
    lo_le, lo_c = 0.0, 0.0
    for le, c in buckets:
        if c >= q * total:
            if le == float("inf"):
                return lo_le * 1000
            return (lo_le + (le - lo_le) * (q * total - lo_c) / max(c - lo_c, 1)) * 1000
        lo_le, lo_c = le, c
    return lo_le * 1000


def between(before, after):
    """{histogram: (p50, p99)} of what was observed between two scrapes."""
    res = {}
    for name, buckets in after.items():
        prev = dict(before.get(name, []))
        res[name] = tuple(quantile([(le, c - prev.get(le, 0)) for le, c in buckets], q) for q in (0.5, 0.99))
    return res


def phase(scrape_dir, t_from, t_to):
    """Like between(), for scrapes named <unix time>.txt: the last one
    taken at or before t_from and the first at or after t_to."""
    files = sorted((float(f[:-4]), f) for f in os.listdir(scrape_dir) if f.endswith(".txt"))
    a = [f for t, f in files if t <= t_from]
    z = [f for t, f in files if t >= t_to]
    if not a or not z:
        return None
    return between(load(os.path.join(scrape_dir, a[-1])), load(os.path.join(scrape_dir, z[0])))


def report(first, second, first_label, second_label):
    """Lines comparing two between()/phase() results."""
    lines = []
    if not first or not second:
        return lines
    for name, what in HISTOGRAMS:
        if name in first and name in second:
            lines.append("broker's %s p50/p99: %s %.2f / %.2f ms; %s %.2f / %.2f ms" % (
                what, first_label, first[name][0], first[name][1], second_label, second[name][0], second[name][1]))
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: brokerhist.py BEFORE AFTER")
    r = between(load(sys.argv[1]), load(sys.argv[2]))
    for name, what in HISTOGRAMS:
        if name in r:
            print("%s p50/p99: %.2f / %.2f ms" % (what, r[name][0], r[name][1]))
