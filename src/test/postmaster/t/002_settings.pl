# Bad settings stop the start with one line naming the setting; SIGHUP
# reloads the reloadable ones and logs what changed.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('set');
$node->init;
my $d = $node->data_dir;
my $conf = slurp_file("$d/strata.conf");

sub set_conf
{
	open(my $fh, '>', "$d/strata.conf") or die $!;
	print $fh $conf, @_;
	close $fh;
}

# In strata.conf: the server says what is wrong, in one line.
set_conf("max_connections = lots\n");
my ($rc, $out, $err) = run_command([ 'strata', '-D', $d ], timeout => 30);
is($rc, 1, 'bad value in strata.conf: strata exits 1');
# Log lines only (a sanitizer build may add its own report after them).
my @lines = grep { /^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] / } split /\n/, $err;
is(scalar @lines, 1, 'bad value in strata.conf: one line');
like($lines[0], qr/FATAL: .*strata\.conf.*line \d+.*max_connections.*lots/,
	'bad value in strata.conf: names the file, line, setting and value');
ok(!$node->start(fail_ok => 1), 'strata_ctl start with a bad strata.conf fails');
like($node->last_stderr, qr/max_connections/, 'strata_ctl start shows the bad setting');

set_conf("no_such_setting = 1\n");
($rc, $out, $err) = run_command([ 'strata', '-D', $d ], timeout => 30);
is($rc, 1, 'unknown setting: strata exits 1');
like($err, qr/no_such_setting/, 'unknown setting: named');
set_conf('');

# On the command line.
($rc, $out, $err) = run_command([ 'strata', '-D', $d, '-c', 'max_connections=0' ], timeout => 30);
is($rc, 1, 'bad -c value: strata exits 1');
@lines = grep { /^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] / } split /\n/, $err;
is(scalar @lines, 1, 'bad -c value: one line');
like($lines[0], qr/FATAL: .*"0".*"max_connections".*1 \.\. 65536/, 'bad -c value: names the setting and value');
ok(!$node->start(fail_ok => 1, options => '-c wal_sync_method=sometimes'),
	'strata_ctl start -o with a bad value fails');
like($node->last_stderr, qr/wal_sync_method.*sometimes.*o_dsync/, 'the message lists what is allowed');
ok(!-e "$d/postmaster.pid", 'no postmaster.pid after a refused start');

# huge_pages = on: starts only if the kernel has enough 2 MB pages reserved
# (vm.nr_hugepages), else refuses with the fix; try starts either way.
{
	my ($free) = slurp_file('/proc/meminfo') =~ /^HugePages_Free:\s+(\d+)/m;
	my $ok = $node->start(fail_ok => 1, options => '-c huge_pages=on');
	if ($ok)
	{
		cmp_ok($free // 0, '>', 0, 'huge_pages = on started: the kernel had huge pages reserved');
		$node->stop('fast');
	}
	else
	{
		like($node->last_stderr,
			qr/could not map \d+ bytes of shared memory with huge pages: .*; it needs \d+ free 2 MB pages reserved \(sysctl vm\.nr_hugepages\), or set huge_pages = try/,
			'huge_pages = on without enough reserved huge pages: refused, with the fix');
	}
	ok($node->start(options => '-c huge_pages=try'), 'huge_pages = try starts with or without them');
	$node->stop('fast');
}

# Reload.
$node->start;
my $pos = $node->log_position;
$node->append_conf("num_partitions = 3\nmax_connections = 17\n");
ok($node->reload, 'strata_ctl reload');
ok($node->wait_for_log(qr/postmaster LOG:  setting "num_partitions" changed from "1" to "3"/, $pos),
	'postmaster logs the changed setting');
ok($node->wait_for_log(qr/catalog worker LOG:  setting "num_partitions" changed from "1" to "3"/, $pos),
	'the catalog worker reloads too');
ok($node->wait_for_log(qr/setting "max_connections" was changed in the configuration file but takes effect only at server restart/, $pos),
	'a restart-only setting is reported as such');
# A broken file changes nothing and the server keeps running.
$pos = $node->log_position;
$node->append_conf("num_partitions = many\n");
$node->reload;
ok($node->wait_for_log(qr/configuration file not reloaded/, $pos), 'a broken file is not applied');
is($node->status, 0, 'the server keeps running after a bad reload');
ok($node->stop('fast'), 'stop works even with a broken strata.conf');

done_testing();
