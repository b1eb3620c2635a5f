// kafkajs_reassign.js BOOTSTRAP TOPIC PARTITION BROKER: move a partition
// with kafkajs's admin API (AlterPartitionReassignments), then wait until
// ListPartitionReassignments no longer lists it.
const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, topic, partition, broker] = process.argv.slice(2)
const kafka = new Kafka({ clientId: 'reassign', brokers: [bootstrap], logLevel: logLevel.ERROR })

async function main () {
  const admin = kafka.admin()
  await admin.connect()
  await admin.alterPartitionReassignments({
    topics: [{ topic, partitionAssignment: [{ partition: Number(partition), replicas: [Number(broker)] }] }]
  })
  console.log('ok reassignment requested')
  const deadline = Date.now() + 30000
  for (;;) {
    const { topics } = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [Number(partition)] }] })
    const pending = topics.filter(t => t.partitions.length > 0)
    if (pending.length === 0) break
    if (Date.now() > deadline) throw new Error('still in flight: ' + JSON.stringify(pending))
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  console.log('ok reassignment done')
  await admin.disconnect()
}

main().catch(e => { console.error(e); process.exit(1) })
