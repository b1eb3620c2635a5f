# TLS listeners: the four clients over SSL, Metadata naming the listener a
# client came in on, client certificates (none, requested, required, an
# expired one, one from an unknown CA), the certificate's CN as principal,
# SIGHUP reloading the certificate, a bad key stopping the start, and a
# stalled handshake cut off by authentication_timeout.
use strict;
use warnings;

use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time);
use Strata::Test::Node;
use Strata::Test::Security;
use Strata::Test::Utils;

my $certs = make_certs(tempdir('certs'));

my $node = secure_node('tls', $certs, "authentication_timeout = 2s",
	protocols => ['SSL']);
$node->start;
my $ssl = listener_port($node, 'SSL');
my $plain = $node->port;
my $tls = { protocol => 'SSL', ca => $certs->{ca} };

# ---- every client over SSL; Metadata gives each its own listener ----
{
	my ($rc, $out, $err) = kcat($ssl, $tls, '-L');
	is($rc, 0, 'kcat -L over SSL') or diag($err);
	like($out, qr/broker 1 at 127\.0\.0\.1:$ssl\b/, 'an SSL client is given the SSL listener');
	($rc, $out, $err) = kcat($plain, { protocol => 'PLAINTEXT' }, '-L');
	like($out, qr/broker 1 at 127\.0\.0\.1:$plain\b/, 'a PLAINTEXT client is given the PLAINTEXT listener');

	open(my $fh, '>', $node->basedir . '/in') or die;
	print $fh "m$_\n" for 1 .. 50;
	close $fh;
	($rc, $out, $err) = kcat($ssl, $tls, '-P', '-t', 'kc', '-X', 'acks=all', '-l', $node->basedir . '/in');
	is($rc, 0, 'kcat produced 50 messages over SSL') or diag($err);
	($rc, $out, $err) = kcat($ssl, $tls, '-C', '-t', 'kc', '-e', '-f', '%s\n');
	is(scalar(split /\n/, $out), 50, 'kcat consumed them back over SSL');

	# A fetch of the log cache refers to the batches in the WAL ring, and
	# SSL_write encrypts them from there, piece by piece; fetches of up to
	# 8 MB are more than a loopback socket takes at once, so a write may
	# stop part-way and resume from the copy made when the ring's pin is
	# dropped (kafka/backend.c, send_ready).
	my $line = 'x' x 1000;
	open($fh, '>', $node->basedir . '/bulk') or die;
	print $fh "$_ $line\n" for 1 .. 20000;
	close $fh;
	($rc, $out, $err) = kcat($ssl, $tls, '-P', '-t', 'kbulk', '-X', 'acks=all', '-l', $node->basedir . '/bulk');
	is($rc, 0, 'kcat produced 20000 messages of 1 kB over SSL') or diag($err);
	($rc, $out, $err) = kcat($ssl, $tls, '-C', '-t', 'kbulk', '-e', '-f', '%s\n',
		'-X', 'fetch.max.bytes=8388608', '-X', 'max.partition.fetch.bytes=8388608',
		'-X', 'receive.message.max.bytes=9000000');
	my @got = split /\n/, $out;
	is(scalar(@got), 20000, 'kcat consumed them back over SSL') or diag($err);
	is(scalar(grep { /^\d+ x{1000}$/ } @got), 20000, '... every one intact');
}
client_ok('confluent-kafka over SSL', 'confluent-roundtrip', $ssl, $tls, 'ck');
client_ok('kafka-python over SSL', 'kafka-python-roundtrip', $ssl, $tls, 'kp');
{
	my ($rc, $out, $err) = kafkajs('roundtrip', $ssl, $tls, 'js');
	ok($rc == 0, 'kafkajs over SSL') or diag("$out\n$err");
}

# A plaintext client on the SSL port gets nowhere; nor does TLS on the
# plaintext port.  "Gets nowhere" is judged by what kcat got, not by its
# exit status alone: kcat -L once exited 0 after printing "% ERROR: Failed
# to acquire metadata" for a failed TLS handshake (CI, 2026-12-07), and 1
# for the same output in every other run.
sub no_metadata
{
	my ($rc, $out, $err) = @_;
	return ($rc != 0 || $err =~ /Failed to acquire metadata/) && $out !~ /Metadata for/;
}
{
	my ($rc, $out, $err) = kcat($ssl, { protocol => 'PLAINTEXT' }, '-m', 3, '-L');
	ok(no_metadata($rc, $out, $err), 'a plaintext client on the SSL listener fails')
	  or diag("rc $rc\n$out\n$err");
	($rc, $out, $err) = kcat($plain, $tls, '-m', 3, '-L');
	ok(no_metadata($rc, $out, $err), 'a TLS client on the PLAINTEXT listener fails')
	  or diag("rc $rc\n$out\n$err");
}

# TLS 1.2 and 1.3 are accepted, 1.1 is not.
{
	my ($rc, $out) = run_command([ 'openssl', 's_client', '-connect', "127.0.0.1:$ssl", '-tls1_2',
			'-CAfile', $certs->{ca}, '-verify_return_error' ], timeout => 20);
	like($out, qr/Protocol\s*:\s*TLSv1\.2/, 'TLS 1.2 handshake');
	($rc, $out) = run_command([ 'openssl', 's_client', '-connect', "127.0.0.1:$ssl", '-tls1_1',
			'-CAfile', $certs->{ca} ], timeout => 20);
	isnt($rc, 0, 'TLS 1.1 refused');
}

# ---- a stalled handshake is cut off by authentication_timeout ----
{
	my $pos = $node->log_position;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $ssl, Proto => 'tcp');
	my $start = time();
	my $buf;
	my $n = sysread($s, $buf, 1);
	my $elapsed = time() - $start;
	ok(defined $n && $n == 0, 'a client that never starts the handshake is disconnected');
	cmp_ok($elapsed, '<', 10, "... after authentication_timeout (2 s; took $elapsed s)");
	ok($node->wait_for_log(qr/could not accept TLS connection from 127\.0\.0\.1:\d+ on listener SSL: the TLS handshake did not finish within authentication_timeout/, $pos),
		'... and it is logged');
}

# ---- client certificates ----
sub tls_with
{
	my ($cert) = @_;
	return { protocol => 'SSL', ca => $certs->{ca}, cert => $certs->{$cert}, key => $certs->{"${cert}_key"} };
}

$node->append_conf('ssl_client_auth = required');
$node->reload;
ok(poll_until(sub { my ($rc) = kcat($ssl, $tls, '-m', 3, '-L'); $rc != 0 }, 20),
	'after a reload with ssl_client_auth = required a client without a certificate is refused');
{
	my $pos = $node->log_position;
	my ($rc, $out, $err) = kcat($ssl, tls_with('alice'), '-L');
	is($rc, 0, 'a client with a certificate from the CA is served') or diag($err);
	client_ok('confluent-kafka with a client certificate', 'confluent-metadata', $ssl, tls_with('alice'));
	client_ok('kafka-python with a client certificate', 'kafka-python-metadata', $ssl, tls_with('alice'));
	my ($jrc, $jout, $jerr) = kafkajs('metadata', $ssl, tls_with('alice'));
	ok($jrc == 0, 'kafkajs with a client certificate') or diag($jerr);

	($rc, $out, $err) = kcat($ssl, tls_with('expired'), '-m', 3, '-L');
	isnt($rc, 0, 'an expired client certificate is refused');
	ok($node->wait_for_log(qr/could not accept TLS connection from .* client certificate rejected: certificate has expired/, $pos),
		'... and logged as expired');
	($rc, $out, $err) = kcat($ssl, tls_with('stranger'), '-m', 3, '-L');
	isnt($rc, 0, 'a client certificate from an unknown CA is refused');
	ok($node->wait_for_log(qr/could not accept TLS connection from .* (unable to get local issuer certificate|self-signed certificate|certificate verify failed)/, $pos),
		'... and logged');
	($rc, $out, $err) = kcat($ssl, $tls, '-m', 3, '-L');
	ok($node->wait_for_log(qr/could not accept TLS connection from .* peer did not return a certificate/, $pos),
		'a missing certificate is logged');
}

# The certificate's CN is the principal (seen in the debug log line).
{
	my $pos = $node->log_position;
	kcat($ssl, tls_with('alice'), '-L');
	ok($node->wait_for_log(qr/authenticated 127\.0\.0\.1:\d+ on listener SSL as User:alice \(TLS client certificate\)/, $pos),
		'the client certificate CN is the principal');
}

# requested: a certificate is verified if sent, and optional.
$node->append_conf('ssl_client_auth = requested');
$node->reload;
ok(poll_until(sub { my ($rc) = kcat($ssl, $tls, '-L'); $rc == 0 }, 20),
	'with ssl_client_auth = requested a client without a certificate is served');
{
	my ($rc) = kcat($ssl, tls_with('expired'), '-m', 3, '-L');
	isnt($rc, 0, '... but a certificate that is sent must verify');
}

# ---- the server certificate is reloaded on SIGHUP ----
sub server_serial
{
	my ($rc, $out) = run_command([ 'openssl', 's_client', '-connect', "127.0.0.1:$ssl",
			'-CAfile', $certs->{ca}, '-showcerts' ], timeout => 20);
	open(my $fh, '>', $node->basedir . '/peer.pem') or die;
	print $fh $out;
	close $fh;
	my ($rc2, $serial) = run_command([ 'openssl', 'x509', '-noout', '-serial', '-in', $node->basedir . '/peer.pem' ]);
	chomp $serial;
	return $serial;
}
{
	my ($rc, $first) = run_command([ 'openssl', 'x509', '-noout', '-serial', '-in', $certs->{server} ]);
	my ($rc2, $second) = run_command([ 'openssl', 'x509', '-noout', '-serial', '-in', $certs->{server2} ]);
	chomp($first, $second);
	is(server_serial(), $first, 'the server presents ssl_cert_file');
	$node->append_conf("ssl_cert_file = '$certs->{server2}'\nssl_key_file = '$certs->{server2_key}'");
	$node->reload;
	ok(poll_until(sub { server_serial() eq $second }, 20), 'after SIGHUP new connections get the new certificate');

	# A broken file on reload keeps the old context.
	my $pos = $node->log_position;
	$node->append_conf("ssl_key_file = '$certs->{alice_key}'");
	$node->reload;
	ok($node->wait_for_log(qr/does not match the certificate .*; new TLS connections keep the certificate and settings loaded before/, $pos),
		'a key that does not match is refused on reload, logged');
	my ($krc) = kcat($ssl, $tls, '-L');
	is($krc, 0, '... and the server goes on with the previous certificate');
	is(server_serial(), $second, '... the one loaded before');
}
$node->stop;

# ---- bad certificate settings stop the start with one line ----
{
	my $bad = secure_node('badkey', $certs, "ssl_key_file = '$certs->{alice_key}'", protocols => ['SSL']);
	ok(!$bad->start(fail_ok => 1), 'a key that does not match the certificate stops the start');
	like($bad->log_content, qr/private key file ".*alice\.key" \(setting "ssl_key_file"\) does not match the certificate/,
		'... naming ssl_key_file');
	$bad->append_conf("ssl_key_file = '/nonexistent.key'");
	ok(!$bad->start(fail_ok => 1), 'a missing key file stops the start');
	like($bad->log_content, qr/could not load private key file "\/nonexistent\.key" \(setting "ssl_key_file"\)/,
		'... naming ssl_key_file');
	$bad->append_conf("ssl_key_file = ''");
	ok(!$bad->start(fail_ok => 1), 'an SSL listener without a key stops the start');
	like($bad->log_content, qr/setting "ssl_key_file" is empty, but a TLS listener/, '... naming ssl_key_file');
	$bad->append_conf("ssl_key_file = '$certs->{server_key}'\nssl_client_auth = required\nssl_ca_file = ''");
	ok(!$bad->start(fail_ok => 1), 'ssl_client_auth = required without ssl_ca_file stops the start');
	like($bad->log_content, qr/setting "ssl_client_auth" = required needs setting "ssl_ca_file"/, '... naming both');
	$bad->append_conf("ssl_client_auth = none\nlisteners = 'SSL://127.0.0.1:" . $bad->port . ",SSL://127.0.0.1:1'");
	ok(!$bad->start(fail_ok => 1), 'a protocol named twice in listeners stops the start');
	like($bad->log_content, qr/listener SSL appears twice/, '... saying so');
}

done_testing();
