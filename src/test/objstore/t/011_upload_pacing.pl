#-------------------------------------------------------------------------
# 011_upload_pacing.pl: the uploader writes an object out at upload_pacing
# percent of the rate its data arrived at (file:// store), not in one
# burst that the WAL's writes on the same disk would queue behind; and
# compaction writes its objects no faster.
#
# 2000 messages of 1 KiB a second for about 10 s: the upload that the
# 16 MB threshold starts is paced at twice that rate, in parts of 5 MB,
# and so takes seconds, most of them waiting between parts, the rest of
# the object after its last part included.  A small upload, by
# upload_interval, is one write and is not paced.  Compaction then merges
# the two objects into one, which it writes at the uploads' pace.
#-------------------------------------------------------------------------
use strict;
use warnings;

use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $bulk = "$ENV{STRATA_TOP_SRCDIR}/src/test/objstore/bulk.py";
my $mport = get_free_port();
my $node = Strata::Test::Node->new('pacing');
$node->init(wal_size => '128MB');
$node->append_conf(<<"CONF");
metrics_listen = '127.0.0.1:$mport'
log_cache_size = 128MB
upload_threshold = 16MB
upload_part_size = 5MB
upload_interval = 5s
stream_split_size = 64kB
compaction_small_object_size = 1kB
log_min_messages = log
CONF
$node->start;
my $bootstrap = '127.0.0.1:' . $node->port;
my $n = 20000;

my ($rc, $out, $err) = run_command([ '/usr/bin/python3', $bulk, 'produce', $bootstrap, 'paced', 1, 0, $n,
	1024, 2000 ], timeout => 120);
is($rc, 0, "$n messages produced at 2000 a second") or diag($err);
ok(poll_until(sub {
	($node->psql("SELECT coalesce(sum(object_end_offset), 0) FROM strata.stream_objects WHERE topic = 'paced'",
		fail_ok => 1) // -1) == $n
	  && ($node->psql("SELECT count(*) FROM strata.objects WHERE state = 'prepared'", fail_ok => 1) // -1) == 0
}, 60), 'all of them uploaded: the threshold, then upload_interval');
my @sizes = split /\n/, $node->psql("SELECT size FROM strata.objects WHERE state = 'committed' ORDER BY id");
cmp_ok(scalar(grep { $_ >= 15 * 1024 * 1024 } @sizes), '==', 1, "one object of the threshold's size (@sizes)");

my $m = scrape_metrics("127.0.0.1:$mport");
# About 16 MB at about 4 MB/s: three parts and the rest, each due about
# 1.25 s after the one before.  Sleeps are never shorter than asked.
cmp_ok($m->{strata_upload_pace_wait_seconds_count}, '>=', 2, 'the uploader waited between the parts');
cmp_ok($m->{strata_upload_pace_wait_seconds_sum}, '>=', 1.5,
	"for seconds in all ($m->{strata_upload_pace_wait_seconds_sum} s): the upload was spread out");
cmp_ok($m->{strata_upload_pace_wait_seconds_count}, '<=', 4, 'the small upload was not paced');

# Compaction: the two stream objects are small (below 32 MB) and old: they
# are merged into one of about 21 MB, written in pieces of 5 MB at the
# pace of the last upload, not in one put.
my $pos = $node->log_position;
$node->append_conf("compaction_small_object_size = 32MB\ncompaction_max_age = 1s\n");
$node->reload;
ok($node->wait_for_log(qr/compaction: merged 2 stream objects/, $pos, 60), 'compaction merged the two objects');
my $m2 = scrape_metrics("127.0.0.1:$mport");
my $waits = $m2->{strata_upload_pace_wait_seconds_count} - $m->{strata_upload_pace_wait_seconds_count};
my $waited = $m2->{strata_upload_pace_wait_seconds_sum} - $m->{strata_upload_pace_wait_seconds_sum};
cmp_ok($waits, '>=', 2, "compaction waited between the pieces of its object ($waits times)");
cmp_ok($waited, '>=', 1.5, "for seconds in all ($waited s)");

($rc, $out, $err) = run_command([ '/usr/bin/python3', $bulk, 'verify', $bootstrap, 'paced', 1, $n ], timeout => 120);
is($rc, 0, 'every message read back') or diag($err);
unlike($node->log_content, qr/upload of .* failed/, 'no upload failed');

$node->stop;
done_testing();
