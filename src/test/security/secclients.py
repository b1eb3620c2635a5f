#!/usr/bin/python3
# src/test/security/secclients.py — confluent-kafka (librdkafka) and
# kafka-python over TLS and SASL, for the security TAP tests.
#
# Run with Debian's /usr/bin/python3.  Usage:
#
#   secclients.py COMMAND BOOTSTRAP [--protocol P] [--ca FILE] [--cert FILE]
#                 [--key FILE] [--mechanism M] [--user U] [--password PW] ARGS...
#
# Commands (each prints "ok ..." lines on success; on failure it prints
# "error: <what the client reported>" on stderr and exits 1):
#
#   confluent-roundtrip TOPIC        create TOPIC, produce 20 messages, read them back
#   kafka-python-roundtrip TOPIC     the same with kafka-python
#   confluent-metadata               list the topics the principal may see
#   kafka-python-metadata            the same with kafka-python
#   confluent-produce TOPIC          produce one message; prints the delivery result
#   confluent-consume TOPIC GROUP    consume TOPIC in GROUP from the start; prints
#                                    the error the group's coordinator returns, if any
#   kafka-python-acls ACTION ...     KafkaAdminClient's ACL calls (see acls())
#   kafka-python-produce TOPIC       produce one message with kafka-python
import sys
import time


def die(msg):
    sys.stderr.write("error: %s\n" % msg)
    sys.exit(1)


def parse(argv):
    opts = {}
    rest = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith('--') and i + 1 < len(argv):
            opts[a[2:]] = argv[i + 1]
            i += 2
        else:
            rest.append(a)
            i += 1
    return opts, rest


# ---------------------------------------------------------------- librdkafka

def confluent_conf(bootstrap, o, **extra):
    c = {'bootstrap.servers': bootstrap,
         'security.protocol': o.get('protocol', 'PLAINTEXT').lower(),
         # Fail fast: a test of a refused login must not wait minutes.
         'socket.timeout.ms': 10000, 'reconnect.backoff.max.ms': 1000}
    if 'ca' in o:
        c['ssl.ca.location'] = o['ca']
    if 'cert' in o:
        c['ssl.certificate.location'] = o['cert']
        c['ssl.key.location'] = o['key']
    if 'mechanism' in o:
        c['sasl.mechanisms'] = o['mechanism']
        c['sasl.username'] = o['user']
        c['sasl.password'] = o['password']
    errors = []
    c['error_cb'] = lambda e: errors.append(e)
    c.update(extra)
    return c, errors


def confluent_metadata(bootstrap, o):
    from confluent_kafka.admin import AdminClient
    c, errors = confluent_conf(bootstrap, o)
    a = AdminClient(c)
    try:
        md = a.list_topics(timeout=15)
    except Exception as e:
        die("%s %s" % (e, ' '.join(str(x) for x in errors)))
    for t in sorted(md.topics):
        print("topic %s %s" % (t, md.topics[t].error.name() if md.topics[t].error else 'NONE'))
    for b in md.brokers.values():
        print("broker %d %s:%d" % (b.id, b.host, b.port))
    print("ok metadata")


def confluent_roundtrip(bootstrap, o, topic):
    from confluent_kafka import Producer, Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    c, errors = confluent_conf(bootstrap, o)
    a = AdminClient(c)
    try:
        a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result()
    except Exception as e:
        die("create_topics: %s %s" % (e, ' '.join(str(x) for x in errors)))
    c, errors = confluent_conf(bootstrap, o, acks='all')
    p = Producer(c)
    delivered = []
    for i in range(20):
        p.produce(topic, key=b'k%d' % i, value=b'v%d' % i,
                  on_delivery=lambda err, msg: delivered.append(err))
    if p.flush(30) != 0 or any(delivered) or len(delivered) != 20:
        die("produce: %s %s" % (delivered, ' '.join(str(x) for x in errors)))
    c, errors = confluent_conf(bootstrap, o, **{'group.id': 'g-' + topic, 'enable.auto.commit': False,
                                                'auto.offset.reset': 'earliest'})
    cons = Consumer(c)
    cons.assign([TopicPartition(topic, 0, 0)])
    got = []
    deadline = time.time() + 30
    while len(got) < 20 and time.time() < deadline:
        m = cons.poll(0.5)
        if m is None:
            continue
        if m.error():
            die("consume: %s" % m.error())
        got.append((m.key(), m.value()))
    cons.close()
    if got != [(b'k%d' % i, b'v%d' % i) for i in range(20)]:
        die("read back %d of 20 messages: %r" % (len(got), got[:3]))
    print("ok confluent-kafka round trip of 20 messages over %s" % o.get('protocol'))


def confluent_produce(bootstrap, o, topic):
    from confluent_kafka import Producer
    c, errors = confluent_conf(bootstrap, o, acks='all', **{'message.timeout.ms': 15000})
    p = Producer(c)
    result = []
    p.produce(topic, value=b'x', on_delivery=lambda err, msg: result.append(err))
    p.flush(30)
    if not result:
        die("no delivery report %s" % ' '.join(str(x) for x in errors))
    if result[0] is not None:
        die("delivery failed: %s" % result[0].name())
    print("ok produced to %s" % topic)


def confluent_consume(bootstrap, o, topic, group):
    from confluent_kafka import Consumer
    c, errors = confluent_conf(bootstrap, o, **{'group.id': group, 'auto.offset.reset': 'earliest',
                                                'enable.auto.commit': False})
    cons = Consumer(c)
    cons.subscribe([topic])
    deadline = time.time() + 20
    n = 0
    while time.time() < deadline:
        m = cons.poll(0.5)
        if m is None:
            if n > 0:
                break
            continue
        if m.error():
            cons.close()
            die("consume: %s" % m.error().name())
        n += 1
    cons.close()
    if n == 0:
        die("consumed nothing %s" % ' '.join(str(x) for x in errors))
    print("ok consumed %d messages in group %s" % (n, group))


# ---------------------------------------------------------------- kafka-python

def kp_conf(bootstrap, o):
    import ssl
    c = {'bootstrap_servers': bootstrap, 'security_protocol': o.get('protocol', 'PLAINTEXT'),
         'request_timeout_ms': 15000, 'api_version_auto_timeout_ms': 10000}
    if 'ca' in o:
        c['ssl_cafile'] = o['ca']
        c['ssl_check_hostname'] = True
    if 'cert' in o:
        c['ssl_certfile'] = o['cert']
        c['ssl_keyfile'] = o['key']
    if 'mechanism' in o:
        c['sasl_mechanism'] = o['mechanism']
        c['sasl_plain_username'] = o['user']
        c['sasl_plain_password'] = o['password']
    return c


def kafka_python_metadata(bootstrap, o):
    from kafka import KafkaConsumer
    try:
        cons = KafkaConsumer(**kp_conf(bootstrap, o))
        topics = cons.topics()
        cons.close()
    except Exception as e:
        die("%s: %s" % (type(e).__name__, e))
    for t in sorted(topics):
        print("topic %s" % t)
    print("ok metadata")


def kafka_python_roundtrip(bootstrap, o, topic):
    from kafka import KafkaProducer, KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    try:
        admin = KafkaAdminClient(**kp_conf(bootstrap, o))
        admin.create_topics([NewTopic(topic, 1, 1)])
        admin.close()
        p = KafkaProducer(acks='all', **kp_conf(bootstrap, o))
        for i in range(20):
            p.send(topic, key=b'k%d' % i, value=b'v%d' % i).get(timeout=20)
        p.close()
        c = KafkaConsumer(auto_offset_reset='earliest', enable_auto_commit=False,
                          consumer_timeout_ms=5000, **kp_conf(bootstrap, o))
        c.assign([TopicPartition(topic, 0)])
        c.seek_to_beginning()
        got = []
        for m in c:
            got.append((m.key, m.value))
            if len(got) == 20:
                break
        c.close()
    except Exception as e:
        die("%s: %s" % (type(e).__name__, e))
    if got != [(b'k%d' % i, b'v%d' % i) for i in range(20)]:
        die("read back %d of 20 messages" % len(got))
    print("ok kafka-python round trip of 20 messages over %s" % o.get('protocol'))


def kafka_python_produce(bootstrap, o, topic):
    from kafka import KafkaProducer
    try:
        p = KafkaProducer(acks='all', max_block_ms=15000, **kp_conf(bootstrap, o))
        p.send(topic, value=b'x').get(timeout=20)
        p.close()
    except Exception as e:
        die("%s: %s" % (type(e).__name__, e))
    print("ok produced to %s" % topic)


def acls(bootstrap, o, action, *args):
    """kafka-python's ACL administration.

    create RTYPE NAME PATTERN PRINCIPAL OPERATION PERMISSION
    delete RTYPE NAME PATTERN PRINCIPAL OPERATION PERMISSION   (ANY allowed)
    describe RTYPE NAME PATTERN                                (prints one line per ACL)
    """
    from kafka.admin import (KafkaAdminClient, ACL, ACLFilter, ResourcePattern,
                             ResourcePatternFilter, ResourceType, ACLOperation,
                             ACLPermissionType, ACLResourcePatternType)
    admin = KafkaAdminClient(**kp_conf(bootstrap, o))
    try:
        if action == 'create':
            rtype, name, pattern, principal, op, perm = args
            acl = ACL(principal=principal, host='*', operation=ACLOperation[op],
                      permission_type=ACLPermissionType[perm],
                      resource_pattern=ResourcePattern(ResourceType[rtype], name,
                                                       ACLResourcePatternType[pattern]))
            r = admin.create_acls([acl])
            if r['failed']:
                die("create_acls: %s" % (r['failed'][0][1],))
            print("ok created %s" % acl)
        elif action == 'delete':
            rtype, name, pattern, principal, op, perm = args
            f = ACLFilter(principal=None if principal == 'ANY' else principal, host='*',
                          operation=ACLOperation[op], permission_type=ACLPermissionType[perm],
                          resource_pattern=ResourcePatternFilter(ResourceType[rtype],
                                                                 None if name == 'ANY' else name,
                                                                 ACLResourcePatternType[pattern]))
            r = admin.delete_acls([f])
            for filt, matches, err in r:
                if err is not None and err.errno != 0:
                    die("delete_acls: %s" % err)
                for acl, e in matches:
                    print("deleted %s %s %s %s %s %s" % (acl.resource_pattern.resource_type.name,
                                                         acl.resource_pattern.resource_name,
                                                         acl.resource_pattern.pattern_type.name,
                                                         acl.principal, acl.operation.name,
                                                         acl.permission_type.name))
            print("ok delete_acls")
        elif action == 'describe':
            rtype, name, pattern = args
            f = ACLFilter(principal=None, host=None, operation=ACLOperation.ANY,
                          permission_type=ACLPermissionType.ANY,
                          resource_pattern=ResourcePatternFilter(ResourceType[rtype],
                                                                 None if name == 'ANY' else name,
                                                                 ACLResourcePatternType[pattern]))
            found, err = admin.describe_acls(f)
            if err is not None and err.errno != 0:
                die("describe_acls: %s" % err)
            for acl in sorted(found, key=str):
                print("acl %s %s %s %s %s %s %s" % (acl.resource_pattern.resource_type.name,
                                                    acl.resource_pattern.resource_name,
                                                    acl.resource_pattern.pattern_type.name,
                                                    acl.principal, acl.host, acl.operation.name,
                                                    acl.permission_type.name))
            print("ok describe_acls")
        else:
            die("unknown acls action %s" % action)
    except SystemExit:
        raise
    except Exception as e:
        die("%s: %s" % (type(e).__name__, e))
    finally:
        admin.close()


COMMANDS = {
    'confluent-metadata': confluent_metadata,
    'confluent-roundtrip': confluent_roundtrip,
    'confluent-produce': confluent_produce,
    'confluent-consume': confluent_consume,
    'kafka-python-metadata': kafka_python_metadata,
    'kafka-python-roundtrip': kafka_python_roundtrip,
    'kafka-python-produce': kafka_python_produce,
    'kafka-python-acls': acls,
}

if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        die("usage: secclients.py {%s} BOOTSTRAP [options] ARGS" % '|'.join(sorted(COMMANDS)))
    opts, rest = parse(sys.argv[3:])
    COMMANDS[sys.argv[1]](sys.argv[2], opts, *rest)
