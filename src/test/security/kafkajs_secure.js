// src/test/security/kafkajs_secure.js — KafkaJS over TLS and SASL for the
// security TAP tests.  The connection's security comes from the
// environment variable STRATA_SECURITY, "key=value" lines with the keys
// protocol, ca, cert, key, mechanism, user, password, and reauth_threshold
// (kafkajs' reauthenticationThreshold, ms).
//
//   node kafkajs_secure.js roundtrip BOOTSTRAP TOPIC
//       create TOPIC, produce 20 messages, consume them back in a group
//   node kafkajs_secure.js metadata BOOTSTRAP
//       list the topics the principal may see
//   node kafkajs_secure.js acls BOOTSTRAP create|describe|delete RTYPE NAME PATTERN [PRINCIPAL OP PERM]
//       the admin client's ACL calls (names as in kafkajs' enums: TOPIC, LITERAL, READ, ALLOW)
//   node kafkajs_secure.js hold BOOTSTRAP TOPIC SECONDS
//       produce one message every 200 ms on one connection for SECONDS,
//       printing each failure; used to watch re-authentication
//
// Prints "ok ..." on success; on failure "error: <what kafkajs said>" on
// stderr and exit status 1.
const fs = require('fs');
const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes,
        ResourcePatternTypes } = require('kafkajs');

const [cmd, bootstrap, ...args] = process.argv.slice(2);
const sec = {};
for (const line of (process.env.STRATA_SECURITY || '').split('\n')) {
  const eq = line.indexOf('=');
  if (eq > 0) sec[line.slice(0, eq)] = line.slice(eq + 1);
}

function config() {
  const c = { clientId: 'strata-security-tap', brokers: [bootstrap], logLevel: logLevel.NOTHING,
              connectionTimeout: 10000, authenticationTimeout: 10000,
              retry: { retries: 2, initialRetryTime: 200 } };
  const proto = (sec.protocol || 'PLAINTEXT').toUpperCase();
  if (proto === 'SSL' || proto === 'SASL_SSL') {
    c.ssl = { ca: [fs.readFileSync(sec.ca)] };
    if (sec.cert) {
      c.ssl.cert = fs.readFileSync(sec.cert);
      c.ssl.key = fs.readFileSync(sec.key);
    }
  }
  if (proto.startsWith('SASL')) {
    c.sasl = { mechanism: sec.mechanism.toLowerCase(), username: sec.user, password: sec.password };
  }
  // Re-authenticate this long before the session ends (KIP-368).
  if (sec.reauth_threshold) c.reauthenticationThreshold = Number(sec.reauth_threshold);
  return c;
}

const kafka = new Kafka(config());

async function roundtrip(topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < 20; i++) messages.push({ key: `k${i}`, value: `v${i}` });
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  const got = [];
  await new Promise(async (resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: consumed ${got.length} of 20`)), 60000);
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(`${message.key}|${message.value}`);
          if (got.length === 20) { clearTimeout(timer); resolve(); }
        },
      });
    } catch (e) { clearTimeout(timer); reject(e); }
  }).finally(() => consumer.disconnect());
  const want = messages.map((m) => `${m.key}|${m.value}`);
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`read back ${got}`);
  console.log(`ok kafkajs round trip of 20 messages over ${sec.protocol}`);
}

async function metadata() {
  const admin = kafka.admin();
  await admin.connect();
  const topics = await admin.listTopics();
  await admin.disconnect();
  for (const t of topics.sort()) console.log(`topic ${t}`);
  console.log('ok metadata');
}

async function acls(action, rtype, name, pattern, principal, op, perm) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (action === 'create') {
      await admin.createAcls({ acl: [{
        resourceType: AclResourceTypes[rtype], resourceName: name,
        resourcePatternType: ResourcePatternTypes[pattern], principal, host: '*',
        operation: AclOperationTypes[op], permissionType: AclPermissionTypes[perm] }] });
      console.log(`ok created ${rtype} ${name} ${pattern} ${principal} ${op} ${perm}`);
    } else if (action === 'describe') {
      const r = await admin.describeAcls({
        resourceType: AclResourceTypes[rtype], resourceName: name === 'ANY' ? null : name,
        resourcePatternType: ResourcePatternTypes[pattern],
        operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
      const names = (e, v) => Object.keys(e).find((k) => e[k] === v);
      const lines = [];
      for (const res of r.resources) {
        for (const a of res.acls) {
          lines.push(`acl ${names(AclResourceTypes, res.resourceType)} ${res.resourceName} ` +
                     `${names(ResourcePatternTypes, res.resourcePatternType)} ${a.principal} ${a.host} ` +
                     `${names(AclOperationTypes, a.operation)} ${names(AclPermissionTypes, a.permissionType)}`);
        }
      }
      for (const l of lines.sort()) console.log(l);
      console.log('ok describe_acls');
    } else if (action === 'delete') {
      const r = await admin.deleteAcls({ filters: [{
        resourceType: AclResourceTypes[rtype], resourceName: name === 'ANY' ? null : name,
        resourcePatternType: ResourcePatternTypes[pattern],
        principal: principal === 'ANY' ? null : principal, host: '*',
        operation: AclOperationTypes[op], permissionType: AclPermissionTypes[perm] }] });
      for (const f of r.filterResponses) console.log(`deleted ${f.matchingAcls.length}`);
      console.log('ok delete_acls');
    } else {
      throw new Error(`unknown acls action ${action}`);
    }
  } finally {
    await admin.disconnect();
  }
}

async function hold(topic, seconds) {
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  const end = Date.now() + Number(seconds) * 1000;
  let ok = 0;
  let failed = 0;
  while (Date.now() < end) {
    try {
      await producer.send({ topic, messages: [{ value: 'x' }], acks: -1 });
      ok++;
    } catch (e) {
      failed++;
      console.log(`failure ${e.type || e.name}: ${e.message}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await producer.disconnect().catch(() => {});
  console.log(`ok hold: ${ok} produced, ${failed} failed`);
}

const commands = { roundtrip, metadata, acls, hold };

if (!commands[cmd]) {
  console.error(`error: unknown command ${cmd}`);
  process.exit(1);
}
commands[cmd](...args).then(() => process.exit(0)).catch((e) => {
  console.error(`error: ${e.type || e.name}: ${e.message}`);
  process.exit(1);
});
