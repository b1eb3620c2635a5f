# Idempotent producers across crashes: confluent-kafka with
# enable.idempotence=true and acks=all sends numbered messages while the
# broker is killed with SIGKILL and restarted several times (and once
# crash-restarted by the postmaster after a backend is killed).  librdkafka
# retries every batch whose response it lost; the broker must recognise the
# ones it had already made durable (producer state rebuilt from the WAL)
# and append the others.  Afterwards the topic holds every message exactly
# once, in order.  The uploader uploads and trims the WAL meanwhile, so the
# state comes back from its snapshots plus the WAL's tail.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $count = 30000;
my $node = Strata::Test::Node->new('idem');
$node->init(wal_size => '256MB');
# Upload (and trim the WAL) often: recovery then needs the producer
# snapshots the uploader saves with every commit, not only the WAL.
$node->append_conf("log_cache_size = 128MB\nupload_threshold = 1MB\nupload_interval = 300ms");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $acked = $node->basedir . '/acked.txt';
my $consumed = $node->basedir . '/consumed.txt';

run_command(['kcat', '-b', $bootstrap, '-L', '-t', 'idem']);

my $pid = fork();
if ($pid == 0)
{
	open(STDOUT, '>', $node->basedir . '/producer.out');
	open(STDERR, '>&', \*STDOUT);
	exec('/usr/bin/python3', $clients, 'produce-idempotent', $bootstrap, 'idem', $count, $acked);
	exit 1;
}

sub acked_lines
{
	return 0 unless -f $acked;
	return scalar(() = slurp_file($acked) =~ /\n/g);
}

# Kill while producing: three times the whole broker (kill -9 of the
# postmaster, then a start), once a backend (the postmaster's own crash
# restart re-creates shared memory and recovers).
my @crashes = ('postmaster', 'backend', 'postmaster', 'postmaster');
for my $i (0 .. $#crashes)
{
	my $want = int($count * ($i + 1) / (@crashes + 2));
	poll_until(sub { acked_lines() >= $want }, 90)
	  or diag("producer made little progress before crash $i (" . acked_lines() . " acked)");
	# The producer can outrun the uploader (every crash within a second):
	# make sure the last restart has an uploaded snapshot to recover from.
	if ($i == $#crashes)
	{
		poll_until(sub { $node->psql("SELECT count(*) FROM strata.producer_snapshots WHERE producers > 0") >= 1 }, 60)
		  or diag('no producer snapshot was uploaded before the last crash');
	}
	if ($crashes[$i] eq 'postmaster')
	{
		$node->kill9;
		$node->start;
		ok(1, "crash $i: broker killed with SIGKILL and restarted at " . acked_lines() . " acked");
	}
	else
	{
		my $pos = $node->log_position;
		my $backend;
		poll_until(sub { ($backend) = $node->child_pids(qr/^strata: backend 127\.0\.0\.1:\d+/); $backend }, 30);
		ok($backend, "crash $i: a backend to kill");
		kill 'KILL', $backend if $backend;
		ok($node->wait_for_log(qr/producer state recovered/, $pos, 60),
		   "crash $i: crash restart recovered the producer state");
	}
}

waitpid($pid, 0);
is($? >> 8, 0, 'the idempotent producer delivered every message')
  or diag(slurp_file($node->basedir . '/producer.out'));

my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'consume-all', $bootstrap, 'idem', $consumed],
	timeout => 120);
is($rc, 0, 'consumed the topic after the crashes') or diag($err);

my @values;
my %offset_of;
my $prev = -1;
my $offsets_increase = 1;
for my $line (split /\n/, slurp_file($consumed))
{
	my ($off, $val) = split / /, $line;
	$offsets_increase = 0 if $off <= $prev;
	$prev = $off;
	push @values, $val;
	$offset_of{$val} = $off;
}
ok($offsets_increase, 'offsets are strictly increasing');
is(scalar(@values), $count, "the topic holds $count messages");
my %seen;
my $dups = grep { $seen{$_}++ } @values;
is($dups, 0, 'no message twice');
my $expected_in_order = 1;
for my $i (0 .. $#values)
{
	if ($values[$i] ne sprintf('m%08d', $i))
	{
		$expected_in_order = 0;
		diag("position $i holds $values[$i]");
		last;
	}
}
ok($expected_in_order, 'every message exactly once, in the order sent');

# Every delivery report names the offset the message is at.
my $wrong = 0;
for my $line (split /\n/, slurp_file($acked))
{
	my ($off, $val) = split / /, $line;
	$wrong++ unless defined $offset_of{$val} && $offset_of{$val} == $off;
}
is($wrong, 0, 'every acknowledged offset is where the message is');
note('batches answered as duplicates: ' . scalar(() = $node->log_content =~ /duplicate batch of producer/g));
like($node->log_content, qr/producer state recovered: .* [1-9]\d* idempotent batches replayed from the WAL/,
	'producer state was rebuilt from the WAL');
like($node->log_content, qr/producer state recovered: [1-9]\d* snapshots/,
	'... and from snapshots the uploader saved');
cmp_ok($node->psql("SELECT count(*) FROM strata.producer_snapshots WHERE producers > 0"), '>=', 1,
	'strata.producer_snapshots holds the topic\'s producer');
is(scalar(grep { /TRAP|terminated by signal 11/ } split /\n/, $node->log_content), 0, 'no process crashed on its own');

# kafkajs's idempotent producer (idempotent: true) through one more kill -9.
{
	my $js = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/kafkajs_idempotent.js";
	my $modules = "$ENV{STRATA_TOP_SRCDIR}/src/test/node/node_modules";
	BAIL_OUT("kafkajs is not installed: run npm ci in src/test/node") unless -d "$modules/kafkajs";
	my $jsacked = $node->basedir . '/jsacked.txt';
	my $jscount = 3000;
	run_command(['kcat', '-b', $bootstrap, '-L', '-t', 'idemjs']);
	my $jspid = fork();
	if ($jspid == 0)
	{
		$ENV{NODE_PATH} = $modules;
		open(STDOUT, '>', $node->basedir . '/kafkajs.out');
		open(STDERR, '>&', \*STDOUT);
		exec('node', $js, $bootstrap, 'idemjs', $jscount, $jsacked);
		exit 1;
	}
	poll_until(sub { -f $jsacked && (-s $jsacked) > 1000 * 18 }, 60)
	  or diag('kafkajs made little progress');
	$node->kill9;
	$node->start;
	waitpid($jspid, 0);
	is($? >> 8, 0, 'kafkajs idempotent producer delivered everything across a kill -9')
	  or diag(slurp_file($node->basedir . '/kafkajs.out'));
	my $jsconsumed = $node->basedir . '/jsconsumed.txt';
	($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'consume-all', $bootstrap, 'idemjs', $jsconsumed],
		timeout => 120);
	my @jsvalues = map { (split / /)[1] } split /\n/, slurp_file($jsconsumed);
	my @want = map { sprintf('j%08d', $_) } 0 .. $jscount - 1;
	is_deeply(\@jsvalues, \@want, "kafkajs: all $jscount messages exactly once, in order");
}

$node->stop;
done_testing();
