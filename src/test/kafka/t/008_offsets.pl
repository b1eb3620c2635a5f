# Committed offsets under load: thousands of OffsetCommits from several
# clients at once, written by the offset committer in batches; every
# acknowledged commit is in the catalog after a kill -9 of the broker;
# commits across a catalog restart are delayed, never lost, and crash
# nothing; OffsetFetch (answered from the coordinator's cache) agrees with
# the catalog; and group_initial_rebalance_delay makes three consumers
# starting together form one generation.
use strict;
use warnings;

use POSIX qw(setpgid);
use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('offsets');
$node->init;
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $top = $ENV{STRATA_TOP_SRCDIR};
my $clients = "$top/src/test/kafka/clients.py";
my $load = "$top/bench/offset_commits.py";

# Start the commit load in its own process group (it forks one process per
# client); returns the pid.
sub start_load
{
	my ($out, @args) = @_;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		setpgid(0, 0);
		open(STDOUT, '>', $out);
		open(STDERR, '>&', \*STDOUT);
		exec('/usr/bin/python3', $load, '--bootstrap', $bootstrap, @args);
		exit 1;
	}
	return $pid;
}

sub last_ack
{
	my ($file) = @_;
	return 0 unless -f $file;
	my @lines = split /\n/, slurp_file($file);
	return @lines ? $lines[-1] : 0;
}

# The catalog's committed offsets of a group prefix: { "group/partition" => "offset metadata" }.
sub catalog_offsets
{
	my ($topic) = @_;
	my %h;
	for (split /\n/, $node->psql("SELECT group_id || '/' || partition || ' ' || committed_offset || ' ' || convert_from(metadata, 'UTF8') "
			. "FROM strata.committed_offsets WHERE topic = '$topic'"))
	{
		my ($k, $v) = split / /, $_, 2;
		$h{$k} = $v;
	}
	return \%h;
}

# ---- acknowledged commits survive a kill -9 of the broker ----
{
	my $acks = $node->basedir . '/acks';
	mkdir $acks;
	my $nclients = 8;
	my $pid = start_load($node->basedir . '/load1.out', '--clients', $nclients, '--commits', 100000,
		'--partitions', 2, '--groups', 4, '--topic', 'crashcommit', '--group-prefix', 'crash',
		'--ack-dir', $acks);
	my $progress = sub {
		my $min;
		for my $i (0 .. $nclients - 1)
		{
			my $k = last_ack("$acks/ack-$i");
			$min = $k if !defined $min || $k < $min;
		}
		return $min;
	};
	ok(poll_until(sub { $progress->() >= 250 }, 120), 'every client had 250 commits acknowledged')
	  or diag(slurp_file($node->basedir . '/load1.out'));
	$node->kill9;
	ok(1, 'broker killed with SIGKILL while the clients commit');
	kill 'KILL', -$pid;
	waitpid($pid, 0);
	my %acked = map { $_ => last_ack("$acks/ack-$_") } 0 .. $nclients - 1;
	my $total = 0;
	$total += $_ for values %acked;
	note("acknowledged commits per client: " . join(' ', map { $acked{$_} } sort keys %acked));
	$node->start;

	my $cat = catalog_offsets('crashcommit');
	my @bad;
	for my $i (0 .. $nclients - 1)
	{
		my $group = 'crash-' . ($i % 4);
		for my $p ($i * 2, $i * 2 + 1)
		{
			my $v = $cat->{"$group/$p"} // 'none';
			my ($off, $meta) = split / /, $v, 2;
			# The commit in flight at the kill may or may not have made it.
			push @bad, "$group/$p: acked $acked{$i}, catalog $v"
			  unless $v ne 'none' && ($off == $acked{$i} || $off == $acked{$i} + 1)
			  && $meta eq "c$i-p$p-$off";
		}
	}
	is_deeply(\@bad, [], "all $total acknowledged commits (16 partitions) are in the catalog after the crash");

	# OffsetFetch after the restart agrees with the catalog (cache loaded
	# from it), twice (the second from the cache).
	for my $round (1, 2)
	{
		my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'offsets-of', $bootstrap, 'crash-1'],
			timeout => 60);
		my $want = join('', map {
				my ($k, $v) = ($_, $cat->{$_});
				my ($g, $p) = split m{/}, $k;
				"crashcommit $p $v\n"
			} sort { (split m{/}, $a)[1] <=> (split m{/}, $b)[1] } grep { m{^crash-1/} } keys %$cat);
		is($out, $want, "OffsetFetch of crash-1 agrees with the catalog (fetch $round)") or diag($err);
	}
}

# ---- thousands of commits to completion, written in batches ----
{
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $load, '--bootstrap', $bootstrap,
			'--clients', 8, '--commits', 300, '--partitions', 2, '--groups', 4,
			'--topic', 'batched', '--group-prefix', 'batch'], timeout => 300);
	is($rc, 0, '8 clients committed 300 times each') or diag("$out\n$err");
	note($out);
	my $cat = catalog_offsets('batched');
	my @bad = grep {
		my ($g, $p) = split m{/};
		my $i = int($p / 2);
		$cat->{$_} ne "300 c$i-p$p-300"
	} keys %$cat;
	is(scalar(keys %$cat), 16, '16 partitions committed');
	is_deeply(\@bad, [], 'each holds the last commit, 300, with its metadata');

	# The cache follows commits: fetch (which caches the group), commit
	# more, fetch again.
	($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'offsets-of', $bootstrap, 'batch-0'], timeout => 60);
	is($out, "batched 0 300 c0-p0-300\nbatched 1 300 c0-p1-300\nbatched 8 300 c4-p8-300\nbatched 9 300 c4-p9-300\n",
		'OffsetFetch of batch-0') or diag($err);
	($rc, $out, $err) = run_command(['/usr/bin/python3', $load, '--bootstrap', $bootstrap,
			'--clients', 8, '--commits', 310, '--partitions', 2, '--groups', 4,
			'--topic', 'batched', '--group-prefix', 'batch'], timeout => 300);
	is($rc, 0, 'the clients committed again') or diag("$out\n$err");
	($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'offsets-of', $bootstrap, 'batch-0'], timeout => 60);
	is($out, "batched 0 310 c0-p0-310\nbatched 1 310 c0-p1-310\nbatched 8 310 c4-p8-310\nbatched 9 310 c4-p9-310\n",
		'OffsetFetch of the cached group shows the newer commits') or diag($err);
}

# ---- the committer's counts since the crash restart ----
# Eight clients committing synchronously at once: the committer writes
# what queued up during each transaction in the next, so there are fewer
# transactions than commits.  A clean restart logs the counts (and starts
# them again from zero).
{
	my $pos = $node->log_position;
	$node->restart;
	my $log = $node->log_content($pos);
	ok($log =~ /offset committer at shutdown: (\d+) commit requests \((\d+) offsets\) in (\d+) catalog transactions; OffsetFetch cache: (\d+) hits, (\d+) loads/,
		'the committer reports its counts at shutdown');
	my ($req, $rows, $tx, $hits, $loads) = ($1, $2, $3, $4, $5);
	note("$req requests, $rows offsets, $tx transactions, $hits cache hits, $loads loads");
	cmp_ok($req, '>=', 8 * 300 + 8 * 310, 'thousands of commit requests');
	cmp_ok($tx, '<', 0.8 * $req, 'written in batches: fewer than 0.8 catalog transactions per commit');
	cmp_ok($hits, '>=', 2, 'OffsetFetch answered from the cache');
	cmp_ok($loads, '>=', 2, 'groups loaded into the cache from the catalog');
}

# ---- commits while the catalog restarts ----
# With offsets_commit_timeout shorter than the outage, commits waiting for
# the catalog fail with COORDINATOR_NOT_AVAILABLE and the clients retry.
{
	my $pos = $node->log_position;
	$node->append_conf("offsets_commit_timeout = 1s");
	$node->reload;
	ok($node->wait_for_log(qr/setting "offsets_commit_timeout" changed from "[^"]+" to "[^"]+"/, $pos),
		'offsets_commit_timeout reloaded');
	my $pm = $node->postmaster_pid;
	my $pid = start_load($node->basedir . '/load3.out', '--clients', 6, '--commits', 400, '--rate', 50,
		'--partitions', 1, '--groups', 2, '--topic', 'outage', '--group-prefix', 'outage');
	sleep 3;
	$node->stop_catalog;
	sleep 2;
	$node->start_catalog;
	my $done = poll_until(sub { waitpid($pid, POSIX::WNOHANG()) == $pid }, 120);
	ok($done, 'the clients finished after the catalog came back');
	is($? >> 8, 0, 'every commit succeeded in the end (clients retried)')
	  or diag(slurp_file($node->basedir . '/load3.out'));
	kill 'KILL', -$pid unless $done;
	my $log = $node->log_content($pos);
	like($log, qr/offset committer: catalog unreachable/, 'the committer logged the outage');
	like($log, qr/offset committer: catalog reachable again/, 'and its end');
	like($log, qr/not written to the catalog within offsets_commit_timeout \(1000 ms\); answering COORDINATOR_NOT_AVAILABLE/,
		'commits waiting longer than offsets_commit_timeout were answered COORDINATOR_NOT_AVAILABLE');
	unlike($log, qr/terminating any other active server processes/, 'no process crashed');
	is($node->postmaster_pid, $pm, 'same postmaster');
	my $cat = catalog_offsets('outage');
	is(join(',', map { $cat->{"outage-" . ($_ % 2) . "/$_"} // 'none' } 0 .. 5),
		join(',', map { "400 c$_-p$_-400" } 0 .. 5), 'every partition holds the last commit');
}

# ---- a commit the catalog refuses fails alone ----
{
	my $pos = $node->log_position;
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'bad-utf8-commit', $bootstrap, 'utf8'],
		timeout => 60);
	is($rc, 0, 'a non-UTF-8 group id fails with UNKNOWN_SERVER_ERROR, a commit sent with it succeeds')
	  or diag("$out\n$err");
	like($node->log_content($pos), qr/offset commit for group "bad-.*" refused by the catalog: ERROR:  invalid byte sequence/,
		'the log says why');
	is($node->psql("SELECT committed_offset || ' ' || convert_from(metadata, 'UTF8') FROM strata.committed_offsets WHERE group_id = 'good-utf8'"),
		'42 meta', 'the good commit is in the catalog');
}

# ---- one request naming a partition twice: the later commit wins ----
{
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'dup-commit', $bootstrap, 'dups'],
		timeout => 60);
	is($rc, 0, 'a commit naming partition 0 twice is answered without error') or diag("$out\n$err");
	is($node->psql("SELECT committed_offset || ' ' || convert_from(metadata, 'UTF8') FROM strata.committed_offsets WHERE group_id = 'dup-dups'"),
		'7 second', 'the later of the two is committed');
}

# ---- a clean stop still reports the counts ----
{
	my $pos = $node->log_position;
	$node->stop;
	like($node->log_content($pos), qr/offset committer at shutdown: \d+ commit requests/,
		'the committer reports its counts at shutdown');
}

# ---- group_initial_rebalance_delay: one generation for three; a
# commit larger than the whole commit queue ----
{
	$node->append_conf("group_initial_rebalance_delay = 1500ms\noffset_commit_queue_size = 64kB");
	$node->start;
	{
		my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'big-commit', $bootstrap, 'big'],
			timeout => 120);
		is($rc, 0, 'a commit larger than offset_commit_queue_size is written and read back') or diag("$out\n$err");
	}
	my $pos = $node->log_position;
	my ($rc, $out, $err) = run_command(['/usr/bin/python3', $clients, 'initial-delay', $bootstrap, 'delayed'],
		timeout => 120);
	is($rc, 0, 'three consumers starting together each get one assignment') or diag("$out\n$err");
	note($out);
	my @gens = ($node->log_content($pos) =~ /group "g-delayed": generation (\d+) with (\d+) members/g);
	# (the generations after it come from the members leaving one by one)
	is("@gens[0, 1]", '1 3', 'one rebalance: generation 1 with all three members');
	$node->stop;
}

done_testing();
