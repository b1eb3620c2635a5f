// src/test/kafka/kafkajs_regex.js — a KafkaJS consumer subscribed to a
// regular expression must receive every message of every topic that
// matches it (and none of a topic that does not), each once.
// Usage: node kafkajs_regex.js BOOTSTRAP GROUP PATTERN EXPECTED
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, group, pattern, expected] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'strata-tap-regex', brokers: [bootstrap], logLevel: logLevel.ERROR });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 500 });
  const got = {};
  let total = 0;
  await consumer.connect();
  // kafkajs matches the regex against the topics it knows at subscribe time
  await consumer.subscribe({ topics: [new RegExp(pattern)], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      (got[topic] = got[topic] || []).push(message.value.toString());
      total++;
    },
  });
  const end = Date.now() + 60000;
  while (total < Number(expected) && Date.now() < end)
    await sleep(100);
  await sleep(500);	// anything more than expected would show up here
  await consumer.disconnect();
  const dup = Object.values(got).some((v) => new Set(v).size !== v.length);
  if (total !== Number(expected) || dup) {
    console.error(`kafkajs by regex: got ${JSON.stringify(got)}, expected ${expected} messages`);
    process.exit(1);
  }
  console.log(`ok kafkajs by regex received ${Object.keys(got).sort().map((t) => `${got[t].length} from ${t}`).join(', ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
