#-------------------------------------------------------------------------
# 007_compaction_catalog.pl: object maintenance (storage/compaction.c)
# against a real PostgreSQL catalog and a real store, without a
# broker: src/test/modules/compaction_check writes objects the way the
# uploader does and runs ObjMaintenanceStep, checking the split of old
# stream-set objects (only for the streams this broker leads), the merge
# of small stream objects, reads back every record, a fenced stream left
# alone, retention.bytes, retention.ms, a DeleteRecords-moved start,
# a deleted topic, and that the store always holds exactly the catalog's
# objects.  It runs on file:// and on s3rver; its TAP lines are replayed
# here.
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

# Run compaction_check on a fresh catalog database and a store; replay its
# TAP lines prefixed with the store's name.
sub check_on
{
	my ($name, $db, $url, %env) = @_;
	$cluster->psql_db('postgres', "CREATE DATABASE $db") if $db ne 'strata';
	(my $conninfo = $cluster->connstr) =~ s/dbname=strata/dbname=$db/;
	my ($out, $err) = ('', '');
	{
		local %ENV = (%ENV, %env);
		run([ $prog, $conninfo, $url ], '>', \$out, '2>', \$err, timeout(300));
	}
	my $status = $? >> 8;
	my $plan_seen = 0;
	for my $line (split /\n/, $out)
	{
		if ($line =~ /^(not )?ok \d+ - (.*)$/)
		{
			ok(!defined $1, "$name: $2");
		}
		elsif ($line =~ /^1\.\.(\d+)/)
		{
			$plan_seen = $1;
		}
		elsif ($line =~ /^Bail out!/)
		{
			fail("$name: $line");
		}
		else
		{
			note($line);
		}
	}
	ok($plan_seen > 30, "$name: compaction_check ran to the end ($plan_seen checks)") or diag($out, $err);
	is($status, 0, "$name: compaction_check exit status") or diag($err);
}

check_on('file', 'strata', $cluster->object_store);

my $s3 = Strata::Test::S3->new(bucket => 'compaction');
check_on('s3', 'strata_s3', $s3->url(prefix => 'c1'), $s3->credentials_env);
$s3->stop;

done_testing();
