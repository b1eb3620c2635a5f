# The balancer leaves a balanced cluster alone.  Twelve partitions of
# unequal traffic (10 to 40 kB/s) spread so that each of three brokers
# carries about 80 kB/s, produced for the whole test: the balancer runs
# (not paused) from the topic's creation on, checks every interval, and
# over eight intervals of steady load requests no move at all, whatever
# the noise of the producer's rates.  Each check is visible in SQL with
# what it saw.  Then an excluded topic stays where it is, however
# uneven, until it is included again.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $interval = 2;
my $cluster = Strata::Test::Cluster->new('steady');
my @b = map { $cluster->add_node("b$_") } 1 .. 3;
$_->append_conf("broker_lease_time = 3s\nbalancer_interval = ${interval}s\nbalancer_min_load = 10kB")
  for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '3' }, 30),
	'three live brokers');
# Partition i on broker i % 3 + 1: broker 1 has 0, 3, 6, 9; broker 2
# 1, 4, 7, 10; broker 3 2, 5, 8, 11.
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'create-assigned', $bootstrap, 'steady', 12, '1,2,3']);
is($rc, 0, 'topic steady: twelve partitions, four on each broker') or diag("$out\n$err");
is($cluster->psql("SELECT string_agg(leader::text, ',' ORDER BY index) FROM strata.partitions p"
	  . " JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = 'steady'"),
	'1,2,3,1,2,3,1,2,3,1,2,3', 'placed as asked');

# Broker 1: 40 + 20 + 10 + 10; broker 2: 30 + 30 + 10 + 10; broker 3:
# 4 x 20 kB/s.
my %rate = (0 => 40, 3 => 20, 6 => 10, 9 => 10, 1 => 30, 4 => 30, 7 => 10, 10 => 10,
	2 => 20, 5 => 20, 8 => 20, 11 => 20);
my $spec = join(',', map { "$_:" . ($rate{$_} * 1000) } sort { $a <=> $b } keys %rate);
my $stop = "$dir/stop";
my $pout = '';
my $producer = start(['/usr/bin/python3', $cc, 'traffic', $bootstrap, 'steady', $spec, 600, 1000,
	"$dir/produced", $stop], '>', \$pout, '2>&1');

sub balancer_moves
{
	return $cluster->psql("SELECT count(*) FROM strata.partition_moves WHERE reason = 'balancer'");
}

ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.partition_traffic WHERE topic = 'steady'"
			  . " AND measured_by = leader AND bytes_in_rate > 5000") eq '12' }, 30),
	'every partition\'s traffic measured by its leader');
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.balancer_inputs WHERE role = 'eligible'"
			  . " AND within_band AND bytes_in_rate BETWEEN 60000 AND 100000") eq '3' }, 30),
	'the balancer sees each broker at about 80 kB/s in, within the band')
  or diag($cluster->psql('SELECT * FROM strata.balancer_inputs'));

# Eight intervals of steady load.
my $first = $cluster->psql('SELECT coalesce(max(id), 0) FROM strata.balancer_checks');
sleep(8 * $interval);
my $last = $cluster->psql('SELECT max(id) FROM strata.balancer_checks');
my $checks = $cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE id > $first AND id <= $last");
ok($checks >= 6, "the balancer checked every interval ($checks checks in 8 intervals)");
is(balancer_moves(), '0', 'steady load: the balancer moved nothing');
is($cluster->psql("SELECT count(*) FROM strata.balancer_actions"), '0', 'and planned nothing');
is($cluster->psql("SELECT count(*) FROM strata.partition_moves"), '0', 'nothing moved for any other reason either');
is($cluster->psql("SELECT string_agg(DISTINCT state, ',') FROM strata.balancer_checks WHERE id > $first AND id <= $last"
	  . " AND state NOT IN ('balanced', 'out of band, to be confirmed')"), '',
	'every check found the cluster balanced (or a broker out of band once, not confirmed)');
# What each check saw is recorded: three eligible brokers, the mean of
# about 80 kB/s in, the band and the floor.
is($cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE id > $first AND id <= $last"
	  . " AND eligible = 3 AND mean_in_rate BETWEEN 60000 AND 100000 AND band_pct = 10"
	  . " AND min_load = 10240 AND moves_planned = 0 AND moves_requested = 0"), $checks,
	'each check is in strata.balancer_checks with what it saw and that it planned nothing');
($rc, $out, $err) = run_command(['strata_ctl', 'balancer', '-D', $b[2]->data_dir, 'status']);
is($rc, 0, 'strata_ctl balancer status') or diag($err);
like($out, qr/^balancer: balanced/m, 'it says balanced') or diag($out);
is($cluster->psql("SELECT string_agg(DISTINCT scaling, ',') FROM strata.balancer_checks WHERE id > $first AND id <= $last"),
	'no broker_capacity: utilisation unknown', 'auto-scaling, without broker_capacity, says so at each check');

# An excluded topic: its partitions stay where they are, however uneven.
# Two of broker 2's partitions moved to broker 1 by hand: broker 1 carries
# 100 kB/s, broker 2 60 kB/s; the balancer sees it and moves nothing
# while the topic is excluded; once included again, it rebalances.
$cluster->psql("SELECT strata.balancer_exclude_topic('steady', 'test')");
for my $p (7, 10)
{
	my $id = $cluster->psql("SELECT strata.move_partition('steady', $p, 1)");
	ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.partition_moves WHERE id = $id") eq 'done' }, 60),
		"partition $p moved to broker 1 by hand");
}
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE id > $last"
			  . " AND state = 'out of band, no move helps' AND out_of_band >= 2") > 1 }, 60),
	'the balancer sees brokers out of band, and no move it may make helps');
is(balancer_moves(), '0', 'the excluded topic: nothing moved');
$cluster->psql("SELECT strata.balancer_include_topic('steady')");
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.balancer_inputs WHERE role = 'eligible' AND within_band") eq '3' }, 60),
	'included again: every broker back within the band')
  or diag($cluster->psql('SELECT * FROM strata.balancer_inputs'));
ok(balancer_moves() >= 1, 'by the balancer');

open(my $fh, '>', $stop) or die;
close $fh;
finish($producer);
like($pout, qr/^ok produced/m, 'the producer delivered every message') or diag(substr($pout, -3000));

$_->stop for @b;
done_testing();
