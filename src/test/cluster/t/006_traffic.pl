# What brokers publish for the balancer: each partition's traffic (bytes
# in and out, produce and fetch rates) measured by its leader, and each
# broker's totals, append and fetch latencies and capacity, with every
# lease renewal.  A moved partition keeps its figures until its new leader
# has measured it, then shows the new leader's.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('traffic');
my @b = map { $cluster->add_node("b$_") } 1 .. 2;
# Renewals (and reports) every second; the balancer off: this test moves
# partitions itself.
$_->append_conf("broker_lease_time = 3s\nbalancer = off") for @b;
$b[0]->append_conf("broker_capacity = 10MB");
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '2' }, 30),
	'two live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'create-assigned', $bootstrap, 'pub', 3, 1]);
is($rc, 0, 'topic pub: three partitions, all on broker 1') or diag("$out\n$err");

# 100 kB/s to partition 0, 20 kB/s to partition 1, nothing to partition 2;
# a consumer group reads all of it.
my $stop = "$dir/stop";
my ($pout, $cout) = ('', '');
my $producer = start(['/usr/bin/python3', $cc, 'traffic', $bootstrap, 'pub', '0:100000,1:20000', 40, 1000,
	"$dir/produced", $stop], '>', \$pout, '2>&1');
my $consumer = start(['/usr/bin/python3', $cc, 'consume', $bootstrap, 'pub', 'readers', $stop, "$dir/consumed"],
	'>', \$cout, '2>&1');

sub traffic_of
{
	my ($p) = @_;
	return $cluster->psql("SELECT round(bytes_in_rate) || ' ' || round(bytes_out_rate) || ' ' || round(produce_rate::numeric, 1)"
		  . " || ' ' || round(fetch_rate::numeric, 1) || ' ' || coalesce(measured_by::text, '-')"
		  . " FROM strata.partition_traffic WHERE topic = 'pub' AND partition = $p");
}

sub near
{
	my ($v, $want, $tolerance) = @_;
	return $v >= $want * (1 - $tolerance) && $v <= $want * (1 + $tolerance);
}

# Rates are per second over the second between two reports: allow for
# the producer's batching and the records' framing.
ok(poll_until(sub {
	my ($in0, $out0, undef, undef, $by0) = split / /, traffic_of(0);
	my ($in1) = split / /, traffic_of(1);
	return $by0 eq '1' && near($in0, 100000, 0.35) && near($out0, 100000, 0.5) && near($in1, 20000, 0.5);
}, 30), 'partition 0 shows about 100 kB/s in and out, partition 1 about 20 kB/s in, measured by broker 1')
  or diag(traffic_of(0) . ' / ' . traffic_of(1));
my (undef, undef, $produce0, $fetch0) = split / /, traffic_of(0);
ok($produce0 > 0 && $fetch0 > 0, "and produce and fetch request rates ($produce0, $fetch0 a second)");
my ($in2, $out2, undef, undef, $by2) = split / /, traffic_of(2);
is("$in2 $out2 $by2", '0 0 1', 'partition 2, which has no traffic, shows none');

my $load = $cluster->psql("SELECT round(bytes_in_rate) || ' ' || (append_latency_ms IS NOT NULL)"
	  . " || ' ' || (append_latency_p99_ms > 0) || ' ' || (fetch_latency_ms IS NOT NULL)"
	  . " || ' ' || capacity || ' ' || (utilisation_pct > 0)"
	  . " FROM strata.broker_utilisation WHERE broker = 1");
my ($bin, @flags) = split / /, $load;
ok(near($bin, 120000, 0.4), "broker 1 publishes its total, about 120 kB/s in ($bin)");
is(join(' ', @flags), 'true true true 10485760 true', 'its append and fetch latencies, capacity and utilisation');
is($cluster->psql('SELECT bytes_in > 0 FROM strata.broker_load WHERE broker = 1'), 't',
	'and its cumulative bytes in (broker_load)');
is($cluster->psql('SELECT coalesce(capacity::text, \'-\') || \' \' || (append_latency_ms IS NULL) FROM strata.broker_utilisation WHERE broker = 2'),
	'- true', 'broker 2: no capacity set, no appends');

# Move partition 0 under traffic: its row keeps broker 1's figures until
# broker 2 has measured it over a whole report interval.
my $id = $cluster->psql("SELECT strata.move_partition('pub', 0, 2)");
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.partition_moves WHERE id = $id") eq 'done' }, 30),
	'partition 0 moved to broker 2');
my ($in_after, undef, undef, undef, $by_after) = split / /, traffic_of(0);
ok($by_after eq '2' || near($in_after, 100000, 0.35),
	"right after the move its traffic is still known ($in_after B/s, measured by $by_after)");
ok(poll_until(sub {
	my ($in0, undef, undef, undef, $by0) = split / /, traffic_of(0);
	return $by0 eq '2' && near($in0, 100000, 0.35);
}, 30), 'then broker 2 measures it') or diag(traffic_of(0));

open(my $fh, '>', $stop) or die;
close $fh;
finish($producer);
like($pout, qr/^ok produced/m, 'every message delivered') or diag(substr($pout, -3000));
finish($consumer);
like($cout, qr/^ok consumed/m, 'the consumers ran') or diag(substr($cout, -3000));

$_->stop for @b;
done_testing();
