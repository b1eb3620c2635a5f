# src/test/perl/Strata/Test/Security.pm
#
# What the security tests (src/test/security) share: test certificates made
# with the openssl command, a broker with one listener of each protocol, and
# the real clients (kcat, confluent-kafka, kafka-python, kafkajs) configured
# for TLS and SASL.
#
#   my $certs = make_certs(tempdir('certs'));    # CA, server, clients
#   my $node = secure_node('tls', $certs, 'ssl_client_auth = requested');
#   my ($rc, $out, $err) = kcat($node->listener_port('SSL'),
#       { protocol => 'SSL', ca => $certs->{ca} }, '-L');
#   client_ok('confluent-roundtrip', $node, 'SASL_SSL',
#       { user => 'alice', password => 'pw', mechanism => 'SCRAM-SHA-512' }, 'topic');
package Strata::Test::Security;

use strict;
use warnings;

use Carp;
use Digest::SHA qw(hmac_sha256 hmac_sha512 sha256 sha512);
use Exporter 'import';
use IO::Socket::INET;
use IPC::Run;
use MIME::Base64;
use Test::More;
use Time::HiRes qw(time);

use Strata::Test::Node;
use Strata::Test::Utils;

our @EXPORT = qw(make_certs secure_node listener_port kcat kcat_args secclient client_ok
  kafkajs add_user remove_user kafka_connect kafka_request kafka_recv sasl_handshake
  scram_login scram_salted_password);

# ---------------------------------------------------------------- certificates

sub openssl
{
	my (@args) = @_;
	my ($rc, $out, $err) = run_command([ 'openssl', @args ]);
	croak "openssl @args failed: $err" if $rc != 0;
	return $out;
}

# A key and a certificate signing request for $cn in $dir/$name.{key,csr}.
sub key_and_csr
{
	my ($dir, $name, $cn) = @_;
	openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
		'-keyout', "$dir/$name.key", '-out', "$dir/$name.csr", '-subj', "/O=Strata tests/CN=$cn");
	chmod 0600, "$dir/$name.key";
}

# Sign $name.csr with the CA for the given validity (openssl ca dates,
# YYYYMMDDHHMMSSZ) into $name.pem.
sub sign
{
	my ($dir, $name, $start, $end, $ext) = @_;
	openssl('ca', '-batch', '-config', "$dir/ca.cnf", '-in', "$dir/$name.csr", '-out', "$dir/$name.pem",
		'-startdate', $start, '-enddate', $end, '-notext', ($ext ? ('-extensions', $ext) : ()));
}

# make_certs($dir): a test CA and certificates it signed, as PEM files:
#   ca        the CA certificate (ca_key its key)
#   server    for 127.0.0.1 and localhost (server_key)
#   server2   the same names, another key and serial (a reload test)
#   alice     a client certificate, CN alice (alice_key)
#   expired   a client certificate for CN carol that expired in 2020
#   stranger  a client certificate for CN mallory from another CA
sub make_certs
{
	my ($dir) = @_;
	open(my $fh, '>', "$dir/ca.cnf") or croak $!;
	print $fh <<"EOF";
[ca]
default_ca = test_ca
[test_ca]
dir = $dir
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
organizationName = optional
commonName = supplied
[server_ext]
basicConstraints = CA:FALSE
subjectAltName = IP:127.0.0.1,DNS:localhost
extendedKeyUsage = serverAuth
[client_ext]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
EOF
	close $fh;
	open($fh, '>', "$dir/index.txt") or croak $!;
	close $fh;
	open($fh, '>', "$dir/serial") or croak $!;
	print $fh "1000\n";
	close $fh;

	openssl('req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
		'-keyout', "$dir/ca.key", '-out', "$dir/ca.pem", '-days', '30', '-subj', '/O=Strata tests/CN=Strata test CA');
	my $now = '20240101000000Z';
	my $later = '20991231000000Z';
	for my $s ([ 'server', '127.0.0.1', 'server_ext' ], [ 'server2', '127.0.0.1', 'server_ext' ],
		[ 'alice', 'alice', 'client_ext' ], [ 'bob', 'bob', 'client_ext' ])
	{
		key_and_csr($dir, $s->[0], $s->[1]);
		sign($dir, $s->[0], $now, $later, $s->[2]);
	}
	key_and_csr($dir, 'expired', 'carol');
	sign($dir, 'expired', '20200101000000Z', '20200102000000Z', 'client_ext');

	# A client certificate from a CA the broker does not trust.
	openssl('req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
		'-keyout', "$dir/stranger.key", '-out', "$dir/stranger.pem", '-days', '30',
		'-subj', '/O=Elsewhere/CN=mallory');

	my %c = (dir => $dir);
	for my $n (qw(ca server server2 alice bob expired stranger))
	{
		$c{$n} = "$dir/$n.pem";
		$c{"${n}_key"} = "$dir/$n.key";
	}
	return \%c;
}

# ---------------------------------------------------------------- the broker

# secure_node($name, $certs, $extra_conf, %opts): an initialised (not
# started) node whose listeners are PLAINTEXT (its port) plus the
# protocols in $opts{protocols} (default SSL, SASL_PLAINTEXT, SASL_SSL),
# each on a port of its own, with the server certificate configured.
# $node->{listener_ports}{PROTOCOL} holds the ports.
sub secure_node
{
	my ($name, $certs, $extra, %opts) = @_;
	my $node = Strata::Test::Node->new($name);
	$node->init;
	my %ports = (PLAINTEXT => $node->port);
	my @list = ('PLAINTEXT://127.0.0.1:' . $node->port);
	for my $p (@{ $opts{protocols} // [qw(SSL SASL_PLAINTEXT SASL_SSL)] })
	{
		$ports{$p} = get_free_port();
		push @list, "$p://127.0.0.1:$ports{$p}";
	}
	$node->{listener_ports} = \%ports;
	$node->append_conf("listeners = '" . join(',', @list) . "'");
	$node->append_conf("ssl_cert_file = '$certs->{server}'\nssl_key_file = '$certs->{server_key}'\n"
		  . "ssl_ca_file = '$certs->{ca}'") if $certs;
	$node->append_conf($extra) if defined $extra;
	return $node;
}

sub listener_port
{
	my ($node, $protocol) = @_;
	return $node->{listener_ports}{$protocol} // croak "node has no $protocol listener";
}

# ---------------------------------------------------------------- users

# strata_ctl user add: the password goes on stdin, as an operator types it.
sub add_user
{
	my ($node, $user, $password, @opts) = @_;
	my ($out, $err) = ('', '');
	my $in = "$password\n";
	my $ok = IPC::Run::run([ 'strata_ctl', 'user', 'add', '-D', $node->data_dir, $user, @opts ],
		'<', \$in, '>', \$out, '2>', \$err, IPC::Run::timeout(60));
	Strata::Test::Utils::note_log("# strata_ctl user add $user @opts: $out$err");
	return $ok ? 1 : 0;
}

sub remove_user
{
	my ($node, $user, @opts) = @_;
	return run_log([ 'strata_ctl', 'user', 'remove', '-D', $node->data_dir, $user, @opts ]);
}

# ---------------------------------------------------------------- clients

# librdkafka -X options for $sec = { protocol, ca, cert, key, mechanism,
# user, password }.
sub kcat_args
{
	my ($sec) = @_;
	my @x = ('-X', 'security.protocol=' . lc($sec->{protocol}));
	push @x, '-X', "ssl.ca.location=$sec->{ca}" if $sec->{ca};
	push @x, '-X', "ssl.certificate.location=$sec->{cert}", '-X', "ssl.key.location=$sec->{key}"
	  if $sec->{cert};
	push @x, '-X', "sasl.mechanisms=$sec->{mechanism}", '-X', "sasl.username=$sec->{user}",
	  '-X', "sasl.password=$sec->{password}"
	  if $sec->{mechanism};
	return @x;
}

# kcat against 127.0.0.1:$port with the security of $sec; returns
# (exit code, stdout, stderr).  kcat waits up to 15 s for metadata; pass
# '-m', N in @args to change that (a connection expected to fail).
sub kcat
{
	my ($port, $sec, @args) = @_;
	return run_command([ 'kcat', '-b', "127.0.0.1:$port", kcat_args($sec), '-m', '15', @args ],
		timeout => 90);
}

# The Python clients (secclients.py): (exit code, stdout, stderr).
sub secclient
{
	my ($cmd, $port, $sec, @args) = @_;
	my @opts = ('--protocol', $sec->{protocol});
	for my $k (qw(ca cert key mechanism user password))
	{
		push @opts, "--$k", $sec->{$k} if defined $sec->{$k};
	}
	return run_command([ '/usr/bin/python3', "$ENV{STRATA_TOP_SRCDIR}/src/test/security/secclients.py",
			$cmd, "127.0.0.1:$port", @opts, @args ], timeout => 180);
}

# secclient that must succeed, as one test.
sub client_ok
{
	my ($what, $cmd, $port, $sec, @args) = @_;
	my ($rc, $out, $err) = secclient($cmd, $port, $sec, @args);
	ok($rc == 0, $what) or diag("stdout:\n$out\nstderr:\n$err");
	return $rc == 0;
}

# kafkajs_secure.js: (exit code, stdout, stderr).
sub kafkajs
{
	my ($cmd, $port, $sec, @args) = @_;
	my $modules = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	BAIL_OUT("kafkajs is not installed: run npm ci in src/test/node") unless -d "$modules/kafkajs";
	local $ENV{NODE_PATH} = $modules;
	local $ENV{STRATA_SECURITY} = join("\n", map { "$_=$sec->{$_}" } sort keys %$sec);
	return run_command([ 'node', "$ENV{STRATA_TOP_SRCDIR}/src/test/security/kafkajs_secure.js",
			$cmd, "127.0.0.1:$port", @args ], timeout => 180);
}

# ---------------------------------------------------------------- a raw client

# The wire protocol by hand, for what the real clients cannot be made to
# do: exact timings, hostile input, sessions kept open.

# A TCP connection to 127.0.0.1:$port.
sub kafka_connect
{
	my ($port) = @_;
	return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 10)
	  // croak "cannot connect to $port: $!";
}

# Send a request (header v1: key, version, correlation id, client id) with
# $body already encoded.
sub kafka_request
{
	my ($sock, $key, $version, $body) = @_;
	my $req = pack('s> s> l> s>/a', $key, $version, 1, 'tap') . $body;
	return syswrite($sock, pack('l>', length($req)) . $req);
}

# Read one response frame; returns its bytes after the size and the
# correlation id, or undef when the connection closed (or $timeout s passed).
sub kafka_recv
{
	my ($sock, $timeout) = @_;
	my $buf = '';
	my $deadline = time() + ($timeout // 20);
	my $need = 4;
	my $len;
	while (length($buf) < $need)
	{
		my $rin = '';
		vec($rin, fileno($sock), 1) = 1;
		my $left = $deadline - time();
		return undef if $left <= 0 || !select($rin, undef, undef, $left);
		my $n = sysread($sock, $buf, 65536, length($buf));
		return undef unless $n;
		if (!defined $len && length($buf) >= 4)
		{
			$len = unpack('l>', $buf);
			$need = 4 + $len;
		}
	}
	return substr($buf, 8, $len - 4);
}

# SaslHandshake (v1 unless given); returns (error code, [mechanisms]).
sub sasl_handshake
{
	my ($sock, $mechanism, $version) = @_;
	kafka_request($sock, 17, $version // 1, pack('s>/a', $mechanism));
	my $r = kafka_recv($sock) // return (undef, []);
	my ($err, $n) = unpack('s> l>', $r);
	my @mechs;
	my $off = 6;
	for (1 .. $n)
	{
		my $l = unpack('s>', substr($r, $off, 2));
		push @mechs, substr($r, $off + 2, $l);
		$off += 2 + $l;
	}
	return ($err, \@mechs);
}

# SaslAuthenticate v1 with $bytes; returns { error, message, bytes,
# lifetime } or undef when the connection closed.
sub sasl_authenticate
{
	my ($sock, $bytes) = @_;
	kafka_request($sock, 36, 1, pack('l>/a', $bytes));
	my $r = kafka_recv($sock) // return undef;
	my $err = unpack('s>', $r);
	my $mlen = unpack('s>', substr($r, 2, 2));
	my $msg = $mlen < 0 ? undef : substr($r, 4, $mlen);
	my $off = 4 + ($mlen < 0 ? 0 : $mlen);
	my $blen = unpack('l>', substr($r, $off, 4));
	my $auth = substr($r, $off + 4, $blen);
	my ($hi, $lo) = unpack('l> L>', substr($r, $off + 4 + $blen, 8));
	return { error => $err, message => $msg, bytes => $auth, lifetime => $hi * 4294967296 + $lo };
}

# Hi() of RFC 5802: PBKDF2 with HMAC-SHA-256 or -512.
sub scram_salted_password
{
	my ($mechanism, $password, $salt, $iterations) = @_;
	my $hmac = $mechanism eq 'SCRAM-SHA-512' ? \&hmac_sha512 : \&hmac_sha256;
	my $u = $hmac->($salt . "\0\0\0\1", $password);
	my $t = $u;
	for (2 .. $iterations)
	{
		$u = $hmac->($u, $password);
		$t ^= $u;
	}
	return $t;
}

# A whole SCRAM login on a new connection to $port (SaslHandshake v1,
# SaslAuthenticate v1).  Returns { error, message, server_first, salt,
# iterations, elapsed (seconds the final step took), lifetime, closed
# (the server closed the connection after answering), sock (kept open on
# success) }.
sub scram_login
{
	my ($port, $user, $password, $mechanism) = @_;
	$mechanism //= 'SCRAM-SHA-256';
	my $sock = kafka_connect($port);
	my ($herr) = sasl_handshake($sock, $mechanism);
	return { error => $herr, message => 'handshake' } if !defined $herr || $herr != 0;
	my $cnonce = 'tapnonce' . int(rand(1e9));
	my $first_bare = "n=$user,r=$cnonce";
	my $r = sasl_authenticate($sock, "n,,$first_bare") // return { error => undef, closed => 1 };
	return { %$r, closed => 1 } if $r->{error} != 0;
	my $server_first = $r->{bytes};
	my %a = map { /^(\w)=(.*)$/ ? ($1 => $2) : () } split /,/, $server_first;
	my $salt = decode_base64($a{s});
	my $salted = scram_salted_password($mechanism, $password, $salt, $a{i});
	my ($hmac, $hash) = $mechanism eq 'SCRAM-SHA-512' ? (\&hmac_sha512, \&sha512) : (\&hmac_sha256, \&sha256);
	my $client_key = $hmac->('Client Key', $salted);
	my $stored_key = $hash->($client_key);
	my $final_wo_proof = "c=biws,r=$a{r}";
	my $auth_message = "$first_bare,$server_first,$final_wo_proof";
	my $proof = $client_key ^ $hmac->($auth_message, $stored_key);
	my $start = time();
	$r = sasl_authenticate($sock, "$final_wo_proof,p=" . encode_base64($proof, ''));
	my $elapsed = time() - $start;
	my %res = (%{ $r // { error => undef } }, server_first => $server_first, salt => $a{s},
		iterations => $a{i}, elapsed => $elapsed);
	if (!defined $r || $r->{error} != 0)
	{
		$res{closed} = !defined kafka_recv($sock, 5);
		close $sock;
		return \%res;
	}
	my $server_key = $hmac->('Server Key', $salted);
	$res{verified} = $r->{bytes} eq 'v=' . encode_base64($hmac->($auth_message, $server_key), '');
	$res{sock} = $sock;
	return \%res;
}

1;
