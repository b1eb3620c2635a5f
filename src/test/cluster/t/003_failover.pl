# A broker killed with kill -9 under acks=all load: the controller fences it
# once its lease has expired, a live broker recovers its WAL into objects
# and its partitions and coordinator slots go to live brokers, within the
# lease plus 5 s.  Every acknowledged record is readable, nothing twice,
# and the consumer group goes on.  Restarted, the broker replays nothing
# that was recovered for it.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Time::HiRes qw(time sleep);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $lease_ms = 3000;
my $cluster = Strata::Test::Cluster->new('failover');
my @b = map { $cluster->add_node("b$_") } 1 .. 3;
# Uploads held back, so the dead broker's WAL holds data objects do not.
$_->append_conf("broker_lease_time = ${lease_ms}ms\nupload_interval = 60s\nupload_threshold = 64MB") for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(DISTINCT leader) FROM strata.coordinator_slots') eq '3' }, 30),
	'three live brokers, each coordinating some groups');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'create-topic', '127.0.0.1:' . $b[0]->port, 'fo', 6]);
is($rc, 0, 'a topic of six partitions, two on each broker') or diag($err);

my $produced = "$dir/produced";
my $consumed = "$dir/consumed";
my $stop = "$dir/stop";
my ($pout, $cout) = ('', '');
my $producer = start(['/usr/bin/python3', $cc, 'load', $bootstrap, 'fo', 6, 25, 300, $produced], '>', \$pout, '2>&1');
my $consumer = start(['/usr/bin/python3', $cc, 'consume', $bootstrap, 'fo', 'survivors', $stop, $consumed],
	'>', \$cout, '2>&1');
sleep 6;

# The victim: broker 3 (not the one that created the topic).
my $victim = $b[2];
my $vid = $victim->broker_id;
my $led = $cluster->psql("SELECT count(*) FROM strata.partitions WHERE leader = $vid");
ok($led > 0, "broker $vid leads $led partitions");
my $epoch_before = $cluster->psql("SELECT epoch FROM strata.brokers WHERE id = $vid");
my $t0 = time();
$victim->kill9;

ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.partitions WHERE leader = $vid") eq '0' }, 30),
	"broker ${vid}'s partitions moved to live brokers");
my $took = time() - $t0;
diag(sprintf("partitions served elsewhere %.1f s after the kill (lease %.1f s)", $took, $lease_ms / 1000));
ok($took < $lease_ms / 1000 + 5, 'within the lease plus 5 s');
is($cluster->psql("SELECT count(*) FROM strata.coordinator_slots WHERE leader = $vid"), '0',
	'and its coordinator slots');
is($cluster->psql("SELECT state FROM strata.brokers WHERE id = $vid"), 'fenced', 'the broker is fenced');
ok($cluster->psql("SELECT epoch FROM strata.brokers WHERE id = $vid") > $epoch_before, 'its epoch bumped');
like($cluster->psql("SELECT state || ' ' || coalesce(records, 0) FROM strata.wal_recoveries WHERE broker_id = $vid"),
	qr/^done [1-9]/, 'its WAL was recovered, with records objects did not hold');

finish($producer);
like($pout, qr/^ok produced/m, 'the idempotent producer delivered every message') or diag(substr($pout, -3000));
open(my $fh, '>', $stop) or die;
close $fh;
finish($consumer);
like($cout, qr/^ok consumed/m, 'the consumer group went on') or diag($cout);

($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[0]->port, 'fo', 6, "$dir/log"],
	timeout => 180);
is($rc, 0, 'the topic read back') or diag("$out\n$err");
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', $produced, "$dir/log", $consumed]);
is($rc, 0, 'every acknowledged record readable, none twice, none missed by the group') or diag("$out\n$err");
note($out);

# Restarted, the broker joins as a new incarnation and replays nothing recovered.
my $pos = $victim->log_position;
$victim->start;
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.brokers WHERE id = $vid") eq 'alive' }, 30),
	'the fenced broker rejoined');
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[0]->port, 'fo', 6, "$dir/log2"],
	timeout => 180);
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', $produced, "$dir/log2"]);
is($rc, 0, 'after its restart, still every record once') or diag("$out\n$err");
unlike($victim->log_content($pos), qr/uploader: \d+ object\(s\)/, 'it uploaded nothing of its old WAL again');

$_->stop for @b;
done_testing();
