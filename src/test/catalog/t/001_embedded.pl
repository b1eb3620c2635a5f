# The embedded catalog: strata_ctl init creates DATADIR (strata.conf, the
# WAL file, the PostgreSQL cluster in DATADIR/catalog with database strata
# and the schema), migrations apply once, and a catalog newer than the
# binary is refused.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('emb', broker_id => 7);
ok($node->init(wal_size => '32MB'), 'strata_ctl init with the embedded catalog');
my $d = $node->data_dir;

# strata.conf: every setting commented at its default, then init's values.
my $conf = slurp_file("$d/strata.conf");
like($conf, qr/^#catalog = 'embedded'/m, 'strata.conf lists catalog at its default, commented');
like($conf, qr/^#wal_sync_method = o_dsync/m, 'strata.conf lists wal_sync_method at its default');
like($conf, qr/^broker_id = 7$/m, 'strata.conf sets broker_id from --broker-id');
like($conf, qr/^listeners = 'PLAINTEXT:\/\/127\.0\.0\.1:\d+'$/m, 'strata.conf sets listeners');
is(-s "$d/wal/strata.wal", 32 * 1024 * 1024, 'WAL file preallocated at --wal-size');
my $mode = (stat($d))[2] & 07777;
is($mode, $> == 0 ? 0710 : 0700, 'data directory mode');
ok(-f "$d/catalog/PG_VERSION", 'PostgreSQL cluster created in DATADIR/catalog');
if ($> == 0)
{
	my $owner = (stat("$d/catalog"))[4];
	is($owner, scalar getpwnam('strata'), 'as root, DATADIR/catalog belongs to user strata');
}

# A second init on the same directory is refused.
command_fails_like([ 'strata_ctl', 'init', '-D', $d ], qr/exists but is not empty/,
	'init on a non-empty directory');

# A bad value given to init is refused with the setting's message.
my $bad = tempdir('bad');
command_fails_like([ 'strata_ctl', 'init', '-D', "$bad/d", '--wal-size', '12 parsecs' ],
	qr/wal_size/, 'init with a bad --wal-size');
ok(!-e "$bad/d", 'no data directory left behind by a refused init');

# The catalog: every migration applied in order, tables and views there.
ok($node->start_catalog, 'embedded catalog starts on its unix socket');
my $latest = $node->psql('SELECT max(version) FROM strata.schema_version');
cmp_ok($latest, '>=', 1, "schema at version $latest");
is($node->psql('SELECT string_agg(version::text, \',\' ORDER BY version) FROM strata.schema_version'),
	join(',', 1 .. $latest), 'schema_version records migrations 1 to the latest, each once');
is($node->psql("SELECT count(*) FROM strata.cluster"), '1', 'one cluster row');
for my $rel (qw(brokers topics topic_configs partitions streams broker_status partition_placement))
{
	ok(defined $node->psql("SELECT count(*) FROM strata.$rel"), "strata.$rel exists");
}
is($node->psql("SHOW listen_addresses"), '', 'embedded PostgreSQL has no TCP listener');

# Migrations are idempotent: running them again (init of another data
# directory against this catalog) applies nothing.
my $other = Strata::Test::Node->new('oth', broker_id => 8);
ok($other->init(catalog => $node->connstr), 'init against an existing catalog');
like($other->{init_stderr} . slurp_file("/dev/null"), qr/^$/, 'no notices printed');
is($node->psql('SELECT count(*) FROM strata.schema_version'), $latest, 'each migration applied once');

# NOTIFY on broker changes.
my $notify = $node->psql(
	"LISTEN strata_brokers; INSERT INTO strata.brokers (id, listeners, advertised_listeners, host, data_dir, state)"
	  . " VALUES (99, 'x', 'x', 'h', '/d', 'alive'); SELECT 1");
like($notify, qr/Asynchronous notification "strata_brokers" with payload .*"id" : 99/,
	'a new broker row is announced on strata_brokers');
my $quiet = $node->psql(
	"LISTEN strata_brokers; UPDATE strata.brokers SET lease_expires = now() WHERE id = 99; SELECT 1");
unlike($quiet, qr/Asynchronous notification/, 'a lease renewal alone is not announced');
is($node->psql("SELECT count(*) FROM strata.broker_status WHERE id = 99 AND NOT live"), '1',
	'broker_status: a broker without a lease is not live');
$node->psql("DELETE FROM strata.brokers WHERE id = 99");

# A catalog newer than the binary is refused, with a clear message.
my $future = $latest + 1;
$node->psql("INSERT INTO strata.schema_version (version, name) VALUES ($future, 'from the future')");
my $third = Strata::Test::Node->new('new', broker_id => 9);
ok(!$third->init(catalog => $node->connstr, fail_ok => 1), 'init against a newer catalog fails');
like($third->{init_stderr},
	qr/catalog schema is at version $future but this strata binary knows versions up to $latest/,
	'newer catalog: message');
$node->psql("DELETE FROM strata.schema_version WHERE version = $future");
ok($node->stop_catalog, 'embedded catalog stops');

# The socket path must fit in a unix socket address.
my $long = tempdir('long') . '/' . ('x' x 90);
command_fails_like([ 'strata_ctl', 'init', '-D', $long ],
	qr/socket path .* more than the 107 a unix socket allows/, 'too long a data directory path');

# As root, the PostgreSQL user must be able to reach the data directory.
SKIP:
{
	skip 'only as root', 3 unless $> == 0;
	my $locked = tempdir('lk');
	chmod 0700, $locked;
	my ($rc, $out, $err) = run_command([ 'strata_ctl', 'init', '-D', "$locked/d", '--wal-size', '1MB' ]);
	isnt($rc, 0, 'init below a directory user strata cannot enter fails');
	like($err, qr/runs as user "strata" .* which cannot enter directory "\Q$locked\E"; allow it with chmod o\+x/,
		'the message names the blocking directory and the fix');
	ok(!-e "$locked/d", 'nothing left behind');
}

done_testing();
