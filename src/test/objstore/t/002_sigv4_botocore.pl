#-------------------------------------------------------------------------
# 002_sigv4_botocore.pl: Strata's Signature V4 headers equal botocore's
# (python3-botocore's S3SigV4Auth, a real implementation used as the
# oracle) for the requests the object store makes: PUT with a body, ranged
# GET, ListObjectsV2 with query parameters, DeleteObjects with Content-MD5,
# multipart calls, DELETE and HEAD; keys with spaces, reserved characters
# and UTF-8; path-style and virtual-host addressing; a session token.
# s3rver does not check signatures, so this is what proves them.
#-------------------------------------------------------------------------
use strict;
use warnings;

use File::Temp qw(tempdir);
use IPC::Run qw(run timeout);
use JSON::PP;
use Test::More;

use Strata::Test::S3;

my $top    = Strata::Test::S3::top_srcdir();
my $signer = "$top/src/test/modules/sigv4_sign/sigv4_sign";
my $python = '/usr/bin/python3';
ok(-x $signer, 'sigv4_sign is built');
my ($o, $e) = ('', '');
run([ $python, '-c', 'import botocore' ], '>', \$o, '2>', \$e);
is($?, 0, 'botocore is importable (Debian package python3-botocore)') or BAIL_OUT("no botocore: $e");

my $tmp  = tempdir('strata-sigv4-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $date = '20261125T120000Z';
my $json = JSON::PP->new->canonical->utf8;

my @cases = (
	{ name => 'PUT with a body', method => 'PUT', key => 'data/obj-00001.sso', body => "hello, object store\n" x 50 },
	{ name => 'PUT, key with spaces', method => 'PUT', key => 'dir/my key with  spaces.bin', body => 'x' },
	{ name => 'PUT, key with UTF-8', method => 'PUT', key => "donn\x{e9}es/\x{43a}\x{43b}\x{44e}\x{447}/\x{1F600}.bin", body => 'abc' },
	{ name => 'PUT, key with reserved characters', method => 'PUT', key => 'a+b=c&d;e,f:g@h$i!j*k(l)m\'n', body => '' },
	{ name => 'ranged GET', method => 'GET', key => 'data/obj-00001.sso', range => 'bytes=1048576-2097151' },
	{ name => 'HEAD', method => 'HEAD', key => 'data/obj-00001.sso' },
	{ name => 'DELETE', method => 'DELETE', key => 'tmp/gone' },
	{ name => 'ListObjectsV2 with query parameters', method => 'GET', key => undef,
		query => [ [ 'list-type', '2' ], [ 'prefix', 'pre/dir with space/' ], [ 'max-keys', '1000' ],
			[ 'continuation-token', '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=' ] ] },
	{ name => 'DeleteObjects with Content-MD5', method => 'POST', key => undef, query => [ [ 'delete', '' ] ],
		body => '<Delete><Quiet>true</Quiet><Object><Key>pre/a &amp; b</Key></Object></Delete>', md5 => 1 },
	{ name => 'CreateMultipartUpload', method => 'POST', key => 'big/object', query => [ [ 'uploads', '' ] ] },
	{ name => 'UploadPart', method => 'PUT', key => 'big/object',
		query => [ [ 'partNumber', '3' ], [ 'uploadId', 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA~-._' ] ],
		body => 'part three' },
	{ name => 'virtual-host style GET', method => 'GET', key => 'k/v', path_style => 0, range => 'bytes=0-0' },
	{ name => 'virtual-host style list', method => 'GET', key => undef, path_style => 0,
		query => [ [ 'list-type', '2' ], [ 'prefix', '' ], [ 'max-keys', '1' ] ] },
	{ name => 'session token', method => 'PUT', key => 'tok/en', body => 'z', token => 'FQoGZXIvYXdzEXAMPLE//+token==' },
	{ name => 'other region, no prefix', method => 'GET', key => 'x', prefix => '', region => 'eu-west-3' },
);

my (@strata, @inputs);
for my $c (@cases)
{
	my $path_style = $c->{path_style} // 1;
	my $prefix     = $c->{prefix} // 'pre';
	my $region     = $c->{region} // 'us-east-1';
	my $url = "s3://strata" . ($prefix ne '' ? "/$prefix" : '')
	  . "?endpoint=http://127.0.0.1:19500&region=$region&path_style=" . ($path_style ? 'true' : 'false');
	my $body = $c->{body} // '';
	my $bodyfile = '-';
	if ($body ne '')
	{
		$bodyfile = "$tmp/body";
		open(my $fh, '>:raw', $bodyfile) or die;
		print $fh $body;
		close $fh;
	}
	my @query = @{ $c->{query} // [] };
	my $qs = join('&', map { $_->[1] eq '' ? $_->[0] : "$_->[0]=$_->[1]" } @query);
	my $key = defined $c->{key} ? $c->{key} : undef;
	my $keyarg = defined $key ? $key : '-';
	utf8::encode($keyarg);

	local %ENV = (%ENV, AWS_ACCESS_KEY_ID => 'AKIDSTRATATEST', AWS_SECRET_ACCESS_KEY => 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSTRATAKEY');
	delete $ENV{AWS_SESSION_TOKEN};
	$ENV{AWS_SESSION_TOKEN} = $c->{token} if $c->{token};
	my ($sout, $serr) = ('', '');
	run([ $signer, $url, $c->{method}, $keyarg, $qs eq '' ? '-' : $qs, $bodyfile, $c->{range} // '-', $date ],
		'>', \$sout, '2>', \$serr, timeout(30));
	is($?, 0, "$c->{name}: Strata signed") or diag($serr);
	my (undef, $strata_auth) = split /\n/, $sout;

	my $in = $json->encode({
		endpoint => 'http://127.0.0.1:19500', bucket => 'strata',
		prefix => ($prefix ne '' ? "$prefix/" : ''), path_style => $path_style ? JSON::PP::true : JSON::PP::false,
		method => $c->{method}, key => $key, query => \@query, body => $body,
		range => $c->{range}, content_md5 => $c->{md5} ? JSON::PP::true : JSON::PP::false,
		amz_date => $date, access_key => 'AKIDSTRATATEST',
		secret_key => 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSTRATAKEY', region => $region, token => $c->{token} });
	push @strata, $strata_auth;
	push @inputs, $in;
}

# One botocore run signs them all (python starts slowly).
my ($bout, $berr) = ('', '');
run([ $python, "$top/src/test/objstore/botocore_sign.py" ], '<', \join("\n", @inputs, ''),
	'>', \$bout, '2>', \$berr, timeout(60));
is($?, 0, 'botocore signed every request') or diag($berr);
my @boto = map { $json->decode($_) } split /\n/, $bout;
is(scalar(@boto), scalar(@cases), 'one botocore answer per request');
for my $i (0 .. $#cases)
{
	my $b = $boto[$i] // {};
	is($strata[$i], $b->{authorization}, "$cases[$i]{name}: Authorization equals botocore's")
	  or diag("botocore canonical request:\n" . ($b->{canonical_request} // ''));
}

# The comparison can fail: a different secret gives a different signature.
{
	local %ENV = (%ENV, AWS_ACCESS_KEY_ID => 'AKIDSTRATATEST', AWS_SECRET_ACCESS_KEY => 'another-secret');
	delete $ENV{AWS_SESSION_TOKEN};
	my ($sout, $serr) = ('', '');
	run([ $signer, 's3://strata/pre?endpoint=http://127.0.0.1:19500&path_style=true', 'GET', 'x', '-', '-', '-', $date ],
		'>', \$sout, '2>', \$serr);
	my (undef, $a1) = split /\n/, $sout;
	$ENV{AWS_SECRET_ACCESS_KEY} = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSTRATAKEY';
	run([ $signer, 's3://strata/pre?endpoint=http://127.0.0.1:19500&path_style=true', 'GET', 'x', '-', '-', '-', $date ],
		'>', \$sout, '2>', \$serr);
	my (undef, $a2) = split /\n/, $sout;
	isnt($a1, $a2, 'the signature depends on the secret key');
}

done_testing();
