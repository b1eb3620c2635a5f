# tail-read, 1 topic x 16 partitions, as fast as the broker takes it.
# 1:1 produce/consume of 1 KiB messages; consumers read at the tail.
# The seed's figure is latency at a steady rate: run it at half the
# broker's max (find that with tail-read-16p-max.wl) via
#   bench/run.sh bench/workloads/tail-read-16p-fixed.wl --set produce_rate=N
name = tail-read-16p-max
topics = 1
partitions_per_topic = 16
message_size = 1KB
payload = random
producers_per_topic = 1
consumers_per_topic = 1
produce_rate = max
# static assignment: Strata has no group coordinator yet; "group" subscribes
# through a consumer group as OpenMessaging does.
subscription = assign
consumer_start = latest
acks = all
linger_ms = 1
batch_size = 1MB
compression = none
warmup = 3s
duration = 12s
