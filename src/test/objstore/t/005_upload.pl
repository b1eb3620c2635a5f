#-------------------------------------------------------------------------
# 005_upload.pl: the uploader and cold reads on the file:// store.
#
# 2 GiB go through a 256 MiB WAL (so the WAL must be uploaded and trimmed
# about eight times over): the first GiB builds a backlog, then a consumer
# reads everything from the beginning while the second GiB is produced.
# After a restart (empty caches) everything is read back again from
# objects, with the same checksums.  Then the uploader is killed with
# SIGKILL while uploading: no acknowledged message is lost or doubled, and
# the objects of the interrupted upload are cleaned up as orphans.
#-------------------------------------------------------------------------
use strict;
use warnings;

use File::Find;
use IPC::Run;
use Test::More;
use Time::HiRes qw(usleep);
use Strata::Test::Node;
use Strata::Test::Utils;

my $bulk = "$ENV{STRATA_TOP_SRCDIR}/src/test/objstore/bulk.py";
my $node = Strata::Test::Node->new('upload');
$node->init(wal_size => '256MB');
$node->append_conf(<<'CONF');
log_cache_size = 256MB
block_cache_size = 32MB
upload_interval = 1s
object_prepare_timeout = 3s
object_delete_delay = 1s
log_min_messages = log
CONF
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $half = 1024 * 1024;		# 1 GiB of 1 KiB messages
my $parts = 8;

sub bulk
{
	my @args = @_;
	return run_command([ '/usr/bin/python3', $bulk, @args ], timeout => 900);
}

sub checksums
{
	my ($out) = @_;
	return join("\n", grep { /sha256/ } split /\n/, $out);
}

my ($rc, $out, $err) = bulk('produce', $bootstrap, 'big', $parts, 0, $half);
is($rc, 0, '1 GiB produced with acks=all') or diag($err);

my $stored = $node->psql("SELECT sum(bytes) FROM strata.stream_ranges");
cmp_ok($stored, '>', 700 * 1024 * 1024, "most of it is already in objects ($stored bytes)");
is($node->psql("SELECT count(*) FROM strata.objects WHERE state = 'committed' AND size = 0"), 0,
	'no empty object was committed');

# A consumer reads the backlog from the beginning while producers go on.
my $progress = $node->basedir . '/tail.progress';
my ($tout, $terr) = ('', '');
my $tail = IPC::Run::start([ '/usr/bin/python3', $bulk, 'tail', $bootstrap, 'big', $parts, 2 * $half, $progress ],
	'>', \$tout, '2>', \$terr, IPC::Run::timeout(900));
($rc, $out, $err) = bulk('produce', $bootstrap, 'big', $parts, $half, $half);
is($rc, 0, 'the second GiB produced while the consumer reads the backlog') or diag($err);
$tail->finish;
is($tail->result(0), 0, 'the consumer read all 2 GiB, each message once, in order, intact') or diag($terr);
my $sums = checksums($tout);
is(scalar(split /\n/, $sums), $parts, 'a checksum per partition');

poll_until(sub { $node->psql("SELECT sum(s.object_end_offset) FROM strata.streams s JOIN strata.partitions p ON p.stream_id = s.id") == 2 * $half }, 30)
  or diag($node->psql("SELECT * FROM strata.stream_objects"));
is($node->psql("SELECT sum(object_end_offset) FROM strata.stream_objects WHERE topic = 'big'"), 2 * $half,
	'everything was uploaded within upload_interval');
my $untrimmed = $node->psql("SELECT wal_untrimmed_bytes FROM strata.upload_lag");
ok(defined $untrimmed && $untrimmed ne '' && $untrimmed < 64 * 1024 * 1024, "the WAL was trimmed (untrimmed: $untrimmed)");
cmp_ok($node->psql("SELECT count(*) FROM strata.objects WHERE kind = 'so'"), '>', 0, 'big streams got stream objects');

# A restart empties the log cache and the block cache: all from objects.
$node->restart;
($rc, $out, $err) = bulk('verify', $bootstrap, 'big', $parts, 2 * $half);
is($rc, 0, 'after a restart, all 2 GiB read back from objects') or diag($err);
is(checksums($out), $sums, 'with the same checksums');
unlike($node->log_content, qr/from object storage failed|neither the log cache nor object storage/,
	'no cold read failed');

# kill -9 of the uploader while it uploads.  The postmaster treats it as a
# crash (it works in shared memory) and restarts everything; the producer
# does not retry, so each message is written at most once.
my $acked = $node->basedir . '/acked.txt';
my ($pout, $perr) = ('', '');
my $producer = IPC::Run::start([ '/usr/bin/python3', $bulk, 'acked', $bootstrap, 'crash', 4, 300000, $acked ],
	'>', \$pout, '2>', \$perr, IPC::Run::timeout(600));
for my $round (1 .. 2)
{
	my $pos = $node->log_position;
	# Wait until an upload is under way: an object prepared in the catalog
	# since the round began (the first round's orphan is still there).
	my $last = $node->psql("SELECT coalesce(max(id), 0) FROM strata.objects", fail_ok => 1) // 0;
	poll_until(sub { ($node->psql("SELECT count(*) FROM strata.objects WHERE state = 'prepared' AND id > $last", fail_ok => 1) // 0) > 0 }, 60);
	my ($pid) = $node->child_pids(qr/uploader/);
	ok($pid && kill('KILL', $pid), "round $round: uploader killed with SIGKILL");
	ok($node->wait_for_log(qr/ready to accept connections/, $pos, 60),
		"round $round: the broker restarted after the crash");
}
$producer->finish;
like($pout, qr/ok produced/, 'the producer finished') or diag($perr);
($rc, $out, $err) = bulk('verify-acked', $bootstrap, 'crash', 4, $acked);
is($rc, 0, 'every acknowledged message is there, at its offset, none twice') or diag($err);
note($out);

# Orphans: objects prepared by the killed uploader are deleted once their
# deadline (object_prepare_timeout) passes; the store then holds exactly
# the committed objects.
ok(poll_until(sub { $node->psql("SELECT count(*) FROM strata.objects WHERE state <> 'committed'") == 0 }, 60),
	'no prepared or deleting object left');

# Uploads of the last data and compaction may still be under way: each
# prepares an object in the catalog before its file exists.  Compare when
# nothing is in flight (every object committed, the same count before and
# after listing the files).
my $stable = poll_until(
	sub {
		my $before = $node->psql("SELECT count(*) || ' ' || count(*) FILTER (WHERE state = 'committed') FROM strata.objects");
		my @files;
		find(sub { push @files, $File::Find::name if -f $_ && /\.(sso|so)$/ }, $node->data_dir . '/objects');
		my $after = $node->psql("SELECT count(*) || ' ' || count(*) FILTER (WHERE state = 'committed') FROM strata.objects");
		my ($all, $committed) = split / /, $after;
		return 0 if $before ne $after || $all != $committed;
		return 1 if scalar(@files) == $committed;
		note("store: " . scalar(@files) . " objects, catalog: $committed");
		return 0;
	},
	60);
ok($stable, 'the store holds exactly the objects the catalog knows');

$node->stop;
done_testing();
