#!/usr/bin/python3
# src/test/objstore/bulk.py — bulk produce and verify with confluent-kafka,
# for the object-storage TAP tests (data that must go through upload, trim
# and cold reads).
#
#   bulk.py produce BOOTSTRAP TOPIC PARTITIONS FIRST COUNT [SIZE [RATE]]
#       produce messages FIRST .. FIRST+COUNT-1 (acks=all) to a topic with
#       PARTITIONS partitions (created if missing); message i goes to
#       partition i % PARTITIONS, its key is i and its value is a function
#       of i (SIZE bytes, default 1024); at most RATE messages a second
#       if given and not 0.  Prints "ok produced N".
#   bulk.py verify BOOTSTRAP TOPIC PARTITIONS COUNT [SIZE [TIMEOUT]]
#       read every partition from the beginning and check that messages
#       0 .. COUNT-1 are each there exactly once, with the right value, in
#       order within their partition.  Prints per-partition checksums.
#   bulk.py tail BOOTSTRAP TOPIC PARTITIONS COUNT OUTFILE
#       like verify, but writes progress (messages verified) to OUTFILE as
#       it goes, for tests that consume while producers keep writing.
#   bulk.py acked BOOTSTRAP TOPIC PARTITIONS COUNT OUTFILE
#       produce messages 0 .. COUNT-1 with retries off (so that a broker
#       killed meanwhile cannot make a retry write a message twice) and
#       append "PARTITION OFFSET I" to OUTFILE for each one acknowledged.
#   bulk.py verify-acked BOOTSTRAP TOPIC PARTITIONS ACKFILE
#       read everything back: every acknowledged message is at its
#       acknowledged offset with its value, and no message is there twice.
#
# Exits non-zero with the reason on stderr on any mismatch.
import hashlib
import os
import struct
import sys
import time

POOL = None


def die(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def pool():
    global POOL
    if POOL is None:
        # A fixed pseudo-random 1 MiB; message i's value is a window of it
        # chosen by i, prefixed with i, so every value differs and can be
        # checked without keeping what was sent.
        h = hashlib.sha256(b'strata').digest()
        POOL = (h * (1024 * 1024 // len(h) + 1))[:1024 * 1024]
        POOL = bytes((b + (i * 131) % 251) % 256 for i, b in enumerate(POOL))
    return POOL


def value_of(i, size):
    p = pool()
    start = (i * 7919) % (len(p) - size)
    return struct.pack('>q', i) + p[start:start + size - 8]


def ensure_topic(bootstrap, topic, partitions):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({'bootstrap.servers': bootstrap})
    f = a.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    try:
        f[topic].result()
    except Exception as e:
        if 'TOPIC_ALREADY_EXISTS' not in str(e) and 'already exists' not in str(e):
            raise


def produce(bootstrap, topic, partitions, first, count, size=1024, rate=0):
    from confluent_kafka import Producer
    ensure_topic(bootstrap, topic, partitions)
    errors = []
    done = [0]

    def report(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            done[0] += 1

    # A broker whose WAL is full holds produce requests until the uploader
    # makes room (back-pressure): the client's timeouts (librdkafka times a
    # request out after socket.timeout.ms) must outlast an object-store
    # outage, or it would resend requests that are then written twice (as
    # with Kafka, without idempotence).
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5,
                  'batch.size': 1000000, 'queue.buffering.max.kbytes': 262144,
                  'request.timeout.ms': 300000, 'socket.timeout.ms': 300000,
                  'message.timeout.ms': 900000})
    start = time.time()
    for i in range(first, first + count):
        while rate > 0 and i % 100 == 0:
            ahead = start + (i - first) / rate - time.time()
            if ahead <= 0:
                break
            p.poll(min(ahead, 0.05))
        while True:
            try:
                p.produce(topic, key=b'%d' % i, value=value_of(i, size),
                          partition=i % partitions, on_delivery=report)
                break
            except BufferError:
                p.poll(0.05)
        if i % 1000 == 0:
            p.poll(0)
    left = p.flush(600)
    if left or errors:
        die("produce: %d unflushed, %d errors (first: %s)" %
            (left, len(errors), errors[0] if errors else '-'))
    print("ok produced %d" % done[0])


def verify(bootstrap, topic, partitions, count, size=1024, timeout=600, progress=None):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'verify-' + topic,
                  'enable.auto.commit': False, 'enable.partition.eof': True,
                  'fetch.max.bytes': 52428800, 'max.partition.fetch.bytes': 4194304})
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    seen = bytearray(count)
    nseen = 0
    last_off = [-1] * partitions
    last_idx = [-1] * partitions
    sums = [hashlib.sha256() for _ in range(partitions)]
    deadline = time.time() + timeout
    out = open(progress, 'w', buffering=1) if progress else None
    while nseen < count:
        if time.time() > deadline:
            die("verify: timed out with %d of %d messages" % (nseen, count))
        msgs = c.consume(10000, 1.0)
        for m in msgs:
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    continue
                die("consume error: %s" % m.error())
            p = m.partition()
            i = int(m.key())
            if i < 0 or i >= count:
                continue  # produced by a later phase of the test
            if m.offset() <= last_off[p]:
                die("partition %d: offset %d after %d" % (p, m.offset(), last_off[p]))
            if i <= last_idx[p]:
                die("partition %d: message %d after %d" % (p, i, last_idx[p]))
            if i % partitions != p:
                die("message %d in partition %d" % (i, p))
            if m.value() != value_of(i, size):
                die("message %d at %d:%d has a wrong value" % (i, p, m.offset()))
            if seen[i]:
                die("message %d seen twice" % i)
            seen[i] = 1
            nseen += 1
            last_off[p] = m.offset()
            last_idx[p] = i
            sums[p].update(m.value())
        if out:
            out.seek(0)
            out.write("%d\n" % nseen)
    c.close()
    for p in range(partitions):
        print("ok partition %d sha256 %s" % (p, sums[p].hexdigest()))
    print("ok verified %d" % nseen)


def acked(bootstrap, topic, partitions, count, outfile, size=1024):
    from confluent_kafka import Producer
    ensure_topic(bootstrap, topic, partitions)
    out = open(outfile, 'a', buffering=1)
    failed = [0]

    def report(err, msg):
        if err is None:
            out.write("%d %d %d\n" % (msg.partition(), msg.offset(), int(msg.key())))
        else:
            failed[0] += 1

    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5,
                  'retries': 0, 'message.timeout.ms': 60000,
                  'queue.buffering.max.kbytes': 65536})
    for i in range(count):
        while True:
            try:
                p.produce(topic, key=b'%d' % i, value=value_of(i, size),
                          partition=i % partitions, on_delivery=report)
                break
            except BufferError:
                p.poll(0.05)
        if i % 1000 == 0:
            p.poll(0)
    p.flush(120)
    out.close()
    print("ok produced, %d not acknowledged" % failed[0])


def verify_acked(bootstrap, topic, partitions, ackfile, size=1024, timeout=600):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    want = {}
    with open(ackfile) as f:
        for line in f:
            p, off, i = (int(x) for x in line.split())
            want[(p, off)] = i
    # The end of every partition, to know when we have read it all.
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'verify-acked-' + topic,
                  'enable.auto.commit': False, 'enable.partition.eof': True})
    ends = {}
    for p in range(partitions):
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
        ends[p] = hi
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    done = set(p for p in range(partitions) if ends[p] == 0)
    seen = set()
    found = 0
    deadline = time.time() + timeout
    while len(done) < partitions:
        if time.time() > deadline:
            die("verify-acked: timed out")
        for m in c.consume(10000, 1.0):
            if m.error():
                if m.error().code() == -191:
                    if m.offset() >= ends[m.partition()] or m.offset() < 0:
                        done.add(m.partition())
                    continue
                die("consume error: %s" % m.error())
            p, off, i = m.partition(), m.offset(), int(m.key())
            if m.value() != value_of(i, size):
                die("message %d at %d:%d has a wrong value" % (i, p, off))
            if i in seen:
                die("message %d is there twice (again at %d:%d)" % (i, p, off))
            seen.add(i)
            if (p, off) in want:
                if want[(p, off)] != i:
                    die("offset %d:%d holds message %d, acknowledged as %d" % (p, off, i, want[(p, off)]))
                found += 1
            if off + 1 >= ends[p]:
                done.add(p)
    c.close()
    if found != len(want):
        die("%d of %d acknowledged messages found" % (found, len(want)))
    print("ok %d acknowledged messages all there, %d messages in all, none twice" % (found, len(seen)))


def main():
    a = sys.argv[1:]
    if len(a) >= 6 and a[0] == 'produce':
        produce(a[1], a[2], int(a[3]), int(a[4]), int(a[5]), *(int(x) for x in a[6:8]))
    elif len(a) >= 5 and a[0] == 'verify':
        verify(a[1], a[2], int(a[3]), int(a[4]), *(int(x) for x in a[5:7]))
    elif len(a) == 6 and a[0] == 'acked':
        acked(a[1], a[2], int(a[3]), int(a[4]), a[5])
    elif len(a) == 5 and a[0] == 'verify-acked':
        verify_acked(a[1], a[2], int(a[3]), a[4])
    elif len(a) == 6 and a[0] == 'tail':
        verify(a[1], a[2], int(a[3]), int(a[4]), progress=a[5])
    else:
        die("usage: see the top of %s" % sys.argv[0])


if __name__ == '__main__':
    main()
