// src/test/kafka/kafkajs_roundtrip.js — a KafkaJS round trip for the TAP
// tests: create a topic, produce keyed messages with headers (and gzip),
// consume them back from the beginning and compare.  Exits non-zero on any
// difference.  Usage: node kafkajs_roundtrip.js BOOTSTRAP TOPIC
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

  const consumer = kafka.consumer({ groupId: `tap-${topic}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  const got = [];
  await new Promise(async (resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: got ${got.length} of ${sent.length}`)), 60000);
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        got.push({ partition, key: message.key ? message.key.toString() : null,
                   value: message.value.toString(), n: message.headers.n.toString() });
        if (got.length === sent.length) { clearTimeout(timer); resolve(); }
      },
    });
  }).catch(async (e) => { await consumer.disconnect(); throw e; });
  await consumer.disconnect();

  const key = (m) => `${m.partition}|${m.key}|${m.value}`;
  const want = sent.map((m) => key(m)).sort();
  const have = got.map((m) => key(m)).sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) throw new Error('consumed messages differ from sent');
  console.log(`ok kafkajs round trip of ${got.length} messages`);
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(1); });
