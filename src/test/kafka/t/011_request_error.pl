# An ERROR while a backend serves a request fails that request, not the
# connection: the client gets UNKNOWN_SERVER_ERROR where the response has a
# top-level error code, and the same connection goes on serving.  Where the
# response has no such code (Fetch before v7) the connection is closed after
# the log line.  The ERROR here is the capped request arena running out,
# with socket_request_max_bytes at 1MB (an arena of 20MB):
# - ListGroups over 80,000 groups known from the catalog (ids of 250
#   characters), whose strings run out of arena while GroupLock is held (the
#   ERROR waits for the unlock);
# - Fetch of 24MB of data in one partition, read from object storage into
#   the arena: the log cache is 4MB here, so it holds little of the data (a
#   fetch from the log cache refers to the WAL ring and needs no arena for
#   the data).
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $top = $ENV{STRATA_TOP_SRCDIR};
my $regress = "$top/regress/kafka_regress";

my $node = Strata::Test::Node->new('request_error');
$node->init;
$node->append_conf("socket_request_max_bytes = 1MB\nauto_create_topics = on\nnum_partitions = 1\nmax_groups = 16\n"
	  . "log_cache_size = 4MB");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;

# Run a kafka_regress script against the node: its exit code, output and
# errors.
sub run_script
{
	my ($name, $script) = @_;
	my $file = $node->basedir . "/$name.script";
	open(my $fh, '>', $file) or die "$file: $!";
	print $fh $script;
	close $fh;
	return run_command([ $regress, '-p', $node->port, $file ], timeout => 120);
}

# The same, as a test that the script ran; its output.
sub session
{
	my ($name, $script) = @_;
	my ($rc, $out, $err) = run_script($name, $script);
	is($rc, 0, "$name: the script ran") or diag($err);
	return $out;
}

# The response lines ("< ...") of a session, in order.
sub responses
{
	my ($out) = @_;
	return grep { /^< / } split /\n/, $out;
}

# --- ListGroups: answered with UNKNOWN_SERVER_ERROR, the connection goes on

# The broker lists the groups it coordinates: once its controller has
# placed the coordinator slots (just after start), and until then
# COORDINATOR_LOAD_IN_PROGRESS, never an empty list.
my ($placed, @before);
ok(poll_until(sub {
	my (undef, $out) = run_script('listgroups-start', "ListGroups v4 {}\n");
	($placed) = responses($out);
	return 1 if ($placed // '') =~ /ErrorCode=0,/;
	push @before, $placed // '(no answer)';
	return 0;
}), 'ListGroups answers once the coordinator slots are placed')
  or diag($placed);
is(scalar(grep { !/ErrorCode=14, Groups=\[\]/ } @before), 0,
	'... and before that COORDINATOR_LOAD_IN_PROGRESS only')
  or diag(join("\n", @before));

my $groups = 80000;
$node->psql("INSERT INTO strata.groups (group_id, protocol_type) "
	  . "SELECT 'request-error-test-group-' || lpad(i::text, 225, '0'), 'consumer' "
	  . "FROM generate_series(1, $groups) i");
is($node->psql('SELECT count(*) FROM strata.groups'), $groups, "$groups groups in the catalog");

my $pos = $node->log_position;
my @r = responses(session('listgroups', <<'EOS'));
ListGroups v4 {}
ApiVersions v3 {ClientSoftwareName="regress", ClientSoftwareVersion="1"}
Metadata v1 {Topics=[{Name="after-error"}]}
EOS
is(scalar(@r), 3, 'three requests, three responses on one connection');
like($r[0], qr/^< \{ThrottleTimeMs=0, ErrorCode=-1, Groups=\[\]/,
	'ListGroups that runs out of arena: UNKNOWN_SERVER_ERROR')
  or diag(substr($r[0] // '', 0, 200), "\nthe broker's log meanwhile:\n",
	join("\n", grep { /LOG|ERROR|WARNING/ } split /\n/, $node->log_content($pos)));
like($r[1], qr/^< \{ErrorCode=0, ApiKeys=\[/, 'the next request on the connection is served');
like($r[2], qr/Name="after-error"/, '... and the one after it (a topic is created)');
ok($node->wait_for_log(qr/ERROR:  request arena exhausted/, $pos), 'the ERROR is logged');
ok($node->wait_for_log(qr/ListGroups v4 request \(correlation id 1\) from \S+ failed; answered with UNKNOWN_SERVER_ERROR/, $pos),
	'... with the request it failed');

$node->psql("DELETE FROM strata.groups WHERE group_id LIKE 'request-error-test-group-%'");
@r = responses(session('listgroups-again', "ListGroups v4 {}\n"));
like($r[0], qr/^< \{ThrottleTimeMs=0, ErrorCode=0, Groups=\[\]/, 'ListGroups works again once the groups are gone');

# --- Fetch: 24MB in one partition from object storage, more than the arena holds

{
	my $in = $node->basedir . '/big';
	open(my $fh, '>', $in) or die;
	my $value = 'x' x 800000;
	print $fh "$value\n" for 1 .. 30;
	close $fh;
	my ($rc, $out, $err) = run_command([ 'kcat', '-b', $bootstrap, '-P', '-t', 'big', '-X', 'acks=all',
		'-X', 'message.max.bytes=900000', '-X', 'batch.num.messages=1', '-l', $in ], timeout => 120);
	is($rc, 0, '30 records of 800kB acknowledged') or diag($err);
	open($fh, '>', $in) or die;
	print $fh "tail\n";
	close $fh;
	($rc, $out, $err) = run_command([ 'kcat', '-b', $bootstrap, '-P', '-t', 'big', '-X', 'acks=all', '-l', $in ]);
	is($rc, 0, 'and a small one at offset 30') or diag($err);
}

$pos = $node->log_position;
my $out = session('fetch', <<'EOS');
Fetch v12 {ReplicaId=-1, MaxWaitMs=100, MinBytes=1, MaxBytes=100000000, SessionId=0, SessionEpoch=0, Topics=[{Topic="big", Partitions=[{Partition=0, FetchOffset=0, PartitionMaxBytes=100000000}]}]}
Fetch v12 {ReplicaId=-1, MaxWaitMs=100, MinBytes=1, MaxBytes=1000, SessionId=0, SessionEpoch=-1, Topics=[{Topic="big", Partitions=[{Partition=0, FetchOffset=30, PartitionMaxBytes=1000}]}]}
Fetch v4 {ReplicaId=-1, MaxWaitMs=100, MinBytes=1, MaxBytes=100000000, Topics=[{Topic="big", Partitions=[{Partition=0, FetchOffset=0, PartitionMaxBytes=100000000}]}]}
reconnect
Fetch v4 {ReplicaId=-1, MaxWaitMs=100, MinBytes=1, MaxBytes=1000, Topics=[{Topic="big", Partitions=[{Partition=0, FetchOffset=30, PartitionMaxBytes=1000}]}]}
EOS
@r = responses($out);
is(scalar(@r), 4, 'four responses (one a closed connection)') or diag($out);
like($r[0], qr/^< \{ThrottleTimeMs=0, ErrorCode=-1, SessionId=0, Responses=\[\]/,
	'Fetch v12 of 24MB: UNKNOWN_SERVER_ERROR');
like($r[1], qr/PartitionIndex=0, ErrorCode=0, HighWatermark=31, .*value="tail"/,
	'the next Fetch on the connection is served');
is($r[2], '< connection closed', 'Fetch v4 of 24MB: no error code to answer with, the connection is closed');
like($r[3], qr/PartitionIndex=0, ErrorCode=0, HighWatermark=31, .*value="tail"/, 'a new connection is served');
ok($node->wait_for_log(qr/Fetch v12 request \(correlation id 1\) from \S+ failed; answered with UNKNOWN_SERVER_ERROR/, $pos),
	'the failed Fetch v12 is logged');
ok($node->wait_for_log(qr/closing connection from \S+: Fetch v4 request \(correlation id 3\) failed, and its response has no top-level error code to say so/, $pos),
	'the closed connection is logged with its reason');

# Nothing crashed: no restart of shared memory, the data is intact.
my $log = $node->log_content;
unlike($log, qr/TRAP|terminated by signal|terminating any other active server processes/, 'no process crashed');
{
	my ($rc, $cnt) = run_command([ 'kcat', '-b', $bootstrap, '-C', '-t', 'big', '-e', '-f', '%o\n',
		'-X', 'fetch.max.bytes=1000000' ], timeout => 120);
	is(scalar(split /\n/, $cnt), 31, 'a consumer with ordinary fetch sizes reads all 31 records');
}

$node->stop;
done_testing();
