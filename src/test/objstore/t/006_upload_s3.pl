#-------------------------------------------------------------------------
# 006_upload_s3.pl: the uploader and cold reads on S3 (s3rver).
#
# 512 MiB go through a 64 MiB WAL into s3rver; on the way
#  - s3rver is down for 20 s: producers go on until the WAL is full, then
#    wait (latency, not errors), and everything resumes when it returns;
#  - s3rver is killed with SIGKILL in the middle of an upload;
# then the broker restarts with empty caches and everything is read back
# from S3, each message once, intact.  Objects of failed uploads are
# cleaned up as orphans.  Wrong credentials and a missing bucket give the
# operator one line each.
#
# s3rver is a single-threaded node process (about 150-200 MiB/s of PUT
# here), so this test is about correctness, not speed.
#-------------------------------------------------------------------------
use strict;
use warnings;

use IPC::Run;
use Test::More;
use Time::HiRes qw(usleep time);
use Strata::Test::Node;
use Strata::Test::S3;
use Strata::Test::Utils;

my $bulk = "$ENV{STRATA_TOP_SRCDIR}/src/test/objstore/bulk.py";
my $s3 = Strata::Test::S3->new(bucket => 'strata');
my %cred = $s3->credentials_env;
local %ENV = (%ENV, %cred);

my $node = Strata::Test::Node->new('s3up');
$node->init(wal_size => '64MB', object_store => $s3->url(prefix => 'cluster1'));
$node->append_conf(<<'CONF');
log_cache_size = 64MB
block_cache_size = 32MB
upload_threshold = 32MB
upload_interval = 1s
object_prepare_timeout = 5s
object_delete_delay = 1s
log_min_messages = log
CONF
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $parts = 4;
my $quarter = 128 * 1024;	# 128 MiB of 1 KiB messages

sub bulk
{
	return run_command([ '/usr/bin/python3', $bulk, @_ ], timeout => 900);
}

sub start_bulk
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ '/usr/bin/python3', $bulk, @_ ], '>', \$out, '2>', \$err,
		IPC::Run::timeout(900));
	return ($h, \$out, \$err);
}

my ($rc, $out, $err) = bulk('produce', $bootstrap, 'big', $parts, 0, 2 * $quarter);
is($rc, 0, '256 MiB produced into S3') or diag($err);
cmp_ok($node->psql("SELECT count(*) FROM strata.objects WHERE state = 'committed'"), '>', 0,
	'objects committed');

# S3 down for 20 s while 128 MiB are produced into a 64 MiB WAL.
my $pos = $node->log_position;
$s3->stop;
my $t0 = time;
my ($h, $pout, $perr) = start_bulk('produce', $bootstrap, 'big', $parts, 2 * $quarter, $quarter);
ok(poll_until(sub { ($node->psql("SELECT wal_untrimmed_bytes FROM strata.upload_lag", fail_ok => 1) || 0) > 48 * 1024 * 1024 }, 60),
	'the WAL filled up: appends wait for the uploader');
ok($h->pumpable, 'the producer is waiting, not failing');
my $left = 20 - (time - $t0);
sleep($left) if $left > 0;
like($node->log_content($pos), qr/uploader: .*(not usable|failed)/, 'the uploader said why it cannot upload');
$s3->start;
$h->finish;
is($h->result(0), 0, 'after S3 came back, every message of the outage was acknowledged, none failed')
  or diag($$perr);
ok($node->wait_for_log(qr/uploads succeed again/, $pos, 60), 'the uploader recovered by itself');

# SIGKILL of s3rver in the middle of an upload.
($h, $pout, $perr) = start_bulk('produce', $bootstrap, 'big', $parts, 3 * $quarter, $quarter);
ok(poll_until(sub { ($node->psql("SELECT count(*) FROM strata.objects WHERE state = 'prepared'", fail_ok => 1) // 0) > 0 }, 120),
	'an upload is under way');
$s3->kill9;
sleep 2;
$s3->start;
$h->finish;
is($h->result(0), 0, 'the last 128 MiB acknowledged across the s3rver kill') or diag($$perr);

poll_until(sub { $node->psql("SELECT sum(object_end_offset) FROM strata.stream_objects WHERE topic = 'big'") == 4 * $quarter }, 120);
is($node->psql("SELECT sum(object_end_offset) FROM strata.stream_objects WHERE topic = 'big'"), 4 * $quarter,
	'all 512 MiB are in S3');

$node->restart;
($rc, $out, $err) = bulk('verify', $bootstrap, 'big', $parts, 4 * $quarter);
is($rc, 0, 'after a restart, all 512 MiB read back from S3: each message once, in order, intact') or diag($err);
note($out);
unlike($node->log_content, qr/from object storage failed/, 'no cold read failed');

ok(poll_until(sub { $node->psql("SELECT count(*) FROM strata.objects WHERE state <> 'committed'") == 0 }, 60),
	'objects of the failed uploads were deleted as orphans');
$node->stop;

# Operator messages.  A missing bucket:
my $nob = Strata::Test::Node->new('s3nobucket');
$nob->init(object_store => $s3->url(bucket => 'no-such-bucket'));
$nob->start;
ok($nob->wait_for_log(qr/bucket "no-such-bucket" does not exist.*object_store/, 0, 60),
	'a missing bucket: one line naming the bucket and the setting');
$nob->stop;

# Wrong credentials (s3rver checks the access key id).
{
	local $ENV{AWS_ACCESS_KEY_ID} = 'WRONGKEY';
	my $bad = Strata::Test::Node->new('s3badkey');
	$bad->init(object_store => $s3->url(prefix => 'bad'));
	$bad->start;
	ok($bad->wait_for_log(qr/403.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/, 0, 60),
		'wrong credentials: one line naming the credentials');
	$bad->stop;
}

# No credentials at all is a settings error: the broker does not start.
{
	local $ENV{AWS_ACCESS_KEY_ID};
	delete $ENV{AWS_ACCESS_KEY_ID};
	my $none = Strata::Test::Node->new('s3nokey');
	$none->init(object_store => $s3->url(prefix => 'none'), fail_ok => 1);
	ok(!$none->start(fail_ok => 1), 'no credentials: the broker refuses to start');
	like($none->log_content . $none->last_stderr, qr/needs credentials: set AWS_ACCESS_KEY_ID/,
		'... saying which variables to set');
}

done_testing();
