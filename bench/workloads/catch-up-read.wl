# catch-up-read: build a backlog with the consumers stopped, then start
# them from the beginning while the producers keep producing at a fixed
# rate.  Reported: backlog drain time, publish latency while the
# consumers catch up next to publish latency while only producing (the
# backlog phase of the same run), and end-to-end latency.
# The seed's backlog is several GiB; the default here is small so the run
# stays short on a shared 2-core machine, and fits the mock cluster (the
# peer), which keeps only about 5 MiB per partition and trims the rest:
# 64 partitions hold ~320 MiB there, enough for the backlog plus 15 s at
# 10k msg/s.  For the full scenario:
#   bench/run.sh bench/workloads/catch-up-read.wl --set backlog_size=4GB --set duration=120s
name = catch-up-read
topics = 1
partitions_per_topic = 64
message_size = 1KB
payload = random
producers_per_topic = 1
consumers_per_topic = 1
produce_rate = 10000          # msg/s, during and after the backlog build
backlog_size = 96MB
backlog_timeout = 120s
# static assignment: Strata has no group coordinator yet; "group" subscribes
# through a consumer group as OpenMessaging does.
subscription = assign
consumer_start = earliest
acks = all
linger_ms = 1
batch_size = 1MB
compression = none
warmup = 0s
duration = 12s
