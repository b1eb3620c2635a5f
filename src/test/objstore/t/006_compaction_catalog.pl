#-------------------------------------------------------------------------
# 006_compaction_catalog.pl: object maintenance (storage/compaction.c)
# against a real PostgreSQL catalog and a real file:// store, without a
# broker: src/test/modules/compaction_check writes objects the way the
# uploader does and runs ObjMaintenanceStep, checking the split of old
# stream-set objects (only for the streams this broker leads), the merge
# of small stream objects, reads back every record, a fenced stream left
# alone, retention.bytes, retention.ms, a DeleteRecords-moved start,
# a deleted topic, and that the store always holds exactly the catalog's
# objects.  Its TAP lines are replayed here.
#-------------------------------------------------------------------------
use strict;
use warnings;

use IPC::Run qw(run timeout);
use Test::More;

use Strata::Test::Cluster;
use Strata::Test::S3;

my $top = Strata::Test::S3::top_srcdir();
my $prog = "$top/src/test/modules/compaction_check/compaction_check";
ok(-x $prog, "compaction_check is built");

my $cluster = Strata::Test::Cluster->new('compaction');
my $dir = $cluster->{objects};
my ($out, $err) = ('', '');
run([ $prog, $cluster->connstr, $cluster->object_store, $dir ], '>', \$out, '2>', \$err, timeout(300));
my $status = $? >> 8;

my $plan_seen = 0;
for my $line (split /\n/, $out)
{
	if ($line =~ /^(not )?ok \d+ - (.*)$/)
	{
		ok(!defined $1, $2);
	}
	elsif ($line =~ /^1\.\.(\d+)/)
	{
		$plan_seen = $1;
	}
	elsif ($line =~ /^Bail out!/)
	{
		fail($line);
	}
	else
	{
		note($line);
	}
}
ok($plan_seen > 30, "compaction_check ran to the end ($plan_seen checks)") or diag($out, $err);
is($status, 0, "compaction_check exit status") or diag($err);

done_testing();
