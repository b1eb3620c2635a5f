# strata_ctl stop -m fast under load hands every partition and coordinator
# slot of the stopping broker to the others first: producers see only
# retriable errors, nothing is lost.  A broker leading 100 partitions stops
# in a bounded time.  With no other broker, a stop keeps its partitions.
# Also: the catalog restarted under a running cluster, and a move to a
# broker that is not live refused.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Time::HiRes qw(time sleep);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('stop');
my @b = map { $cluster->add_node("b$_") } 1 .. 3;
$_->append_conf("broker_lease_time = 3s\nmax_partitions = 1024") for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '3' }, 30),
	'three live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'create-topic', '127.0.0.1:' . $b[0]->port, 'many', 300]);
is($rc, 0, 'a topic of 300 partitions, 100 on each broker') or diag($err);
my $victim = $b[2];
my $vid = $victim->broker_id;
is($cluster->psql("SELECT count(*) FROM strata.partitions WHERE leader = $vid"), '100',
	"broker $vid leads 100 partitions");

my $produced = "$dir/produced";
my $pout = '';
my $producer = start(['/usr/bin/python3', $cc, 'load', $bootstrap, 'many', 300, 15, 600, $produced],
	'>', \$pout, '2>&1');
sleep 5;

my $t0 = time();
($rc, $out, $err) = run_command(['strata_ctl', 'stop', '-D', $victim->data_dir, '-m', 'fast', '-t', '60']);
my $took = time() - $t0;
is($rc, 0, 'strata_ctl stop -m fast') or diag($err);
diag(sprintf("broker %d with 100 partitions stopped in %.1f s", $vid, $took));
ok($took < 10, 'in under 10 s');
is($cluster->psql("SELECT count(*) FROM strata.partitions WHERE leader = $vid"), '0',
	'every partition was handed to the other brokers');
is($cluster->psql("SELECT count(*) FROM strata.coordinator_slots WHERE leader = $vid"), '0',
	'and every coordinator slot');
is($cluster->psql("SELECT count(*) FROM strata.move_history WHERE reason = 'shutdown' AND state = 'done' AND from_broker = $vid"),
	'100', 'as 100 moves, recorded with their reason');
like($victim->log_content, qr/every partition was handed off to other brokers, in \d+ ms/, 'the broker logged the hand-off');
is($cluster->psql("SELECT state FROM strata.brokers WHERE id = $vid"), 'stopped', 'and stopped');

finish($producer);
like($pout, qr/^ok produced/m, 'the producer delivered every message: only retriable errors on the way') or diag(substr($pout, -3000));
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[0]->port, 'many', 300, "$dir/log"],
	timeout => 300);
is($rc, 0, 'the topic read back') or diag("$out\n$err");
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', $produced, "$dir/log"]);
is($rc, 0, 'nothing lost or duplicated') or diag("$out\n$err");

# A move to a broker that is not live is refused with a clear message.
($rc, $out, $err) = run_command(['strata_ctl', 'move', '-D', $b[0]->data_dir, 'many', '0', $vid]);
isnt($rc, 0, 'a move to a stopped broker is refused');
like($err, qr/broker $vid is not live/, 'saying the broker is not live');

# The catalog restarted under the running cluster: brokers reconnect and go on.
$cluster->restart_catalog;
($rc, $out, $err) = run_command(['kcat', '-b', '127.0.0.1:' . $b[0]->port, '-P', '-t', 'many', '-p', '7',
	'-X', 'acks=all'], stdin => "after-restart\n", timeout => 60);
is($rc, 0, 'produce after the catalog restarted') or diag($err);
ok(poll_until(sub { ($cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live', fail_ok => 1) // '') eq '2' }, 30),
	'both remaining brokers renewed their leases again');
my $id = $cluster->psql("SELECT strata.move_partition('many', 7, "
	  . ($cluster->psql("SELECT leader FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = 'many' AND p.index = 7") == 1 ? 2 : 1) . ")");
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.partition_moves WHERE id = $id") eq 'done' }, 30),
	'a move after the catalog restart completes');

# With no other broker live, a stop keeps the partitions (and stops as a lone broker does).
$b[1]->stop;
($rc, $out, $err) = run_command(['strata_ctl', 'stop', '-D', $b[0]->data_dir, '-m', 'fast']);
is($rc, 0, 'the last broker stops');
like($b[0]->log_content, qr/no other live broker to hand partitions to/, 'keeping its partitions');

done_testing();
