// src/test/kafka/kafkajs_idempotent.js — a KafkaJS idempotent producer for
// the TAP tests: sends COUNT numbered messages ("j%08d") to partition 0 of
// TOPIC in batches of 50 with acks=all, retrying through broker restarts,
// and appends "offset value" of every acknowledged batch's messages to
// OUTFILE as it goes (the test watches it to time its kill).
// Usage: node kafkajs_idempotent.js BOOTSTRAP TOPIC COUNT OUTFILE
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, countArg, outfile] = process.argv.slice(2);
const count = parseInt(countArg, 10);
const kafka = new Kafka({
  clientId: 'strata-tap-idem', brokers: [bootstrap], logLevel: logLevel.NOTHING,
  retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 30 },
});

async function main() {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < count; i += 50) {
    const messages = [];
    for (let j = i; j < Math.min(i + 50, count); j++)
      messages.push({ value: 'j' + String(j).padStart(8, '0'), partition: 0 });
    const res = await producer.send({ topic, messages, acks: -1 });
    const base = Number(res[0].baseOffset);
    fs.appendFileSync(outfile, messages.map((m, k) => `${base + k} ${m.value}\n`).join(''));
    await new Promise((r) => setTimeout(r, 20));
  }
  await producer.disconnect();
  console.log('ok kafkajs produced ' + count);
}

main().catch((e) => { console.error('kafkajs idempotent producer failed: ' + e.stack); process.exit(1); });
