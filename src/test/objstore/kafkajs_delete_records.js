// src/test/objstore/kafkajs_delete_records.js — DeleteRecords through
// KafkaJS's admin client (deleteTopicRecords), for 008_compaction.pl.
// Usage: node kafkajs_delete_records.js BOOTSTRAP TOPIC PARTITION OFFSET
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, partition, offset] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'strata-tap', brokers: [bootstrap], logLevel: logLevel.ERROR });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  // deleteTopicRecords finds leaders in metadata it does not load itself.
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: Number(partition), offset }] });
  const offs = await admin.fetchTopicOffsets(topic);
  const p = offs.find((o) => o.partition === Number(partition));
  console.log(`ok low ${p.low} high ${p.high}`);
  await admin.disconnect();
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
