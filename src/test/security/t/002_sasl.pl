# SASL: users made with strata_ctl before the broker runs, the four clients
# over SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, PLAIN refused
# without TLS, wrong passwords and unknown users (logged, delayed, closed,
# indistinguishable on the wire), users made by a client with
# AlterUserScramCredentials, and sessions: KIP-368 re-authentication, an
# expired session closed, a user removed while connected.
use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time usleep);
use Strata::Test::Node;
use Strata::Test::Security;
use Strata::Test::Utils;

my $certs = make_certs(tempdir('certs'));
my $node = secure_node('sasl', $certs,
	"sasl_enabled_mechanisms = 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN'\nauthentication_failure_delay = 600ms");

# The first users exist before the broker ever ran: strata_ctl starts and
# stops the embedded catalog for it.
ok(add_user($node, 'alice', 'alice-pw'), 'strata_ctl user add alice, the broker never started');
ok(add_user($node, 'bob', 'bob pw, with spaces', '--mechanism', 'SCRAM-SHA-256', '--iterations', '8192'),
	'strata_ctl user add bob --mechanism SCRAM-SHA-256 --iterations 8192');
ok(add_user($node, 'erin', 'erin-pw'), 'strata_ctl user add erin');
ok(!add_user($node, 'weak', '', '--iterations', '4096'), 'an empty password is refused');
ok(!add_user($node, 'few', 'pw', '--iterations', '100'), 'too few iterations are refused');
{
	my ($rc, $out) = run_command([ 'strata_ctl', 'user', 'list', '-D', $node->data_dir ]);
	is($out, "alice\tSCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (4096 iterations)\n"
		  . "bob\tSCRAM-SHA-256 (8192 iterations)\nerin\tSCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (4096 iterations)\n",
		'strata_ctl user list');
}
$node->start;
is($node->psql("SELECT count(*) FROM strata.scram_credentials WHERE position('alice-pw' in encode(stored_key, 'escape')"
	  . " || encode(server_key, 'escape') || encode(salt, 'escape')) > 0"), '0', 'the catalog holds no password');
my $sasl_ssl = listener_port($node, 'SASL_SSL');
my $sasl_plain = listener_port($node, 'SASL_PLAINTEXT');

sub login
{
	my ($mech, $user, $pw) = @_;
	return { protocol => 'SASL_SSL', ca => $certs->{ca}, mechanism => $mech, user => $user, password => $pw };
}

# ---- the four clients over SASL_SSL ----
for my $mech ('SCRAM-SHA-512', 'SCRAM-SHA-256')
{
	my $sec = login($mech, 'alice', 'alice-pw');
	(my $t = lc $mech) =~ s/[^a-z0-9]//g;
	open(my $fh, '>', $node->basedir . "/in_$t") or die;
	print $fh "m$_\n" for 1 .. 30;
	close $fh;
	my ($rc, $out, $err) = kcat($sasl_ssl, $sec, '-P', '-t', "kc_$t", '-X', 'acks=all', '-l', $node->basedir . "/in_$t");
	is($rc, 0, "kcat produced over SASL_SSL with $mech") or diag($err);
	($rc, $out, $err) = kcat($sasl_ssl, $sec, '-C', '-t', "kc_$t", '-e', '-f', '%s\n');
	is(scalar(split /\n/, $out), 30, "kcat consumed over SASL_SSL with $mech");
	client_ok("confluent-kafka over SASL_SSL with $mech", 'confluent-roundtrip', $sasl_ssl, $sec, "ck_$t");
	client_ok("kafka-python over SASL_SSL with $mech", 'kafka-python-roundtrip', $sasl_ssl, $sec, "kp_$t");
	my ($jrc, $jout, $jerr) = kafkajs('roundtrip', $sasl_ssl, $sec, "js_$t");
	ok($jrc == 0, "kafkajs over SASL_SSL with $mech") or diag("$jout\n$jerr");
}
{
	my $plain = login('PLAIN', 'alice', 'alice-pw');
	my ($rc, $out, $err) = kcat($sasl_ssl, $plain, '-L');
	is($rc, 0, 'kcat with PLAIN over TLS') or diag($err);
	client_ok('confluent-kafka with PLAIN over TLS', 'confluent-metadata', $sasl_ssl, $plain);
	client_ok('kafka-python with PLAIN over TLS', 'kafka-python-metadata', $sasl_ssl, $plain);
	my ($jrc, $jout, $jerr) = kafkajs('metadata', $sasl_ssl, $plain);
	ok($jrc == 0, 'kafkajs with PLAIN over TLS') or diag($jerr);
	ok($node->wait_for_log(qr/authenticated 127\.0\.0\.1:\d+ on listener SASL_SSL as User:alice \(SASL PLAIN\)/),
		'the PLAIN login is logged with the principal');
}

# ---- SASL_PLAINTEXT: SCRAM yes, PLAIN only if allowed ----
{
	my $scram = { %{ login('SCRAM-SHA-256', 'bob', 'bob pw, with spaces') }, protocol => 'SASL_PLAINTEXT' };
	my ($rc, $out, $err) = kcat($sasl_plain, $scram, '-L');
	is($rc, 0, 'SCRAM over SASL_PLAINTEXT') or diag($err);
	like($out, qr/broker 1 at 127\.0\.0\.1:$sasl_plain\b/, '... and Metadata gives the SASL_PLAINTEXT listener');
	my $pos = $node->log_position;
	my $plain = { %{ login('PLAIN', 'alice', 'alice-pw') }, protocol => 'SASL_PLAINTEXT' };
	($rc, $out, $err) = kcat($sasl_plain, $plain, '-m', 3, '-L');
	isnt($rc, 0, 'PLAIN without TLS is refused');
	my $s = kafka_connect($sasl_plain);
	my ($herr, $mechs) = sasl_handshake($s, 'PLAIN');
	is($herr, 33, '... with UNSUPPORTED_SASL_MECHANISM');
	is_deeply($mechs, [ 'SCRAM-SHA-512', 'SCRAM-SHA-256' ], '... offering only the SCRAM mechanisms there');
	ok(!defined kafka_recv($s, 5), '... and the connection is closed');
	ok($node->wait_for_log(qr/SASL mechanism "PLAIN" is not enabled on this listener .*PLAIN is only offered over TLS unless sasl_plain_without_tls is on/, $pos),
		'... logged, naming sasl_plain_without_tls');
	$node->append_conf('sasl_plain_without_tls = on');
	$node->reload;
	ok(poll_until(sub { my ($r) = kcat($sasl_plain, $plain, '-m', 3, '-L'); $r == 0 }, 20),
		'with sasl_plain_without_tls = on PLAIN works on SASL_PLAINTEXT');
}

# ---- refused logins ----
{
	my $pos = $node->log_position;
	my ($rc, $out, $err) = kcat($sasl_ssl, login('SCRAM-SHA-512', 'alice', 'not-her-password'), '-m', 3, '-L');
	isnt($rc, 0, 'kcat: a wrong password is refused');
	like($err, qr/Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
		'... with Kafka\'s message');
	($rc, $out, $err) = secclient('confluent-metadata', $sasl_ssl, login('SCRAM-SHA-256', 'alice', 'not-her-password'));
	isnt($rc, 0, 'confluent-kafka: a wrong password is refused');
	($rc, $out, $err) = secclient('kafka-python-metadata', $sasl_ssl, login('SCRAM-SHA-512', 'alice', 'not-her-password'));
	isnt($rc, 0, 'kafka-python: a wrong password is refused');
	($rc, $out, $err) = kafkajs('metadata', $sasl_ssl, login('SCRAM-SHA-256', 'alice', 'not-her-password'));
	isnt($rc, 0, 'kafkajs: a wrong password is refused');
	like($err, qr/SASL_AUTHENTICATION_FAILED|Authentication failed/, '... and kafkajs says why');
	($rc, $out, $err) = kcat($sasl_ssl, login('PLAIN', 'alice', 'not-her-password'), '-m', 3, '-L');
	isnt($rc, 0, 'a wrong PLAIN password is refused');
	($rc, $out, $err) = kcat($sasl_ssl, login('SCRAM-SHA-512', 'bob', 'bob pw, with spaces'), '-m', 3, '-L');
	isnt($rc, 0, 'bob has no SCRAM-SHA-512 credential');
	ok($node->wait_for_log(qr/authentication of user "alice" from 127\.0\.0\.1:\d+ on listener SASL_SSL failed: wrong password \(SASL SCRAM-SHA-512\)/, $pos),
		'the refusal is logged with the user, the client address and the reason');
	ok($node->wait_for_log(qr/user "bob" .* failed: the user has no SCRAM-SHA-512 credential/, $pos),
		'a missing mechanism is logged as such');
	unlike($node->log_content($pos), qr/not-her-password/, 'the password is never logged');
}

# The answer to a wrong password comes after authentication_failure_delay,
# and the connection closes; an unknown user looks the same on the wire,
# with a salt that does not change from one attempt to the next.
{
	my $r = scram_login($sasl_plain, 'alice', 'wrong', 'SCRAM-SHA-256');
	is($r->{error}, 58, 'SASL_AUTHENTICATION_FAILED for a wrong password');
	cmp_ok($r->{elapsed}, '>=', 0.55, "... answered after authentication_failure_delay (600 ms; took $r->{elapsed} s)");
	ok($r->{closed}, '... and the connection is closed');
	my $g1 = scram_login($sasl_plain, 'ghost', 'whatever', 'SCRAM-SHA-256');
	my $g2 = scram_login($sasl_plain, 'ghost', 'whatever', 'SCRAM-SHA-256');
	is($g1->{error}, 58, 'an unknown user fails only at the proof, as a wrong password does');
	is($g1->{message}, $r->{message}, '... with the same message');
	is($g1->{iterations}, 4096, '... after a server-first-message with 4096 iterations');
	is($g1->{salt}, $g2->{salt}, '... and the same salt on every attempt');
	my $a1 = scram_login($sasl_plain, 'alice', 'alice-pw', 'SCRAM-SHA-256');
	is($a1->{error}, 0, 'alice logs in with the raw client');
	ok($a1->{verified}, '... and the server proves it knows her keys (server-final-message)');
	is($a1->{lifetime}, 0, '... with no session lifetime while connections_max_reauth_ms = 0');
	close $a1->{sock};
}

# ---- users made and removed by a client: AlterUserScramCredentials ----
{
	my $salt = 'carol salt 12345';
	my $salted = scram_salted_password('SCRAM-SHA-256', 'carol-pw', $salt, 4096);
	my $script = $node->basedir . '/alter.script';
	open(my $fh, '>', $script) or die;
	printf $fh "AlterUserScramCredentials v0 {Upsertions=[{Name=\"carol\", Mechanism=1, Iterations=4096, Salt=0x%s, SaltedPassword=0x%s}]}\n",
	  unpack('H*', $salt), unpack('H*', $salted);
	print $fh "DescribeUserScramCredentials v0 {Users=[{Name=\"carol\"}]}\n";
	close $fh;
	my ($rc, $out, $err) = run_command([ "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress", '-p', $node->port, $script ]);
	like($out, qr/Results=\[\{User="carol", ErrorCode=0, ErrorMessage=null\}\]/, 'AlterUserScramCredentials made carol');
	like($out, qr/CredentialInfos=\[\{Mechanism=1, Iterations=4096\}\]/, 'DescribeUserScramCredentials shows her credential');
	my $sec = login('SCRAM-SHA-256', 'carol', 'carol-pw');
	($rc, $out, $err) = kcat($sasl_ssl, $sec, '-L');
	is($rc, 0, 'carol logs in at once: the change is in force when the request returns') or diag($err);
	($rc, $out, $err) = kcat($sasl_ssl, login('PLAIN', 'carol', 'carol-pw'), '-L');
	is($rc, 0, '... also with PLAIN, checked against her SCRAM credential') or diag($err);

	open($fh, '>', $script) or die;
	print $fh "AlterUserScramCredentials v0 {Deletions=[{Name=\"carol\", Mechanism=1}]}\n";
	close $fh;
	($rc, $out, $err) = run_command([ "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress", '-p', $node->port, $script ]);
	like($out, qr/Results=\[\{User="carol", ErrorCode=0/, 'AlterUserScramCredentials removed carol');
	($rc, $out, $err) = kcat($sasl_ssl, $sec, '-m', 3, '-L');
	isnt($rc, 0, '... and she can no longer log in');
}

# ---- sessions (KIP-368) ----
$node->append_conf('connections_max_reauth_ms = 3s');
$node->reload;
ok(poll_until(sub { my $r = scram_login($sasl_plain, 'alice', 'alice-pw'); close $r->{sock} if $r->{sock}; $r->{lifetime} == 3000 }, 20),
	'SaslAuthenticate v1 tells the session lifetime (connections_max_reauth_ms)');
{
	# A client that does not re-authenticate is cut off at its first request
	# after the session's end.
	my $pos = $node->log_position;
	my $r = scram_login($sasl_plain, 'alice', 'alice-pw');
	my $s = $r->{sock};
	kafka_request($s, 3, 1, pack('l>', 0));
	ok(defined kafka_recv($s), 'a request within the session is served');
	sleep 4;
	kafka_request($s, 3, 1, pack('l>', 0));
	ok(!defined kafka_recv($s, 5), 'the first request after the session ended closes the connection');
	ok($node->wait_for_log(qr/the SASL session of User:alice expired \(connections_max_reauth_ms = 3000\) without re-authentication/, $pos),
		'... logged');
	# librdkafka 2.0.2 does not re-authenticate: it reconnects and logs in again.
	client_ok('confluent-kafka goes on across expired sessions (reconnecting)', 'confluent-roundtrip',
		$sasl_ssl, login('SCRAM-SHA-512', 'alice', 'alice-pw'), 'ck_sessions');
}
{
	# kafkajs re-authenticates on its connection; once erin is removed, the
	# re-authentication fails.
	my $pos = $node->log_position;
	my $sec = { %{ login('SCRAM-SHA-512', 'erin', 'erin-pw') }, reauth_threshold => 1500 };
	my ($jrc, $jout, $jerr) = kafkajs('roundtrip', $sasl_ssl, $sec, 'js_erin');
	ok($jrc == 0, 'erin works with kafkajs') or diag("$jout\n$jerr");

	my $modules = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	local $ENV{NODE_PATH} = $modules;
	local $ENV{STRATA_SECURITY} = join("\n", map { "$_=$sec->{$_}" } sort keys %$sec);
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start([ 'node', "$ENV{STRATA_TOP_SRCDIR}/src/test/security/kafkajs_secure.js", 'hold',
			"127.0.0.1:$sasl_ssl", 'js_erin', 12 ], '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(90));
	ok($node->wait_for_log(qr/re-authenticated 127\.0\.0\.1:\d+ on listener SASL_SSL as User:erin \(SASL SCRAM-SHA-512\)/, $pos, 20),
		'kafkajs re-authenticates on its connection before the session ends');
	ok(remove_user($node, 'erin'), 'strata_ctl user remove erin while she is connected');
	ok($node->wait_for_log(qr/re-authentication of user "erin" from 127\.0\.0\.1:\d+ on listener SASL_SSL failed: no such user/, $pos, 20),
		'her next re-authentication fails');
	$h->finish;
	like($out, qr/ok hold: [1-9]\d* produced, [1-9]\d* failed/, 'what she sent before went through, what after did not')
	  or diag("$out\n$err");
	my ($rc) = kcat($sasl_ssl, login('SCRAM-SHA-512', 'erin', 'erin-pw'), '-m', 3, '-L');
	isnt($rc, 0, 'and she cannot log in again');
	my ($lrc, $lout) = run_command([ 'strata_ctl', 'user', 'list', '-D', $node->data_dir ]);
	unlike($lout, qr/erin/, 'strata_ctl user list no longer shows her');
	ok(!remove_user($node, 'erin'), 'removing her twice fails');
}

$node->stop;
done_testing();
