# The catalog goes away under a running broker: the broker keeps running,
# logs the outage once, and renews its lease again once the catalog is back.
use strict;
use warnings;

use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('lease');
my $node = $cluster->add_node('b1');
$node->append_conf("broker_lease_time = 3s\ncatalog_retry_max = 500ms\n");
$node->start;
is($cluster->psql("SELECT state FROM strata.brokers WHERE id = 1"), 'alive', 'broker registered');

my $pos = $node->log_position;
$cluster->stop_catalog('fast');
ok($node->wait_for_log(qr/catalog unreachable/, $pos, 15), 'the outage is logged');
sleep 2;
my $c = $node->log_content($pos);
my $n = () = $c =~ /catalog unreachable/g;
is($n, 1, 'the outage is logged once, not at each retry');
is($node->status, 0, 'the broker keeps running without its catalog');

$cluster->start_catalog;
ok($node->wait_for_log(qr/catalog reachable again after [\d.]+ s; lease renewed/, $pos, 15),
	'recovery is logged');
ok(poll_until(sub {
	($cluster->psql("SELECT lease_expires > now() FROM strata.brokers WHERE id = 1", fail_ok => 1) // '') eq 't' }, 10),
	'the lease is valid again');

# Catalog restarted while the broker runs: same again.
$pos = $node->log_position;
$cluster->restart_catalog;
ok($node->wait_for_log(qr/catalog reachable again/, $pos, 20), 'lease resumes after a catalog restart');

$node->stop('fast');
is($cluster->psql("SELECT state FROM strata.brokers WHERE id = 1"), 'stopped', 'marked stopped at shutdown');

done_testing();
