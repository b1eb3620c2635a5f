#!/usr/bin/python3
#-------------------------------------------------------------------------
# offset_commits.py -- OffsetCommit load: many consumers committing at once.
#
#   bench/offset_commits.py --bootstrap HOST:PORT [--clients 16] [--commits 500]
#       [--rate 0] [--partitions 2] [--groups 4] [--topic T] [--catalog CONNINFO]
#       [--ack-dir DIR]
#
# Each client (its own process, its own connection, kafka-python) owns
# --partitions partitions of one topic and commits them synchronously
# --commits times (offset k with metadata "c<client>-p<partition>-<k>"), at
# most --rate commits a second (0: as fast as the answers come).  Clients
# share --groups groups; none joins its group (manual assignment, as a
# stream processor committing for itself), so all may commit at once.
#
# Prints commits/s and, with --catalog (a libpq conninfo for psql), the
# catalog's transactions/s over the run from pg_stat_database.xact_commit.
# PostgreSQL publishes those counters lazily (up to ~10 s late for an idle
# session), so the script waits for them to settle; the broker's own count
# of the transactions that wrote offsets is in its log ("offset committer
# ...: N commit requests (M offsets) in T catalog transactions").
#
# With --ack-dir, client i appends each acknowledged k to DIR/ack-<i> as
# soon as the commit returns (the crash test in src/test/kafka reads them).
#
# bench/offset_commits.py
#-------------------------------------------------------------------------
import argparse
import multiprocessing
import os
import subprocess
import sys
import time


def client(i, args, start_at, results):
    from kafka import KafkaConsumer, TopicPartition, OffsetAndMetadata
    group = '%s-%d' % (args.group_prefix, i % args.groups)
    parts = list(range(i * args.partitions, (i + 1) * args.partitions))
    c = KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=group,
                      enable_auto_commit=False, request_timeout_ms=30000)
    ack = open(os.path.join(args.ack_dir, 'ack-%d' % i), 'a', buffering=1) if args.ack_dir else None
    while time.time() < start_at:
        time.sleep(0.005)
    t0 = time.time()
    for k in range(1, args.commits + 1):
        c.commit({TopicPartition(args.topic, p):
                  OffsetAndMetadata(k, 'c%d-p%d-%d' % (i, p, k)) for p in parts})
        if ack:
            ack.write('%d\n' % k)
        if args.rate > 0:
            pause = t0 + k / args.rate - time.time()
            if pause > 0:
                time.sleep(pause)
    results.put((i, time.time() - t0))
    c.close()


def xact_commit(conninfo):
    out = subprocess.run(['psql', '-X', '-A', '-t', '-d', conninfo, '-c',
                          'SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()'],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def settled_xact_commit(conninfo):
    # Wait until the counter stops moving by more than background activity.
    last = xact_commit(conninfo)
    for _ in range(15):
        time.sleep(1)
        now = xact_commit(conninfo)
        if now - last <= 2:
            return now
        last = now
    return last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bootstrap', required=True)
    ap.add_argument('--clients', type=int, default=16)
    ap.add_argument('--commits', type=int, default=500)
    ap.add_argument('--rate', type=float, default=0)
    ap.add_argument('--partitions', type=int, default=2)
    ap.add_argument('--groups', type=int, default=4)
    ap.add_argument('--topic', default='offset-bench')
    ap.add_argument('--group-prefix', default='offset-bench')
    ap.add_argument('--catalog')
    ap.add_argument('--ack-dir')
    args = ap.parse_args()

    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    try:
        admin.create_topics([NewTopic(args.topic, args.clients * args.partitions, 1)])
    except TopicAlreadyExistsError:
        pass
    admin.close()

    before = settled_xact_commit(args.catalog) if args.catalog else None
    results = multiprocessing.Queue()
    start_at = time.time() + 2 + args.clients * 0.05
    procs = [multiprocessing.Process(target=client, args=(i, args, start_at, results))
             for i in range(args.clients)]
    for p in procs:
        p.start()
    done = []
    while len(done) < len(procs):
        try:
            done.append(results.get(timeout=1))
        except Exception:
            if all(not p.is_alive() for p in procs) and results.empty():
                break
    for p in procs:
        p.join()
    if len(done) < len(procs):
        print('%d of %d clients failed' % (len(procs) - len(done), len(procs)))
        sys.exit(1)
    wall = max(t for _, t in done)
    total = args.clients * args.commits
    print('clients %d, commits %d (%d offsets each), %.2f s: %.0f commits/s, %.0f offsets/s'
          % (args.clients, total, args.partitions, wall, total / wall, total * args.partitions / wall))
    if args.catalog:
        after = settled_xact_commit(args.catalog)
        # our own psql sessions count too: the settle loop's reads
        tx = after - before
        print('catalog transactions during the run: %d (%.0f/s), %.1f commits per transaction'
              % (tx, tx / wall, total / max(tx, 1)))
    sys.stdout.flush()
    if any(p.exitcode != 0 for p in procs):
        sys.exit(1)


if __name__ == '__main__':
    main()
