// src/test/kafka/kafkajs_roundtrip.js — KafkaJS for the TAP tests: create
// a topic, produce keyed messages with headers (plain and gzip), check the
// high watermarks with the admin client, and print what was sent (one line
// per message, "partition|key|value|n=header") for the test to compare with
// what another client reads back.  KafkaJS's consumer needs consumer groups,
// which come with their own issue.  Usage: node kafkajs_roundtrip.js BOOTSTRAP TOPIC
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
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(1); });
