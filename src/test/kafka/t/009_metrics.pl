# The Prometheus metrics endpoint (metrics_listen): a bad value or a port
# in use stops the start; the exposition parses (every sample belongs to a
# # TYPE'd family, histograms are cumulative); counters move by the right
# amounts when kcat produces and consumes; connection and group gauges
# follow the clients; hostile HTTP gets 400/404/405 and slow clients
# cannot hold the endpoint.
use strict;
use warnings;

use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time usleep);
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('metrics');
$node->init;
my $mport = get_free_port();
$node->append_conf("max_connections = 4\nupload_interval = 1s");

# A bad value, and a port already in use, stop the start with one line.
ok(!$node->start(fail_ok => 1, options => '-c metrics_listen=localhost'),
	'metrics_listen without a port: the start fails');
like($node->last_stderr . $node->log_content, qr/invalid value for setting "metrics_listen".*no valid port|is not host:port/,
	'the message names metrics_listen');
ok(!$node->start(fail_ok => 1, options => "-c metrics_listen=127.0.0.1:" . $node->port),
	'metrics_listen on a port in use: the start fails');
like($node->last_stderr . $node->log_content, qr/could not bind to 127\.0\.0\.1:\d+ \(setting "metrics_listen"/,
	'the message says the port is in use');

$node->append_conf("metrics_listen = '127.0.0.1:$mport'");
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $url = "http://127.0.0.1:$mport/metrics";
ok(poll_until(sub { scalar $node->child_pids(qr/strata: metrics exporter/) }, 10),
	'the metrics exporter process runs');

# ---- scraping and parsing ----

# Scrape; returns the hash name{labels} => value, checking the format.
my $format_errors;
sub scrape
{
	my ($rc, $out, $err) = run_command(['curl', '-s', '-S', '--max-time', '20', '-D', '-', $url]);
	die "curl failed: $err" if $rc != 0;
	my ($head, $body) = split /\r\n\r\n/, $out, 2;
	die "no HTTP response: $out" unless defined $body;
	$format_errors = [];
	push @$format_errors, "status: $head" unless $head =~ m{^HTTP/1\.1 200 OK};
	push @$format_errors, "content type" unless $head =~ m{\r\nContent-Type: text/plain; version=0\.0\.4; charset=utf-8}i;
	my %type;
	my %help;
	my %v;
	my %seen_family_done;
	my $current = '';
	for my $line (split /\n/, $body)
	{
		if ($line =~ /^# HELP (\S+) (.+)$/)
		{
			push @$format_errors, "HELP twice: $1" if $help{$1}++;
			next;
		}
		if ($line =~ /^# TYPE (\S+) (counter|gauge|histogram)$/)
		{
			push @$format_errors, "TYPE twice: $1" if $type{$1};
			$type{$1} = $2;
			$current = $1;
			next;
		}
		if ($line =~ /^#/)
		{
			push @$format_errors, "bad comment: $line";
			next;
		}
		unless ($line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,|(?=\})))*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?|\+Inf|NaN)$/)
		{
			push @$format_errors, "bad sample line: $line";
			next;
		}
		my ($name, $labels, $value) = ($1, $2 // '', $3);
		my $family = $name;
		if (!$type{$family} && $name =~ /^(.*)_(bucket|sum|count)$/ && ($type{$1} // '') eq 'histogram')
		{
			$family = $1;
		}
		push @$format_errors, "sample of an untyped family: $line" unless $type{$family};
		push @$format_errors, "sample outside its family's block: $line" unless $family eq $current;
		push @$format_errors, "duplicate sample: $line" if exists $v{"$name$labels"};
		$v{"$name$labels"} = $value;
	}
	# Histograms: buckets cumulative, +Inf equals _count.
	for my $fam (grep { $type{$_} eq 'histogram' } keys %type)
	{
		my %series;
		for my $k (grep { /^\Q$fam\E_bucket\{/ } keys %v)
		{
			my ($other, $le) = $k =~ /^\Q$fam\E_bucket\{(.*?),?le="([^"]+)"\}$/;
			push @{ $series{$other} }, [ $le eq '+Inf' ? 9e99 : $le, $v{$k} ];
		}
		for my $other (keys %series)
		{
			my @b = sort { $a->[0] <=> $b->[0] } @{ $series{$other} };
			for my $i (1 .. $#b)
			{
				push @$format_errors, "$fam\{$other} buckets not cumulative" if $b[$i][1] < $b[$i - 1][1];
			}
			my $lbl = $other eq '' ? '' : "{$other}";
			push @$format_errors, "$fam$lbl: +Inf bucket differs from _count"
			  unless $b[-1][0] == 9e99 && defined $v{"${fam}_count$lbl"} && $b[-1][1] == $v{"${fam}_count$lbl"};
		}
	}
	$v{__types} = \%type;
	return \%v;
}

my $m0 = scrape();
is_deeply($format_errors, [], 'the exposition parses: every sample belongs to a # TYPE\'d family')
  or diag(join("\n", @$format_errors));
my %types = %{ $m0->{__types} };
my ($drc, $doc) = run_command(['strata', '--describe-metrics']);
my @documented = map { (split /\t/)[0] } split /\n/, $doc;
ok(@documented >= 30, 'strata --describe-metrics lists the metrics');
is_deeply([ sort keys %types ], [ sort @documented ], 'every documented metric is exposed, and only those');
for my $f (qw(strata_topic_bytes_in_total strata_connections strata_wal_flush_duration_seconds
	strata_upload_bytes_total strata_block_cache_hits_total strata_groups))
{
	ok($types{$f}, "family $f is exposed");
}
ok(defined $m0->{'strata_kafka_requests_total{api="Produce"}'}, 'per-API counters are labelled with the API table names');
ok(defined $m0->{'strata_groups{state="Stable"}'}, 'group gauge per state');
ok($m0->{strata_start_time_seconds} > time() - 600 && $m0->{strata_start_time_seconds} <= time() + 1,
	'strata_start_time_seconds is the recent start');
is($m0->{strata_connections}, 0, 'no client connections yet');

# ---- produce and consume with kcat ----

my $in = $node->basedir . '/kcat_in';
open(my $fh, '>', $in) or die;
print $fh "metrics message number $_\n" for 1 .. 100;
close $fh;
my ($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', 'm1', '-X', 'acks=all',
	'-X', 'linger.ms=5', '-l', $in]);
is($rc, 0, 'kcat produced 100 messages') or diag($err);
($rc, $out, $err) = run_command(['kcat', '-b', $bootstrap, '-C', '-t', 'm1', '-e', '-q']);
is(scalar(split /\n/, $out), 100, 'kcat consumed 100 messages');

# The backends of the two kcat runs are gone once their sockets closed.
my $m1;
poll_until(sub { $m1 = scrape(); $m1->{strata_connections} == 0 }, 20);
is_deeply($format_errors, [], 'the exposition still parses with topics and traffic')
  or diag(join("\n", @$format_errors));
is($m1->{'strata_topic_records_in_total{topic="m1"}'}, 100, 'records in: 100 for topic m1');
my $bytes_in = $m1->{'strata_topic_bytes_in_total{topic="m1"}'};
ok($bytes_in > 100 * 24, "bytes in ($bytes_in) cover the 100 values");
is($m1->{strata_wal_appended_bytes_total} - $m0->{strata_wal_appended_bytes_total}, $bytes_in,
	'the WAL appended exactly the bytes counted for the topic');
is($m1->{'strata_topic_records_out_total{topic="m1"}'}, 100, 'records out: 100 for topic m1');
is($m1->{'strata_topic_bytes_out_total{topic="m1"}'}, $bytes_in, 'bytes out equal bytes in (read once)');
is($m1->{strata_topics}, 1, 'one topic');
ok($m1->{strata_partitions} >= 1, 'its partitions are counted');

my $produces = $m1->{'strata_kafka_requests_total{api="Produce"}'};
ok($produces >= 1, "Produce requests counted ($produces)");
is($m1->{'strata_kafka_request_duration_seconds_count{api="Produce"}'}, $produces,
	'every Produce has its latency observed once its response was released');
ok($m1->{'strata_kafka_request_duration_seconds_sum{api="Produce"}'} > 0, 'Produce latency sum > 0');
ok($m1->{'strata_kafka_requests_total{api="Fetch"}'} >= 1, 'Fetch requests counted');
ok($m1->{'strata_kafka_requests_total{api="Metadata"}'} >= 2, 'Metadata requests counted');
ok($m1->{'strata_kafka_requests_total{api="ApiVersions"}'} >= 2, 'ApiVersions requests counted');
ok(!defined $m1->{'strata_kafka_request_duration_seconds_count{api="DeleteGroups"}'},
	'an API never used has no latency series');
ok($m1->{strata_wal_flush_bytes_count} > $m0->{strata_wal_flush_bytes_count}, 'WAL flushes observed');
ok($m1->{strata_wal_flush_bytes_sum} - $m0->{strata_wal_flush_bytes_sum} >= $bytes_in,
	'WAL flush sizes add up to at least the appended bytes');
ok($m1->{strata_wal_flush_duration_seconds_count} > $m0->{strata_wal_flush_duration_seconds_count},
	'WAL flush latencies observed');
ok($m1->{strata_wal_writes_total} > 0 && $m1->{strata_wal_written_bytes_total} >= $bytes_in, 'WAL writes counted');
ok($m1->{strata_wal_flushed_position_bytes} >= $m1->{strata_wal_appended_bytes_total}, 'flushed WAL position');
is($m1->{strata_wal_backpressure_wait_seconds_count}, 0, 'no back-pressure on an empty WAL');
ok($m1->{strata_log_cache_hits_total} >= 1, 'fetches hit the log cache');
is($m1->{strata_log_cache_misses_total}, 0, 'and never missed');
ok($m1->{strata_log_cache_sent_bytes_total} >= $bytes_in,
	'the fetched batches were sent from the log cache by reference');
is($m1->{strata_log_cache_copied_bytes_total}, 0, 'and none had to be copied (the consumer kept up)');
ok($m1->{strata_connections_accepted_total} - $m0->{strata_connections_accepted_total} >= 2,
	'connections accepted counted');

# The uploader (upload_interval = 1s) moves it all to object storage.
my $mu;
ok(poll_until(sub { $mu = scrape(); $mu->{strata_wal_trim_position_bytes} == $mu->{strata_wal_flushed_position_bytes} }, 30),
	'everything flushed is uploaded and trimmed: trim position = flushed position');
ok($mu->{strata_upload_objects_total} >= 1, "objects uploaded ($mu->{strata_upload_objects_total})");
ok($mu->{strata_upload_bytes_total} >= $bytes_in, 'upload bytes cover the produced batches');
is($mu->{strata_upload_duration_seconds_count}, $mu->{strata_upload_objects_total}, 'one upload latency per object');
is($mu->{strata_upload_errors_total}, 0, 'no upload errors');

# ---- connections: the gauge and refusals (max_connections = 4) ----
my @held;
push @held, $node->connect_tcp for 1 .. 4;
my $m2;
ok(poll_until(sub { $m2 = scrape(); $m2->{strata_connections} == 4 }, 10), 'four idle clients: strata_connections 4');
my $extra = $node->connect_tcp;
my $buf;
ok(!defined($extra) || !sysread($extra, $buf, 1), 'a fifth connection is closed at once');
ok(poll_until(sub { scrape()->{strata_connections_refused_total} > $m2->{strata_connections_refused_total} }, 10),
	'strata_connections_refused_total counts it');
close $_ for @held;
ok(poll_until(sub { scrape()->{strata_connections} == 0 }, 10), 'strata_connections back to 0');

# ---- a consumer group ----
my $kpid = fork();
if ($kpid == 0)
{
	open(STDOUT, '>', '/dev/null');
	open(STDERR, '>', '/dev/null');
	exec('kcat', '-b', $bootstrap, '-G', 'mgroup', 'm1');
	exit 127;
}
my $mg;
ok(poll_until(sub { $mg = scrape(); $mg->{'strata_groups{state="Stable"}'} == 1 }, 60),
	'a kcat consumer group shows as one Stable group');
is($mg->{strata_group_members}, 1, 'with one member');
kill 'TERM', $kpid;
waitpid($kpid, 0);
ok(poll_until(sub { $mg = scrape(); $mg->{'strata_groups{state="Empty"}'} == 1 }, 30),
	'after the consumer left, the group is Empty');
is($mg->{strata_group_members}, 0, 'with no members');
ok($mg->{'strata_kafka_requests_total{api="JoinGroup"}'} >= 1 && $mg->{'strata_kafka_requests_total{api="SyncGroup"}'} >= 1,
	'JoinGroup and SyncGroup counted');

# ---- HTTP: methods, paths, malformed and hostile requests ----

# Send raw bytes, return the whole response (the server closes).
sub http_raw
{
	my ($bytes) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Proto => 'tcp', Timeout => 5)
	  or die "connect: $!";
	$s->autoflush(1);
	print $s $bytes;
	my $resp = '';
	my $deadline = time() + 15;
	while (time() < $deadline)
	{
		my $n = sysread($s, my $chunk, 65536);
		last if !defined $n || $n == 0;
		$resp .= $chunk;
	}
	close $s;
	return $resp;
}

my $errors0 = scrape()->{strata_metrics_http_errors_total};
like(http_raw("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"),
	qr{^HTTP/1\.1 405 Method Not Allowed\r\n.*Allow: GET, HEAD\r\n}s, 'POST: 405 with Allow');
like(http_raw("GET /other HTTP/1.1\r\nHost: x\r\n\r\n"), qr{^HTTP/1\.1 404 }, 'another path: 404');
like(http_raw("GET / HTTP/1.0\r\n\r\n"), qr{^HTTP/1\.1 404 }, 'the root: 404');
like(http_raw("NONSENSE\r\n\r\n"), qr{^HTTP/1\.1 400 }, 'no request line: 400');
like(http_raw("GET /metrics HTTP/1.1\r\n\r\n"), qr{^HTTP/1\.1 400 .*Host}s, 'HTTP/1.1 without Host: 400');
like(http_raw("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n"), qr{^HTTP/1\.1 400 }, 'HTTP/2.0 text: 400');
like(http_raw("GET /metrics\0 HTTP/1.1\r\nHost: x\r\n\r\n"), qr{^HTTP/1\.1 400 }, 'a NUL byte: 400');
like(http_raw("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" . ("\x00" x 40) . "\r\n\r\n"), qr{^HTTP/1\.1 400 },
	'a TLS ClientHello: 400');
like(http_raw("G\xffT /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), qr{^HTTP/1\.1 400 }, 'a bad method byte: 400');
like(http_raw("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " . ('a' x 20000) . "\r\n\r\n"),
	qr{^HTTP/1\.1 400 .*8192}s, 'headers over 8 KiB: 400');
like(http_raw("GET /" . ('m' x 1000) . " HTTP/1.1\r\nHost: x\r\n\r\n"), qr{^HTTP/1\.1 400 }, 'a very long path: 400');
my $head = http_raw("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
like($head, qr{^HTTP/1\.1 200 OK\r\n.*Content-Length: [1-9]\d*\r\n}s, 'HEAD: 200 with the length');
like($head, qr{\r\n\r\n$}, 'HEAD: no body');
like(http_raw("GET /metrics?name[]=x HTTP/1.0\r\n\r\n"), qr{^HTTP/1\.1 200 OK\r\n.*\n# TYPE strata_connections gauge\n}s,
	'HTTP/1.0 GET with a query string: 200 and the metrics');
is(scrape()->{strata_metrics_http_errors_total} - $errors0, 11, 'each error response counted');

# A client that hangs up its side mid-request gets its 400 at once.
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Proto => 'tcp', Timeout => 5);
	$s->autoflush(1);
	print $s "GET /metrics HTTP/1.1\r\nHost: x\r\n";
	shutdown($s, 1);
	my $t = time();
	my $resp = '';
	while (sysread($s, my $chunk, 4096)) { $resp .= $chunk; }
	like($resp, qr{^HTTP/1\.1 400 .*incomplete}s, 'request cut short by the client: 400');
	ok(time() - $t < 3, 'answered at once, not at the read timeout');
	$errors0++;
}

# Slow clients: five that never finish their request do not delay a scrape,
# and are dropped after the read timeout.
my @slow;
for (1 .. 5)
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Proto => 'tcp', Timeout => 5);
	$s->autoflush(1);
	print $s "GET /metr";
	push @slow, $s;
}
my $t0 = time();
my $ms = scrape();
ok(time() - $t0 < 3, 'a scrape is served at once while slow clients hang');
ok(!@$format_errors, 'and parses');
my $dropped = 0;
for my $s (@slow)
{
	my $n = sysread($s, my $b, 100);    # blocks until the server gives up
	$dropped++ if defined $n && $n == 0;
}
my $took = time() - $t0;
is($dropped, 5, 'the slow clients are disconnected');
ok($took >= 4 && $took < 12, sprintf('after the read timeout (%.1f s)', $took));
ok(scrape()->{strata_metrics_http_errors_total} - $errors0 >= 16, 'dropped slow clients are counted as errors');

# Sixteen slow clients fill every slot; a scrape waits in the backlog until
# they time out, but is served.
@slow = ();
for (1 .. 16)
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Proto => 'tcp', Timeout => 5);
	push @slow, $s;
}
$t0 = time();
scrape();
ok(!@$format_errors && time() - $t0 < 12, sprintf('with every slot held, a scrape is still served (%.1f s)', time() - $t0));
close $_ for @slow;

# A crash restart re-creates shared memory: the exporter comes back on the
# same socket and every metric starts again from zero.
{
	my $before = scrape();
	my $exporter = ($node->child_pids(qr/strata: metrics exporter/))[0];
	my $c = $node->connect_tcp;
	my $backend;
	poll_until(sub { ($backend) = $node->child_pids(qr/strata: backend/); $backend }, 10);
	ok($backend, 'a backend to crash');
	my $pos = $node->log_position;
	kill 'KILL', $backend;
	ok($node->wait_for_log(qr/strata is ready to accept connections/, $pos), 'the server restarted after the crash');
	my $after;
	ok(poll_until(sub { $after = eval { scrape() }; $after && $after->{strata_start_time_seconds} > $before->{strata_start_time_seconds} }, 30),
		'the endpoint serves again, with a new start time');
	my ($new_exporter) = $node->child_pids(qr/strata: metrics exporter/);
	ok($new_exporter && $new_exporter != $exporter, 'by a new exporter process');
	ok($after->{strata_metrics_scrapes_total} < $before->{strata_metrics_scrapes_total}, 'counters started again from zero');
	ok(!defined $after->{'strata_topic_bytes_in_total{topic="m1"}'} || $after->{'strata_topic_bytes_in_total{topic="m1"}'} == 0,
		'per-topic counters too');
	close $c;
}

ok($node->stop('fast'), 'a fast stop stops the exporter too');
ok(!$node->child_pids(qr/metrics exporter/), 'no exporter left');

# Off by default: no exporter process.
$node->start(options => "-c metrics_listen=");
ok(poll_until(sub { scalar $node->child_pids(qr/strata: catalog worker/) }, 10), 'server up');
ok(!$node->child_pids(qr/strata: metrics exporter/), 'metrics_listen empty: no exporter process');
ok(!IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $mport, Proto => 'tcp', Timeout => 2),
	'and nothing listens on the port');
$node->stop('fast');

done_testing();
