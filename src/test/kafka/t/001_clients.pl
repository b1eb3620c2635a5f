# Real Kafka clients against one broker: kcat (librdkafka), confluent-kafka
# (librdkafka through Python), kafka-python (an independent implementation)
# and kafkajs (another one, in JavaScript).
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('clients');
$node->init;
my $mport = get_free_port();
$node->append_conf("metrics_listen = '127.0.0.1:$mport'");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";

sub client_ok
{
	my ($what, @args) = @_;
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, @args], timeout => 180);
	ok($rc == 0, $what) or diag("stdout:\n$out\nstderr:\n$err");
	note($out);
}

# kcat: metadata, produce with keys/headers, consume with formatting.
{
	my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-L']);
	like($out, qr/broker 1 at 127\.0\.0\.1:\d+ \(controller\)/, 'kcat -L lists the broker as controller');

	open(my $fh, '>', $node->basedir . '/kcat_in') or die;
	print $fh "k$_\tvalue $_\n" for 1 .. 100;
	close $fh;
	($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', 'kcat1', '-K', "\t",
		'-H', 'hdr=1', '-X', 'acks=all', '-l', $node->basedir . '/kcat_in']);
	is($rc, 0, 'kcat produced 100 keyed messages') or diag($err);
	($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-C', '-t', 'kcat1', '-e',
		'-f', '%o|%k|%s|%h\n']);
	my @lines = split /\n/, $out;
	is(scalar(@lines), 100, 'kcat consumed 100 messages');
	is($lines[0], '0|k1|value 1|hdr=1', 'first message with offset, key, value and header');
	is($lines[99], '99|k100|value 100|hdr=1', 'last message');
}

client_ok('confluent-kafka round trip', 'confluent-roundtrip', $bootstrap, 'ck1');
client_ok('confluent-kafka bulk round trip (large pipelined requests and fetches)',
	'bulk-roundtrip', $bootstrap, 'bulk1', 40000);

# Fetches send the log cache's batches straight from the WAL ring; a client
# that stops reading mid-response gets the rest copied (and releases the ring).
sub metric
{
	my ($name) = @_;
	my ($rc, $out) = run_command(['curl', '-s', '--max-time', '20', "http://127.0.0.1:$mport/metrics"]);
	return $out =~ /^\Q$name\E (\S+)$/m ? $1 : undef;
}
my $sent0 = metric('strata_log_cache_sent_bytes_total');
my $copied0 = metric('strata_log_cache_copied_bytes_total');
ok($sent0 > 50 * 1024 * 1024, "the bulk consumer got $sent0 bytes from the log cache by reference");
client_ok('a fetch left unread mid-response is sent whole once read', 'slow-fetch', $bootstrap, 'bulk1', 40000);
ok(metric('strata_log_cache_copied_bytes_total') > $copied0,
	'the slow fetch\'s unsent batches were copied out of the ring');
client_ok('kafka-python round trip', 'kafka-python-roundtrip', $bootstrap, 'kp1');
client_ok('topic administration', 'admin', $bootstrap);
client_ok('ListOffsets by time', 'offsets-for-times', $bootstrap, 'times1');

# kafkajs (npm ci in src/test/node installs it)
{
	my $js = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/kafkajs_roundtrip.js";
	my $modules = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	BAIL_OUT("kafkajs is not installed: run npm ci in src/test/node") unless -d "$modules/kafkajs";
	local $ENV{NODE_PATH} = $modules;
	my ($rc, $out, $err) = run_command(['node', $js, $bootstrap, 'js1'], timeout => 120);
	ok($rc == 0, 'kafkajs created a topic, produced, and consumed it back in a group')
	  or diag("stdout:\n$out\nstderr:\n$err");
	like($out, qr/ok kafkajs consumed 100 messages/, 'kafkajs consumer read all 100 messages');
	my @sent = sort grep { /\|/ } split /\n/, $out;
	my @read;
	for my $p (0, 1)
	{
		my ($rc2, $o2) = run_command(['kcat', '-b', $bootstrap, '-C', '-t', 'js1', '-p', $p, '-e',
			'-f', "$p|%k|%s|%h\n"]);
		push @read, split /\n/, $o2;
	}
	is_deeply([ sort @read ], \@sent, 'what kafkajs produced reads back with kcat: keys, values, headers');
}

# Everything above after a restart: it was durable.
$node->restart;
{
	my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-C', '-t', 'kcat1', '-e', '-f', '%s\n']);
	my @lines = split /\n/, $out;
	is(scalar(@lines), 100, 'after a restart the 100 kcat messages are still there');
}

# A LogAppendTime topic: the broker rewrites the batches' timestamps and
# CRCs before appending them.  Stopped at once, so that they come back by
# WAL recovery, which checks every record's CRC.
client_ok('produce to a LogAppendTime topic', 'log-append-time', $bootstrap, 'lat1', 'produce',
	$node->basedir . '/lat1_start');
$node->restart(mode => 'immediate');
client_ok('LogAppendTime batches recovered from the WAL, timestamps rewritten',
	'log-append-time', $bootstrap, 'lat1', 'check', $node->basedir . '/lat1_start');

$node->stop;
done_testing();
