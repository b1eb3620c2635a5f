#-------------------------------------------------------------------------
# 004_outage.pl: large objects through the layer (multipart up, ranged
# gets in flight down, byte-exact), on file:// and s3rver; then s3rver is
# killed with SIGKILL in the middle of a multipart upload: the put fails
# after its retries with one clear line (no hang, no crash), no partial
# object becomes visible, and once s3rver is back the same put succeeds.
# Streamed puts (ObjStoreWriter, the uploader's way) the same way: an
# object larger than a part goes up part by part (S3 multipart) and reads
# back identical, an aborted one leaves nothing under its key (nor a
# temporary file), and one cut off by a SIGKILL of s3rver fails cleanly
# and leaves nothing visible.  With the size announced (one PutObject
# whose body streams out on S3) the same, in parts of any size; parts
# that do not add up to the size fail the put; one cut off fails at once
# (no retry: its body is gone) and leaves no complete object.
#-------------------------------------------------------------------------
use strict;
use warnings;

use File::Temp qw(tempdir);
use IPC::Run qw(run timeout);
use Test::More;
use Time::HiRes qw(usleep);

use Strata::Test::S3;

my $top  = Strata::Test::S3::top_srcdir();
my $io   = "$top/src/test/modules/objstore_io/objstore_io";
my $s3   = Strata::Test::S3->new(bucket => 'strata');
my %cred = $s3->credentials_env;
# Multipart from 5 MB in 5 MB parts, as the test means: with the defaults
# (100 MiB) both puts below would be single PUTs, and s3rver, unlike S3,
# writes a PUT's body straight to the object's file, so a SIGKILL leaves
# a partial object visible.
my $url  = $s3->url(prefix => 'outage', params => 'multipart_threshold=5MB&part_size=5MB');
my $dir  = tempdir('strata-outage-XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub io
{
	my ($u, @args) = @_;
	my ($out, $err) = ('', '');
	local %ENV = (%ENV, %cred);
	run([ $io, $u, @args ], '>', \$out, '2>', \$err, timeout(120));
	chomp $out;
	return ($? >> 8, $out, $err);
}

my $mib = 1024 * 1024;

# A put of $size bytes under $key was cut off: no complete object is
# visible.  S3 keeps nothing of a PutObject whose body stopped short of
# its Content-Length; s3rver (not S3) writes such a body straight to the
# object's file, so there the bytes that arrived may be visible: a
# shorter object, never the whole one.
sub not_complete
{
	my ($name, $u, $key, $size, $what) = @_;
	my ($rc, $out) = io($u, 'verify', $key, $size);
	my $ok = $name eq 's3rver'
	  ? qr/does not exist|^object is \d+ bytes, expected $size$/
	  : qr/does not exist/;
	like($out, $ok, "$name: $what") or diag($out);
	if ($out =~ /^object is (\d+) bytes/)
	{
		cmp_ok($1, '<', $size, "$name: ... (s3rver kept the $1 bytes that arrived, fewer than $size)");
	}
}

for my $target ([ 'file://', "file://$dir" ], [ 's3rver', $url ])
{
	my ($name, $u) = @$target;
	my ($rc, $out) = io($u, 'put', 'big/one', 12 * $mib + 12345);
	is($rc, 0, "$name: 12 MiB put (3 parts on S3)") or diag($out);
	($rc, $out) = io($u, 'verify', 'big/one', 12 * $mib + 12345);
	is($rc, 0, "$name: read back with ranged gets in flight, identical") or diag($out);
	($rc, $out) = io($u, 'verify', 'big/one', 12 * $mib);
	is($rc, 1, "$name: verify notices a size mismatch");
	($rc, $out) = io($u, 'verify', 'big/none', 10);
	is($rc, 1, "$name: verify of a missing object fails");
	like($out, qr/does not exist/, "$name: ... saying it does not exist");

	# streamed: 23 MiB in 5 MiB parts, a part handed over as it is made
	($rc, $out) = io($u, 'stream', 'big/streamed', 23 * $mib + 777, 5 * $mib);
	is($rc, 0, "$name: streamed put of 23 MiB in 5 MiB parts") or diag($out);
	is($out, 'ok parts=5 released=5', "$name: ... 5 parts, every part buffer given back");
	($rc, $out) = io($u, 'verify', 'big/streamed', 23 * $mib + 777);
	is($rc, 0, "$name: ... reads back identical") or diag($out);
	($rc, $out) = io($u, 'stream', 'small/streamed', 1000, 5 * $mib);
	is($out, 'ok parts=1 released=1', "$name: an object smaller than a part is one put");
	($rc, $out) = io($u, 'verify', 'small/streamed', 1000);
	is($rc, 0, "$name: ... and reads back identical") or diag($out);
	($rc, $out) = io($u, 'stream', 'big/aborted', 23 * $mib, 5 * $mib, 2);
	is($out, 'aborted parts=2 released=2', "$name: streamed put aborted after 2 parts") or diag($out);
	($rc, $out) = io($u, 'verify', 'big/aborted', 10 * $mib);
	like($out, qr/does not exist/, "$name: ... nothing is visible under its key");

	# size announced (on S3 one PutObject, its body sent as parts come);
	# parts of any size, S3's 5 MiB minimum part does not apply
	($rc, $out) = io($u, 'stream-sized', 'big/sized', 23 * $mib + 777, 5 * $mib);
	is($rc, 0, "$name: streamed put of an announced 23 MiB in 5 MiB parts") or diag($out);
	is($out, 'ok parts=5 released=5', "$name: ... every part buffer given back");
	($rc, $out) = io($u, 'verify', 'big/sized', 23 * $mib + 777);
	is($rc, 0, "$name: ... reads back identical") or diag($out);
	($rc, $out) = io($u, 'stream-sized', 'big/sized-small-parts', 9 * $mib + 3, 333 * 1024);
	is($out, 'ok parts=28 released=28', "$name: announced size in parts of 333 KiB") or diag($out);
	($rc, $out) = io($u, 'verify', 'big/sized-small-parts', 9 * $mib + 3);
	is($rc, 0, "$name: ... reads back identical") or diag($out);
	($rc, $out) = io($u, 'stream-missized', 'big/missized', 11 * $mib, 5 * $mib);
	is($rc, 1, "$name: parts one byte short of the announced size: the put fails");
	like($out, qr/^streamed put of "big\/missized" was given 11534336 bytes, but announced 11534337$/,
		"$name: ... saying what was announced and what was given") or diag($out);
	not_complete($name, $u, 'big/missized', 11 * $mib, '... and no complete object is visible under its key');
	($rc, $out) = io($u, 'stream-sized', 'big/sized-aborted', 23 * $mib, 5 * $mib, 2);
	is($out, 'aborted parts=2 released=2', "$name: announced-size put aborted after 2 parts") or diag($out);
	not_complete($name, $u, 'big/sized-aborted', 23 * $mib, '... no complete object is visible under its key');
}
my @tmp = glob("$dir/big/.strata-tmp*");
is(scalar(@tmp), 0, 'file://: no temporary file is left behind') or diag("@tmp");

# Run objstore_io with @args against s3rver and kill s3rver 250 ms in (it
# is started again afterwards); returns the exit status and the output.
sub killed_during
{
	my @args = @_;
	local %ENV = (%ENV, %cred);
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ $io, $url, @args ], '>', \$out, '2>', \$err, timeout(120));
	usleep(250_000);
	$s3->kill9;
	$h->finish;
	$s3->start;
	chomp $out;
	return ($h->result(0), $out, $err);
}

# Kill s3rver while a 100 MiB multipart upload is going on.
{
	my ($rc, $out, $err) = killed_during('put', 'big/killed', 100 * $mib, 3);
	is($rc, 1, 'put during a SIGKILL of s3rver fails');
	like($out, qr/^(could not reach object store http:\/\/127\.0\.0\.1:\d+ for \w+ big\/killed after 3 attempts|object store .* after 3 attempts)/,
		'... with one line saying the store could not be reached after retries')
	  or diag("out: $out\nerr: $err");
	is(scalar(split /\n/, $out), 1, '... and only one line');
}

# Kill s3rver while a streamed put of 100 MiB is going on.
{
	my ($rc, $out, $err) = killed_during('stream', 'big/streamkilled', 100 * $mib, 5 * $mib);
	is($rc, 1, 'streamed put during a SIGKILL of s3rver fails');
	like($out, qr/^(could not reach object store|object store )/,
		'... with one line saying the store could not be reached') or diag("out: $out\nerr: $err");
}

# The same with the size announced: one PutObject, cut off.
{
	my ($rc, $out, $err) = killed_during('stream-sized', 'big/sizedkilled', 100 * $mib, 5 * $mib);
	is($rc, 1, 'announced-size streamed put during a SIGKILL of s3rver fails');
	like($out, qr/^could not reach object store http:\/\/127\.0\.0\.1:\d+ for PUT big\/sizedkilled after 1 attempts/,
		'... at once, with one line saying the store could not be reached (its body cannot be sent again)')
	  or diag("out: $out\nerr: $err");
}
{
	my ($rc, $out) = io($url, 'verify', 'big/streamkilled', 100 * $mib);
	like($out, qr/does not exist/, 'after restart: the interrupted streamed object is not there');
	not_complete('s3rver', $url, 'big/sizedkilled', 100 * $mib,
		'after restart: the interrupted announced-size object is not there whole');
}
{
	my ($rc, $out) = io($url, 'verify', 'big/killed', 100 * $mib);
	is($rc, 1, 'after restart: the interrupted object is not there');
	like($out, qr/does not exist/, '... no partial object is visible');
	($rc, $out) = io($url, 'put', 'big/killed', 20 * $mib);
	is($rc, 0, 'after restart: the put succeeds') or diag($out);
	($rc, $out) = io($url, 'verify', 'big/killed', 20 * $mib);
	is($rc, 0, '... and reads back identical') or diag($out);
}

done_testing();
