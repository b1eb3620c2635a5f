# kill -9 of the broker while a client produces 100,000 messages with
# acks=all: after the restart every acknowledged message is readable, at
# the offset it was acknowledged with, in order.
use strict;
use warnings;

use Test::More;
use Time::HiRes qw(usleep);
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('kill9');
$node->init(wal_size => '256MB');
$node->append_conf("log_cache_size = 128MB");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $clients = "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py";
my $acked = $node->basedir . '/acked.txt';
my $consumed = $node->basedir . '/consumed.txt';

# Create the topic first so that the producer never races auto-creation.
run_command(['kcat', '-b', $bootstrap, '-L', '-t', 'crash']);

my $pid = fork();
if ($pid == 0)
{
	open(STDOUT, '>', $node->basedir . '/producer.out');
	open(STDERR, '>&', \*STDOUT);
	exec('/usr/bin/python3', $clients, 'produce-acked', $bootstrap, 'crash', 100000, $acked);
	exit 1;
}

# Let a good part of the messages be acknowledged, then pull the plug.
poll_until(sub { -f $acked && (-s $acked) > 20000 * 15 }, 60)
  or diag('producer made little progress');
$node->kill9;
ok(1, 'broker killed with SIGKILL while producing');
$node->start;

waitpid($pid, 0);
my @acked = split /\n/, slurp_file($acked);
cmp_ok(scalar(@acked), '>=', 20000, scalar(@acked) . ' messages acknowledged in all');

my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'consume-all', $bootstrap, 'crash', $consumed],
	timeout => 120);
is($rc, 0, 'consumed the topic after the restart') or diag($err);
my %at;
my $prev = -1;
my $in_order = 1;
for my $line (split /\n/, slurp_file($consumed))
{
	my ($off, $val) = split / /, $line;
	$in_order = 0 if $off <= $prev;
	$prev = $off;
	$at{$off} = $val;
}
ok($in_order, 'offsets are strictly increasing');

my $missing = 0;
my $last_value = '';
my $ordered = 1;
for my $line (@acked)
{
	my ($off, $val) = split / /, $line;
	$missing++ unless defined $at{$off} && $at{$off} eq $val;
	$ordered = 0 if $val le $last_value;
	$last_value = $val;
}
is($missing, 0, 'every acknowledged message is there, at its acknowledged offset');
ok($ordered, 'acknowledged messages are in the order they were sent');

$node->stop;
done_testing();
