# Auto-scaling with contrib/scale/local.sh.  Two brokers of 200 kB/s each
# carry 420 kB/s: utilisation is above scaling_emergency, so the
# controller runs scale_out_command for the one broker needed, with its id;
# local.sh starts it, and the balancer gives it its share.  Then the
# traffic falls to 60 kB/s: after scaling_in_cooldown the controller
# chooses a broker to remove, the balancer drains it, and only then
# scale_in_command runs (local.sh stops it with stop -m fast), while an
# idempotent producer goes on with only retriable errors and loses
# nothing.  A wrapper records each command's arguments, environment and
# what the brokers to remove still led when it ran.  A command that fails
# fails its action, with its exit status and output.  Every decision is in
# strata.scaling_history and the log.
use strict;
use warnings;

use IPC::Run qw(start finish);
use Test::More;
use Strata::Test::Cluster;
use Strata::Test::Utils;

my $cluster = Strata::Test::Cluster->new('scaling');
my $dir = $cluster->{basedir};
my $src = $ENV{STRATA_TOP_SRCDIR};
my $new_port = get_free_port();
my $calls = "$dir/calls";
my $scaled = "$dir/scaled";

# The wrapper: records, then runs the real local.sh.
open(my $fh, '>', "$dir/record.sh") or die;
print $fh <<"SH";
#!/bin/sh
ids=\$(echo "\$@" | sed 's/.* //')
[ "\$1" = in ] && ids=\$(echo "\$@" | cut -d' ' -f2-)
led=\$(psql -X -A -t -d "\$STRATA_CATALOG" -c "SELECT count(*) FROM strata.partitions WHERE leader IN (\$(echo \$ids | tr ' ' ','))")
echo "\$* | count=\$STRATA_SCALE_COUNT ids=\$STRATA_SCALE_IDS controller=\$STRATA_CONTROLLER led=\$led store=\${STRATA_OBJECT_STORE:+set} catalog=\${STRATA_CATALOG:+set}" >>$calls
exec $src/contrib/scale/local.sh "\$@"
SH
close $fh;
chmod 0755, "$dir/record.sh";

# The cluster's settings, for the brokers started here and by local.sh.
my $conf = "$dir/cluster.conf";
open($fh, '>', $conf) or die;
print $fh Strata::Test::Node::test_conf() . <<"CONF";
broker_lease_time = 3s
balancer_interval = 2s
balancer_min_load = 10kB
broker_capacity = 200kB
scaling_out_cooldown = 2s
scaling_in_cooldown = 8s
scaling_min_brokers = 2
scaling_max_brokers = 3
scaling_timeout = 60s
scale_out_command = '$dir/record.sh out --base $scaled --port ${\ ($new_port - 3)} --conf $conf %i'
scale_in_command = '$dir/record.sh in %i'
CONF
close $fh;
my @b = map { $cluster->add_node("b$_") } 1 .. 2;
for my $n (@b)
{
	open(my $in, '<', $conf) or die;
	$n->append_conf(join('', <$in>));
	close $in;
}
$_->start for @b;

END
{
	# Brokers local.sh started are not the harness's: stop those a failure left up.
	local $?;
	for my $d (glob("$scaled/broker-*"))
	{
		run_command(['strata_ctl', 'stop', '-D', $d, '-m', 'immediate']) if -e "$d/postmaster.pid";
	}
}

my $cc = "$src/src/test/cluster/cluster_clients.py";
my $bootstrap = join(',', map { '127.0.0.1:' . $_->port } @b);
ok(poll_until(sub { $cluster->psql('SELECT count(*) FROM strata.broker_status WHERE live') eq '2' }, 30),
	'two live brokers');
my ($rc, $out, $err) = run_command(['/usr/bin/python3', "$src/src/test/kafka/clients.py", 'create-topic',
	'127.0.0.1:' . $b[0]->port, 'elastic', 6]);
is($rc, 0, 'topic elastic: six partitions') or diag($err);

# 420 kB/s: 105 % of the two brokers' 400 kB/s.
my $stop1 = "$dir/stop1";
my $p1out = '';
my $p1 = start(['/usr/bin/python3', $cc, 'traffic', $bootstrap, 'elastic', join(',', map { "$_:70000" } 0 .. 5),
	600, 1000, "$dir/produced1", $stop1], '>', \$p1out, '2>&1');

ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.scaling_actions WHERE direction = 'out'") > 0 }, 60),
	'the controller decided to scale out');
is($cluster->psql("SELECT policy || ' ' || brokers_before || ' ' || brokers_wanted || ' ' || array_to_string(broker_ids, ',')"
	  . " FROM strata.scaling_actions WHERE direction = 'out' ORDER BY id LIMIT 1"),
	'emergency 2 3 3', 'the emergency policy, from 2 to the 3 brokers needed, proposing id 3');
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.scaling_actions WHERE direction = 'out' ORDER BY id LIMIT 1") eq 'done' }, 90),
	'the action is done: the new broker is live') or diag($cluster->psql('SELECT * FROM strata.scaling_history'));
is($cluster->psql("SELECT exit_status FROM strata.scaling_actions WHERE direction = 'out' ORDER BY id LIMIT 1"), '0',
	'local.sh exited 0');
like(slurp_file($calls), qr/^out --base \Q$scaled\E --port \d+ --conf \Q$conf\E 3 \| count=1 ids=3 controller=\d led=0 store=set catalog=set$/m,
	'scale_out_command ran with the new broker\'s id, count and the cluster in its environment');
is($cluster->psql("SELECT live FROM strata.broker_status WHERE id = 3"), 't', 'broker 3 is live');
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.partitions WHERE leader = 3") eq '2' }, 60),
	'the balancer gave it its share of the partitions');
my $controller = $cluster->psql('SELECT controller FROM strata.cluster');

# 60 kB/s: 10 % of three brokers.  Scale in after scaling_in_cooldown.
my $stop2 = "$dir/stop2";
my $p2out = '';
my $p2 = start(['/usr/bin/python3', $cc, 'traffic', $bootstrap, 'elastic', join(',', map { "$_:10000" } 0 .. 5),
	600, 1000, "$dir/produced2", $stop2, 'b'], '>', \$p2out, '2>&1');
open($fh, '>', $stop1) or die;
close $fh;
finish($p1);
like($p1out, qr/^ok produced/m, 'the first producer delivered everything') or diag(substr($p1out, -3000));

ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.scaling_actions WHERE direction = 'in'") > 0 }, 90),
	'the controller decided to scale in');
my $victims = $cluster->psql("SELECT array_to_string(broker_ids, ' ') FROM strata.scaling_actions WHERE direction = 'in' ORDER BY id LIMIT 1");
is($cluster->psql("SELECT policy || ' ' || brokers_before || ' ' || brokers_wanted FROM strata.scaling_actions WHERE direction = 'in' ORDER BY id LIMIT 1"),
	'target tracking 3 2', 'target tracking, from 3 brokers to scaling_min_brokers (2)');
isnt($victims, $controller, "it removes broker $victims, not the controller");
ok(poll_until(sub { $cluster->psql("SELECT state FROM strata.scaling_actions WHERE direction = 'in' ORDER BY id LIMIT 1") eq 'done' }, 120),
	'the scale-in is done') or diag($cluster->psql('SELECT * FROM strata.scaling_history'));
like(slurp_file($calls), qr/^in $victims \| count=1 ids=$victims controller=\d led=0 /m,
	'scale_in_command ran with its id, once it led nothing');
is($cluster->psql("SELECT state FROM strata.brokers WHERE id = $victims"), 'stopped', "broker $victims stopped");
is($cluster->psql("SELECT count(*) FROM strata.move_history WHERE reason = 'balancer' AND from_broker = $victims"
	  . " AND state = 'done'") >= 1 ? 'drained' : 'not', 'drained', 'its partitions were moved off by the balancer');
is($cluster->psql("SELECT count(*) FROM strata.balancer_draining"), '0', 'and it is no longer marked draining');

# What an operator sees.
($rc, $out, $err) = run_command(['strata_ctl', 'balancer', '-D', $b[0]->data_dir, 'status']);
is($rc, 0, 'strata_ctl balancer status');
like($out, qr/^scaling, last 5 actions .*\n.*\n.*\n.* in \s+target tracking .*done/m, 'shows the scaling actions');
like($out, qr/^scaling: utilisation [\d.]+% of 2 brokers$/m, 'and the last decision: nothing to do') or diag($out);
# Every check records what the policy decided, the decisions to wait too.
ok($cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE scaling LIKE 'scale out: utilisation %% >= scaling_emergency 90%: 3 brokers needed for 80%'") >= 1,
	'the scale-out decision is in strata.balancer_checks');
is($cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE scaling LIKE 'scale in: utilisation %: 2 brokers would run at % or less for scaling_in_cooldown'"),
	'1', 'the scale-in decision too');
ok($cluster->psql("SELECT count(*) FROM strata.balancer_checks WHERE scaling LIKE '%not yet for scaling_in_cooldown'") > 0,
	'and the checks that waited for scaling_in_cooldown');
my $log = join('', map { $_->log_content } @b);
like($log, qr/scaling: adding 1 brokers \(emergency\): utilisation [\d.]+% >= scaling_emergency 90%/,
	'the scale-out decision is logged with the utilisation seen');
like($log, qr/scaling: brokers of action \d+ drained; running scale_in_command/, 'the scale-in too');

# A scale-out command that fails: the action fails with its exit status
# and output, and the emergency policy tries again while it must.
open($fh, '>', "$dir/fail.sh") or die;
print $fh "#!/bin/sh\necho \"no capacity left for \$*\"\nexit 3\n";
close $fh;
chmod 0755, "$dir/fail.sh";
for my $n (@b)
{
	$n->append_conf("scale_out_command = '$dir/fail.sh %n %i'");
	$n->reload;
}
my $stop3 = "$dir/stop3";
my $p3out = '';
my $p3 = start(['/usr/bin/python3', $cc, 'traffic', $bootstrap, 'elastic', join(',', map { "$_:70000" } 0 .. 5),
	600, 1000, "$dir/produced3", $stop3, 'c'], '>', \$p3out, '2>&1');
ok(poll_until(sub { $cluster->psql("SELECT count(*) FROM strata.scaling_actions WHERE state = 'failed'") > 0 }, 60),
	'a failing scale-out command: the action failed');
is($cluster->psql("SELECT exit_status || ' ' || output || ' ' || note FROM strata.scaling_actions WHERE state = 'failed' ORDER BY id LIMIT 1"),
	'3 no capacity left for 1 4 the command exited with status 3', 'with its exit status and output (a new id: 4, above every id registered)');
open($fh, '>', $stop3) or die;
close $fh;
finish($p3);
like($p3out, qr/^ok produced/m, 'the third producer delivered everything') or diag(substr($p3out, -3000));

open($fh, '>', $stop2) or die;
close $fh;
finish($p2);
# No more scaling: reading the topic back below is traffic too, and the
# brokers stop one after the other.
for my $n (@b)
{
	$n->append_conf("scale_out_command = ''\nscale_in_command = ''");
	$n->reload;
}
like($p2out, qr/^ok produced/m, 'the producer during the scale-in delivered every message: only retriable errors')
  or diag(substr($p2out, -3000));
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'dump', '127.0.0.1:' . $b[0]->port, 'elastic', 6, "$dir/log"],
	timeout => 300);
is($rc, 0, 'the topic read back') or diag("$out\n$err");
system("cat $dir/produced1 $dir/produced2 $dir/produced3 > $dir/produced");
($rc, $out, $err) = run_command(['/usr/bin/python3', $cc, 'check', "$dir/produced", "$dir/log"]);
is($rc, 0, 'nothing acknowledged lost or duplicated') or diag("$out\n$err");


$_->stop for @b;
done_testing();
