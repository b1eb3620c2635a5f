# A broker that is starting: registered and renewing its lease, but its
# first load of the partitions from the catalog not done, so the
# partitions it leads are not open and it does not accept clients yet.
# It is 'starting': live, but not listed in Metadata and given nothing
# by the balancer (a partition moved to it then was led there but not
# opened until the next load).  Once the load is done it is 'alive',
# listed, and takes its share.
#
# The load is held up with a lock on strata.producer_snapshots, which a
# starting broker reads before anything else of its first load (the
# idempotent producers' state) and which nothing else here touches: no
# producer runs, and nothing moves while it is held.  The lock is held
# for less than the lease, because the load's statement blocks the
# catalog worker (its lease is not renewed meanwhile).
use strict;
use warnings;

use IPC::Run qw(start pump finish timeout);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('starting');
my @b = map { $cluster->add_node("b$_") } 1 .. 3;
# A lease longer than the lock is held, checks every second.
$_->append_conf("broker_lease_time = 8s\nbalancer_interval = 1s") for @b;
$_->start for @b[0, 1];
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b[0, 1]);

ok(poll_until(sub { $cluster->psql("SELECT string_agg(id || ':' || state, ' ' ORDER BY id) FROM strata.broker_status WHERE live") eq '1:alive 2:alive' }, 30),
	'two brokers alive');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'create-assigned', $bootstrap, 'start', 8, '1,2']);
is($rc, 0, 'topic start: eight partitions, four on each of brokers 1 and 2') or diag("$out\n$err");

sub counts
{
	return $cluster->psql("SELECT string_agg(leader || ':' || n, ' ' ORDER BY leader) FROM"
		  . " (SELECT coalesce(p.target_broker, p.leader) AS leader, count(*) n FROM strata.partitions p"
		  . " JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = 'start' GROUP BY 1) x");
}
is(counts(), '1:4 2:4', 'placed as asked');

sub listed
{
	my ($rc, $out, $err) = run_command(['kcat', '-b', '127.0.0.1:' . $b[0]->port, '-L', '-t', 'start']);
	return join(',', sort($out =~ /broker (\d+) at 127\.0\.0\.1:\d+/g));
}
is(listed(), '1,2', 'Metadata lists brokers 1 and 2');
# (A new controller waits a lease before its first check.)
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.balancer_checks") > 0 }, 30),
	'the balancer checks');

# Hold the first load of broker 3.
my ($in, $lout, $lerr) = ("BEGIN;\nLOCK TABLE strata.producer_snapshots IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n", '', '');
my $t = timeout(60);
my $lock = start(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $cluster->connstr],
	'<', \$in, '>', \$lout, '2>', \$lerr, $t);
pump $lock until $lout =~ /locked/;
ok(1, 'strata.producer_snapshots locked');

$b[2]->start(nowait => 1);
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.broker_status WHERE id = 3 AND live") eq 'starting' }, 30),
	'broker 3 registered: live, starting');
my $checks = $cluster->psql('SELECT coalesce(max(id), 0) FROM strata.balancer_checks');
# The balancer would give an empty broker partitions at its first check
# (the partition counts' goal: 4, 4, 0 differ by more than one).
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE id > $checks") >= 3 }, 5),
	'three balancer checks while it starts');
is($cluster->psql("SELECT role FROM strata.balancer_inputs WHERE broker = 3"), 'starting',
	'strata.balancer_inputs: broker 3 starting');
is($cluster->psql("SELECT count(*) FROM strata.partition_moves WHERE reason = 'balancer'"), '0', 'nothing moved to it');
is(counts(), '1:4 2:4', 'brokers 1 and 2 keep their four');
is(listed(), '1,2', 'Metadata does not list it yet');
is($cluster->psql("SELECT state FROM strata.broker_status WHERE id = 3 AND live"), 'starting',
	'and it is still starting (the lock held its load)');

# Release: the load completes, the broker is alive, listed, given partitions.
$in .= "COMMIT;\n";
finish $lock;
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.broker_status WHERE id = 3 AND live") eq 'alive' }, 30),
	'the lock released: broker 3 alive');
ok(poll_until(sub { listed() eq '1,2,3' }, 30), 'Metadata lists it');
ok(poll_until(sub { counts() eq '1:3 2:3 3:2' }, 30), 'it takes its share of the partitions')
  or diag(counts());
is($cluster->psql("SELECT count(*) FROM strata.partition_moves WHERE reason = 'balancer' AND to_broker <> 3"), '0',
	'every move went to it');
($rc, $out, $err) = run_command(['kcat', '-b', '127.0.0.1:' . $b[2]->port, '-L', '-t', 'start']);
is(join(',', sort($out =~ /broker (\d+) at 127\.0\.0\.1:\d+/g)), '1,2,3', 'and it answers clients itself');

done_testing();
