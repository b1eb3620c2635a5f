#!/usr/bin/python3
# src/test/kafka/clients.py — real Kafka clients driven by the TAP tests.
#
# Run with Debian's /usr/bin/python3 (it sees python3-confluent-kafka and
# python3-kafka).  Each subcommand prints "ok ..." lines on success and
# exits non-zero, with the reason on stderr, on any mismatch.
#
#   clients.py confluent-roundtrip BOOTSTRAP TOPIC
#   clients.py kafka-python-roundtrip BOOTSTRAP TOPIC
#   clients.py admin BOOTSTRAP
#   clients.py offsets-for-times BOOTSTRAP TOPIC
#   clients.py produce-acked BOOTSTRAP TOPIC COUNT OUTFILE
#   clients.py consume-all BOOTSTRAP TOPIC OUTFILE
import sys
import time


def die(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def confluent_consume(bootstrap, topic, expected, partitions=1, timeout=30):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'tap-' + topic,
                  'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                  'fetch.message.max.bytes': 2 * 1024 * 1024})
    c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    got = []
    deadline = time.time() + timeout
    while len(got) < expected and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            die("consume error: %s" % m.error())
        got.append(m)
    c.close()
    return got


def confluent_roundtrip(bootstrap, topic):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({'bootstrap.servers': bootstrap})
    a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1,
                              config={'max.message.bytes': '2097152'})])[topic].result()
    sent = []
    for comp in ['none', 'gzip', 'snappy', 'lz4', 'zstd']:
        p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'compression.type': comp,
                      'linger.ms': 2, 'message.max.bytes': 2 * 1024 * 1024})
        for i in range(50):
            key = None if i % 10 == 0 else ('k%d' % i).encode()
            value = None if i % 10 == 1 else (comp + '-%d-' % i).encode() * (i + 1)
            headers = [('h1', b'v1'), ('h2', None)] if i % 3 == 0 else None
            ts = 1700000000000 + i
            p.produce(topic, key=key, value=value, headers=headers, timestamp=ts)
            sent.append((key, value, headers, ts))
        if p.flush(20) != 0:
            die("%s: messages left unflushed" % comp)
    # A message of 1 MiB (the record batch is slightly larger).
    big = bytes(range(256)) * 4096
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'message.max.bytes': 2 * 1024 * 1024})
    errors = []
    p.produce(topic, value=big, timestamp=1700000009999,
              on_delivery=lambda err, msg: errors.append(err) if err else None)
    if p.flush(20) != 0 or errors:
        die("1 MiB message not acknowledged: %s" % errors)
    sent.append((None, big, None, 1700000009999))

    got = confluent_consume(bootstrap, topic, len(sent))
    if len(got) != len(sent):
        die("sent %d, consumed %d" % (len(sent), len(got)))
    for i, (m, s) in enumerate(zip(got, sent)):
        if m.offset() != i:
            die("message %d has offset %d" % (i, m.offset()))
        if m.key() != s[0] or m.value() != s[1]:
            die("message %d differs: key %r value %r" % (i, m.key(), (m.value() or b'')[:40]))
        if m.timestamp()[1] != s[3]:
            die("message %d timestamp %r, sent %d" % (i, m.timestamp(), s[3]))
        want_headers = s[2]
        if (m.headers() or None) != want_headers:
            die("message %d headers %r, sent %r" % (i, m.headers(), want_headers))
    print("ok confluent-kafka round trip of %d messages (5 compressions, nulls, headers, timestamps, 1 MiB)" % len(sent))


def kafka_python_roundtrip(bootstrap, topic):
    from kafka import KafkaProducer, KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1)])
    sent = {}
    # The codecs' Python libraries: python3-snappy, python3-lz4, python3-zstandard.
    for comp in [None, 'gzip', 'snappy', 'lz4', 'zstd']:
        p = KafkaProducer(bootstrap_servers=bootstrap, acks='all', compression_type=comp)
        for i in range(40):
            part = i % 2
            key = None if i % 7 == 0 else b'key%d' % i
            value = None if i % 7 == 1 else ('%s:%d' % (comp, i)).encode()
            md = p.send(topic, key=key, value=value, partition=part,
                        headers=[('x', b'y')] if i % 4 == 0 else []).get(timeout=20)
            sent[(md.partition, md.offset)] = (key, value)
        p.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset='earliest',
                      enable_auto_commit=False, consumer_timeout_ms=5000)
    c.assign([TopicPartition(topic, 0), TopicPartition(topic, 1)])
    c.seek_to_beginning()
    got = {}
    for m in c:
        got[(m.partition, m.offset)] = (m.key, m.value)
        if len(got) == len(sent):
            break
    if got != sent:
        die("kafka-python: sent %d, got %d, first difference %r" %
            (len(sent), len(got), sorted(set(sent.items()) ^ set(got.items()))[:2]))
    print("ok kafka-python round trip of %d messages on 2 partitions (none, gzip, snappy, lz4, zstd)" % len(sent))


def admin(bootstrap):
    from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
    a = AdminClient({'bootstrap.servers': bootstrap})
    res = a.create_topics([NewTopic('adm1', num_partitions=3, replication_factor=1,
                                    config={'retention.ms': '3600000', 'max.message.bytes': '20000'})])
    res['adm1'].result()
    print("ok created adm1")
    try:
        a.create_topics([NewTopic('adm1', num_partitions=1, replication_factor=1)])['adm1'].result()
        die("creating adm1 twice succeeded")
    except Exception as e:
        if 'TOPIC_ALREADY_EXISTS' not in str(e):
            die("unexpected error for duplicate topic: %s" % e)
        print("ok duplicate topic refused: TOPIC_ALREADY_EXISTS")
    try:
        a.create_topics([NewTopic('adm2', num_partitions=1, replication_factor=1,
                                  config={'cleanup.policy': 'compact'})])['adm2'].result()
        die("cleanup.policy=compact accepted")
    except Exception as e:
        if 'INVALID_CONFIG' not in str(e) and 'not supported' not in str(e):
            die("unexpected error for compact: %s" % e)
        print("ok cleanup.policy=compact refused: INVALID_CONFIG")
    try:
        a.create_topics([NewTopic('bad/name', num_partitions=1, replication_factor=1)])['bad/name'].result()
        die("bad topic name accepted")
    except Exception as e:
        print("ok bad topic name refused")
    md = a.list_topics(timeout=10)
    if len(md.topics['adm1'].partitions) != 3:
        die("adm1 has %d partitions" % len(md.topics['adm1'].partitions))
    a.create_partitions([NewPartitions('adm1', 5)])['adm1'].result()
    time.sleep(0.5)
    md = a.list_topics(timeout=10)
    if len(md.topics['adm1'].partitions) != 5:
        die("after create_partitions adm1 has %d partitions" % len(md.topics['adm1'].partitions))
    print("ok create_partitions to 5")
    cfg = a.describe_configs([ConfigResource('topic', 'adm1')])
    for r, f in cfg.items():
        c = f.result()
        if c['retention.ms'].value != '3600000' or c['max.message.bytes'].value != '20000':
            die("describe_configs: %s %s" % (c['retention.ms'].value, c['max.message.bytes'].value))
    print("ok describe_configs shows retention.ms and max.message.bytes")
    r = ConfigResource('topic', 'adm1', set_config={'retention.ms': '7200000'})
    a.alter_configs([r])[r].result()
    c = list(a.describe_configs([ConfigResource('topic', 'adm1')]).values())[0].result()
    if c['retention.ms'].value != '7200000':
        die("alter_configs did not take: %s" % c['retention.ms'].value)
    print("ok alter_configs retention.ms=7200000")
    cfg = a.describe_configs([ConfigResource('broker', '1')])
    for r, f in cfg.items():
        c = f.result()
        if 'num_partitions' not in c:
            die("broker configs lack num_partitions")
    print("ok describe_configs of the broker")
    # Broker settings altered by a client land in strata.auto.conf and are reloaded.
    r = ConfigResource('broker', '1', set_config={'num_partitions': '4'})
    a.alter_configs([r])[r].result()
    deadline = time.time() + 10
    while time.time() < deadline:
        c = list(a.describe_configs([ConfigResource('broker', '1')]).values())[0].result()
        if c['num_partitions'].value == '4':
            break
        time.sleep(0.2)
    else:
        die("num_partitions did not become 4")
    print("ok alter_configs of the broker: num_partitions = 4")
    r = ConfigResource('broker', '1', set_config={'listeners': 'PLAINTEXT://127.0.0.1:1'})
    try:
        a.alter_configs([r])[r].result()
        die("altering listeners (a restart-only setting) succeeded")
    except Exception as e:
        if 'INVALID_CONFIG' not in str(e) and 'restart' not in str(e):
            die("unexpected error altering listeners: %s" % e)
    print("ok restart-only broker setting refused")
    # AlterConfigs replaces the whole set of overrides: an empty one removes them.
    r = ConfigResource('broker', '1', set_config={})
    a.alter_configs([r])[r].result()
    deadline = time.time() + 10
    while time.time() < deadline:
        c = list(a.describe_configs([ConfigResource('broker', '1')]).values())[0].result()
        if c['num_partitions'].value == '1':
            break
        time.sleep(0.2)
    else:
        die("num_partitions did not return to 1")
    print("ok empty alter_configs of the broker removes the overrides")
    a.delete_topics(['adm1'])['adm1'].result()
    time.sleep(0.5)
    if 'adm1' in a.list_topics(timeout=10).topics:
        die("adm1 still listed after delete")
    print("ok delete_topics")


def offsets_for_times(bootstrap, topic):
    from confluent_kafka import Producer, Consumer, TopicPartition
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 0})
    base = 1800000000000
    for i in range(20):
        p.produce(topic, value=b'%d' % i, timestamp=base + i * 1000, partition=0)
        p.flush(10)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'oft'})
    for i in [0, 5, 19]:
        r = c.offsets_for_times([TopicPartition(topic, 0, base + i * 1000)], timeout=10)
        if r[0].offset != i:
            die("offsets_for_times(%d) = %d, expected %d" % (base + i * 1000, r[0].offset, i))
    r = c.offsets_for_times([TopicPartition(topic, 0, base + 999999)], timeout=10)
    if r[0].offset != -1:
        die("offsets_for_times past the end = %d, expected -1" % r[0].offset)
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    if (lo, hi) != (0, 20):
        die("watermarks %d %d" % (lo, hi))
    print("ok ListOffsets by timestamp, earliest and latest")


def produce_acked(bootstrap, topic, count, outfile):
    from confluent_kafka import Producer
    out = open(outfile, 'a', buffering=1)

    def report(err, msg):
        if err is None:
            out.write("%d %s\n" % (msg.offset(), msg.value().decode()))

    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 1,
                  'message.timeout.ms': 10000, 'retries': 0})
    for i in range(int(count)):
        while True:
            try:
                p.produce(topic, value=b'm%08d' % i, on_delivery=report)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    p.flush(30)
    out.close()
    print("ok produced")


def consume_all(bootstrap, topic, outfile):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'all-' + topic,
                  'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                  'enable.partition.eof': True})
    c.assign([TopicPartition(topic, 0, 0)])
    with open(outfile, 'w') as out:
        deadline = time.time() + 60
        while time.time() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    break
                die("consume error: %s" % m.error())
            out.write("%d %s\n" % (m.offset(), m.value().decode()))
    print("ok consumed")


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'confluent-roundtrip': confluent_roundtrip,
     'kafka-python-roundtrip': kafka_python_roundtrip,
     'admin': admin,
     'offsets-for-times': offsets_for_times,
     'produce-acked': produce_acked,
     'consume-all': consume_all}[cmd](*args)
