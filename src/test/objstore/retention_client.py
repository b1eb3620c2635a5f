#!/usr/bin/python3
# src/test/objstore/retention_client.py — confluent-kafka helper for
# src/test/objstore/t/008_compaction.pl (retention and DeleteRecords).
#
#   retention_client.py create BOOTSTRAP TOPIC PARTITIONS [name=value ...]
#       create a topic with the given topic configs.
#   retention_client.py produce BOOTSTRAP TOPIC PARTITION FIRST COUNT AGE_MS
#       produce messages FIRST .. FIRST+COUNT-1 (1 KiB values, key = i) to
#       one partition with acks=all, each with the timestamp now - AGE_MS.
#   retention_client.py watermarks BOOTSTRAP TOPIC PARTITION
#       print "LOW HIGH" (ListOffsets earliest and latest).
#   retention_client.py read BOOTSTRAP TOPIC PARTITION
#       read the partition from the beginning to its end; print "FIRST LAST
#       COUNT" of the keys read after checking that each value matches its
#       key and offsets and keys are consecutive.
#   retention_client.py delete BOOTSTRAP TOPIC
#       delete a topic.
#
# Exits non-zero with the reason on stderr on any error.
import hashlib
import struct
import sys
import time


def die(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def value_of(i):
    h = hashlib.sha256(b'%d' % i).digest()
    return struct.pack('>q', i) + (h * 32)[:1016]


def create(bootstrap, topic, partitions, configs):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({'bootstrap.servers': bootstrap})
    cfg = dict(c.split('=', 1) for c in configs)
    f = a.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1, config=cfg)])
    f[topic].result()
    print("ok created %s" % topic)


def produce(bootstrap, topic, partition, first, count, age_ms):
    from confluent_kafka import Producer
    errors = []
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5})
    ts = int(time.time() * 1000) - age_ms

    def report(err, msg):
        if err is not None:
            errors.append(str(err))
    for i in range(first, first + count):
        p.produce(topic, key=b'%d' % i, value=value_of(i), partition=partition,
                  timestamp=ts, on_delivery=report)
    if p.flush(60) or errors:
        die("produce failed: %s" % (errors[0] if errors else 'unflushed'))
    print("ok produced %d" % count)


def watermarks(bootstrap, topic, partition):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'wm'})
    low, high = c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10, cached=False)
    c.close()
    print("%d %d" % (low, high))


def read(bootstrap, topic, partition):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'read-' + topic,
                  'enable.auto.commit': False, 'enable.partition.eof': True})
    c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
    first = last = None
    n = 0
    deadline = time.time() + 60
    while time.time() < deadline:
        m = c.poll(1.0)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:    # _PARTITION_EOF
                break
            die("consume: %s" % m.error())
        i = int(m.key())
        if m.value() != value_of(i):
            die("value of key %d differs" % i)
        if last is not None and (i != last + 1 or m.offset() != prev_off + 1):
            die("key %d at offset %d after key %d at offset %d" % (i, m.offset(), last, prev_off))
        if first is None:
            first = i
        last = i
        prev_off = m.offset()
        n += 1
    else:
        die("timed out reading")
    c.close()
    print("%s %s %d" % (first, last, n))


def delete(bootstrap, topic):
    from confluent_kafka.admin import AdminClient
    a = AdminClient({'bootstrap.servers': bootstrap})
    a.delete_topics([topic])[topic].result()
    print("ok deleted %s" % topic)


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == 'create':
        create(a[1], a[2], int(a[3]), a[4:])
    elif len(a) == 7 and a[0] == 'produce':
        produce(a[1], a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]))
    elif len(a) == 4 and a[0] == 'watermarks':
        watermarks(a[1], a[2], int(a[3]))
    elif len(a) == 4 and a[0] == 'read':
        read(a[1], a[2], int(a[3]))
    elif len(a) == 3 and a[0] == 'delete':
        delete(a[1], a[2])
    else:
        die("usage: see the top of %s" % sys.argv[0])


main()
