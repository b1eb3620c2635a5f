# A partition that moves to a broker while that broker is loading the
# catalog.  A load opens the streams of the partitions the broker leads
# (one UPDATE), then reads the topics and partitions (later statements,
# each seeing the catalog as of its own start).  A move committed in
# between is seen by the reads but was not opened by the UPDATE: the
# partition must stay unwritable until the next load opens it at the
# stream's end.  Before that rule, the broker took produces for it at the
# end its registry held from before (0 here: it had never led it) and
# acknowledged records that the stream then lost (found by
# cluster/t/008_scaling.pl under load).
#
# The interleaving is made with row and table locks in the catalog that
# hold each step back until the one before it has happened:
#   A holds the stream's row: broker 1's hand-off cannot commit;
#   C holds topic_configs: broker 2's load stops after its UPDATE;
#   A commits: the hand-off commits (broker 2 leads the partition);
#   D holds the stream's row: broker 2's next load cannot open it;
#   C commits: the first load ends, seeing the partition as broker 2's.
# A Produce to broker 2 then must get NOT_LEADER_OR_FOLLOWER; once D
# commits, the next load opens it and a Produce lands at the stream's end.
use strict;
use warnings;

use IPC::Run qw(start pump finish timeout);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('loadrace');
my @b = map { $cluster->add_node("b$_") } 1 .. 2;
$_->append_conf("broker_lease_time = 3s\nbalancer = off") for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $regress = "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '2' }, 30),
	'two live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'create-assigned', $bootstrap, 'race', 2, '2,1']);
is($rc, 0, 'topic race: partition 0 on broker 2, partition 1 on broker 1') or diag("$out\n$err");

open(my $fh, '>', "$dir/msgs") or die;
print $fh "m$_\n" for 0 .. 9;
close $fh;
($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', 'race', '-p', '1', '-X', 'acks=all',
	'-l', "$dir/msgs"], timeout => 60);
is($rc, 0, '10 records produced to partition 1 on broker 1') or diag($err);

my $stream = $cluster->psql("SELECT p.stream_id FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id"
	  . " WHERE t.name = 'race' AND p.index = 1");

# A psql session kept open, to hold locks across statements.
sub session
{
	my ($in, $out) = ('', '');
	my $h = start([ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $cluster->connstr ],
		'<', \$in, '>', \$out, '2>&1', timeout(120));
	return { h => $h, in => \$in, out => \$out, n => 0 };
}

# Run sql in the session and wait until it is done.
sub sql
{
	my ($s, $sql) = @_;
	my $mark = 'done_' . ++$s->{n};
	${ $s->{in} } .= "$sql\n\\echo $mark\n";
	pump($s->{h}) until ${ $s->{out} } =~ /\b$mark\b/;
	note("session: $sql");
	return;
}

# Backends of the catalog waiting for a lock, running a statement like $like.
sub waiting
{
	my ($like) = @_;
	return $cluster->psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
		  . " AND query LIKE '$like'");
}

# A Produce of one record to partition 1 on broker 2: its response line.
sub produce_on_2
{
	open(my $sfh, '>', "$dir/produce.script") or die;
	print $sfh "Produce v9 {Acks=-1, TimeoutMs=5000, TopicData=[{Name=\"race\", PartitionData=[\n"
	  . "    {Index=1, Records=\@records(\"late\")}]}]}\n";
	close $sfh;
	my ($prc, $pout, $perr) = run_command([ $regress, '-p', $b[1]->port, "$dir/produce.script" ], timeout => 60);
	my ($line) = grep { /^< / } split /\n/, $pout;
	return $line // "(no answer: $perr)";
}

my $a = session();
sql($a, "BEGIN; SELECT 1 FROM strata.streams WHERE id = $stream FOR UPDATE;");
my $move = $cluster->psql("SELECT strata.move_partition('race', 1, 2)");
ok(poll_until(sub { waiting('%') >= 1 }, 30), "broker 1 froze partition 1; its hand-off waits for the stream's row");

my $c = session();
sql($c, 'BEGIN; LOCK TABLE strata.topic_configs IN ACCESS EXCLUSIVE MODE;');
# Any change wakes broker 2's catalog worker: move partition 0 to broker 1.
$cluster->psql("SELECT strata.move_partition('race', 0, 1)");
ok(poll_until(sub { waiting('%topic_configs%') >= 2 }, 30),
	'both brokers\' loads wait for topic_configs, after their UPDATE');

sql($a, 'COMMIT;');
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.partition_moves WHERE id = $move") eq 'done' }, 30),
	'the hand-off committed: broker 2 leads partition 1 now');
is($cluster->psql("SELECT leader FROM strata.partitions WHERE stream_id = $stream"), '2', 'the catalog says so');

my $d = session();
sql($d, "BEGIN; SELECT 1 FROM strata.streams WHERE id = $stream FOR UPDATE;");
sql($c, 'COMMIT;');
ok(poll_until(sub { waiting('%UPDATE strata.streams%') >= 1 }, 30),
	'broker 2\'s first load ended; its next one waits to open the stream');

my $r = produce_on_2();
like($r, qr/ErrorCode=6\b/, 'a Produce meanwhile: NOT_LEADER_OR_FOLLOWER, not an append at a stale end') or diag($r);

sql($d, 'COMMIT;');
$_->{h}->finish for ($a, $c, $d);
my $last;
ok(poll_until(sub { $last = produce_on_2(); $last =~ /ErrorCode=0\b/ }, 30),
	'once the next load opened it, a Produce is taken') or diag($last);
like($last, qr/BaseOffset=10\b/, 'at the stream\'s end, offset 10');

($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'read-from', '127.0.0.1:' . $b[1]->port, 'race', 1, 0],
	timeout => 90);
is($out, "hw 11 read 11 first 0 last 10\n", 'the ten records are still there, the new one after them')
  or diag($err);
is(scalar(grep { /TRAP|terminated by signal/ } map { split /\n/, $_->log_content } @b), 0, 'no process crashed');

$_->stop for @b;
done_testing();
