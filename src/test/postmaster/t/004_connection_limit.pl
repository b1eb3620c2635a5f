# max_connections: past the limit a connection is closed at once and the
# refusal is logged.
use strict;
use warnings;

use IO::Select;
use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('conn');
$node->init;
$node->append_conf("max_connections = 3\n");
$node->start;
my $pos = $node->log_position;

my @socks;
for my $i (1 .. 5)
{
	push @socks, $node->connect_tcp;
	# One at a time, so the first three are the ones served.
	poll_until(sub { scalar($node->child_pids(qr/^strata: backend/)) >= $i }, 3) if $i <= 3;
}
is(scalar(grep { defined } @socks), 5, 'five TCP connections made');

# A refused connection is closed: read returns EOF.  A served one stays open.
my @closed;
for my $i (0 .. 4)
{
	my $s = IO::Select->new($socks[$i]);
	my $eof = 0;
	if ($s->can_read($i < 3 ? 1 : 5))
	{
		my $buf;
		my $n = sysread($socks[$i], $buf, 1);
		$eof = 1 if defined $n && $n == 0 || !defined $n;
	}
	push @closed, $eof;
}
is_deeply(\@closed, [ 0, 0, 0, 1, 1 ], 'the 4th and 5th connections are closed, the first 3 stay open');
is(scalar($node->child_pids(qr/^strata: backend/)), 3, 'three backends');
ok($node->wait_for_log(qr/refused: max_connections \(3\) reached(?s:.*)refused: max_connections \(3\) reached/, $pos),
	'both refusals logged');

# Closing one frees a slot once the postmaster has reaped its backend.
# (A backend gone from the process list may not be reaped yet: its
# command line is gone as soon as its memory is, before its exit can be
# waited for, and a connection made then is rightly refused.  kill 0
# still reaches a process not yet reaped.)
my @backends = $node->child_pids(qr/^strata: backend/);
close $socks[0];
ok(poll_until(sub { scalar(grep { kill(0, $_) } @backends) == 2 }, 10),
	'a backend exits with its client and is reaped');
my $s6 = $node->connect_tcp;
ok(poll_until(sub { scalar($node->child_pids(qr/^strata: backend/)) == 3 }, 10), 'a new connection is served again');
$node->stop('fast');

done_testing();
