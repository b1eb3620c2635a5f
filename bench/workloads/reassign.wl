# reassign: the seed's partition-reassignment scenario at this machine's
# scale (bench/reassign.sh runs it, with the move as an event): one
# partition, already holding a large backlog, produced to at 40 MiB/s
# (40960 msg/s of 1 KiB) and read at the head by a consumer, moved to
# another broker in the middle of the run.
name = reassign
topics = 1
partitions_per_topic = 1
topic_prefix = reassign
random_suffix = false
message_size = 1KB
producers_per_topic = 1
consumers_per_topic = 1
subscription = assign
consumer_start = latest
produce_rate = 40960
acks = all
linger_ms = 1
warmup = 2s
duration = 30s
