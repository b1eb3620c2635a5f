# An external catalog shared by several brokers: migrations applied exactly
# once even when brokers are initialised at the same moment, each broker
# registered with its own lease, a duplicate broker_id refused, the broker
# marked stopped at shutdown and its epoch bumped at each start.
use strict;
use warnings;

use IPC::Run;
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Node;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('ext');

# Two inits racing on a fresh catalog: the advisory lock lets one apply
# migration 1, the other finds it applied.
my $n1 = Strata::Test::Node->new('b1', broker_id => 1);
my $n2 = Strata::Test::Node->new('b2', broker_id => 2);
my @h;
for my $n ($n1, $n2)
{
	my ($out, $err) = ('', '');
	push @h, [ $n, \$out, \$err, IPC::Run::start(
		[ 'strata_ctl', 'init', '-D', $n->data_dir, '--broker-id', $n->broker_id,
		  '--listeners', 'PLAINTEXT://127.0.0.1:' . $n->port, '--wal-size', '64MB',
		  '--catalog', $cluster->connstr, '--object-store', $cluster->object_store ],
		'<', \undef, '>', \$out, '2>', \$err) ];
}
for my $x (@h)
{
	my ($n, $out, $err, $h) = @$x;
	ok($h->finish, 'concurrent init of ' . $n->name) or diag($$err);
	$n->{catalog} = $cluster->connstr;
	$n->append_conf(Strata::Test::Node::test_conf() . "broker_lease_time = 3s\n");
}
push @{ $cluster->{nodes} }, $n1, $n2;
my $latest = $cluster->psql('SELECT max(version) FROM strata.schema_version');
is($cluster->psql('SELECT count(*) FROM strata.schema_version'), $latest, 'each migration applied once');
ok(!-e $n1->data_dir . '/catalog', 'no embedded catalog with an external one');

# Both brokers start and register.
$n1->start;
$n2->start;
is($cluster->psql("SELECT string_agg(id || ':' || state || ':' || epoch, ',' ORDER BY id) FROM strata.brokers"),
	'1:alive:1,2:alive:1', 'two brokers registered, alive, epoch 1');
is($cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live'), '2',
	'both hold a live lease');
like($cluster->psql('SELECT listeners FROM strata.brokers WHERE id = 2'),
	qr/^PLAINTEXT:\/\/127\.0\.0\.1:\d+$/, 'listeners registered');

# The lease is renewed (broker_lease_time = 3s: every second).
my $l1 = $cluster->psql("SELECT lease_expires FROM strata.brokers WHERE id = 1");
ok(poll_until(sub {
	$cluster->psql("SELECT lease_expires > '$l1' FROM strata.brokers WHERE id = 1") eq 't' }, 10),
	'the lease is renewed');

# A third broker claiming broker_id 1 is refused while 1 is live.
my $dup = $cluster->add_node('dup', broker_id => 1);
ok(!$dup->start(fail_ok => 1), 'a second broker with broker_id 1 does not start');
like($dup->log_content, qr/broker_id 1 is already registered in the catalog by a live broker/,
	'duplicate broker_id: message');

# Stop marks the broker stopped; a restart bumps the epoch.
$n2->stop('fast');
is($cluster->psql("SELECT state || ':' || (lease_expires <= now()) FROM strata.brokers WHERE id = 2"),
	'stopped:true', 'a stopped broker is marked stopped, lease expired');
$n2->start;
is($cluster->psql("SELECT state || ':' || epoch FROM strata.brokers WHERE id = 2"), 'alive:2',
	'restart: alive with epoch 2');

# Restarts apply no migration again.
my $applied = $cluster->psql('SELECT max(applied) FROM strata.schema_version');
$n1->restart;
is($cluster->psql('SELECT count(*) || \' \' || max(applied) FROM strata.schema_version'), "$latest $applied",
	'restart: no migration applied again');

# A broker refuses a catalog newer than itself.
$n1->stop('fast');
$cluster->psql("INSERT INTO strata.schema_version (version, name) VALUES (1000, 'future')");
my $pos = $n1->log_position;
ok(!$n1->start(fail_ok => 1), 'a broker does not start on a newer catalog');
like($n1->log_content($pos),
	qr/FATAL:  catalog \(catalog = '.*'\): the catalog schema is at version 1000 but this strata binary knows versions up to $latest only/,
	'newer catalog at start: message');
$cluster->psql("DELETE FROM strata.schema_version WHERE version = 1000");
$n1->start;
$n1->stop('fast');
$n2->stop('fast');

done_testing();
