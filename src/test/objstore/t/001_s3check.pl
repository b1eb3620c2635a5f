#-------------------------------------------------------------------------
# 001_s3check.pl: contrib/s3check against file:// and against s3rver:
# every operation passes; the failure paths give the operator lines the
# design promises (unreachable service, missing credentials, wrong
# credentials, missing bucket); requests retry through a short outage.
#-------------------------------------------------------------------------
use strict;
use warnings;

use File::Temp qw(tempdir);
use IPC::Run qw(run timeout);
use Test::More;
use Time::HiRes qw(usleep);

use Strata::Test::S3;

my $top     = Strata::Test::S3::top_srcdir();
my $s3check = "$top/contrib/s3check/s3check";
ok(-x $s3check, "s3check is built");

# Run s3check; returns (exit status, stdout, stderr).
sub s3check
{
	my ($env, @args) = @_;
	my ($out, $err) = ('', '');
	local %ENV = (%ENV, %$env);
	run([ $s3check, @args ], '>', \$out, '2>', \$err, timeout(120));
	return ($? >> 8, $out, $err);
}

# Every operation row passed (no FAIL), and the expected rows are there.
sub all_rows_pass
{
	my ($out, $name) = @_;
	my @rows = grep { /^\S.*\s(PASS|FAIL|SKIP)\s/ } split /\n/, $out;
	my @failed = grep { /\sFAIL\s/ } @rows;
	is(scalar(@failed), 0, "$name: no row failed") or diag($out);
	for my $op ('put small', 'put multipart', 'get', 'range get', 'head', 'list',
		'batch delete', 'delete', 'missing key', 'missing bucket', 'in flight')
	{
		ok((grep { /^\Q$op\E.*\sPASS\s/ || /\Q$op\E.*\sPASS\s/ } @rows), "$name: row \"$op\" passed");
	}
}

# --- file:// ---
my $dir = tempdir('strata-objstore-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my ($rc, $out, $err) = s3check({}, "file://$dir");
is($rc, 0, 'file://: s3check exits 0') or diag($out, $err);
all_rows_pass($out, 'file://');
like($out, qr/^wrong credentials\s+SKIP/m, 'file://: credentials row is skipped, not passed');

($rc, $out, $err) = s3check({}, "file://$dir/no/such/dir");
is($rc, 2, 'file:// missing directory: exit 2');
like($err, qr/does not exist: create it or correct the object_store setting/,
	'file:// missing directory: operator line names the setting');

($rc, $out, $err) = s3check({}, "ftp://example");
is($rc, 2, 'unknown scheme: exit 2');
like($err, qr/use file:\/\/\/absolute\/path or s3:\/\//, 'unknown scheme: says what is allowed');

# --- s3rver ---
my $s3  = Strata::Test::S3->new(bucket => 'strata');
my %cred = $s3->credentials_env;
my $url = $s3->url(prefix => 'checks');

($rc, $out, $err) = s3check(\%cred, $url);
is($rc, 0, 's3rver: s3check exits 0') or diag($out, $err);
all_rows_pass($out, 's3rver');
like($out, qr/^put multipart\s+PASS.*in 3 parts of \d+ \(([5-9]|\d\d+) requests\)/m,
	's3rver: the big object went up as a multipart upload of 3 parts (5 requests or more), though below the default multipart_threshold');
like($out, qr/^wrong credentials\s+PASS.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/m,
	's3rver: a wrong access key gives the credentials line');
like($out, qr/^missing bucket\s+PASS.*bucket "strata-strata-missing" does not exist.*object_store/m,
	's3rver: a missing bucket names the bucket and the setting');

# Missing credentials: refused before any request.
($rc, $out, $err) = s3check({ AWS_ACCESS_KEY_ID => '', AWS_SECRET_ACCESS_KEY => '' }, $url);
is($rc, 2, 'no credentials: exit 2');
like($err, qr/set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/, 'no credentials: operator line');

# Bad URL parameters are named.
($rc, $out, $err) = s3check(\%cred, $s3->url(params => 'part_size=1MB'));
is($rc, 2, 'part_size below 5 MiB: exit 2');
like($err, qr/bad parameter "part_size=1MB"/, 'bad parameter is named');

# Nothing listening: the probe fails after its retries with a clear line.
my $dead = Strata::Test::S3::free_port();
($rc, $out, $err) = s3check(\%cred, "s3://strata?endpoint=http://127.0.0.1:$dead&path_style=true");
is($rc, 1, 'unreachable endpoint: exit 1');
like($out, qr/^probe.*FAIL.*could not reach object store http:\/\/127\.0\.0\.1:$dead .*after 3 attempts/m,
	'unreachable endpoint: says it could not reach it, after retrying');

# Retries carry requests through a short outage: stop s3rver, start
# s3check, bring s3rver back a moment later.
$s3->stop;
{
	local %ENV = (%ENV, %cred);
	my ($o, $e) = ('', '');
	my $h = IPC::Run::start([ $s3check, '--attempts=12', $url ], '>', \$o, '2>', \$e, timeout(120));
	usleep(700_000);
	$s3->start;
	$h->finish;
	is($h->result(0), 0, 'outage: s3check passes once s3rver is back') or diag($o, $e);
	like($o, qr/^probe.*PASS/m, 'outage: the probe got through by retrying');
}

# s3check's exit status follows failures: a bucket that does not exist
# fails the probe.
($rc, $out, $err) = s3check(\%cred, $s3->url(bucket => 'nosuchbucket'));
is($rc, 1, 'missing bucket as target: exit 1');
like($out, qr/bucket "nosuchbucket" does not exist at http:\/\/127\.0\.0\.1:\d+: create it, or correct the object_store setting/,
	'missing bucket as target: operator line');

done_testing();
