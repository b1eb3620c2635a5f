# A group follows its coordinator slot: a consumer's group is coordinated by
# broker 1; its slot moves to broker 2 and the consumer rejoins there; broker
# 1 forgets the group (its log says so; kept, the group would also look empty
# after its member's session timeout, so the log line is what tells), and
# when the slot comes back after the consumer left, broker 1 describes the
# group as broker 2 left it: empty.  Last, the catalog's fence: a commit
# reaching a former coordinator that has not heard of the move is refused.
use strict;
use warnings;

use Test::More;
use IPC::Run qw(start finish);
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('coordmove');
my @b = map { $cluster->add_node("b$_") } 1 .. 2;
$_->append_conf("broker_lease_time = 3s\ngroup_initial_rebalance_delay = 0") for @b;
$_->start for @b;
my %by_id = map { $_->broker_id => $_ } @b;
my $cc = "$ENV{STRATA_TOP_SRCDIR}/src/test/cluster/cluster_clients.py";
my $regress = "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);

ok(poll_until(sub { $cluster->psql('SELECT count(DISTINCT leader) FROM strata.coordinator_slots') eq '2' }, 30),
	'the coordinator slots are spread over both brokers');

# Kafka's placement of groups: abs(String.hashCode) % 50.
sub java_slot
{
	my ($g) = @_;
	my $h = 0;
	$h = ($h * 31 + ord($_)) % 4294967296 for split //, $g;
	$h -= 4294967296 if $h >= 2147483648;
	return abs($h) % 50;
}

sub describe_group
{
	my ($node, $group) = @_;
	my $file = $node->basedir . '/describe.script';
	open(my $fh, '>', $file) or die;
	print $fh "DescribeGroups v5 {Groups=[\"$group\"], IncludeAuthorizedOperations=false}\n";
	close $fh;
	my ($rc, $out, $err) = run_command([$regress, '-p', $node->port, $file], timeout => 60);
	diag($err) if $rc != 0;
	return $out;
}

sub move_slot
{
	my ($slot, $to) = @_;
	$cluster->psql("UPDATE strata.coordinator_slots SET leader = $to, leader_epoch = leader_epoch + 1"
		  . " WHERE slot = $slot");
}

# A group whose slot broker 1 leads.
my ($group) = grep { $cluster->psql('SELECT leader FROM strata.coordinator_slots WHERE slot = ' . java_slot($_)) eq '1' }
  map { "cm-group-$_" } 1 .. 200;
my $slot = java_slot($group);
note("group $group, slot $slot");

my ($rc) = run_command(['kcat', '-P', '-b', $bootstrap, '-t', 'cm'], stdin => "one\n", timeout => 60);
is($rc, 0, 'a message produced to topic cm');
my $stop = $b[0]->basedir . '/stop-consumer';
my $consumed = $b[0]->basedir . '/consumed';
my $cout = '';
my $consumer = start(['/usr/bin/python3', $cc, 'consume', $bootstrap, 'cm', $group, $stop, $consumed],
	'>', \$cout, '2>&1');

ok(poll_until(sub { describe_group($by_id{1}, $group) =~ /GroupState="Stable".*Members=\[\{MemberId=/ }, 60),
	'the consumer\'s group is stable at broker 1, with its member');

move_slot($slot, 2);
ok(poll_until(sub { $by_id{1}->log_content =~ /group "\Q$group\E" forgotten: its coordinator slot moved/ }, 30),
	'broker 1 forgets the group once its slot moves to broker 2');
ok(poll_until(sub { describe_group($by_id{2}, $group) =~ /GroupState="Stable".*Members=\[\{MemberId=/ }, 60),
	'the consumer rejoined at broker 2');
like(describe_group($by_id{1}, $group), qr/ErrorCode=16/, 'broker 1 answers NOT_COORDINATOR for it');

# The consumer leaves (at broker 2), then the slot comes back.
open(my $fh, '>', $stop) or die;
close $fh;
finish($consumer);
like($cout, qr/^ok consumed/m, 'the consumer closed cleanly');
ok(poll_until(sub { describe_group($by_id{2}, $group) =~ /GroupState="Empty"/ }, 30),
	'broker 2 has the group empty after the consumer left');

move_slot($slot, 1);
ok(poll_until(sub { describe_group($by_id{1}, $group) !~ /ErrorCode=1[45]\b|ErrorCode=16\b/ }, 30),
	'broker 1 coordinates the group again');
my $out = describe_group($by_id{1}, $group);
unlike($out, qr/GroupState="Stable"/, 'broker 1 does not serve its stale stable group');
unlike($out, qr/Members=\[\{/, 'nor its old member');

# The fence: a commit that reaches a broker after its slot moved away, but
# before it heard of the move, is not written.  The move is made without
# notifying the brokers (the trigger off), swapping two slots so that the
# controller sees nothing to even out.
my ($g2) = grep { $_ ne $group && $cluster->psql('SELECT leader FROM strata.coordinator_slots WHERE slot = ' . java_slot($_)) eq '1' }
  map { "cm-fence-$_" } 1 .. 200;
my $s2 = java_slot($g2);
my $other = $cluster->psql('SELECT min(slot) FROM strata.coordinator_slots WHERE leader = 2');
$cluster->psql('ALTER TABLE strata.coordinator_slots DISABLE TRIGGER coordinator_slots_notify');
$cluster->psql("UPDATE strata.coordinator_slots SET leader = CASE WHEN slot = $s2 THEN 2 ELSE 1 END,"
	  . " leader_epoch = leader_epoch + 1 WHERE slot IN ($s2, $other)");
$cluster->psql('ALTER TABLE strata.coordinator_slots ENABLE TRIGGER coordinator_slots_notify');
{
	my $pos = $by_id{1}->log_position;
	my $file = $by_id{1}->basedir . '/commit.script';
	open(my $fh, '>', $file) or die;
	print $fh "OffsetCommit v8 {GroupId=\"$g2\", GenerationIdOrMemberEpoch=-1, MemberId=\"\", Topics=[{Name=\"cm\", Partitions=["
	  . "{PartitionIndex=0, CommittedOffset=1, CommittedLeaderEpoch=-1, CommittedMetadata=\"\"}]}]}\n";
	close $fh;
	my ($rc, $out, $err) = run_command([$regress, '-p', $by_id{1}->port, $file], timeout => 60);
	like($out, qr/PartitionIndex=0, ErrorCode=16/, 'a commit to the former coordinator that has not heard of the move: NOT_COORDINATOR');
	is($cluster->psql("SELECT count(*) FROM strata.committed_offsets WHERE group_id = '$g2'"), '0',
		'and nothing was written');
	like(substr($by_id{1}->log_content, $pos), qr/offset commit for group "\Q$g2\E" not written: its coordinator slot has moved/,
		'the broker says why');
}

$_->stop for @b;
done_testing();
