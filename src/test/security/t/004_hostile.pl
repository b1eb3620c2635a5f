# Hostile clients before authentication: requests other than ApiVersions
# and SASL, frames larger than sasl_max_request_bytes (cut off without
# being read), SASL exchanges out of order or that never end, malformed
# tokens, and more connections from one address than max_connections_per_ip.
use strict;
use warnings;

use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time usleep);
use Strata::Test::Node;
use Strata::Test::Security;
use Strata::Test::Utils;

# The server closes these connections, sometimes while the test still
# writes to them: a write then fails with EPIPE rather than killing the
# test, and each check reads the socket to see what the server did.
$SIG{PIPE} = 'IGNORE';

my $node = secure_node('hostile', undef,
	"authentication_timeout = 3s\nsasl_max_request_bytes = 8kB\nauthentication_failure_delay = 0\n"
	  . "max_connections_per_ip = 4",
	protocols => ['SASL_PLAINTEXT']);
ok(add_user($node, 'alice', 'alice-pw'), 'user alice');
$node->start;
my $port = listener_port($node, 'SASL_PLAINTEXT');

# A connection, once fewer than max_connections_per_ip backends are left
# from the ones before: a backend closes its socket before its process
# exits, and the limit counts processes, so with a slow exit (the
# sanitizer build) a new connection was refused at once and its check
# failed.  The limit itself is tested last, on its own.
sub wait_below_limit
{
	poll_until(sub { scalar($node->child_pids(qr/strata: backend/)) < 4 }, 10)
	  or diag('backends of earlier connections still running');
}

sub connect_within_limit
{
	wait_below_limit();
	return kafka_connect($port);
}

sub uvarint
{
	my ($v) = @_;
	my $out = '';
	while ($v >= 0x80)
	{
		$out .= chr(($v & 0x7f) | 0x80);
		$v >>= 7;
	}
	return $out . chr($v);
}

# Was the connection closed (EOF or reset) within $timeout seconds?
sub closed_within
{
	my ($s, $timeout) = @_;
	my $deadline = time() + $timeout;
	while (time() < $deadline)
	{
		my $rin = '';
		vec($rin, fileno($s), 1) = 1;
		next unless select($rin, undef, undef, 0.2);
		my $buf;
		my $n = sysread($s, $buf, 65536);
		return 1 if !defined $n || $n == 0;
	}
	return 0;
}

# ---- only ApiVersions and SASL before authentication ----
{
	my $pos = $node->log_position;
	my $s = connect_within_limit();
	kafka_request($s, 18, 0, '');
	ok(defined kafka_recv($s), 'ApiVersions is answered before authentication');
	kafka_request($s, 3, 1, pack('l>', -1));	# Metadata v1, all topics
	ok(closed_within($s, 5), 'a Metadata request before authentication closes the connection');
	ok($node->wait_for_log(qr/closing connection from 127\.0\.0\.1:\d+ on listener SASL_PLAINTEXT: Metadata request \(API key 3\) before authentication/, $pos),
		'... logged with the request and the client');
	$s = connect_within_limit();
	kafka_request($s, 0, 7, pack('s> s> l> l>', -1, -1, 30000, 0));	# Produce
	ok(closed_within($s, 5), 'so does a Produce');
	$s = connect_within_limit();
	kafka_request($s, 9999, 0, '');
	ok(closed_within($s, 5), 'and an unknown API key');
}

# ---- frames larger than sasl_max_request_bytes are cut off unread ----
{
	my $pos = $node->log_position;
	my $s = connect_within_limit();
	# Announce 50 MB (under socket_request_max_bytes) and send nothing more.
	syswrite($s, pack('l>', 50 * 1024 * 1024));
	my $start = time();
	ok(closed_within($s, 2), 'a 50 MB frame announced before authentication is refused at once, before its bytes come');
	ok($node->wait_for_log(qr/request frame length 52428800 is outside 10 \.\. 8192 \(sasl_max_request_bytes, before authentication\)/, $pos),
		'... naming sasl_max_request_bytes');
	$s = connect_within_limit();
	my ($err) = sasl_handshake($s, 'SCRAM-SHA-256');
	is($err, 0, 'after a SaslHandshake');
	syswrite($s, pack('l>', 9000) . ('x' x 9000));
	ok(closed_within($s, 2), 'a 9 kB SaslAuthenticate is still too large');
	syswrite(connect_within_limit(), pack('l>', -5));
	ok($node->wait_for_log(qr/request frame length -5 is outside/, $pos), 'a negative length is refused too');

	# Once authenticated, the usual limit applies: an ApiVersions v3 of
	# 20 kB (a long ClientSoftwareName; flexible: header v2, compact strings).
	wait_below_limit();
	my $r = scram_login($port, 'alice', 'alice-pw');
	is($r->{error}, 0, 'alice logs in');
	my $name = 'a' x 20000;
	my $frame = pack('s> s> l> s>/a C', 18, 3, 7, 'tap', 0) . uvarint(length($name) + 1) . $name
	  . uvarint(2) . '1' . "\0";
	syswrite($r->{sock}, pack('l>', length($frame)) . $frame);
	my $resp = kafka_recv($r->{sock}, 5);
	ok(defined $resp && unpack('s>', $resp) == 0,
		'a 20 kB request after authentication is served (sasl_max_request_bytes is for unauthenticated clients)');
	close $r->{sock};
}

# ---- SASL out of order, malformed tokens, bare tokens ----
{
	my $s = connect_within_limit();
	kafka_request($s, 36, 1, pack('l>/a', 'n,,n=alice,r=abc'));
	my $resp = kafka_recv($s);
	is(unpack('s>', $resp // "\xff\xff"), 34, 'SaslAuthenticate without SaslHandshake: ILLEGAL_SASL_STATE');
	ok(closed_within($s, 5), '... and the connection is closed');

	$s = connect_within_limit();
	sasl_handshake($s, 'SCRAM-SHA-256');
	my ($e2) = sasl_handshake($s, 'SCRAM-SHA-256');
	is($e2, 34, 'a second SaslHandshake: ILLEGAL_SASL_STATE');
	ok(closed_within($s, 5), '... and closed');

	my $pos = $node->log_position;
	for my $bad ('p=tls-unique,,n=alice,r=abc', 'n,,m=x,n=alice,r=abc', 'n,,n=al=5Bice,r=abc', 'n,,n=alice',
		'n,,n=,r=abc', "n,,n=alice,r=a\x01b", "n,,n=alice\0,r=abc", 'n,a=bob,n=alice,r=abc', 'n,,n=alice,r=abc,tokenauth=true')
	{
		$s = connect_within_limit();
		sasl_handshake($s, 'SCRAM-SHA-256');
		kafka_request($s, 36, 1, pack('l>/a', $bad));
		my $rr = kafka_recv($s);
		(my $shown = $bad) =~ s/[^\x20-\x7e]/?/g;
		is(unpack('s>', $rr // "\xff\xff"), 58, "client-first-message \"$shown\" is refused");
	}
	ok($node->wait_for_log(qr/failed: channel binding is not supported/, $pos), 'channel binding is refused, logged');
	ok($node->wait_for_log(qr/failed: delegation tokens \(tokenauth\) are not supported/, $pos), 'so are delegation tokens');
	ok($node->wait_for_log(qr/failed: the authorization id differs from the user name/, $pos),
		'and an authorization id other than the user');

	# kafka-python's way: SaslHandshake v0, then bare tokens.
	$s = connect_within_limit();
	my ($e0) = sasl_handshake($s, 'SCRAM-SHA-256', 0);
	is($e0, 0, 'SaslHandshake v0');
	syswrite($s, pack('l>/a', 'garbage'));
	ok(closed_within($s, 5), 'a malformed bare token closes the connection without an answer');
}

# ---- an exchange that never ends is cut off by authentication_timeout ----
{
	my $pos = $node->log_position;
	my $s = connect_within_limit();
	my $start = time();
	my $cut = 0;
	# ApiVersions every 300 ms, forever: activity does not extend the deadline.
	while (time() - $start < 10)
	{
		kafka_request($s, 18, 0, '');
		if (!defined kafka_recv($s, 1))
		{
			$cut = 1;
			last;
		}
		usleep(300_000);
	}
	my $elapsed = time() - $start;
	ok($cut, 'a client that only sends ApiVersions is disconnected');
	cmp_ok($elapsed, '<', 6, "... at authentication_timeout (3 s; after $elapsed s)");
	ok($node->wait_for_log(qr/closing connection from 127\.0\.0\.1:\d+ on listener SASL_PLAINTEXT: it did not authenticate within authentication_timeout \(3000 ms\)/, $pos),
		'... logged');

	# A client that stalls in the middle of a SCRAM exchange.
	$s = connect_within_limit();
	sasl_handshake($s, 'SCRAM-SHA-256');
	kafka_request($s, 36, 1, pack('l>/a', 'n,,n=alice,r=stall'));
	ok(defined kafka_recv($s), 'the server-first-message comes');
	$start = time();
	ok(closed_within($s, 8), 'a client that never sends client-final-message is disconnected');
	cmp_ok(time() - $start, '<', 5, '... within authentication_timeout');

	# A silent client.
	$s = connect_within_limit();
	$start = time();
	ok(closed_within($s, 8), 'a client that sends nothing is disconnected');
	cmp_ok(time() - $start, '>=', 2.5, '... not before authentication_timeout');
}

# ---- max_connections_per_ip ----
{
	# A backend closes its client's socket before its process exits, and the
	# limit counts processes: wait until the clients above are all gone.
	ok(poll_until(sub { scalar($node->child_pids(qr/strata: backend/)) == 0 }, 10),
		'the backends of the connections above have exited');
	my $pos = $node->log_position;
	my @held = map { kafka_connect($port) } 1 .. 4;
	# Each is served (its backend is forked) before the next is counted.
	for my $s (@held)
	{
		kafka_request($s, 18, 0, '');
		ok(defined kafka_recv($s), 'a connection within max_connections_per_ip is served');
	}
	my $fifth = kafka_connect($port);
	ok(closed_within($fifth, 5), 'the fifth connection from 127.0.0.1 is closed at once');
	ok($node->wait_for_log(qr/connection from 127\.0\.0\.1:\d+ refused: max_connections_per_ip \(4\) reached/, $pos),
		'... logged');
	close $held[0];
	ok(poll_until(sub {
			my $s = kafka_connect($port);
			kafka_request($s, 18, 0, '');
			my $ok = defined kafka_recv($s, 2);
			close $s;
			$ok
		}, 10), 'once one is closed, a new connection is served again');
	close $_ for @held;
}

is(scalar(grep { /TRAP|terminated by signal|server process .* crashed/ } split /\n/, $node->log_content), 0,
	'no process crashed');
$node->stop;
done_testing();
