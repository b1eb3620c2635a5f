#-------------------------------------------------------------------------
#
# Strata::Test::S3 - an s3rver (npm) instance for TAP tests.
#
#   my $s3 = Strata::Test::S3->new(bucket => 'strata');
#   $s3->url(prefix => 'run1')   # s3://strata/run1?endpoint=http://127.0.0.1:PORT&...
#   local %ENV = (%ENV, $s3->credentials_env);
#   $s3->stop; $s3->start;       # e.g. to test an outage
#
# s3rver runs from src/test/node/node_modules (npm ci there), on a free
# loopback port (Strata::Test::Utils::get_free_port), with its data in a
# temporary directory, and creates the bucket at start (--configure-bucket).  Its credentials are S3RVER/S3RVER.  Every
# instance still running is stopped in an END block.
#
# s3rver 3.7 builds ListObjectsV2 continuation tokens with DES, which the
# OpenSSL 3 default provider no longer offers; it is started with
# NODE_OPTIONS=--openssl-legacy-provider so that paged listings work (see
# doc/objects.md, "s3rver and S3").
#
# src/test/perl/Strata/Test/S3.pm
#
#-------------------------------------------------------------------------
package Strata::Test::S3;

use strict;
use warnings;

use Carp;
use File::Basename qw(dirname);
use File::Spec;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(usleep time);

use Strata::Test::Utils ();

our @all;

sub top_srcdir
{
	return $ENV{STRATA_TOP_SRCDIR} if $ENV{STRATA_TOP_SRCDIR};
	# src/test/perl/Strata/Test/S3.pm -> five levels up
	my $d = File::Spec->rel2abs(dirname(__FILE__));
	return File::Spec->catdir($d, '..', '..', '..', '..', '..');
}

sub s3rver_bin
{
	my $bin = File::Spec->catfile(top_srcdir(), 'src', 'test', 'node', 'node_modules', '.bin', 's3rver');
	croak "s3rver is not installed ($bin missing): run \"npm ci\" in src/test/node"
	  unless -x $bin;
	return $bin;
}

# A free loopback port, reserved through Strata::Test::Utils (the range
# is STRATA_PORT_MIN..STRATA_PORT_MAX).
sub free_port
{
	return Strata::Test::Utils::get_free_port();
}

sub new
{
	my ($class, %args) = @_;
	my $self = bless {
		bucket => $args{bucket} // 'strata',
		dir    => tempdir('strata-s3rver-XXXXXX', TMPDIR => 1, CLEANUP => 1),
		port   => free_port(),
		pid    => undef,
	}, $class;
	push @all, $self;
	$self->start;
	return $self;
}

sub port     { $_[0]->{port} }
sub dir      { $_[0]->{dir} }
sub bucket   { $_[0]->{bucket} }
sub endpoint { 'http://127.0.0.1:' . $_[0]->{port} }

sub credentials_env
{
	return (AWS_ACCESS_KEY_ID => 'S3RVER', AWS_SECRET_ACCESS_KEY => 'S3RVER');
}

# The object_store URL for this server (path-style addressing).
sub url
{
	my ($self, %args) = @_;
	my $prefix = defined $args{prefix} ? "/$args{prefix}" : '';
	my $bucket = $args{bucket} // $self->{bucket};
	my $extra  = $args{params} ? "&$args{params}" : '';
	return "s3://$bucket$prefix?endpoint=" . $self->endpoint
	  . "&region=us-east-1&path_style=true$extra";
}

sub start
{
	my ($self) = @_;
	croak "s3rver already running" if $self->{pid};
	my $bin = s3rver_bin();
	my $log = File::Spec->catfile($self->{dir}, 's3rver.log');
	my $pid = fork();
	croak "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDOUT, '>>', $log) or POSIX::_exit(127);
		open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
		$ENV{NODE_OPTIONS} = '--openssl-legacy-provider';
		exec($bin, '-d', "$self->{dir}/data", '-p', $self->{port},
			'--address', '127.0.0.1', '--silent',
			'--configure-bucket', $self->{bucket})
		  or POSIX::_exit(127);
	}
	$self->{pid} = $pid;
	my $deadline = time + 30;
	while (time < $deadline)
	{
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port},
			Proto => 'tcp', Timeout => 1);
		if ($s)
		{
			close $s;
			return $self;
		}
		if (waitpid($pid, WNOHANG) == $pid)
		{
			$self->{pid} = undef;
			croak "s3rver exited at start (status $?); see $log";
		}
		usleep(50_000);
	}
	$self->stop;
	croak "s3rver did not listen on port $self->{port} within 30 s; see $log";
}

sub stop
{
	my ($self, $signal) = @_;
	my $pid = $self->{pid} or return;
	kill($signal // 'TERM', $pid);
	my $deadline = time + 10;
	while (time < $deadline)
	{
		return $self->{pid} = undef if waitpid($pid, WNOHANG) == $pid;
		usleep(20_000);
	}
	kill('KILL', $pid);
	waitpid($pid, 0);
	$self->{pid} = undef;
}

sub kill9 { $_[0]->stop('KILL') }

END
{
	my $status = $?;
	$_->stop for grep { $_->{pid} } @all;
	$? = $status;
}

1;
