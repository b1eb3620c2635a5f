# Crash restart: kill -9 of a backend makes the postmaster kill every child,
# re-create shared memory and start again, and the server then accepts
# connections.  kill -9 of the postmaster: every child gone within 5 s.
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('crash');
$node->init;
$node->start;
my $pm = $node->postmaster_pid;

my $c1 = $node->connect_tcp;
ok($c1, 'client connected');
my ($backend) = ();
ok(poll_until(sub { ($backend) = $node->child_pids(qr/^strata: backend 127\.0\.0\.1:\d+/); $backend }, 10),
	'a backend process serves it');
my ($aux) = $node->child_pids(qr/^strata: catalog worker/);

my $pos = $node->log_position;
kill 'KILL', $backend;
ok($node->wait_for_log(qr/terminating any other active server processes/, $pos),
	'the postmaster notices the crash');
ok($node->wait_for_log(qr/all server processes terminated; reinitializing/, $pos),
	'and reinitialises');
ok($node->wait_for_log(qr/strata is ready to accept connections/, $pos), 'ready again');
is($node->postmaster_pid, $pm, 'same postmaster');
ok(poll_until(sub { !pid_running($aux) }, 5), 'the old catalog worker is gone');
ok(poll_until(sub { my ($n) = $node->child_pids(qr/^strata: catalog worker/); $n && $n != $aux }, 10),
	'a new catalog worker runs');
ok(poll_until(sub { $node->pidfile_line(5) eq 'ready' }, 10), 'postmaster.pid says ready');

my $c2 = $node->connect_tcp;
ok($c2, 'a new connection is accepted after the crash restart');
ok(poll_until(sub { scalar $node->child_pids(qr/^strata: backend/) }, 10), 'and served by a new backend');
close $c1;
close $c2;

# An auxiliary process crashing also resets everything.
$pos = $node->log_position;
my ($walw) = $node->child_pids(qr/^strata: wal writer/);
kill 'KILL', $walw;
ok($node->wait_for_log(qr/all server processes terminated; reinitializing/, $pos), 'crash of the WAL writer: reset');
ok($node->wait_for_log(qr/strata is ready to accept connections/, $pos), 'ready again');

# A fast stop longer after the crash than the grace period for stragglers
# (5 s) is an orderly stop: the crash's clock does not carry over.
sleep 6;
$pos = $node->log_position;
$node->stop('fast');
my $stoplog = substr($node->log_content, $pos);
like($stoplog, qr/strata is shut down/, 'a fast stop 6 s after the crash restart completes');
unlike($stoplog, qr/issuing SIGKILL to recalcitrant children|was terminated by signal 9/,
	'without killing any process');
$node->start;

# kill -9 of the postmaster: every child exits within 5 s.
my @children = map { $_->{pid} } $node->child_processes;
ok(scalar @children >= 4, 'children before killing the postmaster: ' . scalar @children);
my $c3 = $node->connect_tcp;
ok(poll_until(sub { scalar $node->child_pids(qr/^strata: backend/) }, 10), 'with a backend too');
@children = map { $_->{pid} } $node->child_processes;
$node->kill9;
ok(poll_until(sub { !grep { pid_running($_) } @children }, 5), 'every child gone within 5 s of the postmaster');

done_testing();
