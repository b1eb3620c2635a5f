# Producer-state snapshots through a real catalog: runs the C program
# src/test/unit/test_producer_snapshots (which saves snapshots with
# ProducerStateSaveSnapshots and rebuilds the state with
# ProducerStateRecover across simulated restarts, with and without the WAL)
# against this node's catalog and a partition it leads, and relays its TAP
# results.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $prog = "$ENV{STRATA_TOP_SRCDIR}/src/test/unit/test_producer_snapshots";
BAIL_OUT("$prog is not built: run make -C src/test/unit") unless -x $prog;

my $node = Strata::Test::Node->new('snap');
$node->init;
# three partitions: the program saves several streams' snapshots at once too
$node->append_conf('num_partitions = 3');
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
run_command(['kcat', '-b', $bootstrap, '-L', '-t', 'snap']);
my $stream = $node->psql(
	"SELECT p.stream_id FROM strata.partitions p JOIN strata.topics t ON t.id = p.topic_id "
	  . "WHERE t.name = 'snap' AND p.index = 0");
like($stream, qr/^\d+$/, "topic snap has a stream ($stream)");
is($node->psql("SELECT count(*) FROM strata.producer_snapshots"), '0', 'no snapshot yet');

$ENV{STRATA_TEST_CATALOG} = $node->connstr;
$ENV{STRATA_TEST_STREAM} = $stream;
my ($rc, $out, $err) = run_command([$prog], timeout => 120);
is($rc, 0, 'test_producer_snapshots exited 0') or diag($err);
my @lines = split /\n/, $out;
my @failed = grep { /^not ok/ } @lines;
my $planned = (grep { /^1\.\.(\d+)/ } @lines) ? ($out =~ /^1\.\.(\d+)/m)[0] : 0;
cmp_ok($planned, '>=', 20, "it ran its $planned tests");
is(scalar(@failed), 0, 'all passed') or diag(join("\n", @failed, grep { /^#/ } @lines));
is($node->psql("SELECT count(*) FROM strata.producer_snapshots"), '0', 'it cleaned up its snapshot');

$node->stop;
done_testing();
