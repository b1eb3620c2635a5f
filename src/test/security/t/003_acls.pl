# ACLs: made, listed and removed through kafka-python's and kafkajs' admin
# APIs; a user allowed on one topic and not another, a prefixed allow, a
# deny overriding an allow, a consumer group without READ on its group, a
# super user, Metadata hiding what a principal may not describe, ACLs
# changed in the catalog's SQL taking effect at once, the decisions counted
# and logged, and the ACL APIs' own rules (kafka_regress).
use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time usleep);
use Strata::Test::Node;
use Strata::Test::Security;
use Strata::Test::Utils;

my $metrics_port = get_free_port();
# The PLAINTEXT listener is the administrators' (ANONYMOUS is a super user
# there): kafka_regress speaks no SASL.
my $node = secure_node('acls', undef,
	"authorizer = on\nsuper_users = 'User:admin;User:ANONYMOUS'\nlog_authorization = denied\n"
	  . "metrics_listen = '127.0.0.1:$metrics_port'",
	protocols => ['SASL_PLAINTEXT']);
for my $u (qw(admin alice bob carol))
{
	ok(add_user($node, $u, "$u-pw"), "user $u");
}
$node->start;
my $port = listener_port($node, 'SASL_PLAINTEXT');

sub as
{
	my ($user) = @_;
	return { protocol => 'SASL_PLAINTEXT', mechanism => 'SCRAM-SHA-256', user => $user, password => "$user-pw" };
}

sub acl_kp
{
	my ($user, @args) = @_;
	my ($rc, $out, $err) = secclient('kafka-python-acls', $port, as($user), @args);
	return ($rc, $out, $err);
}

sub acl_js
{
	my ($user, @args) = @_;
	return kafkajs('acls', $port, as($user), @args);
}

sub produce
{
	my ($user, $topic) = @_;
	my ($rc, $out, $err) = secclient('confluent-produce', $port, as($user), $topic);
	return $rc == 0 ? 'ok' : ($err =~ /error: (?:delivery failed: )?(\S+)/ ? $1 : $err);
}

sub topics_seen
{
	my ($user) = @_;
	my ($rc, $out, $err) = secclient('kafka-python-metadata', $port, as($user));
	return join(',', sort map { /^topic (\S+)/ ? $1 : () } split /\n/, $out);
}

# ---- a super user may do anything; nobody else may do anything ----
client_ok('the super user creates topics and produces', 'confluent-roundtrip', $port, as('admin'), 'orders');
for my $t (qw(payments logs-app logs-db metrics shared-ro shared-rw))
{
	is(produce('admin', $t), 'ok', "admin produces to $t (auto-created)");
}
is(produce('alice', 'orders'), 'TOPIC_AUTHORIZATION_FAILED', 'without ACLs alice may not write');
is(topics_seen('alice'), '', 'and Metadata shows her no topic');
ok($node->wait_for_log(qr/authorization: User:alice from 127\.0\.0\.1 denied (DESCRIBE|WRITE) on TOPIC "orders" \(no ACL for the resource\)/),
	'the refusal is logged');

# ---- a user allowed on one topic and not another (kafka-python's admin) ----
{
	my ($rc, $out, $err) = acl_kp('admin', 'create', 'TOPIC', 'orders', 'LITERAL', 'User:alice', 'WRITE', 'ALLOW');
	is($rc, 0, 'kafka-python create_acls: alice WRITE on orders') or diag($err);
	($rc, $out, $err) = acl_kp('admin', 'create', 'TOPIC', 'orders', 'LITERAL', 'User:alice', 'READ', 'ALLOW');
	is($rc, 0, 'kafka-python create_acls: alice READ on orders') or diag($err);
	is(produce('alice', 'orders'), 'ok', 'alice writes to orders at once (the ACL is in force when create_acls returns)');
	is(produce('alice', 'payments'), 'TOPIC_AUTHORIZATION_FAILED', '... but not to payments');
	is(topics_seen('alice'), 'orders', 'Metadata shows alice orders only (READ implies DESCRIBE)');
	($rc, $out, $err) = acl_kp('alice', 'create', 'TOPIC', 'payments', 'LITERAL', 'User:alice', 'WRITE', 'ALLOW');
	isnt($rc, 0, 'alice may not create ACLs');
	like($err, qr/ClusterAuthorizationFailed|CLUSTER_AUTHORIZATION_FAILED/, '... CLUSTER_AUTHORIZATION_FAILED');
}

# ---- a consumer group without READ on its group ----
{
	my ($rc, $out, $err) = secclient('confluent-consume', $port, as('alice'), 'orders', 'g-orders');
	isnt($rc, 0, 'alice cannot consume in group g-orders without READ on the group');
	like($err, qr/GROUP_AUTHORIZATION_FAILED/, '... GROUP_AUTHORIZATION_FAILED');
	($rc, $out, $err) = acl_js('admin', 'create', 'GROUP', 'g-orders', 'LITERAL', 'User:alice', 'READ', 'ALLOW');
	is($rc, 0, 'kafkajs createAcls: alice READ on group g-orders') or diag($err);
	($rc, $out, $err) = secclient('confluent-consume', $port, as('alice'), 'orders', 'g-orders');
	is($rc, 0, 'now she consumes in the group') or diag($err);
}

# ---- a prefixed allow (kafkajs' admin) ----
{
	my ($rc, $out, $err) = acl_js('admin', 'create', 'TOPIC', 'logs-', 'PREFIXED', 'User:bob', 'ALL', 'ALLOW');
	is($rc, 0, 'kafkajs createAcls: bob ALL on topics prefixed logs-') or diag($err);
	is(produce('bob', 'logs-app'), 'ok', 'bob writes to logs-app');
	is(produce('bob', 'logs-db'), 'ok', 'and to logs-db');
	is(produce('bob', 'metrics'), 'TOPIC_AUTHORIZATION_FAILED', 'not to metrics');
	is(topics_seen('bob'), 'logs-app,logs-db', 'Metadata shows bob the logs- topics');
	acl_js('admin', 'create', 'GROUP', 'g-logs-new', 'LITERAL', 'User:bob', 'READ', 'ALLOW');
	client_ok('bob creates a topic under his prefix and reads it in his group', 'confluent-roundtrip', $port,
		as('bob'), 'logs-new');
}

# ---- a deny overriding an allow ----
{
	acl_js('admin', 'create', 'TOPIC', 'shared-', 'PREFIXED', 'User:carol', 'ALL', 'ALLOW');
	my ($rc, $out, $err) = acl_kp('admin', 'create', 'TOPIC', 'shared-ro', 'LITERAL', 'User:*', 'WRITE', 'DENY');
	is($rc, 0, 'a DENY of WRITE on shared-ro for everyone') or diag($err);
	is(produce('carol', 'shared-rw'), 'ok', 'carol writes to shared-rw');
	is(produce('carol', 'shared-ro'), 'TOPIC_AUTHORIZATION_FAILED', 'the deny wins over her prefixed ALL on shared-ro');
	like($node->log_content, qr/denied WRITE on TOPIC "shared-ro" \(a DENY ACL matches\)/, '... logged as such');
	($rc, $out, $err) = secclient('confluent-consume', $port, as('carol'), 'shared-ro', 'g-carol');
	isnt($rc, 0, 'carol has no READ on group g-carol');
	acl_kp('admin', 'create', 'GROUP', 'g-', 'PREFIXED', 'User:carol', 'READ', 'ALLOW');
	($rc, $out, $err) = secclient('confluent-consume', $port, as('carol'), 'shared-ro', 'g-carol');
	is($rc, 0, 'she still reads shared-ro: only WRITE is denied') or diag($err);
	is(produce('admin', 'shared-ro'), 'ok', 'a super user is not bound by the deny');
}

# ---- listing and deleting ACLs ----
{
	my ($rc, $out, $err) = acl_kp('admin', 'describe', 'ANY', 'ANY', 'ANY');
	my @acls = grep { /^acl / } split /\n/, $out;
	is(scalar(@acls), 8, 'kafka-python describe_acls lists the 8 ACLs') or diag($out);
	ok((grep { $_ eq 'acl TOPIC shared-ro LITERAL User:* * WRITE DENY' } @acls), '... the deny among them');
	($rc, $out, $err) = acl_js('admin', 'describe', 'TOPIC', 'logs-app', 'MATCH');
	is_deeply([ grep { /^acl / } split /\n/, $out ], [ 'acl TOPIC logs- PREFIXED User:bob * ALL ALLOW' ],
		'kafkajs describeAcls with MATCH finds the prefixed ACL covering logs-app');
	($rc, $out, $err) = acl_kp('admin', 'delete', 'TOPIC', 'orders', 'LITERAL', 'User:alice', 'ANY', 'ANY');
	is(scalar(grep { /^deleted / } split /\n/, $out), 2, 'kafka-python delete_acls removes alice\'s two ACLs on orders');
	is(produce('alice', 'orders'), 'TOPIC_AUTHORIZATION_FAILED', 'and she may no longer write there');
	($rc, $out, $err) = acl_js('admin', 'delete', 'TOPIC', 'logs-', 'PREFIXED', 'User:bob', 'ANY', 'ANY');
	like($out, qr/deleted 1/, 'kafkajs deleteAcls removes bob\'s prefixed ACL');
	is(produce('bob', 'logs-app'), 'TOPIC_AUTHORIZATION_FAILED', 'and bob is shut out');
}

# ---- an ACL written in the catalog with SQL is in force within a second ----
{
	my $start = time();
	$node->psql("INSERT INTO strata.acls (resource_type, resource_name, pattern_type, principal, host, operation, permission)"
		  . " VALUES ('TOPIC', 'metrics', 'LITERAL', 'User:bob', '127.0.0.1', 'WRITE', 'ALLOW')");
	ok(poll_until(sub { produce('bob', 'metrics') eq 'ok' }, 10), 'an ACL inserted with SQL takes effect');
	my $loaded = $node->wait_for_log(qr/security cache loaded: version \d+, 8 credentials, 6 ACLs/);
	ok($loaded, 'the catalog worker reloaded it on the NOTIFY');
	$node->psql("UPDATE strata.acls SET host = '10.9.9.9' WHERE resource_name = 'metrics'");
	ok(poll_until(sub { produce('bob', 'metrics') eq 'TOPIC_AUTHORIZATION_FAILED' }, 10),
		'an ACL for another host does not apply');
}

# ---- allow_everyone_if_no_acl_found ----
{
	is(produce('bob', 'payments'), 'TOPIC_AUTHORIZATION_FAILED', 'a topic without ACLs is closed by default');
	$node->append_conf('allow_everyone_if_no_acl_found = on');
	$node->reload;
	ok(poll_until(sub { produce('bob', 'payments') eq 'ok' }, 20),
		'with allow_everyone_if_no_acl_found = on it is open');
	is(produce('bob', 'shared-ro'), 'TOPIC_AUTHORIZATION_FAILED', 'but a topic with ACLs still follows them');
	$node->append_conf('allow_everyone_if_no_acl_found = off');
	$node->reload;
}

# ---- the ACL APIs' rules, on the administrators' listener ----
{
	my $script = $node->basedir . '/acls.script';
	open(my $fh, '>', $script) or die;
	print $fh <<'EOF';
CreateAcls v1 {Creations=[
    {ResourceType=1, ResourceName="t", ResourcePatternType=3, Principal="User:x", Host="*", Operation=3, PermissionType=3},
    {ResourceType=2, ResourceName="t", ResourcePatternType=2, Principal="User:x", Host="*", Operation=3, PermissionType=3},
    {ResourceType=2, ResourceName="t", ResourcePatternType=3, Principal="x", Host="*", Operation=3, PermissionType=3},
    {ResourceType=4, ResourceName="other", ResourcePatternType=3, Principal="User:x", Host="*", Operation=7, PermissionType=3},
    {ResourceType=2, ResourceName="", ResourcePatternType=3, Principal="User:x", Host="*", Operation=3, PermissionType=3},
    {ResourceType=2, ResourceName="t", ResourcePatternType=3, Principal="User:x", Host="*", Operation=1, PermissionType=3},
    {ResourceType=4, ResourceName="kafka-cluster", ResourcePatternType=3, Principal="User:x", Host="*", Operation=8, PermissionType=3}]}
DescribeAcls v0 {ResourceTypeFilter=4, ResourceNameFilter=null, PrincipalFilter="User:x", HostFilter=null, Operation=1, PermissionType=1}
DescribeAcls v2 {ResourceTypeFilter=0, ResourceNameFilter=null, PatternTypeFilter=1, PrincipalFilter=null, HostFilter=null, Operation=1, PermissionType=1}
DeleteAcls v3 {Filters=[{ResourceTypeFilter=4, ResourceNameFilter="kafka-cluster", PatternTypeFilter=3, PrincipalFilter="User:x", HostFilter="*", Operation=1, PermissionType=1},
    {ResourceTypeFilter=2, ResourceNameFilter=null, PatternTypeFilter=9, PrincipalFilter=null, HostFilter=null, Operation=1, PermissionType=1}]}
Metadata v10 {Topics=[{Name="orders"}], AllowAutoTopicCreation=false, IncludeClusterAuthorizedOperations=true, IncludeTopicAuthorizedOperations=true}
EOF
	close $fh;
	my ($rc, $out, $err) = run_command([ "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress", '-p', $node->port, $script ]);
	my @res = ($out =~ /ErrorCode=(\d+), ErrorMessage=("[^"]*"|null)/g);
	is_deeply([ @res[0 .. 13] ],
		[ 42, '"Invalid resource type: ACLs need a concrete resource type"',
		  42, '"Invalid pattern type: ACLs are LITERAL or PREFIXED"',
		  42, '"Invalid principal: expected PrincipalType:name, such as User:alice"',
		  42, '"The only valid name for the CLUSTER resource is the literal kafka-cluster"',
		  42, '"Resource name must not be empty"',
		  42, '"Invalid operation: ACLs need a concrete operation"',
		  0, 'null' ], 'CreateAcls refuses malformed ACLs with INVALID_REQUEST, one by one')
	  or diag($out);
	like($out, qr/Resources=\[\{ResourceType=4, ResourceName="kafka-cluster", Acls=\[\{Principal="User:x", Host="\*", Operation=8, PermissionType=3\}\]\}\]/,
		'DescribeAcls v0 finds the valid one');
	like($out, qr/ErrorCode=42, ErrorMessage="Unknown resource type", Resources=\[\]/, 'a filter of resource type UNKNOWN is INVALID_REQUEST');
	like($out, qr/FilterResults=\[\{ErrorCode=0, ErrorMessage=null, MatchingAcls=\[\{ErrorCode=0, ErrorMessage=null, ResourceType=4, ResourceName="kafka-cluster", PatternType=3, Principal="User:x"/,
		'DeleteAcls returns what it deleted');
	like($out, qr/\{ErrorCode=42, ErrorMessage="Unknown pattern type", MatchingAcls=\[\]\}\]/, '... and refuses a bad filter');
	like($out, qr/TopicAuthorizedOperations=3576\}/, 'Metadata: a super user may do all 8 topic operations');
	like($out, qr/ClusterAuthorizedOperations=8096\}/, '... and all 7 cluster operations');
}

# ---- decisions are counted ----
{
	my $m = scrape_metrics("127.0.0.1:$metrics_port");
	cmp_ok($m->{strata_authorizations_denied_total}, '>', 10, 'denied authorisations are counted');
	cmp_ok($m->{strata_authorizations_allowed_total}, '>', 50, 'allowed ones too');
	cmp_ok($m->{strata_authentications_total}, '>', 20, 'and successful logins');
}

$node->stop;
done_testing();
