# strata_ctl start/stop in each mode, status, postmaster.pid, process
# titles, a second server refused, a stale postmaster.pid replaced.
use strict;
use warnings;

use IPC::Run;
use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('ss');
$node->init;
is($node->status, 3, 'status before start: 3 (not running)');
is((run_command([ 'strata_ctl', 'status', '-D', $node->basedir . '/nope' ]))[0], 4,
	'status of a missing data directory: 4');

$node->start;
is($node->status, 0, 'status after start: 0 (running)');
my $pm = $node->postmaster_pid;
ok($pm && pid_running($pm), 'postmaster.pid line 1 is a live pid');
is($node->pidfile_line(2), $node->data_dir, 'postmaster.pid line 2: data directory');
like($node->pidfile_line(3), qr/^\d{10}$/, 'postmaster.pid line 3: start time');
is($node->pidfile_line(4), '127.0.0.1:' . $node->port, 'postmaster.pid line 4: first listener');
is($node->pidfile_line(5), 'ready', 'postmaster.pid line 5: ready');
for my $role ('wal writer', 'uploader', 'catalog worker', 'balancer', 'offset committer')
{
	ok(poll_until(sub { scalar $node->child_pids(qr/^strata: \Q$role\E/) }, 10),
		"a child titled \"strata: $role\"");
}
ok($node->connect_tcp, 'the broker accepts TCP connections');

# A second server on the same data directory is refused.
my ($rc, $out, $err) = run_command([ 'strata', '-D', $node->data_dir ], timeout => 30);
is($rc, 1, 'a second strata on the same data directory exits 1');
like($err, qr/another strata server \(PID $pm\) is running in data directory/,
	'second server: message names the running one');
ok(!$node->start(fail_ok => 1), 'strata_ctl start on a running data directory fails');
is($node->postmaster_pid, $pm, 'the running server keeps its postmaster.pid');

# Stop in each mode.
for my $mode (qw(fast smart immediate))
{
	$node->start if $mode ne 'fast';
	my $pos = $node->log_position;
	my $pid = $node->postmaster_pid;
	my @children = map { $_->{pid} } $node->child_processes;
	ok($node->stop($mode), "stop -m $mode");
	ok(!-e $node->data_dir . '/postmaster.pid', "stop -m $mode: postmaster.pid removed");
	ok(!pid_running($pid), "stop -m $mode: postmaster gone");
	ok(!grep({ pid_running($_) } @children), "stop -m $mode: children gone");
	like($node->log_content($pos), qr/received $mode shutdown request/, "stop -m $mode: logged");
	is($node->status, 3, "status after stop -m $mode: 3");
}

# A postmaster.pid left by a kill -9 is recognised as stale and replaced.
$node->start;
my $old = $node->kill9;
ok(poll_until(sub { !pid_running($old) }, 5), 'postmaster killed');
ok(-e $node->data_dir . '/postmaster.pid', 'kill -9 leaves postmaster.pid behind');
# The children exit once the postmaster is gone.
ok(poll_until(sub { !$node->child_processes($old) }, 5), 'children of the killed postmaster exit');
my ($krc, undef, $kerr) = run_command([ 'strata_ctl', 'stop', '-D', $node->data_dir ]);
is($krc, 1, 'stop with a stale postmaster.pid: exit 1');
like($kerr, qr/PID file is stale/, 'stop with a stale postmaster.pid: says so');
ok(!-e $node->data_dir . '/catalog/postmaster.pid', 'and stops the embedded catalog');
my $pos = $node->log_position;
ok($node->start, 'start over a stale postmaster.pid');
like($node->log_content($pos), qr/was left by a server that is gone; taking it over/,
	'stale postmaster.pid: logged');
isnt($node->postmaster_pid, $old, 'postmaster.pid holds the new pid');

# strata in the foreground: logs to stderr, exits 0 after a clean shutdown.
$node->stop('fast');
$node->start_catalog;		# strata_ctl start would start it
{
	my ($fout, $ferr) = ('', '');
	my $h = IPC::Run::start([ 'strata', '-D', $node->data_dir ], '<', \undef, '>', \$fout, '2>', \$ferr);
	ok(poll_until(sub { $h->pump_nb; ($node->pidfile_line(5) // '') eq 'ready' }, 30),
		'strata in the foreground gets ready');
	like($ferr, qr/strata is ready to accept connections/, 'it logs to stderr');
	kill 'INT', $node->postmaster_pid // 0;
	$h->finish;
	is($h->result(0), 0, 'exit status 0 after a fast shutdown');
	ok(!-e $node->data_dir . '/postmaster.pid', 'postmaster.pid removed at clean exit');
}
$node->start;

# restart and reload.
$pm = $node->postmaster_pid;
my ($rrc) = run_command([ 'strata_ctl', 'restart', '-D', $node->data_dir, '-l', $node->logfile ]);
is($rrc, 0, 'strata_ctl restart');
isnt($node->postmaster_pid, $pm, 'restart: a new postmaster');
is($node->status, 0, 'running after restart');
$node->stop('fast');
my ($src, undef, $serr) = run_command([ 'strata_ctl', 'stop', '-D', $node->data_dir ]);
is($src, 1, 'stop when not running: exit 1');
like($serr, qr/PID file .* does not exist/, 'stop when not running: message');

done_testing();
