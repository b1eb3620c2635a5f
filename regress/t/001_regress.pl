# The protocol regression suite: each regress/sql/NAME.script is run by
# kafka_regress against a fresh broker, and its decoded output must equal
# regress/expected/NAME.out.  A protocol change shows up as a diff, kept in
# regress/results/NAME.diff.
use strict;
use warnings;

use File::Basename;
use File::Path qw(make_path);
use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $top = $ENV{STRATA_TOP_SRCDIR};
my $regress = "$top/regress/kafka_regress";
my @scripts = sort glob("$top/regress/sql/*.script");
ok(-x $regress, 'kafka_regress is built');

my $node = Strata::Test::Node->new('regress');
$node->init;
$node->append_conf("auto_create_topics = on\nnum_partitions = 1");
$node->start;

make_path("$top/regress/results");
for my $script (@scripts)
{
	my $name = basename($script, '.script');
	my $out = "$top/regress/results/$name.out";
	my $expected = "$top/regress/expected/$name.out";
	my ($rc, $stdout, $stderr) = run_command([$regress, '-p', $node->port, $script], timeout => 120);
	open(my $fh, '>', $out) or die "$out: $!";
	print $fh $stdout;
	close $fh;
	if (!-f $expected)
	{
		fail("$name: no expected output (results/$name.out written)");
		next;
	}
	my ($drc, $diff) = run_command(['diff', '-u', $expected, $out]);
	if ($drc == 0 && $rc == 0)
	{
		pass($name);
		unlink("$top/regress/results/$name.diff");
	}
	else
	{
		open(my $dfh, '>', "$top/regress/results/$name.diff") or die;
		print $dfh $diff;
		close $dfh;
		fail($name);
		diag("kafka_regress exit $rc: $stderr") if $rc != 0;
		diag($diff);
	}
}
is(scalar(grep { /TRAP|terminated by signal/ } split /\n/, $node->log_content), 0, 'no process crashed');
$node->stop;
done_testing();
