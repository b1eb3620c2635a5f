# A slow broker is relieved first.  Three brokers carry twelve partitions
# of equal traffic, four each, under an idempotent acks=all producer for
# the whole test.  Then broker 2's disk becomes slow: its processes are
# put in a block-I/O cgroup that allows 10 writes a second on the device
# of its data directory (cgroup v1 blkio.throttle, or v2 io.max), so each
# O_DIRECT WAL write waits about 100 ms, as on a device that stalls, and
# its Produce latency climbs far above balancer_latency_threshold.  The
# balancer marks it slow after two checks in a row, moves partitions off
# it with the goal "latency", and moves nothing onto it while it stays
# slow.  Once the throttle is lifted it is no longer slow and takes its
# share back.  No acknowledged message is lost.
#
# Needs root and a cgroup I/O controller; skipped, saying why, without.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

# A block-I/O throttle on the device of a directory, for the processes
# added to it: cgroup v1 (blkio.throttle.write_iops_device) or v2 (io.max).
package Throttle
{

	sub slurp { open(my $fh, '<', $_[0]) or return undef; local $/; my $s = <$fh>; close $fh; chomp $s if defined $s; $s }
	sub spew { open(my $fh, '>', $_[0]) or return 0; my $ok = print $fh $_[1]; return close($fh) && $ok }

	# Undef, with the reason in $Throttle::why, where it cannot be done.
	sub new
	{
		my ($class, $dir, $iops) = @_;
		our $why;
		my $dev = (stat($dir))[0];
		my ($maj, $min) = (($dev >> 8) & 0xfff, ($dev & 0xff) | (($dev >> 12) & 0xfff00));
		my $sys = "/sys/dev/block/$maj:$min";
		($why = "$dir is not on a block device ($maj:$min)"), return undef unless -e "$sys/dev";
		# Throttles apply to whole disks: a partition's disk is its parent.
		($maj, $min) = split /:/, slurp("$sys/../dev") if -e "$sys/partition";
		my $self = bless { dev => "$maj:$min", procs => [] }, $class;
		if (-d '/sys/fs/cgroup/blkio' && -w '/sys/fs/cgroup/blkio/cgroup.procs')
		{
			$self->{root} = '/sys/fs/cgroup/blkio';
			$self->{cg} = "$self->{root}/strata_slow_$$";
			mkdir $self->{cg};
			spew("$self->{cg}/blkio.throttle.write_iops_device", "$self->{dev} $iops")
			  or ($why = "cannot set blkio.throttle.write_iops_device: $!"), return undef;
		}
		elsif (-e '/sys/fs/cgroup/cgroup.controllers' && slurp('/sys/fs/cgroup/cgroup.controllers') =~ /\bio\b/)
		{
			$self->{root} = '/sys/fs/cgroup';
			spew("$self->{root}/cgroup.subtree_control", '+io');
			$self->{cg} = "$self->{root}/strata_slow_$$";
			mkdir $self->{cg};
			spew("$self->{cg}/io.max", "$self->{dev} wiops=$iops")
			  or ($why = "cannot set io.max: $!"), return undef;
		}
		else
		{
			$why = 'no cgroup I/O controller (v1 blkio or v2 io) writable here';
			return undef;
		}
		return $self;
	}

	sub add
	{
		my ($self, $pid) = @_;
		spew("$self->{cg}/cgroup.procs", $pid) or die "cannot move $pid into $self->{cg}: $!";
		push @{ $self->{procs} }, $pid;
	}

	sub describe { "$_[0]{cg}, device $_[0]{dev}" }

	# Everything back where it was; the cgroup removed.
	sub lift
	{
		my ($self) = @_;
		return unless $self->{cg} && -d $self->{cg};
		for my $pid (split /\n/, slurp("$self->{cg}/cgroup.procs") // '')
		{
			spew("$self->{root}/cgroup.procs", $pid);
		}
		rmdir $self->{cg};
	}
}
package main;

plan skip_all => 'needs root to throttle a broker\'s disk' if $> != 0;
{
	my $probe = Throttle->new($Strata::Test::Utils::tmp_check, 10);
	plan skip_all => "cannot throttle a broker's disk here: $Throttle::why" unless $probe;
	$probe->lift;
}

my $interval = 2;
my $cluster = Strata::Test::Cluster->new('slow');
my @b = map { $cluster->add_node("b$_") } 1 .. 3;

# A band of 30 %: a broker at the mean (40 kB/s) may take one more
# partition of 10 kB/s, so the slow broker's partitions have somewhere to
# go; a threshold far above a healthy broker's mean Produce duration.
$_->append_conf("broker_lease_time = 3s\nbalancer_interval = ${interval}s\nbalancer_min_load = 10kB\n"
	  . "balancer_band = 30\nbalancer_latency_threshold = 50ms\nlog_min_messages = log")
  for @b;
$_->start for @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
my $dir = $b[0]->basedir;

ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '3' }, 30),
	'three live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'create-assigned', $bootstrap, 'slow', 12, '1,2,3']);
is($rc, 0, 'topic slow: twelve partitions, four on each broker') or diag("$out\n$err");

sub leaders
{
	my %n = map { $_ => 0 } 1 .. 3;
	$n{$_}++ for split /,/, $cluster->psql("SELECT string_agg(leader::text, ',') FROM strata.partitions p"
		  . " JOIN strata.topics t ON t.id = p.topic_id WHERE t.name = 'slow'");
	return %n;
}

sub counts
{
	my %n = leaders();
	return join(' ', map { "broker $_: $n{$_}" } sort keys %n)
	  . "\n" . $cluster->psql('SELECT * FROM strata.balancer_inputs')
	  . "\n" . $cluster->psql('SELECT id, state, slow_brokers, moves_planned FROM strata.balancer_checks ORDER BY id DESC LIMIT 5');
}

my $spec = join(',', map { "$_:10000" } 0 .. 11);
my $stop = "$dir/stop";
my $pout = '';
my $producer = start(['/usr/bin/python3', $cc, 'traffic', $bootstrap, 'slow', $spec, 600, 1000,
	"$dir/produced", $stop], '>', \$pout, '2>&1');

ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.balancer_inputs WHERE role = 'eligible'"
			  . " AND within_band AND bytes_in_rate BETWEEN 30000 AND 50000") eq '3' }, 60),
	'the balancer sees each broker at about 40 kB/s in, within the band')
  or diag(counts());
is($cluster->psql("SELECT count(*) FROM strata.partition_moves"), '0', 'balanced: nothing moved');

# Throttle broker 2's writes: every process of it into the cgroup.
my $slow = Throttle->new($b[1]->data_dir, 10) or BAIL_OUT("cannot throttle broker 2: $Throttle::why");
END { $slow->lift if $slow; }
$slow->add($_) for ($b[1]->postmaster_pid, map { $_->{pid} } $b[1]->child_processes);
note('throttled: ' . $slow->describe);

my $controller_log = sub { join('', map { $_->log_content(0) } @b) };
ok(poll_until(sub { $controller_log->() =~ /balancer: broker 2 is slow \(mean append latency [\d.]+ ms/ }, 60),
	'the balancer marks broker 2 slow') or diag(counts());
ok(poll_until(sub { my %n = leaders(); $n{2} <= 2 }, 60),
	'it moves partitions off the slow broker') or diag(counts());
is($cluster->psql("SELECT count(*) FROM strata.balancer_actions WHERE from_broker = 2 AND goal = 'latency'") >= 1
	  ? 'yes' : 'no', 'yes', 'the moves are recorded with the goal "latency"') or diag(counts());
is($cluster->psql("SELECT count(*) FROM strata.balancer_actions WHERE to_broker = 2"), '0',
	'nothing is moved onto the slow broker') or diag(counts());
like($cluster->psql("SELECT slow_brokers::text FROM strata.balancer_checks ORDER BY id DESC LIMIT 1"), qr/\{2\}/,
	'strata.balancer_checks lists it as slow');

# The throttle is lifted: no longer slow, it takes its share back.
$slow->lift;
ok(poll_until(sub { $controller_log->() =~ /balancer: broker 2 is no longer slow/ }, 60),
	'broker 2 is no longer slow once its disk keeps up') or diag(counts());
ok(poll_until(sub { my %n = leaders(); $n{2} >= 3 }, 90),
	'it takes its share back') or diag(counts());

open(my $fh, '>', $stop) or die;
close $fh;
finish($producer);
like($pout, qr/^ok produced/m, 'the producer delivered every message') or diag(substr($pout, -3000));

($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[0]->port, 'slow', 12, "$dir/log"],
	timeout => 300);
is($rc, 0, 'the topic read back') or diag("$out\n$err");
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', "$dir/produced", "$dir/log"]);
is($rc, 0, 'every acknowledged message is in the log once, at its offset') or diag("$out\n$err");

$_->stop for @b;
done_testing();
