// src/test/kafka/kafkajs_group.js — a KafkaJS consumer group for the TAP
// tests: two consumers of one group on a 4-partition topic must get
// disjoint assignments covering every partition and consume each message
// exactly once; after one leaves, the other takes over every partition and
// consumes what follows, again exactly once (offsets were committed).
// Exits non-zero on any difference.  Usage: node kafkajs_group.js BOOTSTRAP TOPIC
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'strata-tap-group', brokers: [bootstrap], logLevel: logLevel.ERROR });
const P = 4;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, cond, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: P }] });
  await admin.disconnect();

  const seen = [];
  const assignments = {};
  const consumers = [];
  for (const name of ['js1', 'js2']) {
    const c = kafka.consumer({ groupId: `js-${topic}`, sessionTimeout: 10000, heartbeatInterval: 500 });
    c.on(c.events.GROUP_JOIN, (e) => { assignments[name] = e.payload.memberAssignment[topic] || []; });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async ({ partition, message }) => { seen.push(`${partition}:${message.offset}`); } });
    consumers.push(c);
  }
  await waitFor('two members with disjoint, complete assignments', () => {
    const a = assignments.js1 || [], b = assignments.js2 || [];
    const all = new Set([...a, ...b]);
    return a.length > 0 && b.length > 0 && all.size === P && a.length + b.length === P;
  });
  console.log(`ok kafkajs assignments ${JSON.stringify(assignments)}`);

  const producer = kafka.producer();
  await producer.connect();
  const send = async (from, n) => {
    const messages = [];
    for (let i = from; i < from + n; i++) messages.push({ value: `m${i}`, partition: i % P });
    await producer.send({ topic, messages, acks: -1 });
  };
  await send(0, 100);
  await waitFor('100 messages', () => seen.length >= 100);
  await sleep(1000);
  if (seen.length !== 100 || new Set(seen).size !== 100) throw new Error(`consumed ${seen.length}, ${new Set(seen).size} distinct`);
  console.log('ok kafkajs group consumed 100 messages exactly once');

  await consumers[1].disconnect();
  await waitFor('the remaining member owning every partition', () => (assignments.js1 || []).length === P);
  await send(100, 100);
  await waitFor('200 messages', () => seen.length >= 200);
  await sleep(1000);
  if (seen.length !== 200 || new Set(seen).size !== 200) throw new Error(`consumed ${seen.length}, ${new Set(seen).size} distinct`);
  console.log('ok after one member left, the other consumed the next 100 exactly once');
  await producer.disconnect();
  await consumers[0].disconnect();
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(1); });
