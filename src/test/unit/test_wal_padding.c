/*
 * test_wal_padding.c
 *	  Block padding (WAL format version 2), with which the WAL writer ends
 *	  each write on a block boundary so that several can be in flight:
 *	  - the header check accepts padding to a block boundary less than two
 *	    blocks away in version 2 and nothing else new, and refuses it in
 *	    version 1;
 *	  - recovery reads through padded writes, and a version 1 device is
 *	    upgraded to version 2 by recovery;
 *	  - a torn write between two padded writes: recovery stops in it, and
 *	    once new records padded to the block where the later write starts
 *	    reach it exactly, the next recovery still does not take the later
 *	    write's records back (the generation, walrecovery.c);
 *	  - the WAL writer's rounds, driven in this process: a write is padded
 *	    to a block boundary, and 64 KiB appended while it is in flight go
 *	    out at once in a second write (not after the first completes);
 *	  - a real WAL writer fed by a pipelining appender pads its writes, and
 *	    every record is recovered.
 *
 * src/test/unit/test_wal_padding.c
 */
#include "c.h"

#include <poll.h>

#include "tap.h"
#include "wal_test_util.h"

#define DEV_SIZE	(1024 * 1024)
#define IMG_SIZE	(64 * 1024)		/* the part of the device the images use */

static char *img;				/* block-aligned copy of the device's start */
static uint32 wal_id;

/* Read / write the device's first IMG_SIZE bytes (O_DIRECT, as the WAL is). */
static void
image_io(bool write)
{
	int			fd = open(wal_test_path, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	ssize_t		n;

	if (fd < 0)
	{
		perror(wal_test_path);
		exit(1);
	}
	n = write ? pwrite(fd, img, IMG_SIZE, 0) : pread(fd, img, IMG_SIZE, 0);
	if (n != IMG_SIZE)
	{
		perror("image i/o");
		exit(1);
	}
	close(fd);
}

/* A fresh device, read into img; both header copies get version and generation. */
static void
fresh_device(uint32 version, uint32 generation)
{
	char		err[256];

	unlink(wal_test_path);
	if (!WalDeviceCreate(wal_test_path, DEV_SIZE, 0, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	image_io(false);
	for (int slot = 0; slot < WAL_HEADER_BLOCKS; slot++)
	{
		WalDeviceHeader *dh = (WalDeviceHeader *) (img + slot * WAL_BLOCK_SIZE);

		dh->version = version;
		dh->generation = generation;
		WalDeviceHeaderSetCrc(dh);
	}
	wal_id = ((WalDeviceHeader *) img)->wal_id;
}

static void
body_of(int64 base, char *buf, uint32 len)
{
	for (uint32 k = 0; k < len; k++)
		buf[k] = (char) (base * 31 + k);
}

/* Put a data record of stream 1 at lsn; returns its end. */
static WalLsn
put_record(WalLsn lsn, int64 base, uint32 len, uint32 generation)
{
	WalRecordHeader hdr;
	char		body[2048];

	body_of(base, body, len);
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = WAL_RECORD_MAGIC;
	hdr.body_len = len;
	hdr.record_count = 1;
	hdr.lsn = lsn;
	hdr.stream_id = 1;
	hdr.stream_epoch = 1;
	hdr.base_offset = base;
	hdr.generation = generation;
	hdr.wal_id = wal_id;
	WalRecordSetCrc(&hdr, body);
	memcpy(img + WAL_DATA_START + lsn, &hdr, sizeof(hdr));
	memcpy(img + WAL_DATA_START + lsn + sizeof(hdr), body, len);
	return lsn + WalRecordSize(len);
}

/* Pad from lsn to the end of its block (of the next, if the gap is short), as the writer does. */
static WalLsn
put_padding(WalLsn lsn, uint32 generation)
{
	WalRecordHeader hdr;
	uint64		gap = WAL_BLOCK_SIZE - lsn % WAL_BLOCK_SIZE;

	if (gap < WAL_RECORD_HEADER_SIZE)
		gap += WAL_BLOCK_SIZE;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = WAL_PADDING_MAGIC;
	hdr.body_len = (uint32) (gap - WAL_RECORD_HEADER_SIZE);
	hdr.lsn = lsn;
	hdr.generation = generation;
	hdr.wal_id = wal_id;
	WalRecordSetCrc(&hdr, NULL);
	memcpy(img + WAL_DATA_START + lsn, &hdr, sizeof(hdr));
	return lsn + gap;
}

/* Recover into fresh shared memory; the offsets of stream 1 found, in order. */
static int
recover_offsets(int64 *offs, int max)
{
	WalLsn		pos;
	LogCacheRecord rec;
	int			n = 0;

	wal_test_fresh_shmem();
	close(WalRecover());
	pos = WalTrimLsn();
	while (LogCacheNextRecord(&pos, &rec) && n < max)
	{
		char		want[2048];
		char		got[2048];
		size_t		len = rec.len1 + rec.len2;

		body_of(rec.base_offset, want, (uint32) len);
		memcpy(got, rec.body1, rec.len1);
		memcpy(got + rec.len1, rec.body2, rec.len2);
		offs[n++] = memcmp(got, want, len) == 0 ? rec.base_offset : -1;
	}
	return n;
}

static bool
offsets_are(const int64 *offs, int n, const int64 *want, int nwant)
{
	if (n != nwant)
		return false;
	for (int i = 0; i < n; i++)
		if (offs[i] != want[i])
			return false;
	return true;
}

static void
test_header_check(void)
{
	WalDeviceHeader dev;
	WalRecordHeader hdr;
	uint64		D = 16 * WAL_BLOCK_SIZE;
	uint64		size;

	memset(&dev, 0, sizeof(dev));
	dev.version = 2;
	dev.generation = 3;
	dev.wal_id = 77;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = WAL_PADDING_MAGIC;
	hdr.generation = 3;
	hdr.wal_id = 77;

#define CHECK(pos_, len_) \
	(hdr.lsn = (pos_), hdr.body_len = (uint32) ((len_) - WAL_RECORD_HEADER_SIZE), \
	 WalRecordHeaderCheck(&hdr, (pos_), D, &dev, 0, &size))

	ok(CHECK(3 * 4096 + 100, 4096 - 100) == NULL && size == 4096 - 100,
	   "version 2: padding to the end of its block");
	ok(CHECK(2 * 4096 - 40, 4096 + 40) == NULL,
	   "version 2: padding into the next block when the gap cannot hold a header");
	ok(CHECK(5 * 4096 + 8, 200) != NULL, "version 2: padding that ends inside a block is refused");
	ok(CHECK(4 * 4096, 2 * 4096) != NULL, "version 2: padding of two blocks is refused");
	ok(CHECK(D - 4096 + 64, 4096 + 64) != NULL, "version 2: padding across the data area's end is refused");
	ok(CHECK(D - 200, 200) == NULL, "version 2: padding to the data area's end");
	dev.version = 1;
	ok(CHECK(3 * 4096 + 100, 4096 - 100) != NULL, "version 1: block padding is refused");
	ok(CHECK(D - 200, 200) == NULL, "version 1: padding to the data area's end");
#undef CHECK
}

/*
 * Three padded writes: [0, B1) records 0-2, [B1, B2) records 3-4, [B2, B3)
 * record 5, as the WAL writer lays them out.  Returns B1 and B2.
 */
static void
padded_writes(uint32 gen, WalLsn *b1, WalLsn *b2, WalLsn *rec1)
{
	WalLsn		pos = 0;

	pos = put_record(pos, 0, 700, gen);
	*rec1 = pos;
	pos = put_record(pos, 1, 1500, gen);
	pos = put_record(pos, 2, 300, gen);
	pos = *b1 = put_padding(pos, gen);
	pos = put_record(pos, 3, 2000, gen);
	pos = put_record(pos, 4, 1928, gen);	/* leaves a gap under 64 bytes */
	pos = *b2 = put_padding(pos, gen);
	pos = put_record(pos, 5, 100, gen);
	(void) put_padding(pos, gen);
}

static void
test_recovery(void)
{
	int64		offs[16];
	int			n;
	WalLsn		b1,
				b2,
				rec1,
				pos;
	uint32		gen;
	static const int64 all[] = {0, 1, 2, 3, 4, 5};
	static const int64 first3[] = {0, 1, 2};
	static const int64 only0[] = {0};
	static const int64 redo[] = {0, 10, 11};

	/* Version 2: everything, across the padding. */
	fresh_device(2, 1);
	padded_writes(1, &b1, &b2, &rec1);
	ok(b2 - b1 == 2 * WAL_BLOCK_SIZE, "the second write's padding runs into a second block");
	image_io(true);
	n = recover_offsets(offs, 16);
	ok(offsets_are(offs, n, all, 6), "version 2: recovery reads all 6 records through three padded writes (%d)", n);

	/* Version 1: the first block padding ends the scan; recovery upgrades. */
	fresh_device(1, 1);
	padded_writes(1, &b1, &b2, &rec1);
	image_io(true);
	n = recover_offsets(offs, 16);
	ok(offsets_are(offs, n, first3, 3), "version 1: recovery stops at block padding (%d records)", n);
	image_io(false);
	ok(WalChooseHeader(img) != NULL && WalChooseHeader(img)->version == WAL_FORMAT_VERSION,
	   "recovery wrote the header as version %d", WAL_FORMAT_VERSION);

	/*
	 * A torn write between two that completed: the block holding record 1
	 * was never written (zeros).  Recovery keeps record 0 only.
	 */
	fresh_device(2, 1);
	padded_writes(1, &b1, &b2, &rec1);
	memset(img + WAL_DATA_START + rec1, 0, 64);
	image_io(true);
	n = recover_offsets(offs, 16);
	ok(offsets_are(offs, n, only0, 1), "a torn first write: recovery keeps the record before it (%d)", n);

	/*
	 * New appends after that recovery (its generation) reuse record 1's
	 * place; the writer pads them to the end of the block, which is exactly
	 * where the intact second write starts.  The next recovery must stop
	 * there: records 3-5 were never acknowledged and are not ours any more.
	 */
	image_io(false);
	gen = WalChooseHeader(img)->generation;
	ok(gen == 2, "recovery bumped the generation to 2 (%u)", gen);
	pos = put_record(rec1, 10, 1500, gen);
	pos = put_record(pos, 11, 300, gen);
	pos = put_padding(pos, gen);
	ok(pos == b1, "the new records, padded, end exactly where the second write starts");
	image_io(true);
	n = recover_offsets(offs, 16);
	ok(offsets_are(offs, n, redo, 3),
	   "the next recovery stops where the generation goes back: the later write is not resurrected (%d)", n);
}

/* Append n records of stream 1 from *next on, 1 KiB each; returns the end. */
static WalLsn
append_some(int64 *next, int n)
{
	static char body[1024];
	WalLsn		end = 0;

	for (int i = 0; i < n; i++)
	{
		body_of(*next, body, sizeof(body));
		end = WalAppend(1, 1, *next, 1, 0, body, sizeof(body));
		(*next)++;
	}
	return end;
}

/* Run the writer's rounds until its writes are all done. */
static void
drain_writes(void)
{
	for (;;)
	{
		WalLsn		published = WalAioFlush();
		struct pollfd pfd;

		if (WalAioIdle(published))
			return;
		pfd.fd = WalAioWaitFd();
		pfd.events = POLLIN;
		if (pfd.fd >= 0)
			(void) poll(&pfd, 1, 100);
	}
}

/*
 * This process plays the WAL writer (WalAioInit / WalAioFlush are what its
 * loop calls) so that the test decides when each round runs.  A write of
 * 512 KiB takes the device far longer than appending 80 KiB takes us, so
 * the second round finds the first write still in flight; a round the
 * scheduler delayed that much is tried again.
 */
static void
test_pipelining(void)
{
	int64		next = 0;
	bool		padded = true;
	bool		overlapped = false;
	int			attempts = 0;
	WalLsn		pos;
	LogCacheRecord rec;
	int64		offs[2048];
	int			n,
				good = 0;

	fresh_device(2, 0);
	image_io(true);
	wal_test_fresh_shmem();
	WalAioInit(WalRecover());
	pos = WalTrimLsn();
	while (!overlapped && attempts < 20)
	{
		WalStats	before,
					after;

		/*
		 * After an attempt that did not overlap (a busy machine), a writer
		 * round first makes its trim durable: only that frees the space,
		 * and our appends would otherwise wait for it forever (we are the
		 * writer) once the 2 MB WAL is full.  The last attempt's trim is
		 * left undone, so recovery below finds its records.
		 */
		if (attempts > 0)
		{
			(void) WalAioFlush();
			drain_writes();
		}
		attempts++;
		(void) append_some(&next, 500);
		(void) WalAioFlush();
		if (__atomic_load_n(&WalShmem->write_pos, __ATOMIC_SEQ_CST) % WAL_BLOCK_SIZE != 0)
			padded = false;
		(void) append_some(&next, 80);
		WalGetStats(&before);
		(void) WalAioFlush();
		WalGetStats(&after);
		overlapped = after.pipelined_writes > before.pipelined_writes;
		drain_writes();
		/* trim what is written, as the uploader would, to make room */
		while (LogCacheNextRecord(&pos, &rec))
			;
		WalTrim(pos);
	}
	ok(padded, "each write the WAL writer submitted ended on a block boundary (padded)");
	ok(overlapped, "80 KiB appended while a write was in flight went out alongside it (attempt %d)",
	   attempts);
	WalAioClose();

	/* What was written and not trimmed is all there. */
	n = recover_offsets(offs, 2048);
	for (int i = 0; i < n; i++)
		if (offs[i] == next - n + i)
			good++;
	ok(n > 0 && good == n, "recovery finds the last %d records intact and in order", n);
}

/*
 * A real WAL writer, fed in bursts of appends that do not wait, each told
 * with WalKickWriter (as acks=0 produce does), then one wait; trimmed as
 * the uploader would, the WAL laps the 1 MiB device a few times.
 */
static void
test_writer(void)
{
	static char body[2048];
	pid_t		writer;
	int			status;
	WalStats	st;
	WalLsn		end = 0;
	WalLsn		pos;
	LogCacheRecord rec;
	int64		offs[4096];
	int			n,
				good = 0;
	int64		total = 0;

	fresh_device(2, 0);
	image_io(true);
	wal_test_fresh_shmem();
	writer = wal_test_fork_writer();
	WalWaitReady();
	pos = WalTrimLsn();
	for (int round = 0; round < 60; round++)
	{
		for (int i = 0; i < 64; i++)
		{
			uint32		len = 200 + (uint32) ((total * 131) % 1800);

			body_of(total, body, len);
			end = WalAppend(1, 1, total, 1, 0, body, len);
			WalKickWriter();
			total++;
		}
		WalWaitFlushed(end);
		if (round % 4 == 3 && round < 56)
		{
			while (LogCacheNextRecord(&pos, &rec))
				;
			WalTrim(pos);
		}
	}
	WalGetStats(&st);
	ok(WalInsertLsn() > 2 * DEV_SIZE, "the WAL lapped the device (LSN %llu)",
	   (unsigned long long) WalInsertLsn());
	ok(st.padding_bytes > 0, "the WAL writer padded its writes (%llu bytes; %llu of %llu writes overlapped another)",
	   (unsigned long long) st.padding_bytes, (unsigned long long) st.pipelined_writes,
	   (unsigned long long) st.writes);
	kill(writer, SIGTERM);
	waitpid(writer, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "WAL writer exits 0 after SIGTERM");
	/* Everything from the trim position on: the last records, in order. */
	n = recover_offsets(offs, 4096);
	for (int i = 0; i < n; i++)
		if (offs[i] == total - n + i)
			good++;
	ok(n >= 4 * 64 && good == n, "recovery finds the last %d records after the trim, intact and in order (%d good)",
	   n, good);
}

int
main(void)
{
	wal_test_as_postmaster();
	wal_test_settings();
	InitLatchSupport();
	if (posix_memalign((void **) &img, WAL_BLOCK_SIZE, IMG_SIZE) != 0)
		exit(1);

	test_header_check();
	test_recovery();
	test_pipelining();
	test_writer();

	wal_test_cleanup();
	return done_testing();
}
