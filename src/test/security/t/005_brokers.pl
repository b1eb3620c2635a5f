# Two brokers sharing one catalog: a user made with strata_ctl on one logs
# in on the other, an ACL created through one is in force on the other
# within a second (the catalog's NOTIFY, each catalog worker's reload), and
# a user removed through one is refused by the other.
use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time usleep);
use Strata::Test::Cluster;
use Strata::Test::Node;
use Strata::Test::Security;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('sec');
my @brokers;
for my $name ('b1', 'b2')
{
	my $n = $cluster->add_node($name);
	my $sasl = get_free_port();
	$n->{listener_ports} = { PLAINTEXT => $n->port, SASL_PLAINTEXT => $sasl };
	$n->append_conf("listeners = 'PLAINTEXT://127.0.0.1:" . $n->port . ",SASL_PLAINTEXT://127.0.0.1:$sasl'\n"
		  . "authorizer = on\nsuper_users = 'User:admin'");
	push @brokers, $n;
}
my ($b1, $b2) = @brokers;
ok(add_user($b1, 'admin', 'admin-pw'), 'strata_ctl user add admin, through broker 1\'s data directory');
ok(add_user($b1, 'alice', 'alice-pw'), 'and alice');
$_->start for @brokers;

sub as
{
	my ($user) = @_;
	return { protocol => 'SASL_PLAINTEXT', mechanism => 'SCRAM-SHA-512', user => $user, password => "$user-pw" };
}

sub topics_seen
{
	my ($node, $user) = @_;
	my ($rc, $out, $err) = secclient('kafka-python-metadata', listener_port($node, 'SASL_PLAINTEXT'), as($user));
	return $rc == 0 ? join(',', sort map { /^topic (\S+)/ ? $1 : () } split /\n/, $out) : "error: $err";
}

{
	my $r = scram_login(listener_port($b2, 'SASL_PLAINTEXT'), 'alice', 'alice-pw', 'SCRAM-SHA-512');
	is($r->{error}, 0, 'alice logs in on broker 2');
	close $r->{sock} if $r->{sock};
}
client_ok('admin creates a topic through broker 1', 'confluent-roundtrip', listener_port($b1, 'SASL_PLAINTEXT'),
	as('admin'), 'shared');
ok(poll_until(sub { topics_seen($b2, 'admin') eq 'shared' }, 20), 'broker 2 knows the topic');
is(topics_seen($b2, 'alice'), '', 'alice may not see it on broker 2');

# An ACL made through broker 1 is in force on broker 2 within a second.
{
	my ($rc, $out, $err) = secclient('kafka-python-acls', listener_port($b1, 'SASL_PLAINTEXT'), as('admin'),
		'create', 'TOPIC', 'shared', 'LITERAL', 'User:alice', 'DESCRIBE', 'ALLOW');
	is($rc, 0, 'admin allows alice DESCRIBE on shared, through broker 1') or diag($err);
	my $created = time();
	my $seen;
	poll_until(sub {
			my $r = scram_login(listener_port($b2, 'SASL_PLAINTEXT'), 'alice', 'alice-pw', 'SCRAM-SHA-512');
			my $s = $r->{sock} or return 0;
			kafka_request($s, 3, 1, pack('l>', 1) . pack('s>/a', 'shared'));
			my $resp = kafka_recv($s);
			close $s;
			# v1: brokers array, controller id, topics: [error code, name, ...]
			return 0 unless defined $resp;
			my $nb = unpack('l>', $resp);
			my $off = 4;
			for (1 .. $nb)
			{
				my $hl = unpack('s>', substr($resp, $off + 4, 2));
				$off += 4 + 2 + $hl + 4;
				my $rl = unpack('s>', substr($resp, $off, 2));
				$off += 2 + ($rl > 0 ? $rl : 0);
			}
			$off += 4 + 4;	# controller id, topic count
			return 0 if unpack('s>', substr($resp, $off, 2)) != 0;
			$seen = time();
			return 1;
		}, 10);
	ok(defined $seen, 'broker 2 lets alice describe shared');
	cmp_ok($seen - $created, '<', 1.0, sprintf('... within a second of the ACL\'s creation on broker 1 (%.3f s)', $seen - $created))
	  if defined $seen;
	is(topics_seen($b2, 'alice'), 'shared', 'and lists it in her metadata');
}

# A user removed through broker 1 cannot log in on broker 2.
{
	my $script = $b1->basedir . '/remove.script';
	open(my $fh, '>', $script) or die;
	print $fh "AlterUserScramCredentials v0 {Deletions=[{Name=\"alice\", Mechanism=1}, {Name=\"alice\", Mechanism=2}]}\n";
	close $fh;
	# The PLAINTEXT listener's ANONYMOUS is no super user here: the request is refused.
	my ($rc, $out) = run_command([ "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress", '-p', $b1->port, $script ]);
	like($out, qr/ErrorCode=31/, 'an anonymous client may not remove users (CLUSTER_AUTHORIZATION_FAILED)');
	ok(remove_user($b1, 'alice'), 'strata_ctl user remove alice, through broker 1\'s data directory');
	ok(poll_until(sub {
			my $r = scram_login(listener_port($b2, 'SASL_PLAINTEXT'), 'alice', 'alice-pw', 'SCRAM-SHA-512');
			close $r->{sock} if $r->{sock};
			($r->{error} // 0) == 58
		}, 5), 'broker 2 refuses her at once');
}

# Metadata names each broker by the listener the client came in on: broker
# 2's SASL_PLAINTEXT port to a client of broker 1's SASL_PLAINTEXT
# listener, its PLAINTEXT port to a client of the PLAINTEXT one.
{
	my ($rc, $out, $err) = secclient('confluent-metadata', listener_port($b1, 'SASL_PLAINTEXT'), as('admin'));
	my $p2 = listener_port($b2, 'SASL_PLAINTEXT');
	like($out, qr/^broker \d+ 127\.0\.0\.1:$p2$/m, "a SASL client of broker 1 is given broker 2's SASL port")
	  or diag("$out\n$err");
	my $script = $b1->basedir . '/metadata.script';
	open(my $fh, '>', $script) or die;
	print $fh "Metadata v1 {Topics=[]}\n";
	close $fh;
	($rc, $out) = run_command([ "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress", '-p', $b1->port, $script ]);
	my $plain2 = $b2->port;
	like($out, qr/Port=$plain2\b/, "a PLAINTEXT client of broker 1 is given broker 2's PLAINTEXT port");
	unlike($out, qr/Port=$p2\b/, '... and not its SASL one');
}

# Partition moves need ALTER (and listing them DESCRIBE) on the cluster.
{
	my $script = $b1->basedir . '/reassign.script';
	open(my $fh, '>', $script) or die;
	print $fh "AlterPartitionReassignments v0 {TimeoutMs=1000, Topics=[{Name=\"shared\", Partitions=[{PartitionIndex=0, Replicas=[2]}]}]}\n"
	  . "ListPartitionReassignments v0 {TimeoutMs=1000, Topics=null}\n";
	close $fh;
	my ($rc, $out) = run_command([ "$ENV{STRATA_TOP_SRCDIR}/regress/kafka_regress", '-p', $b1->port, $script ]);
	my @codes = $out =~ /^< \{ThrottleTimeMs=0, ErrorCode=(\d+)/mg;
	is("@codes", '31 31', 'an anonymous client may neither move partitions nor list moves (CLUSTER_AUTHORIZATION_FAILED)')
	  or diag($out);
}

$_->stop for @brokers;
done_testing();
