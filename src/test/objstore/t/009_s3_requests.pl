#-------------------------------------------------------------------------
# 009_s3_requests.pl: the object-store request metrics count the requests
# really sent, and uploads follow upload_single_put and upload_part_size.
#
# A broker on s3rver uploads objects of about 24 MB (upload_threshold),
# built and sent in pieces of upload_part_size = 5MB.  Its /metrics must
# show, for the objects committed in the catalog, exactly the PutObject /
# CreateMultipartUpload / UploadPart / CompleteMultipartUpload requests
# the streaming rule gives:
#  - by default (upload_single_put on) every object is one PutObject,
#    however many pieces it was sent in, and the pieces are paced
#    (upload_pacing) all the same;
#  - after a restart with upload_single_put = off the large objects are
#    streamed out as multipart uploads, a part as each 5 MiB of blocks is
#    built (so each part holds 5 MiB up to a block more), a small one
#    still in one PutObject; the parts are paced.
# No request fails, the sent bytes are the objects' bytes, and cold reads
# after the restart show up as GetObject requests and received bytes.
#-------------------------------------------------------------------------
use strict;
use warnings;

use POSIX qw(ceil);
use Test::More;
use Strata::Test::Node;
use Strata::Test::S3;
use Strata::Test::Utils;

my $bulk = "$ENV{STRATA_TOP_SRCDIR}/src/test/objstore/bulk.py";
my $s3 = Strata::Test::S3->new(bucket => 'strata');
local %ENV = (%ENV, $s3->credentials_env);

my $MiB = 1024 * 1024;
my $mport = get_free_port();
my $node = Strata::Test::Node->new('s3req');
$node->init(wal_size => '128MB', object_store => $s3->url(prefix => 'req'));

# One partition, so that each upload is one stream object; nothing small
# enough to be merged by compaction, which would put objects of its own.
# An upload takes at most a quarter of the WAL's capacity, min(WAL size,
# log cache): 128MB makes room for 24 MB objects.
$node->append_conf(<<"CONF");
metrics_listen = '127.0.0.1:$mport'
log_cache_size = 128MB
upload_threshold = 24MB
upload_interval = 5s
compaction_small_object_size = 1kB
upload_part_size = 5MB
log_min_messages = log
CONF
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $topic = 'reqs';

sub produce
{
	my ($first, $count) = @_;
	my ($rc, $out, $err) = run_command([ '/usr/bin/python3', $bulk, 'produce', $bootstrap, $topic, 1,
		$first, $count ], timeout => 300);
	is($rc, 0, "messages $first .. " . ($first + $count - 1) . " produced") or diag($err);
}

# Wait until the first $n messages are in committed objects and no put is
# under way.
sub wait_uploaded
{
	my ($n) = @_;
	ok(poll_until(sub {
		($node->psql("SELECT coalesce(sum(object_end_offset), 0) FROM strata.stream_objects WHERE topic = '$topic'",
			fail_ok => 1) // -1) == $n
		  && ($node->psql("SELECT count(*) FROM strata.objects WHERE state = 'prepared'", fail_ok => 1) // -1) == 0
	}, 60), "all $n messages are in committed objects");
}

# GET /metrics; returns { 'name' or 'name{labels}' => value }.
sub scrape { return scrape_metrics("127.0.0.1:$mport") }

sub req
{
	my ($m, $request, $family) = @_;
	$family //= 'strata_objstore_requests_total';
	my $v = $m->{"$family\{request=\"$request\"\}"};
	die "no series $family for $request" unless defined $v;
	return $v;
}

# The committed objects' sizes with ids above $after.
sub object_sizes
{
	my ($after) = @_;
	return map { $_ + 0 } split /\n/,
	  $node->psql("SELECT size FROM strata.objects WHERE state = 'committed' AND id > $after ORDER BY id");
}

# The requests the streaming rule gives for objects of these sizes: one
# PutObject for an object no larger than a part; else a multipart upload
# whose parts but the last hold $part bytes up to a block (512 KiB) more,
# so the number of UploadPart lies in a range: [min, max].
sub expected
{
	my ($part, @sizes) = @_;
	my $block = 512 * 1024;
	my %e = map { $_ => [ 0, 0 ] } qw(PutObject CreateMultipartUpload UploadPart CompleteMultipartUpload);
	for my $s (@sizes)
	{
		if ($s <= $part)
		{
			$_++ for @{ $e{PutObject} };
			next;
		}
		die "object of $s bytes: too close to the part size $part to say how it went up"
		  if $s <= $part + 2 * $block;
		$_++ for @{ $e{CreateMultipartUpload} }, @{ $e{CompleteMultipartUpload} };
		# the parts taken, then the rest (the open block, index and footer)
		my $min_taken = ceil(($s - $part - 2 * $block) / ($part + 2 * $block));
		$min_taken = 1 if $min_taken < 1;
		$e{UploadPart}[0] += $min_taken + 1;
		$e{UploadPart}[1] += int($s / $part) + 1;
	}
	return \%e;
}

sub check_counts
{
	my ($name, $m, $e) = @_;
	for my $r (sort keys %$e)
	{
		my ($lo, $hi) = @{ $e->{$r} };
		if ($lo == $hi)
		{
			is(req($m, $r), $lo, "$name: $r requests as the streaming rule gives ($lo)");
			next;
		}
		ok(req($m, $r) >= $lo && req($m, $r) <= $hi,
			"$name: $r requests as the streaming rule gives ($lo .. $hi)") or diag(req($m, $r));
	}
	my @failed = grep { req($m, $_, 'strata_objstore_request_errors_total') != 0 }
	  qw(PutObject CreateMultipartUpload UploadPart CompleteMultipartUpload AbortMultipartUpload
	  GetObject HeadObject DeleteObject DeleteObjects ListObjectsV2);
	is("@failed", '', "$name: no request failed");
	is(req($m, 'AbortMultipartUpload'), 0, "$name: no multipart upload aborted");
	cmp_ok(req($m, 'ListObjectsV2'), '>=', 1, "$name: the uploader's probe is a ListObjectsV2");
}

sub sum { my $t = 0; $t += $_ for @_; return $t }

# ---- upload_single_put on (the default): every object one PutObject ----
my $n1 = 72 * 1024;		# 72 MiB of 1 KiB messages
produce(0, $n1);
wait_uploaded($n1);
my @sizes = object_sizes(0);
cmp_ok(scalar(@sizes), '>=', 3, scalar(@sizes) . ' objects committed');
SKIP:
{
	# upload_interval cuts objects short if the producer is very slow (a
	# busy machine); the counts are checked against the rule either way
	skip("no object above 10 MiB (sizes: @sizes): the producer was slow", 1)
	  unless grep { $_ > 10 * $MiB } @sizes;
	pass('some objects are larger than two pieces of 5 MiB, yet went up in one PUT (below)');
}
my $m = scrape();
my %one_put = (PutObject => [ scalar(@sizes), scalar(@sizes) ], map { $_ => [ 0, 0 ] }
	  qw(CreateMultipartUpload UploadPart CompleteMultipartUpload));
check_counts('upload_single_put', $m, \%one_put);
is($m->{strata_objstore_sent_bytes_total}, sum(@sizes), 'upload_single_put: the bytes sent are the objects\' bytes');
cmp_ok($m->{strata_upload_pace_wait_seconds_count}, '>', 0,
	'upload_single_put: the pieces of the one PUT were paced (upload_pacing)');
cmp_ok($m->{strata_objstore_received_bytes_total}, '>', 0, 'the listing answer counts as received bytes');

# ---- upload_single_put off: multipart uploads in parts of 5MB ----
my $last = $node->psql("SELECT coalesce(max(id), 0) FROM strata.objects");
$node->append_conf("upload_single_put = off");
$node->restart;
$m = scrape();
is(req($m, 'PutObject'), 0, 'after the restart the counters start from zero');

# The log cache is empty: reading the first messages GETs them from S3.
{
	my ($rc, $out, $err) = run_command([ 'kcat', '-b', $bootstrap, '-C', '-t', $topic, '-p', '0',
		'-o', 'beginning', '-c', '1000', '-e', '-q', '-f', '%o\n' ], timeout => 60);
	my @lines = split /\n/, $out;
	is(scalar(@lines), 1000, 'kcat reads 1000 messages back from S3') or diag($err);
	$m = scrape();
	cmp_ok(req($m, 'GetObject'), '>=', 1, 'the cold read made GetObject requests');
	cmp_ok($m->{strata_objstore_received_bytes_total}, '>=', 1000 * 1024,
		'and received at least the bytes read');
}

my $n2 = 48 * 1024;		# two objects of about 24 MiB
produce($n1, $n2);
wait_uploaded($n1 + $n2);
# and a small one, uploaded by upload_interval
produce($n1 + $n2, 2048);
wait_uploaded($n1 + $n2 + 2048);
@sizes = object_sizes($last);
$m = scrape();
my $e = expected(5 * $MiB, @sizes);
cmp_ok($e->{CreateMultipartUpload}[0], '>=', 2, 'large objects went up as multipart uploads') or diag("sizes: @sizes");
cmp_ok($e->{PutObject}[0], '>=', 1, 'a small object went up in one PutObject') or diag("sizes: @sizes");
check_counts('upload_single_put off', $m, $e);
# A part goes out in a moment, far ahead of twice the rate its data came
# in at: the uploader waits before the next one.
cmp_ok($m->{strata_upload_pace_wait_seconds_count}, '>', 0,
	'upload_single_put off: the uploader paced the parts (upload_pacing)');
my $sent = $m->{strata_objstore_sent_bytes_total};
cmp_ok($sent, '>=', sum(@sizes), 'multipart: the objects\' bytes were sent');
cmp_ok($sent - sum(@sizes), '<', 64 * 1024, '... and little more (the CompleteMultipartUpload bodies)');

$node->stop;
done_testing();
