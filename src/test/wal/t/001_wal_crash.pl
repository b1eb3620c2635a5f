# Crash test of the WAL: a WAL writer and appenders killed with SIGKILL at
# random moments, 20 rounds; every acknowledged append must be recovered
# intact, nothing duplicated or reordered, and the writer must have padded
# its writes (how many overlapped is reported).  Then back-pressure: a full WAL makes appenders
# wait, and trimming lets them finish.  crash_loop.sh runs all of this in a
# loop.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);

my $top = $ENV{STRATA_TOP_SRCDIR} // '../../..';
my $prog = "$top/src/test/modules/wal_crash/wal_crash";
plan skip_all => "$prog not built" unless -x $prog;

my $base = $ENV{TESTDIR} ? "$ENV{TESTDIR}/tmp_check" : tempdir(CLEANUP => 1);
my $logdir = $ENV{TESTLOGDIR} // $base;
system('mkdir', '-p', $logdir);

sub run_prog
{
	my ($name, @args) = @_;
	my $log = "$logdir/$name.log";
	my $rc = system("$prog @args >'$log' 2>&1");
	open(my $fh, '<', $log) or die "$log: $!";
	my @lines = <$fh>;
	close $fh;
	my @oks = grep { /^ok / } @lines;
	my @fails = grep { /^FAIL/ } @lines;
	note($_) for @oks;
	diag($_) for @fails;
	return ($rc, scalar(@oks), scalar(@fails), join('', @lines));
}

my $seed = $ENV{WAL_CRASH_SEED} // time();
note("seed $seed");
my ($rc, $oks, $fails, $out) = run_prog('crash', 'crash', "$base/crash", 20, $seed);
is($rc, 0, "crash test: 20 rounds of kill -9 (seed $seed)");
is($fails, 0, 'crash test: no acknowledged append lost, duplicated or reordered');
ok($oks >= 20, "crash test: $oks rounds checked");
like($out, qr/stopped at/, 'recovery reports where it stopped');
like($out, qr/^ok the WAL writer padded \d+ bytes and submitted \d+ writes while another was in flight/m,
	'the WAL writer padded its writes');

# The same with wal_sync_method = fdatasync (O_DIRECT writes, then fdatasync).
{
	local $ENV{WAL_SYNC_METHOD} = 'fdatasync';
	($rc, $oks, $fails, $out) = run_prog('crash_fdatasync', 'crash', "$base/crash_fds", 6, $seed);
	is($rc, 0, 'crash test with wal_sync_method=fdatasync');
	is($fails, 0, 'fdatasync: no acknowledged append lost, duplicated or reordered');
}

($rc, $oks, $fails, $out) = run_prog('backpressure', 'backpressure', "$base/bp");
is($rc, 0, 'back-pressure test');
like($out, qr/^ok appenders wait when the WAL is full/m, 'appenders wait when the WAL is full');
like($out, qr/^ok appenders resume and finish/m, 'appenders resume once trimmed');
my @full = ($out =~ /LOG:  WAL is full/g);
is(scalar(@full), 1, 'the full WAL is logged once');

done_testing();
