# src/test/perl/Strata/Test/Node.pm
#
# One Strata broker for TAP tests: its data directory, its log, its port,
# and the strata_ctl commands to drive it.
#
#   my $node = Strata::Test::Node->new('main');
#   $node->init;                          # embedded catalog (or catalog => $conninfo)
#   $node->append_conf('num_partitions = 3');
#   $node->start;
#   is($node->psql('SELECT count(*) FROM strata.brokers'), '1');
#   $node->stop('fast');
#
# Every node still running when the test script ends is stopped at once
# (immediate mode) by the END block.  Data directories and logs are kept
# when a test failed, and removed otherwise.
package Strata::Test::Node;

use strict;
use warnings;

use Carp;
use File::Path qw(remove_tree);
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(usleep time);

use Strata::Test::Utils;

our @all_nodes;

# new(name, %opts): port (default: a free one), broker_id (default 1).
sub new
{
	my ($class, $name, %opts) = @_;
	my $base = tempdir($name);
	my $self = bless {
		name => $name,
		basedir => $base,
		data_dir => "$base/data",
		logfile => "$base/strata.log",
		port => $opts{port} // get_free_port(),
		broker_id => $opts{broker_id} // 1,
		catalog => 'embedded',
		running => 0,
	}, $class;
	push @all_nodes, $self;
	return $self;
}

sub name { $_[0]{name} }
sub port { $_[0]{port} }
sub data_dir { $_[0]{data_dir} }
sub logfile { $_[0]{logfile} }
sub basedir { $_[0]{basedir} }
sub broker_id { $_[0]{broker_id} }
sub host { '127.0.0.1' }

# The catalog's libpq connection string.
sub connstr
{
	my ($self) = @_;
	return $self->{catalog} if $self->{catalog} ne 'embedded';
	return "host=$self->{data_dir}/catalog port=5432 dbname=strata user=strata";
}

# init(%opts): catalog => 'embedded' | conninfo, object_store => URL,
# wal_size (default 16MB), extra => [more strata_ctl init arguments],
# fail_ok => 1 returns false instead of dying when init fails.
sub init
{
	my ($self, %opts) = @_;
	$self->{catalog} = $opts{catalog} // 'embedded';
	my @cmd = ('strata_ctl', 'init', '-D', $self->{data_dir},
		'--broker-id', $opts{broker_id} // $self->{broker_id},
		'--listeners', "PLAINTEXT://127.0.0.1:$self->{port}",
		'--wal-size', $opts{wal_size} // '64MB',
		'--catalog', $self->{catalog});
	push @cmd, '--object-store', $opts{object_store} if $opts{object_store};
	push @cmd, @{ $opts{extra} } if $opts{extra};
	my ($rc, $out, $err) = run_command(\@cmd);
	$self->{init_stderr} = $err;
	if ($rc != 0)
	{
		return 0 if $opts{fail_ok};
		BAIL_OUT("strata_ctl init of node $self->{name} failed: $err");
	}
	$self->append_conf(test_conf());
	return 1;
}

# Settings every test node gets: shared memory sized for tests, debug logs,
# and no initial rebalance delay (as Kafka's own tests run; a test of the
# delay sets it).
sub test_conf
{
	return "log_cache_size = 64MB\nblock_cache_size = 8MB\nlog_min_messages = debug1\n"
	  . "group_initial_rebalance_delay = 0\n";
}

sub append_conf
{
	my ($self, $text) = @_;
	open(my $fh, '>>', "$self->{data_dir}/strata.conf") or croak "append_conf: $!";
	print $fh "$text\n";
	close $fh;
}

# start(%opts): fail_ok => 1 returns false on failure instead of failing
# the test; options => '-c ...' passed with -o; nowait => 1 returns once
# the server is launched, not when it accepts connections.
sub start
{
	my ($self, %opts) = @_;
	# After kill9: the old incarnation's processes still hold the data
	# directory's lock (the flock on postmaster.pid) until they are gone.
	if ($self->{killed})
	{
		my @pids = @{ delete $self->{killed} };
		poll_until(sub { !grep { pid_running($_) } @pids }, 30)
		  or diag("node $self->{name}: processes of the killed postmaster still running: @pids");
	}
	my @cmd = ('strata_ctl', 'start', '-D', $self->{data_dir}, '-l', $self->{logfile},
		$opts{nowait} ? '-W' : '-w', '-t', $opts{timeout} // 60);
	push @cmd, '-o', $opts{options} if $opts{options};
	my ($rc, $out, $err) = run_command(\@cmd);
	$self->{last_stdout} = $out;
	$self->{last_stderr} = $err;
	if ($rc != 0)
	{
		return 0 if $opts{fail_ok};
		diag("start of node $self->{name} failed: $err");
		diag("log:\n" . $self->log_content);
		BAIL_OUT("node $self->{name} did not start");
	}
	$self->{running} = 1;
	return 1;
}

sub last_stderr { $_[0]{last_stderr} // '' }

# stop(mode = fast).
sub stop
{
	my ($self, $mode, %opts) = @_;
	$mode //= 'fast';
	my ($rc, $out, $err) = run_command(
		[ 'strata_ctl', 'stop', '-D', $self->{data_dir}, '-m', $mode, '-w', '-t', $opts{timeout} // 60 ]);
	$self->{last_stderr} = $err;
	$self->{running} = 0 if $rc == 0;
	if ($rc != 0 && !$opts{fail_ok})
	{
		diag("stop of node $self->{name} failed: $err");
		return 0;
	}
	return $rc == 0;
}

sub restart
{
	my ($self, %opts) = @_;
	$self->stop($opts{mode} // 'fast');
	return $self->start(%opts);
}

sub reload
{
	my ($self) = @_;
	return run_log([ 'strata_ctl', 'reload', '-D', $self->{data_dir} ]);
}

# strata_ctl status's exit code.
sub status
{
	my ($self) = @_;
	my ($rc) = run_command([ 'strata_ctl', 'status', '-D', $self->{data_dir} ]);
	return $rc;
}

# The postmaster's pid from postmaster.pid (undef when there is none).
sub postmaster_pid
{
	my ($self) = @_;
	open(my $fh, '<', "$self->{data_dir}/postmaster.pid") or return undef;
	my $pid = <$fh>;
	close $fh;
	return undef unless defined $pid;
	chomp $pid;
	return $pid =~ /^\d+$/ ? $pid : undef;
}

# Line n (1-based) of postmaster.pid.
sub pidfile_line
{
	my ($self, $n) = @_;
	open(my $fh, '<', "$self->{data_dir}/postmaster.pid") or return undef;
	my @l = <$fh>;
	close $fh;
	return undef unless defined $l[ $n - 1 ];
	chomp(my $v = $l[ $n - 1 ]);
	return $v;
}

# kill -9 the postmaster (the children must notice and go).
sub kill9
{
	my ($self) = @_;
	my $pid = $self->postmaster_pid;
	return 0 unless $pid;
	note("kill -9 postmaster $pid of node $self->{name}");
	# Its children hold the data directory's lock until they notice and
	# exit: the next start waits for them (start), not this call, so that
	# tests can watch them go.
	$self->{killed} = [ $pid, map { $_->{pid} } $self->child_processes($pid) ];
	kill 'KILL', $pid;
	$self->{running} = 0;
	return $pid;
}

# Processes of this node: list of { pid, ppid, title } for the children of
# the postmaster (by its process title, e.g. "strata: wal writer").
sub child_processes
{
	my ($self, $pm) = @_;
	$pm //= $self->postmaster_pid;
	return () unless $pm;
	my @procs;
	opendir(my $d, '/proc') or return ();
	for my $pid (grep { /^\d+$/ } readdir $d)
	{
		open(my $fh, '<', "/proc/$pid/stat") or next;
		my $stat = <$fh>;
		close $fh;
		next unless defined $stat && $stat =~ /\)\s+(\S)\s+(\d+)/;
		my ($state, $ppid) = ($1, $2);
		next unless $ppid == $pm;
		next if $state eq 'Z';
		open($fh, '<', "/proc/$pid/cmdline") or next;
		my $title = do { local $/; <$fh> } // '';
		close $fh;
		$title =~ s/\0+$//;
		$title =~ s/\0/ /g;
		push @procs, { pid => $pid, ppid => $ppid, title => $title };
	}
	closedir $d;
	return @procs;
}

# Pids of the postmaster's children whose title matches $re.
sub child_pids
{
	my ($self, $re) = @_;
	return map { $_->{pid} } grep { $_->{title} =~ $re } $self->child_processes;
}

# The log from byte $offset on.
sub log_content
{
	my ($self, $offset) = @_;
	return slurp_file($self->{logfile}, $offset);
}

# Current size of the log: an offset for wait_for_log.
sub log_position
{
	my ($self) = @_;
	return -s $self->{logfile} // 0;
}

# Wait until the log (from $offset) matches $re; returns the new end offset
# or undef on timeout.
sub wait_for_log
{
	my ($self, $re, $offset, $timeout) = @_;
	$offset //= 0;
	my $found;
	poll_until(
		sub {
			my $c = $self->log_content($offset);
			if ($c =~ $re)
			{
				$found = $offset + $+[0];
				return 1;
			}
			return 0;
		},
		$timeout // 30);
	return $found;
}

# Run SQL on the catalog with psql; returns stdout (trimmed), or dies.
# %opts: fail_ok => 1 returns undef on error; stderr => \$err.
sub psql
{
	my ($self, $sql, %opts) = @_;
	my ($rc, $out, $err) = run_command(
		[ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $self->connstr, '-c', $sql ]);
	${ $opts{stderr} } = $err if $opts{stderr};
	if ($rc != 0)
	{
		return undef if $opts{fail_ok};
		croak "psql failed on node $self->{name}: $err";
	}
	chomp $out;
	return $out;
}

# Open a TCP connection to the broker (undef if refused).
sub connect_tcp
{
	my ($self) = @_;
	return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port},
		Proto => 'tcp', Timeout => 5);
}

# Start or stop the embedded catalog's PostgreSQL by itself (as strata_ctl
# does, on the unix socket only), e.g. to look at the catalog while the
# broker is down or to take the catalog away under a running broker.
sub start_catalog
{
	my ($self) = @_;
	my $dir = "$self->{data_dir}/catalog";
	return run_log([ pg_user_prefix(), pg_bindir() . '/pg_ctl', 'start', '-w', '-D', $dir,
			'-l', "$dir/log/postgresql.log", '-o', "-k '$dir' -c listen_addresses='' -p 5432" ]);
}

sub stop_catalog
{
	my ($self, $mode) = @_;
	return run_log([ pg_user_prefix(), pg_bindir() . '/pg_ctl', 'stop', '-w', '-D',
			"$self->{data_dir}/catalog", '-m', $mode // 'fast' ]);
}

# Stop everything at once: strata (immediate) and the embedded catalog.
sub teardown
{
	my ($self) = @_;
	if (-e "$self->{data_dir}/postmaster.pid" || -e "$self->{data_dir}/catalog/postmaster.pid")
	{
		run_command([ 'strata_ctl', 'stop', '-D', $self->{data_dir}, '-m', 'immediate', '-w', '-t', 20 ],
			timeout => 60);
	}
	# A postmaster killed with -9 leaves its catalog running.
	if (-e "$self->{data_dir}/catalog/postmaster.pid")
	{
		run_command([ pg_user_prefix(), pg_bindir() . '/pg_ctl', 'stop', '-D', "$self->{data_dir}/catalog",
				'-m', 'immediate', '-w' ], timeout => 60);
	}
	$self->{running} = 0;
}

# The lines of this node's log that report an AddressSanitizer or
# UndefinedBehaviorSanitizer error, with the ten lines after each.
sub sanitizer_reports
{
	my ($self) = @_;
	my @out;
	open(my $fh, '<', $self->{logfile}) or return ();
	my $after = 0;
	while (my $line = <$fh>)
	{
		$after = 11 if $line =~ /ERROR: (?:Address|Leak)Sanitizer|runtime error: /;
		push @out, $line if $after-- > 0;
	}
	close($fh);
	return @out;
}

END
{
	my $exit = $?;
	for my $node (@all_nodes)
	{
		$node->teardown;
	}
	# A sanitizer build's report in a server log fails the test even when
	# the server went on (a report in a backend is a crash the postmaster
	# recovers from, which a test may not notice).
	for my $node (@all_nodes)
	{
		my @reports = $node->sanitizer_reports;
		next unless @reports;
		diag("sanitizer report in the log of node $node->{name}:\n" . join('', @reports));
		$exit ||= 1;
	}
	my $passed = Test::More->builder->is_passing && $exit == 0;
	for my $node (@all_nodes)
	{
		if ($passed && !$ENV{STRATA_KEEP_TEST_DIRS})
		{
			remove_tree($node->{basedir});
		}
		else
		{
			diag("data directory and log of node $node->{name} kept in $node->{basedir}");
		}
	}
	$? = $exit;
}

1;
