#-------------------------------------------------------------------------
# 010_cold_read_limit.pl: cold_read_bandwidth caps what fetches read from
# object storage, broker-wide, without holding a consumer's fetch back.
#
# 24 MiB of one partition go to objects (file:// store); after a restart
# the caches are empty, so every read is a cold read:
#  - with the default (0, no limit) a consumer reads it all back intact and
#    no read waits for the budget;
#  - after a reload with cold_read_bandwidth = 4MB a consumer asking for
#    50 MB per fetch takes at least the time the budget allows (the limit
#    is applied, and a reload reaches new backends), the waits show in
#    strata_cold_read_throttle_wait_seconds, and no fetch is held back
#    much beyond its max wait (500 ms): a fetch with data answers with it
#    rather than wait for the rest of its 50 MB.
#-------------------------------------------------------------------------
use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);
use Strata::Test::Node;
use Strata::Test::Utils;

my $bulk = "$ENV{STRATA_TOP_SRCDIR}/src/test/objstore/bulk.py";
my $MiB = 1024 * 1024;
my $count = 24 * 1024;			# 1 KiB messages
my $rate = 4 * $MiB;
my $mport = get_free_port();
my $node = Strata::Test::Node->new('coldlimit');
$node->init(wal_size => '128MB');
$node->append_conf(<<"CONF");
metrics_listen = '127.0.0.1:$mport'
log_cache_size = 64MB
block_cache_size = 8MB
upload_interval = 1s
log_min_messages = log
CONF
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $topic = 'cold';

my ($rc, $out, $err) = run_command([ '/usr/bin/python3', $bulk, 'produce', $bootstrap, $topic, 1, 0, $count ],
	timeout => 300);
is($rc, 0, "$count messages produced") or diag($err);
ok(poll_until(sub {
	($node->psql("SELECT coalesce(sum(object_end_offset), 0) FROM strata.stream_objects WHERE topic = '$topic'",
		fail_ok => 1) // -1) == $count
	  && ($node->psql("SELECT coalesce(wal_untrimmed_bytes, 0) FROM strata.upload_lag", fail_ok => 1) // $MiB) < $MiB
}, 60), 'all of it is in objects and the WAL is trimmed');

sub metric
{
	my ($name) = @_;
	my $v = scrape_metrics("127.0.0.1:$mport")->{$name};
	die "no metric $name" unless defined $v;
	return $v;
}

# No limit: everything read back cold, nothing waited.
$node->restart;
($rc, $out, $err) = run_command([ '/usr/bin/python3', $bulk, 'verify', $bootstrap, $topic, 1, $count ],
	timeout => 300);
is($rc, 0, 'without a limit, every message read back from objects, intact') or diag($err);
is(metric('strata_cold_read_throttle_wait_seconds_count'), 0, 'and no read waited for the budget');
cmp_ok(metric('strata_block_cache_misses_total'), '>', 0, 'the reads were cold (block cache misses)');

# 4 MB/s, set by a reload after a restart that emptied the caches.
$node->restart;
my $pos = $node->log_position;
$node->append_conf("cold_read_bandwidth = 4MB\n");
$node->reload;
ok($node->wait_for_log(qr/received SIGHUP, reloading configuration files/, $pos, 30), 'the broker reloaded');

my $t0 = time();
($rc, $out, $err) = run_command([ 'kcat', '-C', '-b', $bootstrap, '-t', $topic, '-p', '0', '-o', 'beginning', '-e',
	'-q', '-f', '%o\n', '-X', 'fetch.max.bytes=52428800', '-X', 'max.partition.fetch.bytes=52428800',
	'-X', 'fetch.wait.max.ms=500' ], timeout => 300);
my $elapsed = time() - $t0;
is($rc, 0, 'kcat read the partition to its end') or diag($err);
my @offsets = split /\n/, $out;
is(scalar(@offsets), $count, "all $count messages");
is($offsets[-1], $count - 1, 'up to the last offset');

# The bytes read cold are about $count KiB; the bucket starts with a
# second's worth (4 MB).
my $floor = ($count * 1024 - 1.0 * $rate) / $rate;
cmp_ok($elapsed, '>=', 0.75 * $floor, sprintf('reading took %.1f s: at least what 4 MB/s allows (%.1f s, with slack)',
	$elapsed, $floor));
my $m = scrape_metrics("127.0.0.1:$mport");
cmp_ok($m->{strata_cold_read_throttle_wait_seconds_count}, '>', 0,
	"reads waited for the budget ($m->{strata_cold_read_throttle_wait_seconds_count} GETs)");

# Fetches over about 2 s: none.  Without the deadline a 50 MB fetch would
# wait here for all 24 MiB (6 s).
my $fetches = $m->{'strata_kafka_request_duration_seconds_count{api="Fetch"}'};
my $quick = $m->{'strata_kafka_request_duration_seconds_bucket{api="Fetch",le="2.097152"}'};
ok(defined $fetches && defined $quick, 'the Fetch duration histogram is there');
is($fetches - $quick, 0, "no fetch took over 2.1 s ($fetches fetches)");
unlike($node->log_content, qr/from object storage failed|neither the log cache nor object storage/,
	'no cold read failed');

$node->stop;
done_testing();
