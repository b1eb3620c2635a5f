#-------------------------------------------------------------------------
# 003_retries.pl: the S3 back end retries 503 SlowDown, 500 and dropped
# connections with backoff, and reports one clear line when retries run
# out.  A small TCP proxy sits in front of a real s3rver: the first N
# connections it accepts get a fault (an HTTP error answer, or a close
# without an answer), every later one is relayed to s3rver byte for byte.
#-------------------------------------------------------------------------
use strict;
use warnings;

use Fcntl qw(:flock);
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use IPC::Run qw(run timeout);
use POSIX qw(WNOHANG);
use Test::More;

use Strata::Test::S3;

my $top     = Strata::Test::S3::top_srcdir();
my $s3check = "$top/contrib/s3check/s3check";
my $s3      = Strata::Test::S3->new(bucket => 'strata');
my %cred    = $s3->credentials_env;
my $tmp     = tempdir('strata-retries-XXXXXX', TMPDIR => 1, CLEANUP => 1);

my @proxy_pids;
END { kill 'TERM', @proxy_pids if @proxy_pids; }

# Start a proxy on a free port that gives $nfaults faults of kind $kind
# ('503', '500' or 'drop') before relaying.  Returns (port, counter file).
sub start_proxy
{
	my ($kind, $nfaults) = @_;
	my $port = Strata::Test::S3::free_port();
	my $counter = "$tmp/faults-$port";
	open(my $fh, '>', $counter) or die;
	print $fh "0\n";
	close $fh;
	my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
		Listen => 64, ReuseAddr => 1, Proto => 'tcp') or die "listen: $!";
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		$SIG{CHLD} = 'IGNORE';
		while (my $c = $listen->accept)
		{
			# count this connection
			open(my $lk, '+<', $counter) or die;
			flock($lk, LOCK_EX);
			my $n = <$lk> + 0;
			seek($lk, 0, 0);
			print $lk ($n + 1), "\n";
			close $lk;
			my $child = fork();
			if (defined $child && $child == 0)
			{
				serve($c, $n < $nfaults ? $kind : undef);
				POSIX::_exit(0);
			}
			close $c;
		}
		POSIX::_exit(0);
	}
	close $listen;
	push @proxy_pids, $pid;
	return ($port, $counter);
}

sub serve
{
	my ($c, $fault) = @_;
	if ($fault)
	{
		# read the request head, then misbehave
		my $head = '';
		while ($head !~ /\r\n\r\n/)
		{
			my $r = sysread($c, my $buf, 65536);
			last unless $r;
			$head .= $buf;
		}
		if ($fault eq 'drop')
		{
			close $c;
			return;
		}
		my ($code, $s3code, $text) = $fault eq '503'
		  ? (503, 'SlowDown', 'Please reduce your request rate.')
		  : (500, 'InternalError', 'We encountered an internal error. Please try again.');
		my $body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>$s3code</Code><Message>$text</Message></Error>";
		syswrite($c, "HTTP/1.1 $code Fault\r\nContent-Type: application/xml\r\nContent-Length: "
			  . length($body) . "\r\nConnection: close\r\n\r\n$body");
		close $c;
		return;
	}
	my $u = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $s3->port, Proto => 'tcp')
	  or return;
	my $sel = IO::Select->new($c, $u);
	while (my @ready = $sel->can_read(60))
	{
		for my $h (@ready)
		{
			my $r = sysread($h, my $buf, 262144);
			return unless $r;
			my $other = $h == $c ? $u : $c;
			my $off = 0;
			while ($off < length $buf)
			{
				my $w = syswrite($other, $buf, length($buf) - $off, $off);
				return unless defined $w;
				$off += $w;
			}
		}
	}
}

sub faults_served
{
	my ($counter, $nfaults) = @_;
	open(my $fh, '<', $counter) or die;
	my $n = <$fh> + 0;
	close $fh;
	return $n < $nfaults ? $n : $nfaults;
}

sub s3check
{
	my ($port, @args) = @_;
	my $url = "s3://strata/retry?endpoint=http://127.0.0.1:$port&region=us-east-1&path_style=true";
	my ($out, $err) = ('', '');
	local %ENV = (%ENV, %cred);
	run([ $s3check, @args, $url ], '>', \$out, '2>', \$err, timeout(120));
	return ($? >> 8, $out, $err);
}

# The proxy itself relays faithfully.
{
	my ($port) = start_proxy('503', 0);
	my ($rc, $out, $err) = s3check($port);
	is($rc, 0, 'through the proxy without faults every operation passes') or diag($out, $err);
}

for my $kind ('503', '500', 'drop')
{
	my ($port, $counter) = start_proxy($kind, 3);
	my ($rc, $out, $err) = s3check($port, '--attempts=6');
	is($rc, 0, "$kind x3: retried through, every operation passes") or diag($out, $err);
	is(faults_served($counter, 3), 3, "$kind x3: the three faults were served");
}

# Retries run out: the operator line says what happened.
{
	my ($port) = start_proxy('503', 1000);
	my ($rc, $out) = s3check($port, '--attempts=3');
	is($rc, 1, '503 forever: s3check fails');
	like($out, qr/^probe.*FAIL.*failed GET \(bucket\) with 503 SlowDown after 3 attempts: Please reduce your request rate\./m,
		'503 forever: one line with the status, S3 code, attempts and message');
}
{
	my ($port) = start_proxy('drop', 1000);
	my ($rc, $out) = s3check($port, '--attempts=2');
	is($rc, 1, 'dropped connections forever: s3check fails');
	like($out, qr/^probe.*FAIL.*could not reach object store .* after 2 attempts/m,
		'dropped connections: says it could not reach the store');
}

done_testing();
