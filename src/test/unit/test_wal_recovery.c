/*
 * test_wal_recovery.c
 *	  WAL record and header encoding, and recovery from every truncation
 *	  point and every single flipped byte of a small hand-built WAL, each
 *	  time into a fresh in-process shared memory (WalRecover, the function
 *	  the WAL writer runs at start).  Also: a device of another node, one
 *	  shorter than its header says, and one without a valid header are
 *	  refused with a clear message.
 *
 * src/test/unit/test_wal_recovery.c
 */
#include "c.h"

#include "tap.h"
#include "utils/crc32c.h"
#include "wal_test_util.h"

#define NREC 8
#define DEV_SIZE (1024 * 1024)

typedef struct TestRec
{
	WalLsn		lsn;
	uint64		stream;
	int64		base;
	uint32		count;
	uint32		len;
	char		body[400];
} TestRec;

static TestRec recs[NREC];
static char *image;				/* the whole device as it should be */
static WalLsn image_end;

/* Build records the way the format document says, at LSN 0 on. */
static void
build_image(void)
{
	WalLsn		pos = 0;
	int64		next[3] = {0, 100, 5000};
	int			fd;
	char		err[256];

	if (!WalDeviceCreate(wal_test_path, DEV_SIZE, 0, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	image = palloc0(DEV_SIZE);
	fd = open(wal_test_path, O_RDONLY);
	if (pread(fd, image, WAL_DATA_START, 0) != WAL_DATA_START)
		exit(1);
	close(fd);
	for (int i = 0; i < NREC; i++)
	{
		TestRec    *r = &recs[i];
		WalRecordHeader hdr;
		int			s = i % 3;

		r->lsn = pos;
		r->stream = 7 + (uint64) s;
		r->base = next[s];
		r->count = 1 + (uint32) (i % 4);
		next[s] += r->count;
		r->len = 1 + (uint32) ((i * 37) % 80);
		for (uint32 k = 0; k < r->len; k++)
			r->body[k] = (char) (i * 13 + k);
		memset(&hdr, 0, sizeof(hdr));
		hdr.magic = WAL_RECORD_MAGIC;
		hdr.body_len = r->len;
		hdr.record_count = r->count;
		hdr.lsn = pos;
		hdr.stream_id = r->stream;
		hdr.stream_epoch = 3;
		hdr.base_offset = r->base;
		hdr.max_timestamp = 1000 + i;
		hdr.generation = 0;
		hdr.wal_id = ((WalDeviceHeader *) image)->wal_id;
		WalRecordSetCrc(&hdr, r->body);
		memcpy(image + WAL_DATA_START + pos, &hdr, sizeof(hdr));
		memcpy(image + WAL_DATA_START + pos + sizeof(hdr), r->body, r->len);
		pos += WalRecordSize(r->len);
	}
	image_end = pos;
}

/* Write the image (headers and data) with a modification applied. */
static void
write_image(const char *img)
{
	static char *abuf = NULL;
	size_t		len = TYPEALIGN(WAL_BLOCK_SIZE, WAL_DATA_START + image_end + 4096);
	int			fd = open(wal_test_path, O_WRONLY | O_DIRECT);

	/* O_DIRECT, like the reader: no dirty page cache to flush each time */
	if (abuf == NULL && posix_memalign((void **) &abuf, WAL_BLOCK_SIZE, len) != 0)
		exit(1);
	memcpy(abuf, img, len);
	if (fd < 0 || pwrite(fd, abuf, len, 0) != (ssize_t) len)
	{
		perror("write image");
		exit(1);
	}
	close(fd);
}

/*
 * Recover and check that exactly the first nexpect records are there, with
 * their bytes, in the right streams and offsets.  Returns true if so.
 */
static bool
recover_and_check(int nexpect, const char *what)
{
	int			fd;
	bool		good = true;
	int64		expect_next[3] = {0, 100, 5000};
	bool		seen[3] = {false, false, false};
	static char buf[8192];

	wal_test_fresh_shmem();
	fd = WalRecover();
	close(fd);
	for (int i = 0; i < nexpect; i++)
	{
		expect_next[i % 3] = recs[i].base + recs[i].count;
		seen[i % 3] = true;
	}
	if (WalFlushedLsn() != (nexpect == 0 ? 0 : recs[nexpect - 1].lsn + WalRecordSize(recs[nexpect - 1].len)))
		good = false;
	for (int s = 0; s < 3 && good; s++)
	{
		int64		next,
					fnext;
		bool		have = LogCacheStreamEnd(7 + (uint64) s, &next, &fnext);

		if (have != seen[s])
			good = false;
		else if (have && (next != expect_next[s] || fnext != expect_next[s]))
			good = false;
		if (have && good)
		{
			size_t		bytes;
			int64		nx;
			size_t		want = 0;
			LogCacheResult rc;

			rc = LogCacheRead(7 + (uint64) s, s == 0 ? 0 : (s == 1 ? 100 : 5000),
							  INT64_MAX, buf, sizeof(buf), &bytes, &nx);
			for (int i = s; i < nexpect; i += 3)
			{
				if (memcmp(buf + want, recs[i].body, recs[i].len) != 0)
					good = false;
				want += recs[i].len;
			}
			if (rc != LOGCACHE_OK || bytes != want || nx != expect_next[s])
				good = false;
		}
	}
	if (!good)
		printf("# %s: expected %d records, flushed=%llu\n", what, nexpect,
			   (unsigned long long) WalFlushedLsn());
	return good;
}

/* WalScanDevice callback: check each record against recs[] in order. */
typedef struct ScanState
{
	int			n;
	bool		good;
} ScanState;

static bool
scan_cb(const WalRecordHeader *hdr, const char *body, void *arg)
{
	ScanState  *st = arg;
	TestRec    *r = &recs[st->n];

	if (st->n >= NREC || hdr->lsn != r->lsn || hdr->stream_id != r->stream ||
		hdr->base_offset != r->base || hdr->record_count != r->count ||
		hdr->body_len != r->len || memcmp(body, r->body, r->len) != 0)
		st->good = false;
	st->n++;
	return true;
}

/* Run fn in a child; return its exit status and its stderr in out. */
static int
run_child_capture(void (*fn) (void), char *out, size_t outlen)
{
	int			p[2];
	pid_t		pid;
	int			status;
	ssize_t		n;
	size_t		got = 0;

	if (pipe(p) < 0)
		exit(1);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		dup2(p[1], 2);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	while (got + 1 < outlen && (n = read(p[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t) n;
	out[got] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
child_recover(void)
{
	wal_test_fresh_shmem();
	(void) WalRecover();
}

static void
test_encoding(void)
{
	WalRecordHeader hdr;
	WalDeviceHeader dh;
	char		body[10] = "abcdefghij";
	uint32		crc;

	is_int(sizeof(WalRecordHeader), 64, "record header is 64 bytes");
	is_int(WalRecordSize(0), 64, "empty record takes 64 bytes");
	is_int(WalRecordSize(1), 72, "records are 8-byte aligned");
	is_int(WalRecordSize(8), 72, "8-byte body fits exactly");

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = WAL_RECORD_MAGIC;
	hdr.body_len = 10;
	hdr.lsn = 4096;
	hdr.stream_id = 42;
	WalRecordSetCrc(&hdr, body);
	crc = hdr.crc;
	{
		WalRecordHeader z = hdr;

		z.crc = 0;
		is_int(crc, crc32c(crc32c(0, &z, sizeof(z)), body, 10),
			   "record CRC = CRC-32C of header (crc zeroed) then body");
	}
	is_int(WalRecordComputeCrc(&hdr, body, 4, body + 4, 6), crc, "CRC over a body in two pieces");
	{
		bool		same = true;

		/* every split point, the empty tail and the whole body included */
		for (size_t from = 0; from <= 10; from++)
			if (WalRecordComputeCrcKnownTail(&hdr, body, 10, from,
											 crc32c(0, body + from, 10 - from)) != crc)
				same = false;
		ok(same, "CRC from a known tail CRC equals the full CRC at every split");
	}
	body[3] ^= 1;
	ok(WalRecordComputeCrc(&hdr, body, 10, NULL, 0) != crc, "flipped body bit changes the CRC");
	body[3] ^= 1;
	hdr.stream_id = 43;
	ok(WalRecordComputeCrc(&hdr, body, 10, NULL, 0) != crc, "changed header field changes the CRC");

	memset(&dh, 0, sizeof(dh));
	dh.magic = WAL_HEADER_MAGIC;
	dh.version = WAL_FORMAT_VERSION;
	dh.capacity = DEV_SIZE;
	dh.block_size = WAL_BLOCK_SIZE;
	dh.trim_lsn = 12345;
	WalDeviceHeaderSetCrc(&dh);
	ok(WalDeviceHeaderValid(&dh), "device header valid after SetCrc");
	dh.trim_lsn++;
	ok(!WalDeviceHeaderValid(&dh), "device header with changed trim is invalid");
	dh.trim_lsn--;
	dh.capacity = 4096 * 2 + 1;
	WalDeviceHeaderSetCrc(&dh);
	ok(!WalDeviceHeaderValid(&dh), "capacity not a multiple of 4 KiB is invalid");
}

int
main(void)
{
	char	   *img;
	int			bad;
	char		out[2048];

	wal_test_settings();
	test_encoding();
	build_image();
	img = palloc(DEV_SIZE);

	/* The whole image. */
	write_image(image);
	ok(recover_and_check(NREC, "full image"), "all %d records recovered from an intact WAL", NREC);

	/* A second recovery of the same device (generation bumped) still finds them. */
	ok(recover_and_check(NREC, "second recovery"), "recovering twice gives the same records");

	/*
	 * Every truncation point: bytes from t on are lost and read as garbage
	 * (a torn write over older data); and every 16th with zeros (a fresh
	 * device).  A record survives if the bytes its CRC covers are unchanged.
	 * (Each recovery does real O_DIRECT I/O, so the image is kept small.)
	 */
	for (int fill = 1; fill >= 0; fill--)
	{
		bad = 0;
		for (WalLsn t = 0; t <= image_end; t += (fill ? 1 : 16))
		{
			int			nexpect = 0;

			memcpy(img, image, WAL_DATA_START + image_end + 4096);
			memset(img + WAL_DATA_START + t, fill ? 0xee : 0, image_end + 4096 - t);
			while (nexpect < NREC &&
				   memcmp(img + WAL_DATA_START + recs[nexpect].lsn,
						  image + WAL_DATA_START + recs[nexpect].lsn,
						  WAL_RECORD_HEADER_SIZE + recs[nexpect].len) == 0)
				nexpect++;
			if (nexpect < NREC &&
				recs[nexpect].lsn + WAL_RECORD_HEADER_SIZE + recs[nexpect].len <= t)
				bad++;			/* the expectation itself would be wrong */
			write_image(img);
			if (!recover_and_check(nexpect, "truncation"))
			{
				printf("#   truncated at %llu\n", (unsigned long long) t);
				if (++bad > 5)
					break;
			}
		}
		is_int(bad, 0, "recovery from %s truncation point (%s after it) keeps exactly the intact records before it",
			   fill ? "every" : "every 16th", fill ? "garbage" : "zeros");
	}

	/* Every single flipped byte of the records. */
	bad = 0;
	for (WalLsn b = 0; b < image_end; b++)
	{
		int			nexpect = NREC;

		memcpy(img, image, WAL_DATA_START + image_end + 4096);
		img[WAL_DATA_START + b] ^= 0x5a;
		for (int i = 0; i < NREC; i++)
		{
			if (b >= recs[i].lsn && b < recs[i].lsn + WAL_RECORD_HEADER_SIZE + recs[i].len)
			{
				nexpect = i;
				break;
			}
		}
		write_image(img);
		if (!recover_and_check(nexpect, "flipped byte"))
		{
			printf("#   flipped byte at %llu\n", (unsigned long long) b);
			if (++bad > 5)
				break;
		}
	}
	is_int(bad, 0, "recovery with each of the %llu bytes flipped stops exactly at the damaged record",
		   (unsigned long long) image_end);

	/*
	 * Records with a good CRC that are still not ours: another WAL's id, a
	 * generation newer than the header's, a generation going backwards.
	 */
	{
		struct
		{
			const char *what;
			int			rec;
			uint32		wal_id_delta;
			uint32		gen;
			int			expect;
		}			cases[] = {
			{"another WAL's id", 3, 1, 0, 3},
			{"a generation newer than the header's", 5, 0, 1, 5},
		};

		for (int c = 0; c < 2; c++)
		{
			WalRecordHeader hdr;
			char	   *at = img + WAL_DATA_START + recs[cases[c].rec].lsn;

			memcpy(img, image, WAL_DATA_START + image_end + 4096);
			memcpy(&hdr, at, sizeof(hdr));
			hdr.wal_id += cases[c].wal_id_delta;
			hdr.generation = cases[c].gen;
			WalRecordSetCrc(&hdr, at + sizeof(hdr));
			memcpy(at, &hdr, sizeof(hdr));
			write_image(img);
			ok(recover_and_check(cases[c].expect, cases[c].what),
			   "recovery stops at a record of %s", cases[c].what);
		}

		/* header generation 2; records 0-3 generation 2, record 4 generation 1 */
		memcpy(img, image, WAL_DATA_START + image_end + 4096);
		for (int slot = 0; slot < 2; slot++)
		{
			WalDeviceHeader *dh = (WalDeviceHeader *) (img + slot * WAL_BLOCK_SIZE);

			dh->generation = 2;
			WalDeviceHeaderSetCrc(dh);
		}
		for (int i = 0; i < NREC; i++)
		{
			WalRecordHeader hdr;
			char	   *at = img + WAL_DATA_START + recs[i].lsn;

			memcpy(&hdr, at, sizeof(hdr));
			hdr.generation = i == 4 ? 1 : 2;
			WalRecordSetCrc(&hdr, at + sizeof(hdr));
			memcpy(at, &hdr, sizeof(hdr));
		}
		write_image(img);
		ok(recover_and_check(4, "generation going backwards"),
		   "recovery stops where the generation goes backwards (a stale record behind a torn one)");
	}

	/* Every flipped byte of the newest header: the other copy is used. */
	bad = 0;
	for (size_t b = 0; b < sizeof(WalDeviceHeader); b++)
	{
		memcpy(img, image, WAL_DATA_START + image_end + 4096);
		img[WAL_BLOCK_SIZE + b] ^= 0x5a;	/* slot 1 holds sequence 1 */
		write_image(img);
		if (!recover_and_check(NREC, "flipped header byte"))
			bad++;
	}
	is_int(bad, 0, "a damaged newest header falls back to the other copy");

	/* Reading the device without recovering it (failover), any node id. */
	{
		ScanState	st = {0, true};
		WalDeviceHeader dev;
		char		err[256];
		char		gerr[256];

		write_image(image);
		GucSet("broker_id", "9", GUC_SRC_CMDLINE, gerr, sizeof(gerr));
		ok(WalScanDevice(wal_test_path, &dev, scan_cb, &st, err, sizeof(err)) &&
		   st.good && st.n == NREC, "WalScanDevice reads all %d records of another node's WAL (%d)", NREC, st.n);
		GucSet("broker_id", "0", GUC_SRC_CMDLINE, gerr, sizeof(gerr));
		memcpy(img, image, WAL_DATA_START + image_end + 4096);
		img[WAL_DATA_START + recs[3].lsn + 70] ^= 1;
		write_image(img);
		st.n = 0;
		st.good = true;
		ok(WalScanDevice(wal_test_path, &dev, scan_cb, &st, err, sizeof(err)) &&
		   st.good && st.n == 3, "WalScanDevice stops at a torn record (%d)", st.n);
		img[8] ^= 1;
		img[WAL_BLOCK_SIZE + 8] ^= 1;
		write_image(img);
		ok(!WalScanDevice(wal_test_path, &dev, scan_cb, &st, err, sizeof(err)) &&
		   strstr(err, "not a Strata WAL device") != NULL, "WalScanDevice refuses a device without a header");
	}

	/* Both headers bad: refused with a clear message. */
	memcpy(img, image, WAL_DATA_START + image_end + 4096);
	img[8] ^= 1;
	img[WAL_BLOCK_SIZE + 8] ^= 1;
	write_image(img);
	is_int(run_child_capture(child_recover, out, sizeof(out)), 1, "no valid header: FATAL exit");
	ok(strstr(out, "is not a Strata WAL device") != NULL, "no valid header: message says so");

	/* Another node's device. */
	write_image(image);
	{
		char		err[256];

		GucSet("broker_id", "5", GUC_SRC_CMDLINE, err, sizeof(err));
		is_int(run_child_capture(child_recover, out, sizeof(out)), 1, "other node's WAL: FATAL exit");
		ok(strstr(out, "belongs to broker 0, but this is broker_id 5") != NULL,
		   "other node's WAL: message names both brokers");
		GucSet("broker_id", "0", GUC_SRC_CMDLINE, err, sizeof(err));
	}

	/* A device shorter than its header says. */
	write_image(image);
	if (truncate(wal_test_path, DEV_SIZE / 2) != 0)
		perror("truncate");
	is_int(run_child_capture(child_recover, out, sizeof(out)), 1, "truncated device: FATAL exit");
	ok(strstr(out, "but its header says") != NULL, "truncated device: message gives both sizes");

	/* A missing device names the setting. */
	unlink(wal_test_path);
	is_int(run_child_capture(child_recover, out, sizeof(out)), 1, "missing device: FATAL exit");
	ok(strstr(out, "does not exist") != NULL && strstr(out, "wal_device") != NULL,
	   "missing device: message names wal_device");

	wal_test_cleanup();
	return done_testing();
}
