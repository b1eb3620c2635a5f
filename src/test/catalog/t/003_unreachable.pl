# An unreachable catalog gives one line naming the catalog setting and what
# libpq said.
use strict;
use warnings;

use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Node;
use Strata::Test::Utils;

my $port = get_free_port();		# nothing listens there
my $ci = "host=127.0.0.1 port=$port dbname=strata user=strata connect_timeout=3";
my $node = Strata::Test::Node->new('unr');
ok(!$node->init(catalog => $ci, fail_ok => 1), 'init with an unreachable catalog fails');
my @lines = grep { /could not connect/ } split /\n/, $node->{init_stderr};
is(scalar @lines, 1, 'one line about the connection');
like($lines[0] // '',
	qr/^strata_ctl: could not connect to the catalog \(catalog = '\Q$ci\E'\): .*(refused|connect).*; start PostgreSQL or fix the catalog setting$/,
	'the line names the catalog setting, the reason and the fix');
ok(!-e $node->data_dir, 'the data directory of a failed init is removed');

# A broker whose catalog is down at start refuses to start, with one FATAL
# line saying so.
my $cluster = Strata::Test::Cluster->new('unr');
my $b = $cluster->add_node('b1');
$cluster->stop_catalog('fast');
ok(!$b->start(fail_ok => 1), 'start with the catalog down fails');
my @fatal = grep { /FATAL/ } split /\n/, $b->log_content;
is(scalar @fatal, 1, 'one FATAL line');
like($fatal[0] // '', qr/could not connect to the catalog \(catalog = 'host=.*'\): .*; start PostgreSQL or fix the catalog setting/,
	'it names the catalog, the reason and the fix');
like($b->last_stderr, qr/could not connect to the catalog/, 'strata_ctl start shows the log line');
ok(!-e $b->data_dir . '/postmaster.pid', 'no postmaster.pid left');

done_testing();
