// src/test/kafka/kafkajs_roundtrip.js — KafkaJS for the TAP tests: create
// a topic, produce keyed messages with headers (plain and gzip), check the
// high watermarks with the admin client, consume everything back with a
// consumer group and compare, and print what was sent (one line per
// message, "partition|key|value|n=header") for the test to compare with
// what another client (kcat) reads.  Usage: node kafkajs_roundtrip.js BOOTSTRAP TOPIC
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [bootstrap, topic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'strata-tap', brokers: [bootstrap], logLevel: logLevel.ERROR });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  if (meta.topics[0].partitions.length !== 2) throw new Error('expected 2 partitions');
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  const sent = [];
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    const messages = [];
    for (let i = 0; i < 50; i++) {
      const m = { key: i % 5 === 0 ? null : `k${i}`, value: `v${compression}-${i}`,
                  partition: i % 2, headers: { n: `${i}` } };
      messages.push(m);
      sent.push(m);
    }
    await producer.send({ topic, messages, acks: -1, compression });
  }
  await producer.disconnect();

  // The high watermarks must account for every message sent.
  const admin2 = kafka.admin();
  await admin2.connect();
  const offsets = await admin2.fetchTopicOffsets(topic);
  await admin2.disconnect();
  const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  if (total !== sent.length) throw new Error(`high watermarks count ${total}, sent ${sent.length}`);
  for (const m of sent) console.log(`${m.partition}|${m.key === null ? '' : m.key}|${m.value}|n=${m.headers.n}`);
  console.log(`ok kafkajs produced ${sent.length} messages`);

  // Read everything back with a KafkaJS consumer group.
  const consumer = kafka.consumer({ groupId: `tap-${topic}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  const got = [];
  await new Promise(async (resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: consumed ${got.length} of ${sent.length}`)), 60000);
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push(`${partition}|${message.key ? message.key.toString() : ''}|${message.value.toString()}|n=${message.headers.n.toString()}`);
        if (got.length === sent.length) { clearTimeout(timer); resolve(); }
      },
    });
  }).catch(async (e) => { await consumer.disconnect(); throw e; });
  await consumer.disconnect();
  const want = sent.map((m) => `${m.partition}|${m.key === null ? '' : m.key}|${m.value}|n=${m.headers.n}`).sort();
  if (JSON.stringify(want) !== JSON.stringify(got.sort())) throw new Error('what the KafkaJS consumer read differs from what was sent');
  console.log(`ok kafkajs consumed ${got.length} messages in group tap-${topic}`);
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(1); });
