# src/test/perl/Strata/Test/Utils.pm
#
# Helpers shared by Strata's TAP tests: temporary directories, free loopback
# ports, running commands with their output in the test log, polling.
#
# Environment (set by "make check" / "make installcheck", see
# src/Makefile.global.in): TESTDIR (the test directory's build dir; scratch
# space goes to TESTDIR/tmp_check), TESTLOGDIR, PATH with the binaries under
# test first.  STRATA_PORT_MIN/STRATA_PORT_MAX bound the ports tests use.
package Strata::Test::Utils;

use strict;
use warnings;

use Carp;
use Cwd qw(abs_path);
use Exporter 'import';
use Fcntl qw(:flock O_CREAT O_EXCL O_RDWR);
use File::Basename qw(basename);
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use IPC::Run;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(usleep time);

our @EXPORT = qw(
  tempdir get_free_port release_ports run_log run_command slurp_file
  poll_until command_ok_log command_fails_like pg_bindir
  ensure_pg_user pg_user_prefix test_name pid_running scrape_metrics
);

our $tmp_check;
our @reserved_ports;
my $tempdir_count = 0;

# Name of the running test script, without directory and extension.
sub test_name
{
	my $n = basename($0);
	$n =~ s/\.pl$//;
	return $n;
}

# Can every user traverse every directory from / down to $dir?
sub traversable_by_all
{
	my ($dir) = @_;
	my $path = '';
	for my $part (grep { length } split m{/}, $dir)
	{
		$path .= "/$part";
		my @st = stat($path) or return 0;
		return 0 unless $st[2] & 01;
	}
	return 1;
}

BEGIN
{
	my $testdir = $ENV{TESTDIR} // abs_path('.');
	$tmp_check = "$testdir/tmp_check";
	# As root the embedded PostgreSQL runs as the user strata, which must
	# reach its data directory: a tree checked out where others cannot
	# traverse (under /root, say) gets its test data directories in /tmp.
	if ($> == 0 && !traversable_by_all($testdir))
	{
		(my $tag = $testdir) =~ s{[^A-Za-z0-9]+}{_}g;
		$tmp_check = "/tmp/strata_tap/" . substr($tag, -60);
		make_path('/tmp/strata_tap');
		chmod 0755, '/tmp/strata_tap';
	}
	make_path($tmp_check);
	# The embedded PostgreSQL runs as an unprivileged user when tests run as
	# root: it must be able to traverse to its data directory.
	chmod 0755, $tmp_check;
	my $logdir = $ENV{TESTLOGDIR} // "$tmp_check/log";
	make_path($logdir);
	my $name = test_name();
	# Diagnostics of this test go to its own log file, as in PostgreSQL.
	open(my $fh, '>>', "$logdir/regress_log_$name")
	  or die "could not open $logdir/regress_log_$name: $!";
	$fh->autoflush(1);
	$Strata::Test::Utils::log_fh = $fh;
	$ENV{PGAPPNAME} = $name;
}

our $log_fh;

sub note_log
{
	print $log_fh @_, "\n";
}

# A fresh directory under TESTDIR/tmp_check, readable and traversable by
# the unprivileged PostgreSQL user.  Short names: the embedded catalog's
# unix socket path must fit in 107 bytes.
sub tempdir
{
	my ($prefix) = @_;
	$prefix //= 'tmp';
	$tempdir_count++;
	my $dir = "$tmp_check/${prefix}_$$" . "_$tempdir_count";
	remove_tree($dir);
	make_path($dir);
	chmod 0755, $dir;
	return $dir;
}

# A free TCP port on 127.0.0.1, reserved with a lock file so that concurrent
# test scripts (prove -j) do not pick the same one.
sub get_free_port
{
	my $min = $ENV{STRATA_PORT_MIN} // 19100;
	my $max = $ENV{STRATA_PORT_MAX} // 19199;
	my $lockdir = "/tmp/strata_test_ports";
	make_path($lockdir);
	chmod 01777, $lockdir;
	my $range = $max - $min + 1;
	my $start = $min + (($$ * 7) % $range);

	# One chooser at a time: two scripts finding the same stale reservation
	# would otherwise both remove it, the second removing the first's new one.
	open(my $guard, '>>', "$lockdir/choosing") or croak "$lockdir/choosing: $!";
	chmod 0666, "$lockdir/choosing";
	flock($guard, LOCK_EX) or croak "flock $lockdir/choosing: $!";
	for my $i (0 .. $range - 1)
	{
		my $port = $min + (($start - $min + $i) % $range);
		my $lock = "$lockdir/port_$port.lock";
		if (-e $lock)
		{
			# A stale reservation by a process that is gone is released.
			open(my $fh, '<', $lock) or next;
			my $pid = <$fh>;
			close $fh;
			chomp($pid) if defined $pid;
			next if defined $pid && $pid =~ /^\d+$/ && kill(0, $pid);
			unlink $lock;
		}
		sysopen(my $fh, $lock, O_CREAT | O_EXCL | O_RDWR) or next;
		print $fh "$$\n";
		close $fh;
		my $sock = IO::Socket::INET->new(
			LocalAddr => '127.0.0.1',
			LocalPort => $port,
			Proto => 'tcp',
			ReuseAddr => 1,
			Listen => 1);
		if (!$sock)
		{
			unlink $lock;
			next;
		}
		close $sock;
		push @reserved_ports, $lock;
		return $port;
	}
	croak "no free port in $min..$max";
}

sub release_ports
{
	unlink @reserved_ports;
	@reserved_ports = ();
}

# Run a command (array ref); its output goes to the test log.  Returns true
# when it exited 0.
sub run_log
{
	my ($cmd, %opts) = @_;
	note_log("# running: " . join(' ', map { /\s/ ? "'$_'" : $_ } @$cmd));
	my ($out, $err) = ('', '');
	my $t0 = time();
	my $ok = IPC::Run::run($cmd, '<', \undef, '>', \$out, '2>', \$err,
		$opts{timeout} ? IPC::Run::timeout($opts{timeout}) : ());
	note_log(sprintf("# %s after %.1f s", $ok ? 'done' : 'failed', time() - $t0));
	note_log($out) if length $out;
	note_log($err) if length $err;
	return $ok;
}

# Run a command and return (exit code, stdout, stderr); opts: timeout (s), stdin (text).
sub run_command
{
	my ($cmd, %opts) = @_;
	note_log("# running: " . join(' ', map { /\s/ ? "'$_'" : $_ } @$cmd));
	my ($out, $err) = ('', '');
	my $in = $opts{stdin};
	my $t0 = time();
	IPC::Run::run($cmd, '<', \$in, '>', \$out, '2>', \$err,
		IPC::Run::timeout($opts{timeout} // 180));
	my $rc = $? >> 8;
	note_log(sprintf("# exit code %d after %.1f s", $rc, time() - $t0));
	note_log($out) if length $out;
	note_log($err) if length $err;
	return ($rc, $out, $err);
}

sub command_ok_log
{
	my ($cmd, $name) = @_;
	my ($rc, $out, $err) = run_command($cmd);
	ok($rc == 0, $name) or diag("exit code $rc\nstdout: $out\nstderr: $err");
	return $rc == 0;
}

# The command fails (non-zero exit) and its stderr matches $re.
sub command_fails_like
{
	my ($cmd, $re, $name) = @_;
	my ($rc, $out, $err) = run_command($cmd);
	ok($rc != 0, "$name: exit code not 0");
	like($err, $re, "$name: message");
	return ($rc, $out, $err);
}

sub slurp_file
{
	my ($path, $offset) = @_;
	open(my $fh, '<', $path) or return '';
	binmode $fh;
	seek($fh, $offset, 0) if $offset;
	local $/;
	my $c = <$fh>;
	close $fh;
	return $c // '';
}

# GET http://$hostport/metrics (a broker's metrics_listen); returns
# { 'name' or 'name{labels}' => value }.  Dies if the scrape fails.
sub scrape_metrics
{
	my ($hostport) = @_;
	my ($rc, $out, $err) = run_command([ 'curl', '-s', '-S', '--max-time', '20',
		"http://$hostport/metrics" ]);
	croak "curl failed: $err" if $rc != 0;
	my %v;
	for my $line (split /\n/, $out)
	{
		next if $line =~ /^#/;
		$v{$1} = $2 if $line =~ /^(\S+) (\S+)$/;
	}
	return \%v;
}

# Call $sub every 100 ms until it returns true or $timeout seconds pass.
sub poll_until
{
	my ($sub, $timeout) = @_;
	$timeout //= 30;
	my $t0 = time();
	my $deadline = $t0 + $timeout;
	my $ok = 0;
	while (time() < $deadline)
	{
		last if $ok = $sub->();
		usleep(100_000);
	}
	$ok ||= $sub->() ? 1 : 0;
	# Where a test spends its time shows in its log.
	my ($frame, $line) = (0, (caller)[2]);
	while (my @c = caller($frame++))
	{
		if ($c[1] =~ /\.pl$/) { $line = $c[2]; last; }
	}
	note_log(sprintf("# poll_until (test line %d): %s after %.1f s", $line,
		$ok ? 'true' : 'timed out', time() - $t0));
	return $ok ? 1 : 0;
}

# Is $pid a running process?  A zombie is not (a server started in the
# background is reaped by whoever inherited it, which may take a while).
sub pid_running
{
	my ($pid) = @_;
	return 0 unless $pid && kill(0, $pid);
	open(my $fh, '<', "/proc/$pid/stat") or return 1;
	my $stat = <$fh>;
	close $fh;
	return 1 unless defined $stat;
	return ($stat =~ /\)\s+([ZX])\s/) ? 0 : 1;
}

# PostgreSQL's server programs (as strata_ctl finds them).
sub pg_bindir
{
	my $bin = `pg_config --bindir 2>/dev/null`;
	chomp $bin;
	return $bin if $bin && -x "$bin/initdb";
	my @v = sort { $b <=> $a } grep { -x "/usr/lib/postgresql/$_/bin/initdb" }
	  map { basename($_) } glob('/usr/lib/postgresql/*');
	croak "PostgreSQL server programs not found: install the Debian package postgresql-15"
	  unless @v;
	return "/usr/lib/postgresql/$v[0]/bin";
}

# When running as root, PostgreSQL runs as the system user "strata".
sub ensure_pg_user
{
	return if $> != 0;
	return if defined getpwnam('strata');
	system('useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'strata') == 0
	  or croak "could not create the system user strata";
}

# Prefix for running a PostgreSQL program as the right user.
sub pg_user_prefix
{
	return () if $> != 0;
	ensure_pg_user();
	# setpriv keeps the environment and needs no PAM session.
	return ('setpriv', '--reuid=strata', '--regid=strata', '--init-groups', '--');
}

END
{
	release_ports();
}

1;
