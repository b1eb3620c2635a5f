# The smoke test run by "make -C bench check": tiny, a few seconds.
name = smoke
topics = 1
partitions_per_topic = 4
message_size = 1KB
producers_per_topic = 1
consumers_per_topic = 1
produce_rate = 2000
subscription = group
consumer_start = latest
warmup = 1s
duration = 3s
event = 2 echo smoke-event
