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
use IPC::Run;
use Exporter 'import';
use Test::More;

use Strata::Test::Node;
use Strata::Test::Utils;

our @EXPORT = qw(make_certs secure_node listener_port kcat kcat_args secclient client_ok
  kafkajs add_user remove_user);

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

1;
