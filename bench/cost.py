#!/usr/bin/python3
# cost.py — the monthly bill of the seed's daily workload (bench/auto-scaling.sh:
# 40 MiB/s produced at night, peaks of 20x and 30x, 1:1 consumed), for
# Strata from a measured run, beside Apache Kafka provisioned for the peak
# with three replicas.  Every input is printed.
#
#   bench/cost.py RUN_DIR [--retention-hours H] [--instance-hour USD]
#                 [--gp3-gb-month USD] [--wal-gb GB] [--s3-gb-month USD]
#                 [--put-per-1000 USD] [--get-per-1000 USD]
#                 [--upload-threshold-mib MIB] [--multipart] [--part-mib MIB]
#                 [--replicas N]
#                 [--kafka-disk-fill F] [--hours-per-month H]
#
# Strata (all from the run, RUN_DIR/run.json):
#   compute   = mean live brokers over the day x hours a month x r6in.large's
#               price.  The run's broker_capacity is the real one times its
#               scale, so the brokers it ran are those the real workload
#               needs;
#   WAL       = mean brokers x one gp3 volume of --wal-gb (3 GB);
#   S3        = the data kept (produced a day x the retention, one copy) x
#               S3 Standard's price;
#   requests  = the objects uploaded a month at the real rate (produced
#               bytes / upload_threshold, 64 MiB: at real rates uploads are
#               set off by size) x the requests per object on S3.  An
#               upload is one PutObject per object by default
#               (upload_single_put, its body streamed as it is built); with
#               --multipart (upload_single_put = off) it streams the object
#               in parts of upload_part_size (--part-mib, 8 MiB by default
#               as in the server): one PutObject if the object fits in one
#               part, else CreateMultipartUpload + one UploadPart per part +
#               CompleteMultipartUpload.  That count is computed, not
#               taken from the run, whose objects are small (scaled down)
#               and whose store may be file:// (one PutObject each); every
#               other request the brokers counted in the run (compaction's
#               GETs and PUTs, listings, ...) is taken per object uploaded.
# Kafka (provisioned for the peak, no tiered storage; cross-zone traffic
# left out of both bills):
#   brokers   = max(replicas, ceil(peak traffic / (capacity x 0.8))), the
#               peak traffic being what one broker's network carries in
#               all: produced x replicas in (clients and followers) plus
#               produced x (replicas - 1) out to followers plus consumed;
#               the same instance type and capacity as Strata's;
#   compute   = brokers x hours a month x the instance price;
#   storage   = gp3 for the data kept x replicas, filled to --kafka-disk-fill
#               (0.8) of its size.
#
# bench/cost.py
import argparse
import json
import math
import sys

ap = argparse.ArgumentParser(description='monthly bill of the daily workload: Strata (measured) and Kafka')
ap.add_argument('run')
ap.add_argument('--retention-hours', type=float, default=72)
ap.add_argument('--instance-hour', type=float, default=0.1743)      # r6in.large, on demand
ap.add_argument('--gp3-gb-month', type=float, default=0.08)
ap.add_argument('--wal-gb', type=float, default=3)
ap.add_argument('--s3-gb-month', type=float, default=0.023)
ap.add_argument('--put-per-1000', type=float, default=0.005)        # PUT, COPY, POST, LIST
ap.add_argument('--get-per-1000', type=float, default=0.0004)       # GET, SELECT, others
ap.add_argument('--upload-threshold-mib', type=float, default=64)
ap.add_argument('--multipart', action='store_true')                 # upload_single_put = off
ap.add_argument('--part-mib', type=float, default=8)                # upload_part_size
ap.add_argument('--replicas', type=int, default=3)
ap.add_argument('--kafka-disk-fill', type=float, default=0.8)
ap.add_argument('--hours-per-month', type=float, default=730)
a = ap.parse_args()

run = json.load(open(a.run + '/run.json'))
H = a.hours_per_month
days = H / 24

# The workload at real scale.
points = [tuple(float(x) for x in p.split(':')) for p in run['curve'].split()]
def mult(h):
    for (h0, m0), (h1, m1) in zip(points, points[1:]):
        if h0 <= h <= h1:
            return m0 + (m1 - m0) * (h - h0) / (h1 - h0)
    return points[-1][1]
steps = 24 * 60
mean_mult = sum(mult(i * 24 / steps) for i in range(steps)) / steps
peak_mult = max(m for _, m in points)
base = run['base_mib']
produced_gib_day = base * mean_mult * 86400 / 1024
kept_gib = produced_gib_day * a.retention_hours / 24
peak_produce = base * peak_mult

print("workload: %.0f MiB/s produced at the base, peak %.0fx = %.0f MiB/s, mean %.2fx; 1:1 consumed"
      % (base, peak_mult, peak_produce, mean_mult))
print("          %.1f TiB produced a day, retention %.0f h: %.1f TiB kept"
      % (produced_gib_day / 1024, a.retention_hours, kept_gib / 1024))
print("prices:   instance $%.4f/h (r6in.large), gp3 $%.3f/GB-month, S3 $%.3f/GB-month, PUT $%.4f and GET $%.4f"
      " per 1000; %.0f hours a month" % (a.instance_hour, a.gp3_gb_month, a.s3_gb_month, a.put_per_1000,
                                        a.get_per_1000, H))
print("capacity: %.0f MiB/s of traffic per broker (the run's broker_capacity / its scale %g)"
      % (run['real_capacity_mib'], run['scale']))

# Strata, from the run.
mean_brokers = run['mean_brokers']
s_compute = mean_brokers * H * a.instance_hour
s_wal = mean_brokers * a.wal_gb * a.gp3_gb_month
s_storage = kept_gib * a.s3_gb_month
req = run['objstore_requests']
put_kinds = ('PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'ListObjectsV2')
get_kinds = ('GetObject', 'HeadObject')
uploads = run.get('upload_objects', 0)
objs = max(uploads, 1)
def upload_requests(part_mib):
    """PUT-class requests of one upload_threshold-sized object on S3: one
    PutObject, or with part_mib (upload_single_put = off) a multipart
    upload of such parts."""
    if part_mib is None:
        return 1
    parts = math.ceil(a.upload_threshold_mib / part_mib)
    return 1 if parts <= 1 else parts + 2
# The run's own upload requests: one per object it uploaded (a PutObject on
# file://, or the parts of it on S3); the rest are compaction's and the like.
run_upload_puts = sum(req.get(k, 0) for k in ('PutObject', 'CreateMultipartUpload', 'UploadPart',
                                               'CompleteMultipartUpload'))
other_put_per_obj = max(sum(req.get(k, 0) for k in put_kinds) - min(run_upload_puts, uploads), 0) / objs
part_mib = a.part_mib if a.multipart else None
how = ("%.0f MiB in parts of %.0f MiB, upload_single_put = off" % (a.upload_threshold_mib, a.part_mib)
       if a.multipart else "%.0f MiB in one PutObject, upload_single_put = on" % a.upload_threshold_mib)
put_per_obj = upload_requests(part_mib) + other_put_per_obj
get_per_obj = sum(req.get(k, 0) for k in get_kinds) / objs
uploads_month = produced_gib_day * 1024 / a.upload_threshold_mib * days
def put_bill(per_obj):
    return uploads_month * per_obj / 1000 * a.put_per_1000
s_put = put_bill(put_per_obj)
s_get = uploads_month * get_per_obj / 1000 * a.get_per_1000
strata = s_compute + s_wal + s_storage + s_put + s_get
print()
print("Strata (measured: a day in %.0f s, %d samples)" % (run['day_s'], run['samples']))
print("  brokers: mean %.2f, peak %d over the day" % (mean_brokers, run['peak_brokers']))
print("  requests counted in the run: %s; %d objects uploaded"
      % (', '.join('%s %d' % (k, v) for k, v in sorted(req.items()) if v), run.get('upload_objects', 0)))
print("  -> per object on S3: %d PUT-class for the upload itself (%s) + %.2f other"
      " PUT-class and %.2f GET-class as counted; %.0f objects a month at %.0f MiB each"
      % (upload_requests(part_mib), how, other_put_per_obj, get_per_obj,
         uploads_month, a.upload_threshold_mib))
print("  compute   %9.0f $  (%.2f brokers x %.0f h x $%.4f)" % (s_compute, mean_brokers, H, a.instance_hour))
print("  WAL       %9.0f $  (%.2f x %.0f GB gp3)" % (s_wal, mean_brokers, a.wal_gb))
print("  S3        %9.0f $  (%.1f TiB kept, one copy)" % (s_storage, kept_gib / 1024))
print("  S3 PUT    %9.0f $" % s_put)
print("  S3 GET    %9.0f $" % s_get)
print("  total     %9.0f $ a month" % strata)

# Kafka, provisioned for the peak.
r = a.replicas
peak_traffic = peak_produce * r + peak_produce * (r - 1) + peak_produce
k_brokers = max(r, math.ceil(peak_traffic / (run['real_capacity_mib'] * 0.8)))
k_compute = k_brokers * H * a.instance_hour
k_storage_gib = kept_gib * r / a.kafka_disk_fill
k_storage = k_storage_gib * a.gp3_gb_month
kafka = k_compute + k_storage
print()
print("Kafka (%d replicas, provisioned for the peak)" % r)
print("  peak traffic %.0f MiB/s = %.0f x %d in + %.0f x %d to followers + %.0f consumed"
      % (peak_traffic, peak_produce, r, peak_produce, r - 1, peak_produce))
print("  brokers  %d  (at 80%% of %.0f MiB/s each)" % (k_brokers, run['real_capacity_mib']))
print("  compute   %9.0f $  (%d x %.0f h x $%.4f)" % (k_compute, k_brokers, H, a.instance_hour))
print("  storage   %9.0f $  (%.1f TiB gp3: %.1f TiB x %d / %.1f)"
      % (k_storage, k_storage_gib / 1024, kept_gib / 1024, r, a.kafka_disk_fill))
print("  total     %9.0f $ a month" % kafka)
print()
print("Strata / Kafka = %.3f (1/%.1f) with %s; the seed's figure: 1/11"
      % (strata / kafka, kafka / strata, how))
print()
print("the upload's requests and the bill (the S3 PUT line changes, nothing else):")
for part in (None, 8, 16, 32):
    per = upload_requests(part) + other_put_per_obj
    total = strata - s_put + put_bill(per)
    print("  %-32s %5.2f PUT-class per object, S3 PUT %6.0f $, total %6.0f $, 1/%.1f of Kafka"
          % ("one PutObject per object:" if part is None else "multipart, %.0f MiB parts:" % part,
             per, put_bill(per), total, kafka / total))
