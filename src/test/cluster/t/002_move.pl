# Partition moves under load: a partition holding 1 GiB and one holding
# 10 MiB are moved, by SQL, by strata_ctl and by AlterPartitionReassignments,
# while an idempotent producer and a consumer group run.  Nothing is lost or
# duplicated, the consumers see no gap, and the move time does not grow
# with the partition's size (only its not yet uploaded tail is copied).
use strict;
use warnings;

use IPC::Run qw(start finish);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $big_mb = $ENV{STRATA_TEST_MOVE_MB} // 1024;
my $cluster = Strata::Test::Cluster->new('move');
my @b = map { $cluster->add_node("b$_", wal_size => '256MB') } 1 .. 3;
$_->append_conf("broker_lease_time = 4s\nlog_cache_size = 128MB\nupload_interval = 2s") for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $bootstrap = '127.0.0.1:' . $b[0]->port;
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '3' }, 30),
	'three live brokers');

sub leader_of
{
	my ($topic, $p) = @_;
	return $cluster->psql("SELECT p.leader || ' ' || p.leader_epoch FROM strata.partitions p"
		  . " JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = '$topic' AND p.index = $p");
}

sub move_done
{
	my ($id) = @_;
	return poll_until(sub { $cluster->psql("SELECT state FROM strata.partition_moves WHERE id = $id") ne 'pending' }, 60);
}

# Two topics: "big" (1 partition, filled with $big_mb MiB) and "load"
# (2 partitions, 10 MiB in partition 0, then the live traffic).
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'create-topic', $bootstrap, 'big', 1]);
is($rc, 0, 'topic big created') or diag($err);
($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'create-topic', $bootstrap, 'load', 2]);
is($rc, 0, 'topic load created') or diag($err);

sub fill
{
	my ($topic, $partition, $mb) = @_;
	my $file = "$dir/fill_$topic";
	open(my $fh, '>', $file) or die;
	my $line = 'x' x (64 * 1024 - 1);
	print $fh "$line\n" for 1 .. $mb * 16;
	close $fh;
	my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', $topic, '-p', $partition,
		'-X', 'acks=all', '-X', 'linger.ms=20', '-X', 'message.max.bytes=10000000', '-l', $file], timeout => 600);
	unlink $file;
	return $rc == 0;
}
ok(fill('big', 0, $big_mb), "partition big/0 filled with $big_mb MiB");
ok(fill('load', 0, 10), 'partition load/0 filled with 10 MiB');
# Let most of it reach objects, as in steady operation: a move copies only
# the tail the uploader has not taken yet.
ok(poll_until(sub { $cluster->psql("SELECT coalesce(sum(pending_bytes), 0) < 64 * 1024 * 1024 FROM strata.broker_uploads") eq 't' }, 120),
	'the fills are uploaded');

# The traffic: an idempotent producer on both partitions of "load", and a
# consumer group reading them.
my $produced = "$dir/produced";
my $consumed = "$dir/consumed";
my $stop = "$dir/stop";
my ($pout, $cout) = ('', '');
my $producer = start(['/usr/bin/python3', $cc, 'load', $bootstrap, 'load', 2, 20, 400, $produced],
	'>', \$pout, '2>&1');
my $consumer = start(['/usr/bin/python3', $cc, 'consume', '127.0.0.1:' . $b[1]->port, 'load', 'movers', $stop, $consumed],
	'>', \$cout, '2>&1');
sleep 4;

# 1. By SQL: the 1 GiB partition.
my %moved;
{
	my ($from) = split / /, leader_of('big', 0);
	my $to = $from % 3 + 1;
	my $id = $cluster->psql("SELECT strata.move_partition('big', 0, $to)");
	ok(move_done($id), "big/0 ($big_mb MiB) moved from broker $from to $to");
	my ($leader) = split / /, leader_of('big', 0);
	is($leader, $to, 'its leader is the target');
	$moved{big} = $cluster->psql("SELECT duration_ms FROM strata.move_history WHERE id = $id");
}

# 2. With strata_ctl: the partition with 10 MiB and live traffic.
{
	my ($from) = split / /, leader_of('load', 0);
	my $to = $from % 3 + 1;
	my $node = $b[0];
	($rc, $out, $err) = run_command(['strata_ctl', 'move', '-D', $node->data_dir, 'load', '0', $to]);
	is($rc, 0, "strata_ctl move load 0 $to") or diag($err);
	like($out, qr/moved partition 0 of topic "load" from broker $from to broker $to in [\d.]+ ms/,
		'strata_ctl reports the move and its time');
	my ($leader) = split / /, leader_of('load', 0);
	is($leader, $to, 'load/0 is led by the target');
	($moved{load}) = $out =~ /in ([\d.]+) ms/;
}

# 3. With a Kafka client's admin API (AlterPartitionReassignments).
{
	my ($from) = split / /, leader_of('load', 1);
	my $to = $from % 3 + 1;
	local $ENV{NODE_PATH} = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	($rc, $out, $err) = run_command(['node', "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/kafkajs_reassign.js",
		$bootstrap, 'load', 1, $to], timeout => 60);
	is($rc, 0, "AlterPartitionReassignments of load/1 to broker $to") or diag("$out\n$err");
	ok(poll_until(sub { (split / /, leader_of('load', 1))[0] eq $to }, 30), 'load/1 moved');
}

finish($producer);
like($pout, qr/^ok produced/m, 'the idempotent producer delivered every message') or diag(substr($pout, -3000));
open(my $fh, '>', $stop) or die;
close $fh;
finish($consumer);
like($cout, qr/^ok consumed/m, 'the consumer group ran through the moves') or diag($cout);

($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[2]->port, 'load', 2, "$dir/log"],
	timeout => 180);
is($rc, 0, 'the topic read back') or diag("$out\n$err");
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', $produced, "$dir/log", $consumed]);
is($rc, 0, 'no acknowledged message lost or duplicated, no gap for the consumers') or diag("$out\n$err");
note($out);

# Move times: independent of the partition's size.  The bound is loose
# (this machine runs everything on two cores); bench/ measures them.
for my $k (sort keys %moved)
{
	diag("move time of $k: $moved{$k} ms");
	ok($moved{$k} < 5000, "the move of $k took under 5 s ($moved{$k} ms)");
}

# Refusals.
($rc, $out, $err) = run_command(['strata_ctl', 'move', '-D', $b[0]->data_dir, 'load', '0', '42']);
isnt($rc, 0, 'a move to an unknown broker is refused');
like($err, qr/broker 42 is not registered in this cluster/, 'with a clear message');
($rc, $out, $err) = run_command(['strata_ctl', 'move', '-D', $b[0]->data_dir, 'nosuch', '0', '2']);
like($err, qr/topic "nosuch" does not exist/, 'a move of an unknown topic is refused');

$_->stop for @b;
done_testing();
