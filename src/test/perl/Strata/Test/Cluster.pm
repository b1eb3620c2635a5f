# src/test/perl/Strata/Test/Cluster.pm
#
# Several Strata brokers sharing one catalog and one object store, as in a
# real deployment: the harness runs its own PostgreSQL (a private data
# directory, listening only on a unix socket in it, as the unprivileged user
# "strata" when the tests run as root) and gives every broker the same
# catalog conninfo and the same file:// object store.
#
#   my $cluster = Strata::Test::Cluster->new('c');
#   my $b1 = $cluster->add_node('b1');      # broker_id 1, initialised
#   my $b2 = $cluster->add_node('b2');      # broker_id 2
#   $_->start for $cluster->nodes;
#   is($cluster->psql('SELECT count(*) FROM strata.brokers'), '2');
package Strata::Test::Cluster;

use strict;
use warnings;

use Carp;
use File::Path qw(make_path remove_tree);
use Test::More;

use Strata::Test::Node;
use Strata::Test::Utils;

our @all_clusters;

sub new
{
	my ($class, $name, %opts) = @_;
	my $base = tempdir($name);
	my $self = bless {
		name => $name,
		basedir => $base,
		pgdata => "$base/pg",
		objects => "$base/objects",
		nodes => [],
		next_id => 1,
	}, $class;
	push @all_clusters, $self;
	make_path($self->{objects});
	$self->init_catalog;
	$self->start_catalog;
	$self->psql_db('postgres', 'CREATE DATABASE strata');
	return $self;
}

sub connstr
{
	my ($self) = @_;
	return "host=$self->{pgdata} port=5432 dbname=strata user=strata";
}

sub object_store { "file://$_[0]{objects}" }
sub nodes { @{ $_[0]{nodes} } }
sub pgdata { $_[0]{pgdata} }

sub init_catalog
{
	my ($self) = @_;
	my $bindir = pg_bindir();
	mkdir $self->{pgdata}, 0700;
	if ($> == 0)
	{
		ensure_pg_user();
		my ($uid, $gid) = (getpwnam('strata'))[ 2, 3 ];
		chown $uid, $gid, $self->{pgdata};
	}
	run_log([ pg_user_prefix(), "$bindir/initdb", '-D', $self->{pgdata}, '-U', 'strata',
			'-A', 'trust', '-E', 'UTF8', '--no-locale' ])
	  or BAIL_OUT("initdb of the cluster's catalog failed");
	open(my $fh, '>>', "$self->{pgdata}/postgresql.conf") or die $!;
	print $fh "listen_addresses = ''\nunix_socket_directories = '$self->{pgdata}'\n"
	  . "port = 5432\nfsync = off\nmax_connections = 50\n";
	close $fh;
}

sub start_catalog
{
	my ($self) = @_;
	run_log([ pg_user_prefix(), pg_bindir() . '/pg_ctl', 'start', '-w', '-D', $self->{pgdata},
			'-l', "$self->{pgdata}/postgresql.log" ])
	  or BAIL_OUT("could not start the cluster's catalog: " . slurp_file("$self->{pgdata}/postgresql.log"));
	$self->{catalog_running} = 1;
}

# stop_catalog(mode = fast)
sub stop_catalog
{
	my ($self, $mode) = @_;
	run_log([ pg_user_prefix(), pg_bindir() . '/pg_ctl', 'stop', '-w', '-D', $self->{pgdata},
			'-m', $mode // 'fast' ]);
	$self->{catalog_running} = 0;
}

sub restart_catalog
{
	my ($self) = @_;
	$self->stop_catalog('fast');
	$self->start_catalog;
}

# add_node(name, %opts): a broker on this catalog and object store, with the
# next broker_id (or opts{broker_id}), initialised (not started).
sub add_node
{
	my ($self, $name, %opts) = @_;
	my $id = $opts{broker_id} // $self->{next_id}++;
	my $node = Strata::Test::Node->new($name, broker_id => $id);
	$node->init(catalog => $self->connstr, object_store => $self->object_store, %opts)
	  or return $node;
	push @{ $self->{nodes} }, $node;
	return $node;
}

sub psql_db
{
	my ($self, $db, $sql, %opts) = @_;
	my ($rc, $out, $err) = run_command(
		[ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
			'-d', "host=$self->{pgdata} port=5432 dbname=$db user=strata", '-c', $sql ]);
	if ($rc != 0)
	{
		return undef if $opts{fail_ok};
		croak "psql on the cluster's catalog failed: $err";
	}
	chomp $out;
	return $out;
}

# SQL on the shared catalog.
sub psql
{
	my ($self, $sql, %opts) = @_;
	return $self->psql_db('strata', $sql, %opts);
}

END
{
	my $exit = $?;
	for my $c (@all_clusters)
	{
		# Brokers first (Node's END may run later; stopping twice is harmless).
		$_->teardown for @{ $c->{nodes} };
		$c->stop_catalog('immediate') if -e "$c->{pgdata}/postmaster.pid";
		if (Test::More->builder->is_passing && $exit == 0 && !$ENV{STRATA_KEEP_TEST_DIRS})
		{
			remove_tree($c->{basedir});
		}
		else
		{
			diag("catalog of cluster $c->{name} kept in $c->{pgdata}");
		}
	}
	$? = $exit;
}

1;
