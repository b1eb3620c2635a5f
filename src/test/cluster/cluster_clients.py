#!/usr/bin/python3
# Clients for the cluster tests (src/test/cluster/t/*.pl): long-running
# producers and consumers that ride through partition moves, broker stops
# and failures, and the checks of what they saw.  Real clients only
# (confluent-kafka, i.e. librdkafka).
#
#   cluster_clients.py load BOOTSTRAP TOPIC PARTITIONS SECONDS RATE OUTFILE
#       An idempotent producer (acks=all) sending numbered messages at RATE
#       a second, round robin over PARTITIONS, for SECONDS; every delivery
#       report goes to OUTFILE as "partition offset value".  Retriable errors
#       are counted (librdkafka retries them); a message that is finally not
#       delivered fails the run.
#   cluster_clients.py consume BOOTSTRAP TOPIC GROUP STOPFILE OUTFILE
#       A consumer group member reading until STOPFILE exists and nothing
#       new came for 3 s; every message to OUTFILE as "partition offset
#       value"; commits as it goes.
#   cluster_clients.py check PRODUCED LOGDUMP [CONSUMED]
#       PRODUCED: delivery reports; LOGDUMP: "partition offset value" of
#       the whole topic as read back; checks that every delivered message is
#       in the log once, at the offset it was acknowledged with (no loss, no
#       duplicate), and that the consumer saw every one (no gap).
#   cluster_clients.py dump BOOTSTRAP TOPIC PARTITIONS OUTFILE
#       Read the whole topic (every partition from the start) into OUTFILE.
import os
import sys
import time


def die(msg):
    print("FAIL " + msg[:2000])
    sys.exit(1)


def load(bootstrap, topic, partitions, seconds, rate, outfile):
    from confluent_kafka import Producer, KafkaException
    partitions, seconds, rate = int(partitions), float(seconds), float(rate)
    out = open(outfile, 'w', buffering=1)
    failed = []
    errors = {}

    def report(err, msg):
        if err is None:
            out.write("%d %d %s\n" % (msg.partition(), msg.offset(), msg.value().decode()))
        else:
            failed.append(str(err))

    def on_error(err):
        errors[err.name()] = errors.get(err.name(), 0) + 1

    p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True,
                  'acks': 'all', 'linger.ms': 5, 'message.timeout.ms': 120000,
                  'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 500,
                  'retry.backoff.ms': 50, 'topic.metadata.refresh.interval.ms': 2000,
                  'error_cb': on_error})
    start = time.time()
    i = 0
    try:
        while time.time() - start < seconds:
            due = int((time.time() - start) * rate)
            while i < due:
                try:
                    p.produce(topic, value=b'm%08d' % i, partition=i % partitions, on_delivery=report)
                    i += 1
                except BufferError:
                    p.poll(0.05)
            p.poll(0.005)
        left = p.flush(120)
    except KafkaException as e:
        die("producer error: %s" % e)
    out.close()
    if left != 0:
        die("%d messages left undelivered" % left)
    if failed:
        die("%d deliveries failed, first: %s" % (len(failed), failed[0]))
    print("ok produced %d messages; client errors seen (retried): %s" % (i, errors or 'none'))


def consume(bootstrap, topic, group, stopfile, outfile):
    from confluent_kafka import Consumer
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group,
                  'auto.offset.reset': 'earliest', 'enable.auto.commit': True,
                  'auto.commit.interval.ms': 500, 'session.timeout.ms': 10000,
                  'topic.metadata.refresh.interval.ms': 2000})
    c.subscribe([topic])
    last = time.time()
    n = 0
    with open(outfile, 'w') as out:
        while True:
            m = c.poll(0.5)
            if m is not None and not m.error():
                out.write("%d %d %s\n" % (m.partition(), m.offset(), m.value().decode()))
                last = time.time()
                n += 1
            if os.path.exists(stopfile) and time.time() - last > 3:
                break
    c.close()
    print("ok consumed %d messages" % n)


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            p, o, v = line.split()
            rows.append((int(p), int(o), v[:40]))
    return rows


def check(produced, logdump, consumed=None):
    acked = read_rows(produced)
    log = read_rows(logdump)
    at = {}
    count = {}
    for p, o, v in log:
        at[(p, o)] = v
        if v.startswith('m'):     # the load's own messages, not a test's fill
            count[v] = count.get(v, 0) + 1
    dups = [v for v, c in count.items() if c > 1]
    if dups:
        die("%d messages are in the log more than once, e.g. %s" % (len(dups), dups[:5]))
    lost = [(p, o, v) for p, o, v in acked if at.get((p, o)) != v]
    if lost:
        die("%d acknowledged messages are not in the log where they were acknowledged, e.g. %s"
            % (len(lost), lost[:5]))
    print("ok %d acknowledged messages in the log, each once, at its offset" % len(acked))
    if consumed:
        seen = set(v for _, _, v in read_rows(consumed))
        gap = [v for _, _, v in acked if v not in seen]
        if gap:
            die("the consumer group missed %d acknowledged messages, e.g. %s" % (len(gap), gap[:5]))
        print("ok the consumer group saw all %d" % len(acked))


def dump(bootstrap, topic, partitions, outfile):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'dump-' + topic,
                  'enable.auto.commit': False, 'enable.partition.eof': True})
    parts = int(partitions)
    c.assign([TopicPartition(topic, p, 0) for p in range(parts)])
    eof = set()
    deadline = time.time() + 120
    with open(outfile, 'w') as out:
        while len(eof) < parts and time.time() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    eof.add(m.partition())
                    continue
                die("dump: %s" % m.error())
            out.write("%d %d %s\n" % (m.partition(), m.offset(), m.value().decode()))
    c.close()
    if len(eof) < parts:
        die("dump: only %d of %d partitions read to the end" % (len(eof), parts))
    print("ok dumped")


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'load': load, 'consume': consume, 'check': check, 'dump': dump}[cmd](*args)
