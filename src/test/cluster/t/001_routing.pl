# Three brokers around one catalog and one object store: membership, the
# controller, placement, routing of real clients bootstrapped with one
# broker's address, NOT_LEADER_OR_FOLLOWER with KIP-951 hints, and
# coordinator slots.
use strict;
use warnings;

use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('routing');
my @b = map { $cluster->add_node("b$_") } 1 .. 3;
$_->append_conf("broker_lease_time = 3s\nnum_partitions = 3") for @b;
$b[1]->append_conf("broker_rack = 'rack-b'");
$_->start for @b;
my %by_id = map { $_->broker_id => $_ } @b;
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $regress = "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress";

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '3' }, 30),
	'three live brokers in the catalog');
ok(poll_until(sub { $cluster->psql('SELECT controller IS NOT NULL FROM strata.cluster') eq 't' }, 30),
	'a controller was elected');
my $controller = $cluster->psql('SELECT controller FROM strata.cluster');
ok(poll_until(sub { $cluster->psql('SELECT count(DISTINCT leader) FROM strata.coordinator_slots') eq '3' }, 30),
	'the coordinator slots are spread over the three brokers');
is($cluster->psql('SELECT count(*) FROM strata.coordinator_slots WHERE leader IS NULL'), '0',
	'every coordinator slot has a leader');
is($cluster->psql('SELECT max(n) - min(n) <= 1 FROM (SELECT count(*) n FROM strata.coordinator_slots GROUP BY leader) x'),
	't', 'coordinator slots are spread evenly');

# Every broker describes the whole cluster.
for my $n (@b)
{
	my ($rc, $out, $err) = run_command(['kcat', '-b', '127.0.0.1:' . $n->port, '-L']);
	my @brokers = $out =~ /broker (\d+) at 127\.0\.0\.1:\d+/g;
	is(join(',', sort @brokers), '1,2,3', 'broker ' . $n->broker_id . ' lists all three brokers');
	like($out, qr/broker $controller at 127\.0\.0\.1:\d+ \(controller\)/,
		'broker ' . $n->broker_id . ' names the controller');
}

# Placement: the least loaded brokers first.
sub client_ok
{
	my ($what, @args) = @_;
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, @args], timeout => 180);
	ok($rc == 0, $what) or diag("stdout:\n$out\nstderr:\n$err");
	return $out;
}
client_ok('a topic of six partitions created through broker 1', 'create-topic', '127.0.0.1:' . $b[0]->port,
	'spread', 6);
is($cluster->psql(
		"SELECT string_agg(n::text, ',' ORDER BY leader) FROM (SELECT p.leader, count(*) n FROM strata.partitions p"
		  . " JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = 'spread' GROUP BY p.leader) x"),
	'2,2,2', 'its partitions are spread over the three brokers, two each');

# kcat: produce through broker 1, consume through broker 2.
{
	my $in = $b[0]->basedir . '/kcat_in';
	open(my $fh, '>', $in) or die;
	print $fh "m$_\n" for 1 .. 300;
	close $fh;
	my ($rc, $out, $err) = run_command(['kcat', '-b', '127.0.0.1:' . $b[0]->port, '-P', '-t', 'spread',
		'-X', 'acks=all', '-l', $in]);
	is($rc, 0, 'kcat produced 300 messages to partitions on three brokers') or diag($err);
	my @got;
	for my $p (0 .. 5)
	{
		($rc, $out) = run_command(['kcat', '-b', '127.0.0.1:' . $b[1]->port, '-C', '-t', 'spread',
			'-p', $p, '-e', '-f', "%s\n"]);
		push @got, split /\n/, $out;
	}
	is(scalar(@got), 300, 'kcat read the 300 messages back through another broker');
	is($cluster->psql(
			"SELECT count(DISTINCT p.leader) FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id"
			  . " WHERE t.name = 'spread'"), '3', 'served by all three leaders');
}

# The other clients, each bootstrapped with a different broker.
client_ok('confluent-kafka round trip through broker 2', 'confluent-roundtrip', '127.0.0.1:' . $b[1]->port, 'ck1');
client_ok('kafka-python round trip through broker 3', 'kafka-python-roundtrip', '127.0.0.1:' . $b[2]->port, 'kp1');
client_ok('confluent-kafka consumer group through broker 3', 'group-rebalance', '127.0.0.1:' . $b[2]->port,
	'grp1', 'range');
{
	my $js = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/kafkajs_roundtrip.js";
	local $ENV{NODE_PATH} = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	my ($rc, $out, $err) = run_command(['node', $js, '127.0.0.1:' . $b[0]->port, 'js1'], timeout => 120);
	ok($rc == 0, 'kafkajs created a topic, produced and consumed it in a group through broker 1')
	  or diag("stdout:\n$out\nstderr:\n$err");
}

# Kafka's placement of a group: abs(String.hashCode(group id)) % 50.
sub java_slot
{
	my ($g) = @_;
	my $h = 0;
	$h = ($h * 31 + ord($_)) % 4294967296 for split //, $g;
	$h -= 4294967296 if $h >= 2147483648;
	return abs($h) % 50;
}

# A raw produce to a broker that does not lead the partition.
sub regress
{
	my ($node, $script) = @_;
	my $file = $node->basedir . '/script';
	open(my $fh, '>', $file) or die;
	print $fh $script;
	close $fh;
	my ($rc, $out, $err) = run_command([$regress, '-p', $node->port, $file], timeout => 60);
	diag($err) if $rc != 0;
	return $out;
}
{
	my $leader = $cluster->psql(
		"SELECT p.leader FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id"
		  . " WHERE t.name = 'spread' AND p.index = 0");
	my $epoch = $cluster->psql(
		"SELECT p.leader_epoch FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id"
		  . " WHERE t.name = 'spread' AND p.index = 0");
	my ($other) = grep { $_->broker_id != $leader } @b;
	my $out = regress($other,
		  "Produce v10 {Acks=-1, TimeoutMs=5000, TopicData=[{Name=\"spread\", PartitionData=[\n"
		. "    {Index=0, Records=\@records(\"x\")}]}]}\n"
		. "Fetch v12 {ReplicaId=-1, MaxWaitMs=10, MinBytes=1, MaxBytes=1048576, SessionId=0, SessionEpoch=-1,"
		. " Topics=[{Topic=\"spread\", Partitions=[{Partition=0, FetchOffset=0, PartitionMaxBytes=1024}]}]}\n"
		. "ListOffsets v7 {ReplicaId=-1, Topics=[{Name=\"spread\", Partitions=[{PartitionIndex=0, Timestamp=-1}]}]}\n");
	like($out, qr/ErrorCode=6, .*CurrentLeader=\{LeaderId=$leader, LeaderEpoch=$epoch\}.*NodeEndpoints=\[\{NodeId=$leader, Host="127\.0\.0\.1", Port=${\ $by_id{$leader}->port }/,
		'Produce to a non-leader: NOT_LEADER_OR_FOLLOWER, the current leader and its endpoint (KIP-951)');
	my @lines = grep { /^</ } split /\n/, $out;
	like($lines[1], qr/ErrorCode=6, .*CurrentLeader=\{LeaderId=$leader, LeaderEpoch=$epoch\}/,
		'Fetch from a non-leader: NOT_LEADER_OR_FOLLOWER and the current leader');
	like($lines[2], qr/ErrorCode=6\b/, 'ListOffsets to a non-leader: NOT_LEADER_OR_FOLLOWER');
}

# Replication factors and explicit assignments.
{
	my $out = regress($b[0],
		  "CreateTopics v5 {Topics=[{Name=\"rf3\", NumPartitions=1, ReplicationFactor=3}], timeoutMs=1000}\n"
		. "CreateTopics v5 {Topics=[{Name=\"asg\", NumPartitions=-1, ReplicationFactor=-1,"
		. " Assignments=[{PartitionIndex=0, BrokerIds=[3]}, {PartitionIndex=1, BrokerIds=[2]}]}], timeoutMs=1000}\n"
		. "CreateTopics v5 {Topics=[{Name=\"asg2\", NumPartitions=-1, ReplicationFactor=-1,"
		. " Assignments=[{PartitionIndex=0, BrokerIds=[1, 2]}]}], timeoutMs=1000}\n"
		. "CreateTopics v5 {Topics=[{Name=\"asg3\", NumPartitions=-1, ReplicationFactor=-1,"
		. " Assignments=[{PartitionIndex=0, BrokerIds=[42]}]}], timeoutMs=1000}\n"
		. "DescribeCluster v0 {IncludeClusterAuthorizedOperations=false}\n"
		. "FindCoordinator v4 {KeyType=0, CoordinatorKeys=[\"grp-a\", \"grp-b\", \"grp-c\"]}\n");
	my @lines = split /\n/, $out;
	like($out, qr/Name="rf3", ErrorCode=38, ErrorMessage="Replication factor 3 is not possible/,
		'replication factor 3: INVALID_REPLICATION_FACTOR with a message');
	like($out, qr/Name="asg", ErrorCode=0/, 'an explicit assignment is accepted');
	is($cluster->psql(
			"SELECT string_agg(p.index || ':' || p.leader, ',' ORDER BY p.index) FROM strata.partitions p"
			  . " JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = 'asg'"), '0:3,1:2',
		'and honoured');
	like($out, qr/Name="asg2", ErrorCode=38, ErrorMessage="Partition 0 is assigned 2 replicas/,
		'two replicas in an assignment: INVALID_REPLICATION_FACTOR');
	like($out, qr/Name="asg3", ErrorCode=39, ErrorMessage="Replica assignment of partition 0 names broker 42, which is not registered"/,
		'an unknown broker in an assignment: INVALID_REPLICA_ASSIGNMENT');
	like($out, qr/ControllerId=$controller, Brokers=\[\{BrokerId=1, .*\{BrokerId=2, Host="127\.0\.0\.1", Port=\d+, Rack="rack-b"\}, \{BrokerId=3/,
		'DescribeCluster: all brokers, the rack, the controller');

	# Kafka's placement of groups: abs(String.hashCode) % 50.
	for my $g (qw(grp-a grp-b grp-c))
	{
		my $slot = java_slot($g);
		my $leader = $cluster->psql("SELECT leader FROM strata.coordinator_slots WHERE slot = $slot");
		like($out, qr/\{Key="$g", NodeId=$leader, /, "FindCoordinator: $g (slot $slot) is coordinated by broker $leader");
	}
}

# Group requests to a broker that does not coordinate the group.
{
	my $coord = $cluster->psql('SELECT leader FROM strata.coordinator_slots WHERE slot = ' . java_slot('grp-a'));
	my ($wrong) = grep { $_->broker_id != $coord } @b;
	my $out = regress($wrong, "OffsetFetch v5 {GroupId=\"grp-a\", Topics=null, RequireStable=false}\n");
	like($out, qr/ErrorCode=16/, 'OffsetFetch at a broker that does not coordinate the group: NOT_COORDINATOR');
	$out = regress($by_id{$coord}, "OffsetFetch v5 {GroupId=\"grp-a\", Topics=null, RequireStable=false}\n");
	like($out, qr/ErrorCode=0/, 'and served by its coordinator');
}

$_->stop for @b;
done_testing();
