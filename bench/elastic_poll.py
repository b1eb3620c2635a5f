#!/usr/bin/python3
# elastic_poll.py — run by elastic_env.sh during the elastic scenarios:
# once a second, from the catalog, the live brokers, the balancer's state,
# the utilisation and the brokers the scaling target needs, and the live
# brokers' traffic (brokers.csv); from each live broker's metrics endpoint
# (METRICS_BASE + broker id), its object-store requests, objects and bytes
# uploaded and bytes produced,
# the last value kept per broker incarnation (objstore.json: the sums over
# all of them, so brokers removed during the run still count).
#
#   elastic_poll.py CATALOG METRICS_BASE BROKERS_CSV OBJSTORE_JSON STOPFILE
#
# bench/elastic_poll.py
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

catalog, metrics_base, csv_path, json_path, stop = sys.argv[1:6]
metrics_base = int(metrics_base)

QUERY = """
SELECT round(extract(epoch FROM clock_timestamp())::numeric, 3),
       (SELECT count(*) FROM strata.broker_status WHERE live),
       (SELECT coalesce(string_agg(id::text, ' ' ORDER BY id), '') FROM strata.broker_status WHERE live),
       (SELECT coalesce(state, '') || '|' || coalesce(utilisation_pct::text, '') || '|' ||
               coalesce(desired_brokers::text, '') FROM strata.balancer_status),
       (SELECT coalesce(round(sum(bytes_in_rate)), 0) || '|' || coalesce(round(sum(bytes_out_rate)), 0)
          FROM strata.broker_load WHERE live),
       (SELECT count(*) FROM strata.partition_moves WHERE state = 'pending')
"""

LINE = re.compile(r'^(strata_objstore_requests_total\{request="(\w+)"\}|strata_topic_bytes_in_total\{[^}]*\}|'
                  r'strata_upload_objects_total|strata_upload_bytes_total|strata_start_time_seconds) ([0-9.e+]+)$')
last = {}      # (broker, start time) -> {"PutObject": n, ..., "bytes_in": n}


def scrape(broker):
    try:
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % (metrics_base + broker),
                                      timeout=2).read().decode()
    except Exception:
        return
    vals = {}
    start = None
    for line in body.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        if m.group(1) == 'strata_start_time_seconds':
            start = m.group(3)
        elif m.group(1) in ('strata_upload_objects_total', 'strata_upload_bytes_total'):
            vals[m.group(1)[len('strata_'):]] = float(m.group(3))
        elif m.group(2):
            vals[m.group(2)] = float(m.group(3))
        else:
            vals['bytes_in'] = vals.get('bytes_in', 0) + float(m.group(3))
    if start is not None:
        last[(broker, start)] = vals


def write_totals():
    totals = {}
    for vals in last.values():
        for k, v in vals.items():
            totals[k] = totals.get(k, 0) + v
    with open(json_path + '.tmp', 'w') as f:
        json.dump({'requests': {k: v for k, v in totals.items() if k[0].isupper()},
                   'bytes_in': totals.get('bytes_in', 0),
                   'upload_objects': totals.get('upload_objects_total', 0),
                   'upload_bytes': totals.get('upload_bytes_total', 0),
                   'broker_incarnations': len(last)}, f, indent=1)
    os.replace(json_path + '.tmp', json_path)


with open(csv_path, 'w', buffering=1) as out:
    out.write("unix_s,live_brokers,broker_ids,balancer_state,utilisation_pct,desired_brokers,"
              "bytes_in_rate,bytes_out_rate,moves_in_flight\n")
    while not os.path.exists(stop):
        t0 = time.time()
        r = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-F', '\t', '-d', catalog, '-c', QUERY],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip():
            f = r.stdout.strip().split('\t')
            state, util, desired = f[3].split('|')
            bin_, bout = f[4].split('|')
            out.write("%s,%s,%s,%s,%s,%s,%s,%s,%s\n" % (f[0], f[1], f[2], state.replace(',', ';'), util,
                                                        desired, bin_, bout, f[5]))
            for b in f[2].split():
                scrape(int(b))
            write_totals()
        time.sleep(max(0.0, 1.0 - (time.time() - t0)))
write_totals()
