# Catalog migration 5: committed_offsets.metadata from text to bytea.  A
# catalog still at version 4 (its column text, holding a UTF-8 string with
# quotes and a backslash) is upgraded when the broker starts: the bytes are
# those the client sent, the views over the column work, and OffsetFetch
# returns the same string.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('mig5');
$node->init;
$node->append_conf("group_initial_rebalance_delay = 0");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
open(my $fh, '>', $node->basedir . '/one') or die;
print $fh "x\n";
close $fh;
my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', 'mt', '-p', '0', '-l', $node->basedir . '/one']);
is($rc, 0, 'topic mt created') or diag($err);
$node->stop;

# Back to version 4, as a catalog written by the previous release: undo
# migration 5 (the later ones run again on a catalog that has them).
ok($node->start_catalog, 'catalog started alone');
$node->psql(<<'SQL');
DROP VIEW strata.group_status;
DROP VIEW strata.group_offsets;
ALTER TABLE strata.committed_offsets ALTER COLUMN metadata TYPE text USING convert_from(metadata, 'UTF8');
CREATE VIEW strata.group_offsets AS SELECT o.group_id, o.metadata FROM strata.committed_offsets o;
CREATE VIEW strata.group_status AS SELECT g.group_id FROM strata.groups g;
DELETE FROM strata.schema_version WHERE version >= 5;
INSERT INTO strata.groups (group_id, protocol_type) VALUES ('old-group', 'consumer');
INSERT INTO strata.committed_offsets (group_id, topic, partition, committed_offset, leader_epoch, metadata)
    VALUES ('old-group', 'mt', 0, 42, -1, 'meta "q" \ é'), ('old-group', 'mt', 1, 43, -1, NULL);
SQL
is($node->psql("SELECT pg_typeof(metadata) FROM strata.committed_offsets LIMIT 1"), 'text', 'the column is text (version 4)');
ok($node->stop_catalog, 'catalog stopped');

$node->start;
is($node->psql("SELECT count(*) FROM strata.schema_version WHERE version = 5"), 1, 'the broker applied migration 5')
  or diag($node->log_content);
is($node->psql("SELECT pg_typeof(metadata) FROM strata.committed_offsets LIMIT 1"), 'bytea', 'the column is bytea');
is($node->psql("SELECT metadata = convert_to('meta \"q\" \\ é', 'UTF8') FROM strata.committed_offsets WHERE partition = 0"),
	't', 'the stored bytes are the UTF-8 the client sent');
is($node->psql("SELECT metadata IS NULL FROM strata.committed_offsets WHERE partition = 1"), 't', 'a null stays null');
is($node->psql("SELECT committed_offset || ' ' || lag FROM strata.group_offsets WHERE group_id = 'old-group' AND partition = 0"),
	'42 0', 'the group_offsets view is back, with the lag');
is($node->psql("SELECT partitions FROM strata.group_status WHERE group_id = 'old-group'"), 2,
	'and group_status');
($rc, $out, $err) = run_command(['/usr/bin/python3', "$ENV{STRATA_TOP_SRCDIR}/src/test/kafka/clients.py",
	'offsets-of', $bootstrap, 'old-group'], timeout => 60);
like($out, qr/^mt 0 42 meta "q" \\ é$/m, 'OffsetFetch returns the string as it was committed') or diag("$out\n$err");
$node->stop;
done_testing();
