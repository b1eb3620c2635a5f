# Hostile and malformed input: each gets the right Kafka error or a closed
# connection; the server keeps serving every other client and loses nothing
# it acknowledged.
use strict;
use warnings;

use IO::Socket::INET;
use IO::Select;
use Test::More;
use Strata::Test::Node;
use Strata::Test::Utils;

my $node = Strata::Test::Node->new('hostile');
$node->init;
$node->start;
my $port = $node->port;
my $bootstrap = "127.0.0.1:$port";

# Some acknowledged data that must survive all of what follows.
run_command(['kcat', '-b', $bootstrap, '-L', '-t', 'safe']);
{
	open(my $fh, '>', $node->basedir . '/in') or die;
	print $fh "safe $_\n" for 1 .. 50;
	close $fh;
	my ($rc) = run_command(['kcat', '-b', $bootstrap, '-P', '-t', 'safe', '-X', 'acks=all', '-l',
		$node->basedir . '/in']);
	is($rc, 0, '50 messages acknowledged before the abuse');
}

# A client that stays connected through everything: it must keep working.
my $bystander = connect_broker();

sub connect_broker
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
	  or die "connect: $!";
	binmode $s;
	return $s;
}

# Read one response frame; undef if the server closed the connection.
sub read_frame
{
	my ($s, $timeout) = @_;
	my $sel = IO::Select->new($s);
	my $buf = '';
	while (length($buf) < 4)
	{
		return undef unless $sel->can_read($timeout // 10);
		my $n = sysread($s, $buf, 4 - length($buf), length($buf));
		return undef unless $n;
	}
	my $len = unpack('N', $buf);
	my $body = '';
	while (length($body) < $len)
	{
		return undef unless $sel->can_read($timeout // 10);
		my $n = sysread($s, $body, $len - length($body), length($body));
		return undef unless $n;
	}
	return $body;
}

sub closed_by_server
{
	my ($s) = @_;
	my $sel = IO::Select->new($s);
	return 0 unless $sel->can_read(10);
	my $n = sysread($s, my $b, 1);
	return defined($n) && $n == 0;
}

sub kstr { my ($s) = @_; return defined $s ? pack('n', length $s) . $s : pack('n', 0xffff) }

# Request header v1: api key, version, correlation id, client id.
sub request
{
	my ($key, $ver, $corr, $body) = @_;
	my $msg = pack('nnN', $key, $ver, $corr) . kstr('hostile') . $body;
	return pack('N', length $msg) . $msg;
}

# ApiVersions v0 works on a healthy connection.
sub api_versions_ok
{
	my ($s, $corr) = @_;
	syswrite($s, request(18, 0, $corr, ''));
	my $r = read_frame($s);
	return defined $r && unpack('N', $r) == $corr && unpack('n', substr($r, 4, 2)) == 0;
}

ok(api_versions_ok($bystander, 1), 'the bystander connection works');

# --- garbage bytes ---
# A frame of random bytes.  Its length prefix is the bytes that follow:
# random bytes there would, about once in 40 runs, make a length between
# them and the largest request, and the server would rightly wait for the
# rest of the frame.  Its api key is one no API has (32767), so that the
# random header cannot happen to be a request the broker answers.
{
	my $s = connect_broker();
	my $body = pack('n', 32767) . join('', map { chr(int(rand(256))) } 1 .. 1994);
	syswrite($s, pack('N', length $body) . $body);
	ok(closed_by_server($s), 'garbage bytes: connection closed');
}

# --- a frame length of 0x7fffffff ---
{
	my $s = connect_broker();
	syswrite($s, pack('N', 0x7fffffff) . 'x' x 100);
	ok(closed_by_server($s), 'frame length 0x7fffffff: connection closed');
	ok($node->wait_for_log(qr/request frame length 2147483647 is outside/), 'logged with the reason');
}

# --- a negative frame length ---
{
	my $s = connect_broker();
	syswrite($s, pack('N', 0xfffffff0));
	ok(closed_by_server($s), 'negative frame length: connection closed');
}

# --- a truncated frame, then the client goes away ---
{
	my $s = connect_broker();
	syswrite($s, pack('N', 100) . 'abcdefghij');
	close($s);
	ok(api_versions_ok($bystander, 2), 'truncated frame: other clients unaffected');
}

# --- an unknown API key ---
{
	my $s = connect_broker();
	syswrite($s, request(999, 0, 7, ''));
	ok(closed_by_server($s), 'unknown API key: connection closed');
	ok($node->wait_for_log(qr/unsupported API key 999/), 'logged');
}

# --- an unsupported version of a known API ---
{
	my $s = connect_broker();
	syswrite($s, request(3, 99, 7, pack('N', 0)));
	ok(closed_by_server($s), 'Metadata v99: connection closed');
}

# --- ApiVersions of an unknown version gets UNSUPPORTED_VERSION and the list ---
{
	my $s = connect_broker();
	syswrite($s, request(18, 99, 8, ''));
	my $r = read_frame($s);
	ok(defined $r, 'ApiVersions v99 is answered');
	is(unpack('n', substr($r, 4, 2)), 35, 'with UNSUPPORTED_VERSION (35)') if defined $r;
	cmp_ok(unpack('N', substr($r, 6, 4)), '>', 5, 'and the list of supported APIs') if defined $r;
}

# --- array counts larger than the frame ---
{
	my $s = connect_broker();
	syswrite($s, request(3, 1, 9, pack('N', 0x7fffffff)));
	ok(closed_by_server($s), 'Metadata with 2^31-1 topics: connection closed, nothing allocated');
	my $s2 = connect_broker();
	syswrite($s2, request(0, 3, 9, kstr(undef) . pack('nN', 1, 1000) . pack('N', 0x10000000)));
	ok(closed_by_server($s2), 'Produce with 2^28 topics: connection closed');
}

# --- record batches: bad CRC and wrong magic get Kafka errors ---

# CRC-32C (Castagnoli), table-driven.
my @crc_table;
for my $i (0 .. 255)
{
	my $c = $i;
	$c = ($c & 1) ? (($c >> 1) ^ 0x82F63B78) : ($c >> 1) for 1 .. 8;
	$crc_table[$i] = $c;
}
sub crc32c
{
	my ($data) = @_;
	my $crc = 0xffffffff;
	$crc = ($crc >> 8) ^ $crc_table[($crc ^ $_) & 0xff] for unpack('C*', $data);
	return $crc ^ 0xffffffff;
}
# Zigzag varint, as in Kafka records.
sub varint
{
	my ($v) = @_;
	my $z = $v >= 0 ? 2 * $v : -2 * $v - 1;
	my $o = '';
	while ($z >= 0x80)
	{
		$o .= chr(($z & 0x7f) | 0x80);
		$z >>= 7;
	}
	return $o . chr($z);
}

sub record_batch
{
	my (%o) = @_;
	my $value = $o{value} // 'payload';
	my $rec = chr(0) . varint(0) . varint(0) . varint(-1) . varint(length $value) . $value . varint(0);
	$rec = varint(length $rec) . $rec;
	my $after_crc = pack('n', 0) . pack('N', 0) . pack('q>', 1700000000000) x 2
	  . pack('q>', -1) . pack('n', 0xffff) . pack('N', 0xffffffff) . pack('N', 1) . $rec;
	my $crc = $o{bad_crc} ? 0xdeadbeef : crc32c($after_crc);
	my $after_len = pack('N', 0) . chr($o{magic} // 2) . pack('N', $crc) . $after_crc;
	return pack('q>', 0) . pack('N', length $after_len) . $after_len;
}

# Produce v3 with one partition; returns the partition's error code.
sub produce_error
{
	my ($batch, $topic) = @_;
	my $s = connect_broker();
	my $body = kstr(undef) . pack('nN', 1, 10000) . pack('N', 1) . kstr($topic)
	  . pack('N', 1) . pack('N', 0) . pack('N', length $batch) . $batch;
	syswrite($s, request(0, 3, 42, $body));
	my $r = read_frame($s);
	return undef unless defined $r;
	# corr, [topic: name, [partition: index, error, base offset, append time]]
	my $pos = 4 + 4;
	my $nlen = unpack('n', substr($r, $pos, 2));
	$pos += 2 + $nlen + 4 + 4;
	return unpack('n', substr($r, $pos, 2));
}

is(produce_error(record_batch(), 'safe'), 0, 'a well-formed hand-made batch is accepted');
is(produce_error(record_batch(bad_crc => 1), 'safe'), 2, 'bad CRC: CORRUPT_MESSAGE (2)');
my $magic_err = produce_error(record_batch(magic => 1), 'safe');
ok(defined $magic_err && ($magic_err == 87 || $magic_err == 2), "wrong magic: INVALID_RECORD or CORRUPT_MESSAGE ($magic_err)");
is(produce_error(record_batch(), 'no-such-topic-' . 'x' x 10 . '/'), 3,
	'unknown topic: UNKNOWN_TOPIC_OR_PARTITION (3)');
{
	my $b = record_batch();
	substr($b, 8, 4) = pack('N', 5000);	# BatchLength beyond the data
	my $e = produce_error($b, 'safe');
	ok(defined $e && $e == 2, 'batch length beyond the data: CORRUPT_MESSAGE');
}

ok(api_versions_ok($bystander, 3), 'the bystander connection still works after everything');

# Nothing acknowledged was lost (51 = the 50 kcat messages + 1 hand-made batch).
{
	my ($rc, $out) = run_command(['kcat', '-b', $bootstrap, '-C', '-t', 'safe', '-e', '-f', '%s\n']);
	my @lines = split /\n/, $out;
	is(scalar(@lines), 51, 'all acknowledged messages are still readable');
	is($lines[0], 'safe 1', 'first one intact');
}
is(scalar(grep { /TRAP|terminated by signal/ } split /\n/, $node->log_content), 0, 'no process crashed');

$node->stop;
done_testing();
