#!/usr/bin/python3
# src/test/kafka/clients.py — real Kafka clients driven by the TAP tests.
#
# Run with Debian's /usr/bin/python3 (it sees python3-confluent-kafka and
# python3-kafka).  Each subcommand prints "ok ..." lines on success and
# exits non-zero, with the reason on stderr, on any mismatch.
#
#   clients.py confluent-roundtrip BOOTSTRAP TOPIC
#   clients.py bulk-roundtrip BOOTSTRAP TOPIC COUNT
#   clients.py slow-fetch BOOTSTRAP TOPIC COUNT
#   clients.py kafka-python-roundtrip BOOTSTRAP TOPIC
#   clients.py admin BOOTSTRAP
#   clients.py offsets-for-times BOOTSTRAP TOPIC
#   clients.py log-append-time BOOTSTRAP TOPIC produce|check STAMPFILE
#   clients.py produce-acked BOOTSTRAP TOPIC COUNT OUTFILE
#   clients.py produce-idempotent BOOTSTRAP TOPIC COUNT OUTFILE [RATE]
#   clients.py consume-all BOOTSTRAP TOPIC OUTFILE
#   clients.py group-rebalance BOOTSTRAP TOPIC STRATEGY
#   clients.py kafka-python-group BOOTSTRAP TOPIC
#   clients.py commit-offsets BOOTSTRAP GROUP TOPIC
#   clients.py check-offsets BOOTSTRAP GROUP TOPIC
#   clients.py static-member BOOTSTRAP TOPIC
#   clients.py group-admin BOOTSTRAP
#   clients.py session-expiry BOOTSTRAP TOPIC
#   clients.py regex-confluent BOOTSTRAP GROUP PATTERN EXPECTED
#   clients.py regex-kafka-python BOOTSTRAP GROUP PATTERN EXPECTED
#   clients.py surplus-metadata BOOTSTRAP
import os
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


def bulk_value(seq):
    """The value of message seq: 60 .. 6000 bytes that follow from seq."""
    n = 60 + (seq * 7919) % 5941
    unit = ('%d.' % seq).encode()
    return (unit * (n // len(unit) + 1))[:n]


def bulk_roundtrip(bootstrap, topic, count):
    """Many messages in large pipelined batches, then read back in large
    fetches: requests and responses far larger than one socket read, several
    in flight on one connection."""
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    count = int(count)
    parts = 4
    a = AdminClient({'bootstrap.servers': bootstrap})
    a.create_topics([NewTopic(topic, num_partitions=parts, replication_factor=1)])[topic].result()
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 20,
                  'batch.size': 512 * 1024, 'max.in.flight.requests.per.connection': 5,
                  'compression.type': 'none', 'queue.buffering.max.kbytes': 65536})
    errors = []
    for seq in range(count):
        while True:
            try:
                p.produce(topic, key=b'%d' % seq, value=bulk_value(seq), partition=seq % parts,
                          on_delivery=lambda err, msg: errors.append(err) if err else None)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    if p.flush(60) != 0 or errors:
        die("bulk produce: %d unflushed, errors %s" % (len(p), errors[:3]))
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'tap-' + topic,
                  'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                  'fetch.max.bytes': 8 * 1024 * 1024,
                  'max.partition.fetch.bytes': 4 * 1024 * 1024,
                  'fetch.wait.max.ms': 100})
    c.assign([TopicPartition(topic, i, 0) for i in range(parts)])
    seen = [0] * parts
    got = 0
    deadline = time.time() + 120
    while got < count and time.time() < deadline:
        for m in c.consume(1000, 0.5):
            if m.error():
                die("bulk consume error: %s" % m.error())
            seq = int(m.key())
            part = m.partition()
            if seq % parts != part or m.offset() != seen[part] or seq != part + parts * m.offset():
                die("bulk: partition %d offset %d holds message %d" % (part, m.offset(), seq))
            if m.value() != bulk_value(seq):
                die("bulk: message %d differs" % seq)
            seen[part] += 1
            got += 1
    c.close()
    if got != count:
        die("bulk: produced %d, consumed %d" % (count, got))
    print("ok bulk round trip of %d messages (%d bytes) in large pipelined batches and fetches"
          % (count, sum(len(bulk_value(i)) for i in range(count))))


def slow_fetch(bootstrap, topic, count):
    """After bulk-roundtrip: one Fetch of partition 0's last 3000 messages
    (about 9 MB, far more than the socket buffers hold) on a raw connection
    with a small receive buffer, left unread for 3 seconds, then read whole
    and checked.  The broker's send must stop half-way (a slow consumer)."""
    import socket
    from kafka.protocol.fetch import FetchRequest
    from kafka.protocol.parser import KafkaProtocol
    from kafka.record import MemoryRecords
    count = int(count)
    parts = 4
    hw = (count + parts - 1) // parts
    first = hw - 3000
    host, port = bootstrap.rsplit(':', 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    proto = KafkaProtocol(client_id='slow-fetch')
    proto.send_request(FetchRequest[4](replica_id=-1, max_wait_time=100, min_bytes=1,
                                       max_bytes=64 * 1024 * 1024, isolation_level=0,
                                       topics=[(topic, [(0, first, 32 * 1024 * 1024)])]))
    sock.sendall(proto.send_bytes())
    time.sleep(3)
    responses = []
    while not responses:
        data = sock.recv(1024 * 1024)
        if not data:
            die("slow fetch: connection closed")
        responses = proto.receive_bytes(data)
    sock.close()
    resp = responses[0][1]
    part = resp.topics[0][1][0]
    if part[1] != 0:
        die("slow fetch: error %d" % part[1])
    records = MemoryRecords(part[-1])
    offset = first
    while records.has_next():
        batch = records.next_batch()
        for rec in batch:
            if rec.offset < first:
                continue        # the batch holding the fetch offset comes whole
            seq = int(rec.key)
            if rec.offset != offset or seq != parts * offset or rec.value != bulk_value(seq):
                die("slow fetch: offset %d holds %r (seq %d)" % (offset, rec.offset, seq))
            offset += 1
    if offset != hw:
        die("slow fetch: read offsets %d to %d, want up to %d" % (first, offset, hw))
    print("ok slow fetch of offsets %d to %d (%d bytes of records) read whole after 3 s"
          % (first, hw - 1, len(part[-1])))


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


def log_append_time(bootstrap, topic, step, stamp):
    """A topic with message.timestamp.type = LogAppendTime: the broker
    rewrites each batch's timestamp type and MaxTimestamp, and with them the
    batch CRC, before the WAL append.  "produce" creates the topic and sends
    100 messages (uncompressed and gzip) timestamped long ago; "check" reads
    them back: every value intact, each with a log append time no earlier
    than when "produce" began (which it wrote into the file stamp)."""
    from confluent_kafka import Producer, TIMESTAMP_LOG_APPEND_TIME
    from confluent_kafka.admin import AdminClient, NewTopic
    if step == 'produce':
        start = int(time.time() * 1000) - 1000
        with open(stamp, 'w') as f:
            f.write('%d\n' % start)
        a = AdminClient({'bootstrap.servers': bootstrap})
        a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1,
                                  config={'message.timestamp.type': 'LogAppendTime'})])[topic].result()
        for comp in ['none', 'gzip']:
            p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5,
                          'compression.type': comp})
            for i in range(50):
                p.produce(topic, value=('%s-%d-' % (comp, i)).encode() * (i + 1),
                          timestamp=1500000000000 + i)
            if p.flush(20) != 0:
                die("%s: messages left unflushed" % comp)
        print("ok produced 100 messages to a LogAppendTime topic")
        return
    start = int(open(stamp).read())
    got = confluent_consume(bootstrap, topic, 100)
    if len(got) != 100:
        die("sent 100, consumed %d" % len(got))
    for i, m in enumerate(got):
        comp = 'none' if i < 50 else 'gzip'
        if m.value() != ('%s-%d-' % (comp, i % 50)).encode() * (i % 50 + 1):
            die("message %d differs: %r" % (i, (m.value() or b'')[:40]))
        ttype, ts = m.timestamp()
        if ttype != TIMESTAMP_LOG_APPEND_TIME or ts < start:
            die("message %d has timestamp %r, wanted a log append time >= %d" % (i, m.timestamp(), start))
    print("ok 100 messages read back with their log append times")


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


def produce_idempotent(bootstrap, topic, count, outfile, rate=3000):
    """An idempotent producer (acks=all) numbering its messages; every
    delivery report goes to outfile as "offset value".  The message timeout
    is long, so a broker that is killed and restarted meanwhile costs
    retries, never messages: all COUNT must be delivered.  Messages are
    offered at RATE a second (3000), so that the run spans the crashes of
    a test whatever the machine's speed: unpaced, a fast machine queued
    all of them before the first restart and had nothing left to send
    (and no connection whose backend a test could kill) after it."""
    from confluent_kafka import Producer, KafkaException
    out = open(outfile, 'a', buffering=1)
    failed = []

    def report(err, msg):
        if err is None:
            out.write("%d %s\n" % (msg.offset(), msg.value().decode()))
        else:
            failed.append(str(err))

    p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True,
                  'acks': 'all', 'linger.ms': 5, 'message.timeout.ms': 180000,
                  'max.in.flight.requests.per.connection': 5,
                  'batch.num.messages': 200,
                  'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 500})
    start = time.time()
    try:
        for i in range(int(count)):
            while True:
                try:
                    p.produce(topic, value=b'm%08d' % i, on_delivery=report)
                    break
                except BufferError:
                    p.poll(0.1)
            p.poll(0)
            if i % 100 == 99:
                ahead = start + (i + 1) / float(rate) - time.time()
                if ahead > 0:
                    p.poll(ahead)
        left = p.flush(240)
    except KafkaException as e:
        die("producer error: %s" % e)
    out.close()
    if left != 0:
        die("%d messages left undelivered" % left)
    if failed:
        die("%d deliveries failed, first: %s" % (len(failed), failed[0]))
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


def create_topic(bootstrap, topic, partitions):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({'bootstrap.servers': bootstrap})
    a.create_topics([NewTopic(topic, num_partitions=partitions,
                              replication_factor=1)])[topic].result()


def produce_to_partitions(bootstrap, topic, count, partitions):
    from confluent_kafka import Producer
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 2})
    for i in range(count):
        p.produce(topic, value=b'v%06d' % i, partition=i % partitions)
    if p.flush(30) != 0:
        die("messages left unflushed")


class GroupMember:
    """A confluent-kafka consumer in its own thread (as if in its own
    process) that records a message as processed only once its offset is
    committed synchronously; a failed commit (a rebalance) rewinds to the
    message so that whoever owns the partition next, or this consumer
    again, processes it."""

    def __init__(self, bootstrap, topic, group, strategy, name, processed, extra=None):
        import threading
        from confluent_kafka import Consumer
        conf = {'bootstrap.servers': bootstrap, 'group.id': group,
                'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                'partition.assignment.strategy': strategy,
                'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500,
                'client.id': name}
        conf.update(extra or {})
        if os.environ.get('STRATA_CLIENT_DEBUG'):
            conf['debug'] = os.environ['STRATA_CLIENT_DEBUG']
        self.name = name
        self.assigns = 0
        self.revokes = 0
        self.processed = processed
        self.errors = []
        self.stopping = False
        self.c = Consumer(conf)
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _on_assign(self, consumer, parts):
        self.assigns += 1

    def _on_revoke(self, consumer, parts):
        self.revokes += 1

    def _run(self):
        try:
            while not self.stopping:
                self.step()
        except Exception as e:
            self.errors.append(repr(e))

    def step(self, timeout=0.1):
        from confluent_kafka import TopicPartition, KafkaException
        m = self.c.poll(timeout)
        if m is None:
            return
        if m.error():
            if m.error().code() == -191:
                return
            self.errors.append("%s: consume error: %s" % (self.name, m.error()))
            return
        time.sleep(0.02)   # "processing", so that rebalances happen mid-stream
        tp = TopicPartition(m.topic(), m.partition(), m.offset() + 1)
        try:
            self.c.commit(offsets=[tp], asynchronous=False)
        except KafkaException:
            try:
                self.c.seek(TopicPartition(m.topic(), m.partition(), m.offset()))
            except KafkaException:
                pass
            return
        self.processed.append((m.partition(), m.offset(), self.name))

    def assignment(self):
        return set(tp.partition for tp in self.c.assignment())

    def close(self):
        self.stopping = True
        self.thread.join()
        self.c.close()
        if self.errors:
            die("%s: %s" % (self.name, self.errors[:5]))


def wait_balanced(members, partitions, timeout=60):
    """Wait until the members' assignments are disjoint and cover every
    partition, each member owning some."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        sets = [m.assignment() for m in members]
        union = set().union(*sets)
        if union == set(range(partitions)) and sum(len(x) for x in sets) == partitions \
                and all(len(x) > 0 for x in sets):
            return sets
        time.sleep(0.1)
    die("assignments never became disjoint and complete: %s" %
        [sorted(m.assignment()) for m in members])


def wait_processed(processed, n, timeout=60):
    deadline = time.time() + timeout
    while len(processed) < n and time.time() < deadline:
        time.sleep(0.1)


def group_rebalance(bootstrap, topic, strategy):
    P, N = 6, 600
    create_topic(bootstrap, topic, P)
    produce_to_partitions(bootstrap, topic, N, P)
    group = 'g-' + topic
    processed = []
    a = GroupMember(bootstrap, topic, group, strategy, 'a', processed)
    members = [a]
    sets = wait_balanced(members, P)
    print("ok one member owns %s" % sorted(sets[0]))
    wait_processed(processed, 60)
    b = GroupMember(bootstrap, topic, group, strategy, 'b', processed)
    members.append(b)
    sets = wait_balanced(members, P)
    print("ok two members: %s" % [sorted(x) for x in sets])
    c = GroupMember(bootstrap, topic, group, strategy, 'c', processed)
    members.append(c)
    sets = wait_balanced(members, P)
    print("ok three members: %s" % [sorted(x) for x in sets])
    wait_processed(processed, len(processed) + 60, 30)
    b.close()
    members.remove(b)
    sets = wait_balanced(members, P)
    print("ok after b left: %s" % [sorted(x) for x in sets])
    wait_processed(processed, N, 90)
    time.sleep(2)   # nothing further may arrive: every offset is committed
    for m in members:
        m.close()
    seen = {}
    for part, off, who in processed:
        seen.setdefault((part, off), []).append(who)
    dups = {k: v for k, v in seen.items() if len(v) > 1}
    if dups:
        die("processed twice: %s" % sorted(dups.items())[:10])
    if len(seen) != N:
        missing = [(p, o) for p in range(P) for o in range(N // P) if (p, o) not in seen]
        die("processed %d of %d; missing e.g. %s" % (len(seen), N, missing[:10]))
    by = {}
    for part, off, who in processed:
        by[who] = by.get(who, 0) + 1
    print("ok %d messages processed exactly once (%s)" % (N, by))


def kafka_python_group(bootstrap, topic):
    import threading
    from kafka import KafkaConsumer, OffsetAndMetadata
    from kafka.errors import CommitFailedError, KafkaError
    P, N = 4, 200
    create_topic(bootstrap, topic, P)
    produce_to_partitions(bootstrap, topic, N, P)
    group = 'kp-' + topic
    processed = []
    stop = []
    errors = []
    consumers = {}

    def run(name):
        c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                          client_id=name, enable_auto_commit=False,
                          auto_offset_reset='earliest', session_timeout_ms=10000,
                          heartbeat_interval_ms=500, max_poll_interval_ms=30000)
        consumers[name] = c
        try:
            while not stop:
                for tp, msgs in c.poll(timeout_ms=200, max_records=1).items():
                    for m in msgs:
                        time.sleep(0.02)
                        try:
                            c.commit({tp: OffsetAndMetadata(m.offset + 1, name)})
                        except (CommitFailedError, KafkaError):
                            c.seek(tp, m.offset)
                            continue
                        processed.append((tp.partition, m.offset))
        except Exception as e:
            errors.append(repr(e))
        finally:
            c.close()

    t1 = threading.Thread(target=run, args=('kp1',), daemon=True)
    t1.start()
    wait_processed(processed, 40)
    print("ok kafka-python consumer processed %d messages with commits" % len(processed))
    t2 = threading.Thread(target=run, args=('kp2',), daemon=True)
    t2.start()
    deadline = time.time() + 90
    balanced = None
    while time.time() < deadline:
        if len(consumers) == 2:
            a1 = set(t.partition for t in consumers['kp1'].assignment())
            a2 = set(t.partition for t in consumers['kp2'].assignment())
            if a1 and a2 and not (a1 & a2) and len(a1 | a2) == P:
                balanced = (sorted(a1), sorted(a2))
        if balanced and len(processed) >= N:
            break
        time.sleep(0.2)
    time.sleep(1)
    stop.append(1)
    t1.join(30)
    t2.join(30)
    if errors:
        die("kafka-python: %s" % errors)
    if not balanced:
        die("kafka-python assignments never disjoint and complete")
    print("ok two kafka-python consumers: %s %s" % balanced)
    if len(set(processed)) != N or len(processed) != N:
        die("kafka-python group processed %d messages, %d distinct, of %d"
            % (len(processed), len(set(processed)), N))
    print("ok kafka-python group processed every message once")


def commit_offsets(bootstrap, group, topic):
    from kafka import KafkaConsumer, TopicPartition, OffsetAndMetadata
    create_topic(bootstrap, topic, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    c.commit({TopicPartition(topic, p): OffsetAndMetadata(100 + p, 'meta-%d "q" \\ é' % p)
              for p in range(3)})
    c.close()
    print("ok committed")


def check_offsets(bootstrap, group, topic):
    from kafka import KafkaAdminClient, TopicPartition
    deadline = time.time() + 60
    last = None
    while time.time() < deadline:
        try:
            a = KafkaAdminClient(bootstrap_servers=bootstrap)
            offs = a.list_consumer_group_offsets(group)
            a.close()
            got = {tp.partition: (om.offset, om.metadata) for tp, om in offs.items()
                   if tp.topic == topic}
            want = {p: (100 + p, 'meta-%d "q" \\ é' % p) for p in range(3)}
            if got == want:
                print("ok committed offsets and metadata: %s" % sorted(got.items()))
                return
            last = got
        except Exception as e:
            last = repr(e)
        time.sleep(1)
    die("committed offsets not as committed: %s" % (last,))


def static_member(bootstrap, topic):
    P = 4
    create_topic(bootstrap, topic, P)
    group = 'static-' + topic
    processed = []
    extra = {'session.timeout.ms': 30000}
    a = GroupMember(bootstrap, topic, group, 'range', 'a', processed,
                    dict(extra, **{'group.instance.id': 'inst-a'}))
    wait_balanced([a], P)
    b = GroupMember(bootstrap, topic, group, 'range', 'b', processed,
                    dict(extra, **{'group.instance.id': 'inst-b'}))
    sets = wait_balanced([a, b], P)
    time.sleep(1)
    before = sorted(b.assignment())
    print("ok static members: %s" % [sorted(x) for x in sets])
    assigns, revokes = a.assigns, a.revokes
    b.close()   # a static member sends no LeaveGroup
    b2 = GroupMember(bootstrap, topic, group, 'range', 'b2', processed,
                     dict(extra, **{'group.instance.id': 'inst-b'}))
    sets = wait_balanced([a, b2], P)
    if sorted(b2.assignment()) != before:
        die("rejoined static member got %s, had %s" % (sorted(b2.assignment()), before))
    time.sleep(3)
    if a.assigns != assigns or a.revokes != revokes:
        die("the other member was rebalanced (assigns %d->%d, revokes %d->%d)"
            % (assigns, a.assigns, revokes, a.revokes))
    print("ok static member rejoined with its assignment %s, no rebalance" % before)
    a.close()
    b2.close()


def hold_member(bootstrap, topic, group):
    """A group member that polls until killed (for session-expiry)."""
    processed = []
    m = GroupMember(bootstrap, topic, group, 'range', 'held', processed)
    while True:
        time.sleep(1)


def session_expiry(bootstrap, topic):
    """A member killed without leaving is removed after its session timeout
    (6 s) and the survivor gets every partition."""
    import subprocess
    P = 4
    create_topic(bootstrap, topic, P)
    group = 'exp-' + topic
    processed = []
    a = GroupMember(bootstrap, topic, group, 'range', 'a', processed)
    wait_balanced([a], P)
    child = subprocess.Popen(['/usr/bin/python3', __file__, 'hold-member', bootstrap, topic, group])
    deadline = time.time() + 60
    while len(a.assignment()) != P // 2 and time.time() < deadline:
        time.sleep(0.1)
    if len(a.assignment()) != P // 2:
        child.kill()
        die("the second member never got its share: %s" % sorted(a.assignment()))
    print("ok two members, a owns %s" % sorted(a.assignment()))
    child.kill()
    child.wait()
    t0 = time.time()
    wait_balanced([a], P, 60)
    took = time.time() - t0
    if took < 4:
        die("partitions moved after %.1f s, before the 6 s session timeout" % took)
    print("ok after the other member was killed, a owns every partition (%.0f s later)" % took)
    a.close()


def group_admin(bootstrap):
    """ListGroups, DescribeGroups and DeleteGroups through kafka-python's
    admin client, on the groups 005_groups.pl left behind."""
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    groups = dict(a.list_consumer_groups())
    for g in ('durable-group', 'static-statictopic', 'g-reb-range'):
        if g not in groups:
            die("ListGroups lacks %s: %s" % (g, groups))
    print("ok ListGroups: %s" % sorted(groups))
    d = a.describe_consumer_groups(['g-reb-range', 'no-such-group'])
    byid = {x.group: x for x in d}
    if byid['g-reb-range'].state != 'Empty' or byid['g-reb-range'].members:
        die("DescribeGroups g-reb-range: %s" % (byid['g-reb-range'],))
    if byid['no-such-group'].state != 'Dead':
        die("DescribeGroups unknown group: %s" % (byid['no-such-group'],))
    print("ok DescribeGroups: empty group Empty, unknown group Dead")
    res = dict(a.delete_consumer_groups(['durable-group', 'no-such-group']))
    if res['durable-group'].errno != 0 or res['no-such-group'].errno != 69:
        die("DeleteGroups: %s" % res)
    offs = a.list_consumer_group_offsets('durable-group')
    if offs:
        die("offsets remain after DeleteGroups: %s" % offs)
    print("ok DeleteGroups: deleted with its offsets; unknown group GROUP_ID_NOT_FOUND")
    a.close()


def initial_delay(bootstrap, topic):
    """Three consumers starting together: with group_initial_rebalance_delay
    they form one generation (007_offsets.pl checks the broker's log)."""
    P = 3
    create_topic(bootstrap, topic, P)
    processed = []
    members = [GroupMember(bootstrap, topic, 'g-' + topic, 'range', n, processed)
               for n in ('a', 'b', 'c')]
    t0 = time.time()
    sets = wait_balanced(members, P)
    took = time.time() - t0
    for m in members:
        if m.assigns != 1:
            die("%s was assigned %d times, expected once" % (m.name, m.assigns))
    for m in members:
        m.close()
    print("ok three members, one assignment each: %s after %.1f s" % ([sorted(x) for x in sets], took))


def big_commit(bootstrap, topic):
    """One OffsetCommit larger than a 64 kB offset_commit_queue_size (20
    partitions with 4000-byte metadata): written by the backend itself,
    and read back."""
    from kafka import KafkaConsumer, KafkaAdminClient, TopicPartition, OffsetAndMetadata
    P = 20
    create_topic(bootstrap, topic, P)
    group = 'big-' + topic
    want = {p: (1000 + p, ('m%d-' % p) + 'x' * 4000) for p in range(P)}
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    c.commit({TopicPartition(topic, p): OffsetAndMetadata(o, m) for p, (o, m) in want.items()})
    c.close()
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    got = {tp.partition: (om.offset, om.metadata)
           for tp, om in a.list_consumer_group_offsets(group).items()}
    a.close()
    if got != want:
        die("big commit read back differently: %s" % sorted((p, o, m[:10]) for p, (o, m) in got.items()))
    print("ok a %d-partition commit with 4000-byte metadata each read back" % P)


def bad_utf8_commit(bootstrap, topic):
    """Two OffsetCommit v2 requests sent at once on two connections, one
    with a group id that is not UTF-8 (the catalog refuses it): that one
    fails alone with UNKNOWN_SERVER_ERROR, the other commits."""
    import socket
    import struct
    create_topic(bootstrap, topic, 1)
    host, port = bootstrap.split(':')

    def s16(b):
        return struct.pack('>h', len(b)) + b

    def request(group, corr):
        body = s16(group) + struct.pack('>i', -1) + s16(b'') + struct.pack('>q', -1)
        body += struct.pack('>i', 1) + s16(topic.encode())
        body += struct.pack('>i', 1) + struct.pack('>iq', 0, 42) + s16(b'meta')
        msg = struct.pack('>hhi', 8, 2, corr) + s16(b'raw') + body
        return struct.pack('>i', len(msg)) + msg

    def read_exact(sock, n):
        buf = b''
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                die("connection closed")
            buf += chunk
        return buf

    socks = []
    for corr, group in ((1, b'bad-\xff\xfe'), (2, b'good-utf8')):
        sk = socket.create_connection((host, int(port)), timeout=30)
        socks.append((sk, group))
    for corr, (sk, group) in enumerate(socks, 1):
        sk.sendall(request(group, corr))
    codes = []
    for sk, group in socks:
        n = struct.unpack('>i', read_exact(sk, 4))[0]
        resp = read_exact(sk, n)
        # correlation, [topic: name, [partition, error]]
        p = 4 + 4
        tl = struct.unpack('>h', resp[p:p + 2])[0]
        p += 2 + tl + 4
        _, err = struct.unpack('>ih', resp[p:p + 6])
        codes.append(err)
        sk.close()
    if codes != [-1, 0]:
        die("error codes %s, expected [-1, 0]" % codes)
    print("ok the non-UTF-8 group's commit failed alone (UNKNOWN_SERVER_ERROR), the other committed")


def dup_commit(bootstrap, topic):
    """One OffsetCommit v2 naming partition 0 twice (offset 5, then 7):
    both answered without error, and the later one is what is committed,
    as if applied in order."""
    import socket
    import struct
    create_topic(bootstrap, topic, 1)
    host, port = bootstrap.split(':')

    def s16(b):
        return struct.pack('>h', len(b)) + b

    body = s16(b'dup-' + topic.encode()) + struct.pack('>i', -1) + s16(b'') + struct.pack('>q', -1)
    body += struct.pack('>i', 1) + s16(topic.encode()) + struct.pack('>i', 2)
    body += struct.pack('>iq', 0, 5) + s16(b'first') + struct.pack('>iq', 0, 7) + s16(b'second')
    msg = struct.pack('>hhi', 8, 2, 1) + s16(b'raw') + body
    sk = socket.create_connection((host, int(port)), timeout=30)
    sk.sendall(struct.pack('>i', len(msg)) + msg)
    buf = b''
    while len(buf) < 4 or len(buf) < 4 + struct.unpack('>i', buf[:4])[0]:
        chunk = sk.recv(65536)
        if not chunk:
            die("connection closed")
        buf += chunk
    sk.close()
    resp = buf[4:]
    p = 4 + 4
    tl = struct.unpack('>h', resp[p:p + 2])[0]
    p += 2 + tl
    n = struct.unpack('>i', resp[p:p + 4])[0]
    p += 4
    errs = [struct.unpack('>ih', resp[p + 6 * i:p + 6 * i + 6])[1] for i in range(n)]
    if errs != [0, 0]:
        die("error codes %s, expected [0, 0]" % errs)
    print("ok both answered without error")


def report_regex(client, got, expected):
    # got: {topic: [values]}; every message of every matching topic, once
    total = sum(len(v) for v in got.values())
    if total != expected or any(len(set(v)) != len(v) for v in got.values()):
        die("%s by regex: got %s, expected %d messages" % (client, got, expected))
    print("ok %s by regex received %s" % (
        client, ", ".join("%d from %s" % (len(got[t]), t) for t in sorted(got))))


def regex_confluent(bootstrap, group, pattern, expected):
    # librdkafka subscribes to a pattern with a leading '^'
    from confluent_kafka import Consumer
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group,
                  'auto.offset.reset': 'earliest', 'topic.metadata.refresh.interval.ms': 1000})
    c.subscribe([pattern])
    got = {}
    deadline = time.time() + 60
    while sum(len(v) for v in got.values()) < int(expected) and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            die("consume error: %s" % m.error())
        got.setdefault(m.topic(), []).append(m.value().decode())
    c.close()
    report_regex('confluent-kafka', got, int(expected))


def regex_kafka_python(bootstrap, group, pattern, expected):
    from kafka import KafkaConsumer
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                      auto_offset_reset='earliest', metadata_max_age_ms=1000,
                      consumer_timeout_ms=1000)
    c.subscribe(pattern=pattern)
    got = {}
    deadline = time.time() + 60
    while sum(len(v) for v in got.values()) < int(expected) and time.time() < deadline:
        for m in c:
            got.setdefault(m.topic, []).append(m.value.decode())
    c.close()
    report_regex('kafka-python', got, int(expected))


def surplus_metadata(bootstrap):
    # Metadata v12 "all topics" exactly as librdkafka 2.3+ sends it: the
    # null topic array as 00 000000 (four bytes where a one-byte varint
    # belongs), then AllowAutoTopicCreation, IncludeTopicAuthorizedOperations
    # and the tagged fields: three bytes more than the body.  Two requests
    # on one connection, one on another; each must be answered.
    import socket
    import struct
    host, port = bootstrap.rsplit(':', 1)
    client_id = b'rdkafka'

    def request(sock, corr):
        hdr = struct.pack('>hhih', 3, 12, corr, len(client_id)) + client_id + b'\x00'
        body = b'\x00\x00\x00\x00' + b'\x01\x00\x00'
        sock.sendall(struct.pack('>i', len(hdr) + len(body)) + hdr + body)
        size = struct.unpack('>i', recv_exact(sock, 4))[0]
        frame = recv_exact(sock, size)
        if struct.unpack('>i', frame[:4])[0] != corr:
            die("correlation id %d expected" % corr)

    def recv_exact(sock, n):
        buf = b''
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                die("connection closed after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return buf

    for corrs in ((1, 2), (3,)):
        sock = socket.create_connection((host, int(port)), timeout=10)
        for corr in corrs:
            request(sock, corr)
        sock.close()
    print("ok Metadata v12 with librdkafka's 3 surplus bytes answered on two connections")


def offsets_of(bootstrap, group):
    """A group's committed offsets as OffsetFetch answers them, one
    "topic partition offset metadata" line each, sorted."""
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    offs = a.list_consumer_group_offsets(group)
    a.close()
    for tp, om in sorted(offs.items()):
        print("%s %d %d %s" % (tp.topic, tp.partition, om.offset, om.metadata))


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'confluent-roundtrip': confluent_roundtrip,
     'bulk-roundtrip': bulk_roundtrip,
     'slow-fetch': slow_fetch,
     'kafka-python-roundtrip': kafka_python_roundtrip,
     'admin': admin,
     'offsets-for-times': offsets_for_times,
     'log-append-time': log_append_time,
     'produce-acked': produce_acked,
     'produce-idempotent': produce_idempotent,
     'consume-all': consume_all,
     'group-rebalance': group_rebalance,
     'kafka-python-group': kafka_python_group,
     'commit-offsets': commit_offsets,
     'check-offsets': check_offsets,
     'static-member': static_member,
     'group-admin': group_admin,
     'hold-member': hold_member,
     'session-expiry': session_expiry,
     'initial-delay': initial_delay,
     'offsets-of': offsets_of,
     'big-commit': big_commit,
     'bad-utf8-commit': bad_utf8_commit,
     'dup-commit': dup_commit,
     'create-topic': lambda b, t, n: create_topic(b, t, int(n)),
     'regex-confluent': regex_confluent,
     'regex-kafka-python': regex_kafka_python,
     'surplus-metadata': surplus_metadata}[cmd](*args)
