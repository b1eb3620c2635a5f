# A partition moved back to a broker that led it before.  The broker's
# WAL log cache still holds the partition's batches from that earlier
# time; the partition's end there is the end it was handed back at, not
# the end of the earlier time: ListOffsets answers the real high
# watermark at once, and a consumer reads everything from any offset
# without OFFSET_OUT_OF_RANGE, before anything new is produced (what
# the broker led meanwhile comes from object storage).  The balancer moves
# partitions back and forth, so this is common under it.
use strict;
use warnings;

use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('moveback');
my @b = map { $cluster->add_node("b$_") } 1 .. 2;
$_->append_conf("broker_lease_time = 3s\nbalancer = off") for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '2' }, 30),
	'two live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'create-assigned', $bootstrap, 'back', 1, 1]);
is($rc, 0, 'topic back on broker 1') or diag("$out\n$err");

sub produce
{
	my ($from, $n) = @_;
	open(my $fh, '>', "$dir/msgs") or die;
	print $fh "m$_\n" for $from .. $from + $n - 1;
	close $fh;
	return run_command(['kcat', '-b', $bootstrap, '-P', '-t', 'back', '-p', '0', '-X', 'acks=all',
		'-l', "$dir/msgs"], timeout => 60);
}

sub move_to
{
	my ($broker) = @_;
	my $id = $cluster->psql("SELECT strata.move_partition('back', 0, $broker)");
	return poll_until(sub { $cluster->psql("SELECT state FROM strata.partition_moves WHERE id = $id") eq 'done' }, 60);
}

($rc, $out, $err) = produce(0, 100);
is($rc, 0, '100 messages produced on broker 1') or diag($err);
ok(move_to(2), 'moved to broker 2');
($rc, $out, $err) = produce(100, 100);
is($rc, 0, '100 more produced on broker 2') or diag($err);
ok(move_to(1), 'moved back to broker 1, nothing produced since');
is($cluster->psql("SELECT leader FROM strata.partitions WHERE index = 0"), '1', 'broker 1 leads it');

# At once, and again a few seconds later: the same answers.
for my $when ('at once', 'later')
{
	sleep(3) if $when eq 'later';
	($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'read-from', '127.0.0.1:' . $b[0]->port, 'back', 0, 150],
		timeout => 90);
	is($out, "hw 200 read 50 first 150 last 199\n",
		"$when: the high watermark is 200, and offsets 150 to 199 read from broker 1") or diag($err);
}
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'read-from', '127.0.0.1:' . $b[0]->port, 'back', 0, 0],
	timeout => 90);
is($out, "hw 200 read 200 first 0 last 199\n", 'and everything from the start') or diag($err);
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'read-from', '127.0.0.1:' . $b[0]->port, 'back', 0, 200],
	timeout => 90);
is($out, "hw 200 read 0 first -1 last -1\n", 'a consumer at the end is at the end') or diag($err);

# Produced again on broker 1: the new batches follow.
($rc, $out, $err) = produce(200, 10);
is($rc, 0, '10 more produced on broker 1') or diag($err);
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'read-from', '127.0.0.1:' . $b[0]->port, 'back', 0, 190],
	timeout => 90);
is($out, "hw 210 read 20 first 190 last 209\n", 'they follow on') or diag($err);

$_->stop for @b;
done_testing();
