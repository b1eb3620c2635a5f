# Consumer groups with real clients: rebalances as confluent-kafka consumers
# (range, roundrobin, cooperative-sticky) join and leave, a kafka-python
# group, committed offsets (with metadata) across a broker restart and a
# catalog restart, static membership without a rebalance, and the catalog's
# operator views.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('groups');
$node->init;
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";

sub client_ok
{
	my ($what, @args) = @_;
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, @args], timeout => 300);
	ok($rc == 0, $what) or diag("stdout:\n$out\nstderr:\n$err");
	note($out);
	return $out;
}

# Rebalances: three consumers join one by one, one leaves; assignments are
# disjoint and complete each time, and with synchronous commits every
# message is processed exactly once.
for my $strategy ('range', 'roundrobin', 'cooperative-sticky')
{
	(my $t = "reb-$strategy") =~ s/-sticky//;
	client_ok("confluent-kafka $strategy: assignments disjoint and complete, no message lost or twice",
		'group-rebalance', $bootstrap, $t, $strategy);
}

client_ok('kafka-python consumer group', 'kafka-python-group', $bootstrap, 'kpgroup');

# kafkajs (npm)
SKIP:
{
	my $js = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/kafkajs_group.js";
	my $modules = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	skip('kafkajs is not installed (run npm ci in src/test/node)', 1) unless -d "$modules/kafkajs";
	local $ENV{NODE_PATH} = $modules;
	my ($rc, $out, $err) = run_command(['node', $js, $bootstrap, 'jsgroup'], timeout => 180);
	ok($rc == 0, 'kafkajs consumer group') or diag("stdout:\n$out\nstderr:\n$err");
	note($out);
}

# A member that dies without leaving is removed after its session timeout.
{
	my $pos = $node->log_position;
	client_ok('a killed member expires after its session timeout', 'session-expiry', $bootstrap, 'expiry');
	like($node->log_content($pos), qr/group "exp-expiry": member held-\S+ left \(session timeout of 6000 ms expired\)/,
		'the log says the session expired');
}

# Static membership: a static member that rejoins within its session timeout
# gets its assignment back and the group does not rebalance.
{
	my $pos = $node->log_position;
	client_ok('static member rejoins without a rebalance', 'static-member', $bootstrap, 'statictopic');
	my $log = $node->log_content($pos);
	my @gens = ($log =~ /group "static-statictopic": generation \d+/g);
	is(scalar(@gens), 2, 'two generations only (one per member joining), none for the rejoin')
		or diag(join("\n", @gens));
	like($log, qr/static member "inst-b" rejoined as \S+ without a rebalance/, 'log names the static rejoin');
	is($node->psql("SELECT state || ' ' || protocol || ' ' || members FROM strata.group_status "
			. "WHERE group_id = 'static-statictopic'"),
		'Stable range 2', 'strata.group_status shows the stable group and its members');
	is($node->psql("SELECT string_agg(group_instance_id, ',' ORDER BY group_instance_id) "
			. "FROM strata.group_members WHERE group_id = 'static-statictopic'"),
		'inst-a,inst-b', 'strata.group_members lists the static members');
}

# Committed offsets and their metadata survive a broker restart and a
# catalog restart.
client_ok('commit offsets with metadata', 'commit-offsets', $bootstrap, 'durable-group', 'durable');
client_ok('offsets read back', 'check-offsets', $bootstrap, 'durable-group', 'durable');
$node->restart;
client_ok('offsets survive a broker restart', 'check-offsets', $bootstrap, 'durable-group', 'durable');
$node->stop_catalog;
$node->start_catalog;
client_ok('offsets survive a catalog restart', 'check-offsets', $bootstrap, 'durable-group', 'durable');

is($node->psql("SELECT convert_from(metadata, 'UTF8') FROM strata.committed_offsets WHERE group_id = 'durable-group' AND partition = 1"),
	'meta-1 "q" \\ é', 'metadata stored in the catalog as sent');
client_ok('ListGroups, DescribeGroups, DeleteGroups', 'group-admin', $bootstrap);

# Operator views.
is($node->psql("SELECT count(*) || ' ' || sum(committed_offset) || ' ' || coalesce(sum(lag), 0) "
		. "FROM strata.group_offsets WHERE group_id = 'g-reb-range'"),
	'6 600 0', 'strata.group_offsets: all 600 messages of 6 partitions committed, no lag');
like($node->psql("SELECT group_id || ' ' || partitions FROM strata.group_status WHERE group_id = 'g-reb-range'"),
	qr/^g-reb-range 6$/, 'strata.group_status summarises the group');

$node->stop;
done_testing();
