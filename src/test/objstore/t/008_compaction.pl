#-------------------------------------------------------------------------
# 008_compaction.pl: compaction, retention and deletion on a running broker
# (file:// store), through real clients.
#
#  - 6000 messages go through the uploader into stream-set objects, in two
#    halves with the first uploaded before the second is produced, so that
#    each stream's data is in at least two of them whatever the upload
#    timing; with compaction_max_age = 1s they are split into stream
#    objects, and since every stream object is small (each stream holds
#    about 2 MB, compaction_small_object_size = compaction_max_object_size
#    = 4MB), each stream's are merged into exactly one: the outcome does
#    not depend on how the uploads happened to cut the streams.  The
#    small-large-small layout is made on purpose in 007 (compaction_check).
#    Everything reads back with the same checksums, also after a restart
#    (cold reads from the compacted objects), and kcat sees every message.
#  - retention.ms: messages older than the limit go (low watermark, objects
#    gone from the store), newer ones stay.
#  - retention.bytes: the oldest data goes, at least retention.bytes stays.
#  - DeleteRecords (KafkaJS deleteTopicRecords): the low watermark moves at
#    once, the object wholly below it is deleted, the one holding it kept.
#  - a deleted topic's objects are deleted.
#  - the store always ends up holding exactly the catalog's objects.
#-------------------------------------------------------------------------
use strict;
use warnings;

use File::Find;
use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $top = $ENV{STRATA_TOP_SRCDIR};
my $bulk = "$top/src/test/objstore/bulk.py";
my $client = "$top/src/test/objstore/retention_client.py";
my $modules = "$top/src/test/node/node_modules";
BAIL_OUT("kafkajs is not installed: run npm ci in src/test/node") unless -d "$modules/kafkajs";

my $node = Strata::Test::Node->new('compaction');
$node->init(wal_size => '64MB');
$node->append_conf(<<'CONF');
upload_interval = 500ms
upload_threshold = 1MB
compaction_max_age = 1s
compaction_small_object_size = 4MB
compaction_max_object_size = 4MB
retention_check_interval = 500ms
object_delete_delay = 1s
object_prepare_timeout = 5s
log_min_messages = log
CONF
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;

sub py
{
	my ($script, @args) = @_;
	my ($rc, $out, $err) = run_command([ '/usr/bin/python3', $script, @args ], timeout => 600);
	chomp $out;
	diag("$script @args failed: $err") if $rc != 0;
	return wantarray ? ($rc, $out, $err) : $out;
}

sub checksums
{
	my ($out) = @_;
	return join("\n", grep { /sha256/ } split /\n/, $out);
}

sub stream_of
{
	my ($topic, $partition) = @_;
	return $node->psql("SELECT p.stream_id FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id "
		  . "WHERE t.name = '$topic' AND p.index = $partition");
}

sub object_end
{
	my ($stream) = @_;
	return $node->psql("SELECT object_end_offset FROM strata.streams WHERE id = $stream");
}

sub store_files
{
	my @files;
	find(sub { push @files, $File::Find::name if -f $_ && /\.(sso|so)$/ }, $node->data_dir . '/objects');
	return scalar(@files);
}

sub key_exists
{
	my ($key) = @_;
	return -f $node->data_dir . "/objects/$key";
}

sub store_matches_catalog
{
	my ($what) = @_;
	ok(poll_until(sub { $node->psql("SELECT count(*) FROM strata.objects WHERE state <> 'committed'") == 0 }, 60),
		"$what: nothing left waiting for deletion");
	is(store_files(), $node->psql("SELECT count(*) FROM strata.objects"),
		"$what: the store holds exactly the objects the catalog knows");
}

# ---- compaction ----
my $n = 6000;
my ($rc, $out, $err) = py($bulk, 'produce', $bootstrap, 'c', 3, 0, $n / 2);
is($rc, 0, "the first half of $n messages produced to 3 partitions");
my @c = map { stream_of('c', $_) } 0 .. 2;
my $c_list = join(',', @c);
ok(poll_until(sub { $node->psql("SELECT sum(object_end_offset) FROM strata.streams WHERE id IN ($c_list)") == $n / 2 }, 60),
	'the first half was uploaded');
($rc, $out, $err) = py($bulk, 'produce', $bootstrap, 'c', 3, $n / 2, $n / 2);
is($rc, 0, 'the second half produced');
($rc, $out, $err) = py($bulk, 'verify', $bootstrap, 'c', 3, $n);
is($rc, 0, 'they read back before compaction');
my $sums = checksums($out);
is(scalar(split /\n/, $sums), 3, 'a checksum per partition');

ok(poll_until(sub { $node->psql("SELECT sum(object_end_offset) FROM strata.streams WHERE id IN ($c_list)") == $n }, 60),
	'everything was uploaded');
ok(poll_until(sub {
			$node->psql("SELECT count(*) FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
				  . "WHERE r.stream_id IN ($c_list) AND o.kind = 'sso'") == 0 }, 90),
	'compaction split every stream-set object into stream objects')
  or diag($node->psql("SELECT * FROM strata.stream_objects"));
ok(poll_until(sub {
			$node->psql("SELECT max(n) FROM (SELECT count(*) AS n FROM strata.stream_ranges "
				  . "WHERE stream_id IN ($c_list) GROUP BY stream_id) x") == 1 }, 90),
	'and merged the small stream objects: one object per stream')
  or diag($node->psql("SELECT r.stream_id, r.start_offset, r.end_offset, o.size, o.compactions FROM strata.stream_ranges r "
		  . "JOIN strata.objects o ON o.id = r.object_id WHERE r.stream_id IN ($c_list) ORDER BY 1, 2"));
cmp_ok($node->psql("SELECT min(o.compactions) FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
		  . "WHERE r.stream_id IN ($c_list)"), '>=', 1, 'every object of the topic came out of compaction');
cmp_ok($node->psql("SELECT max(o.compactions) FROM strata.stream_ranges r JOIN strata.objects o ON o.id = r.object_id "
		  . "WHERE r.stream_id IN ($c_list)"), '>=', 2, 'split objects were merged again');
is($node->psql("SELECT count(*) FROM strata.objects WHERE kind = 'so' AND size > 4 * 1024 * 1024"), 0,
	'no object above compaction_max_object_size');
like($node->log_content, qr/compaction: split \d+ streams of stream-set object/, 'the log says what was split');
like($node->log_content, qr/compaction: merged \d+ stream objects of c-\d/, 'and what was merged');

($rc, $out, $err) = py($bulk, 'verify', $bootstrap, 'c', 3, $n);
is($rc, 0, 'after compaction every message reads back once, in order, intact');
is(checksums($out), $sums, 'with the same checksums');
store_matches_catalog('after compaction');

$node->restart;
($rc, $out, $err) = py($bulk, 'verify', $bootstrap, 'c', 3, $n);
is($rc, 0, 'after a restart (empty caches) everything reads back from the compacted objects');
is(checksums($out), $sums, 'with the same checksums');
{
	my ($krc, $kout) = run_command([ 'kcat', '-b', $bootstrap, '-C', '-t', 'c', '-o', 'beginning', '-e', '-q',
			'-f', "%p %o %k\n" ], timeout => 120);
	my @lines = split /\n/, $kout;
	my %keys = map { (split / /)[2] => 1 } @lines;
	is(scalar(@lines), $n, "kcat consumes all $n messages");
	is(scalar(keys %keys), $n, 'each key once');
}
unlike($node->log_content, qr/from object storage failed|object maintenance failed/, 'no cold read or maintenance failed');

# From here on, keep objects apart: no splits or merges, so retention sees
# each upload as its own range.
$node->append_conf("compaction_max_age = 1h\ncompaction_small_object_size = 1kB\n");
$node->reload;
sleep 1;

# Produce one round to a partition and wait until it is in an object.
sub round
{
	my ($topic, $first, $count, $age_ms) = @_;
	my ($prc) = py($client, 'produce', $bootstrap, $topic, 0, $first, $count, $age_ms);
	my $s = stream_of($topic, 0);
	return $prc == 0 && poll_until(sub { object_end($s) == $first + $count }, 60);
}

sub keys_of_ranges
{
	my ($stream, $cond) = @_;
	return split /\n/, $node->psql("SELECT DISTINCT o.key FROM strata.stream_ranges r JOIN strata.objects o "
		  . "ON o.id = r.object_id WHERE r.stream_id = $stream AND $cond");
}

# ---- retention.ms ----
is(scalar(py($client, 'create', $bootstrap, 'rt', 1, 'retention.ms=3600000')), 'ok created rt', 'topic rt with retention.ms = 1 hour');
ok(round('rt', 0, 100, 2 * 3600 * 1000), '100 messages two hours old');
my $rt = stream_of('rt', 0);
my @old_keys = keys_of_ranges($rt, 'r.end_offset <= 100');
ok(round('rt', 100, 100, 0), '100 new messages');
my @new_keys = keys_of_ranges($rt, 'r.start_offset >= 100');
ok(@old_keys && @new_keys, 'the old and the new messages are in different objects');
ok(poll_until(sub { (split / /, py($client, 'watermarks', $bootstrap, 'rt', 0))[0] == 100 }, 60),
	'retention.ms moved the low watermark to 100');
is(py($client, 'watermarks', $bootstrap, 'rt', 0), '100 200', 'ListOffsets: earliest 100, latest 200');
is($node->psql("SELECT start_offset FROM strata.streams WHERE id = $rt"), 100, 'the catalog start offset is 100');
ok(poll_until(sub { !grep { key_exists($_) } @old_keys }, 60), 'the expired objects are deleted from the store');
ok(!grep({ !key_exists($_) } @new_keys), 'the others are kept');
is(py($client, 'read', $bootstrap, 'rt', 0), '100 199 100', 'a consumer from the beginning reads 100..199');

# ---- retention.bytes ----
is(scalar(py($client, 'create', $bootstrap, 'rb', 1, 'retention.bytes=150000')), 'ok created rb',
	'topic rb with retention.bytes = 150000');
my $rb = stream_of('rb', 0);
ok(round('rb', 0, 100, 0), 'round 1 (about 100 kB)');
ok(round('rb', 100, 100, 0), 'round 2');
sleep 2;
is((split / /, py($client, 'watermarks', $bootstrap, 'rb', 0))[0], 0, 'with 200 kB nothing is deleted yet');
my @round1 = keys_of_ranges($rb, 'r.end_offset <= 100');
ok(round('rb', 200, 100, 0), 'round 3');
my $low;
ok(poll_until(sub { $low = (split / /, py($client, 'watermarks', $bootstrap, 'rb', 0))[0]; $low >= 100 }, 60),
	'retention.bytes moved the low watermark past round 1');
ok($low <= 200, "no further than it must: $low <= 200 (at least 150000 bytes stay)");
cmp_ok($node->psql("SELECT sum(bytes) FROM strata.stream_ranges WHERE stream_id = $rb"), '>=', 150000,
	'at least retention.bytes stays in objects');
ok(poll_until(sub { !grep { key_exists($_) } @round1 }, 60), "round 1's objects are deleted from the store");
is(py($client, 'read', $bootstrap, 'rb', 0), "$low 299 " . (300 - $low), "a consumer reads $low..299");

# ---- DeleteRecords ----
is(scalar(py($client, 'create', $bootstrap, 'dr', 1)), 'ok created dr', 'topic dr');
my $dr = stream_of('dr', 0);
ok(round('dr', 0, 100, 0), 'round 1');
ok(round('dr', 100, 100, 0), 'round 2');
my @dr_low = keys_of_ranges($dr, 'r.end_offset <= 100');
my @dr_high = keys_of_ranges($dr, 'r.start_offset >= 100');
{
	local $ENV{NODE_PATH} = $modules;
	my ($jrc, $jout, $jerr) = run_command([ 'node', "$top/src/test/objstore/kafkajs_delete_records.js",
			$bootstrap, 'dr', 0, 150 ], timeout => 60);
	is($jrc, 0, 'KafkaJS deleteTopicRecords to 150') or diag($jerr);
	like($jout, qr/ok low 150 high 200/, 'the low watermark is 150 at once');
}
ok(poll_until(sub { !grep { key_exists($_) } @dr_low }, 60), 'the object wholly below 150 is deleted from the store');
ok(!grep({ !key_exists($_) } @dr_high), 'the object holding 150 is kept');
is(py($client, 'read', $bootstrap, 'dr', 0), '150 199 50', 'a consumer reads 150..199');

# ---- a deleted topic ----
is(scalar(py($client, 'delete', $bootstrap, 'dr')), 'ok deleted dr', 'topic dr deleted');
ok(poll_until(sub { !grep { key_exists($_) } @dr_high }, 60), "the deleted topic's objects are deleted from the store");
is($node->psql("SELECT count(*) FROM strata.stream_ranges WHERE stream_id = $dr"), 0, 'and its ranges from the catalog');

# Nothing else was touched.
($rc, $out, $err) = py($bulk, 'verify', $bootstrap, 'c', 3, $n);
is($rc, 0, 'topic c still reads back whole');
is(checksums($out), $sums, 'with the same checksums');
store_matches_catalog('at the end');
unlike($node->log_content, qr/object maintenance failed/, 'maintenance never failed');

$node->stop;
done_testing();
