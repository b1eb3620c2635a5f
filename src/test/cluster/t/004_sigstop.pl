# A broker stopped with SIGSTOP until its lease expires, then continued:
# another broker takes over its WAL and partitions meanwhile; when it runs
# again it finds itself fenced, acknowledges nothing more, and rejoins as a
# new incarnation.  Nothing it acknowledged is lost.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Time::HiRes qw(time sleep);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $lease_ms = 3000;
my $cluster = Strata::Test::Cluster->new('sigstop');
my @b = map { $cluster->add_node("b$_") } 1 .. 2;
$_->append_conf("broker_lease_time = ${lease_ms}ms\nupload_interval = 60s") for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '2' }, 30),
	'two live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'create-topic', '127.0.0.1:' . $b[0]->port, 'st', 4]);
is($rc, 0, 'a topic of four partitions') or diag($err);

my $produced = "$dir/produced";
my $pout = '';
my $producer = start(['/usr/bin/python3', $cc, 'load', $bootstrap, 'st', 4, 25, 300, $produced], '>', \$pout, '2>&1');
sleep 5;

my $victim = $b[1];
my $vid = $victim->broker_id;
my @pids = ($victim->postmaster_pid, map { $_->{pid} } $victim->child_processes);
kill 'STOP', @pids;
note("SIGSTOP to broker $vid: @pids");
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.partitions WHERE leader = $vid") eq '0' }, 30),
	"while it is stopped, broker $vid is fenced and its partitions taken over");
is($cluster->psql("SELECT state FROM strata.wal_recoveries WHERE broker_id = $vid"), 'done',
	'its WAL was recovered');
sleep 2;
my $pos = $victim->log_position;
kill 'CONT', @pids;
ok($victim->wait_for_log(qr/fenced.*restart(ing)? as a new incarnation/, $pos, 30),
	'continued, it finds itself fenced and restarts as a new incarnation');
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.brokers WHERE id = $vid") eq 'alive' }, 30),
	'and rejoins');

finish($producer);
like($pout, qr/^ok produced/m, 'the producer delivered every message') or diag(substr($pout, -3000));
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[0]->port, 'st', 4, "$dir/log"],
	timeout => 180);
is($rc, 0, 'the topic read back') or diag("$out\n$err");
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', $produced, "$dir/log"]);
is($rc, 0, 'everything acknowledged is in the log, once, where it was acknowledged') or diag("$out\n$err");
note($out);

$_->stop for @b;
done_testing();
