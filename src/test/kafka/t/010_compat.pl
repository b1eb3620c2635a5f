# What Kafka 3.9 accepts, Strata accepts (issue 19), with real clients:
# each of the four clients subscribes by regular expression to ^acc-.* and
# receives every message of the two topics that match (and nothing of the
# one that does not); a Metadata v12 request with the three surplus bytes
# librdkafka 2.3+ sends is answered, counted and logged once per
# connection.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $mport = get_free_port();
my $node = Strata::Test::Node->new('compat');
$node->init;
$node->append_conf("metrics_listen = '127.0.0.1:$mport'\nlog_min_messages = debug1\n"
	  . "group_initial_rebalance_delay = 0");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";

sub surplus_requests
{
	my ($rc, $out, $err) = run_command(['curl', '-s', '-S', '--max-time', '20',
		"http://127.0.0.1:$mport/metrics"]);
	return $out =~ /^strata_kafka_requests_surplus_total\{api="Metadata"\} (\d+)$/m ? $1 : 0;
}

# ---- surplus bytes: answered, counted, logged once per connection ----
{
	my $pos = $node->log_position;
	my $before = surplus_requests();
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'surplus-metadata', $bootstrap],
		timeout => 60);
	is($rc, 0, 'Metadata v12 with librdkafka 2.3+\'s surplus bytes is answered') or diag("$out\n$err");
	is(surplus_requests() - $before, 3, 'the three requests are counted in strata_kafka_requests_surplus_total');
	my @logged = $node->log_content($pos) =~ /ignoring 3 bytes after the body of a Metadata v12 request/g;
	is(scalar(@logged), 2, 'logged once per connection (two connections)');
	unlike($node->log_content($pos), qr/malformed Metadata/, 'no connection was closed as malformed');
}

# ---- two matching topics and one that does not match ----
for my $t (['acc-one', 12], ['acc-two', 8], ['other-acc', 5])
{
	my ($topic, $n) = @$t;
	open(my $fh, '>', $node->basedir . "/$topic.in") or die;
	print $fh "$topic $_\n" for 1 .. $n;
	close $fh;
	my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', $topic,
		'-X', 'acks=all', '-l', $node->basedir . "/$topic.in"]);
	is($rc, 0, "kcat produced $n messages to $topic") or diag($err);
}

# ---- each client subscribes by regex and receives the 20 matching ----
{
	my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-G', 'rx-kcat',
		'-X', 'auto.offset.reset=earliest', '-X', 'topic.metadata.refresh.interval.ms=1000',
		'-f', '%t %s\n', '-c', '20', '^acc-.*'], timeout => 90);
	my %by;
	$by{(split / /, $_)[0]}++ for grep { /\S/ } split /\n/, $out;
	is_deeply(\%by, {'acc-one' => 12, 'acc-two' => 8}, 'kcat -G by regex received 12 from acc-one, 8 from acc-two')
	  or diag("rc $rc\n$out\n$err");
}
for my $c (['confluent-kafka', 'regex-confluent'], ['kafka-python', 'regex-kafka-python'])
{
	my ($name, $cmd) = @$c;
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, $cmd, $bootstrap, "rx-$cmd",
		'^acc-.*', 20], timeout => 120);
	is($rc, 0, "$name subscribed by regex") or diag("stdout:\n$out\nstderr:\n$err");
	like($out, qr/ok \S+ by regex received 12 from acc-one, 8 from acc-two/,
		"$name received 12 from acc-one, 8 from acc-two, none from other-acc");
}
{
	my $js = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/kafkajs_regex.js";
	my $modules = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	BAIL_OUT("kafkajs is not installed: run npm ci in src/test/node") unless -d "$modules/kafkajs";
	local $ENV{NODE_PATH} = $modules;
	my ($rc, $out, $err) = run_command(['node', $js, $bootstrap, 'rx-kafkajs', '^acc-.*', 20], timeout => 120);
	is($rc, 0, 'kafkajs subscribed by regex') or diag("stdout:\n$out\nstderr:\n$err");
	like($out, qr/ok kafkajs by regex received 12 from acc-one, 8 from acc-two/,
		'kafkajs received 12 from acc-one, 8 from acc-two, none from other-acc');
}

unlike($node->log_content, qr/closing connection from .*: malformed/, 'no client request was malformed');
$node->stop;
done_testing();
