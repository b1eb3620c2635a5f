/*-------------------------------------------------------------------------
 *
 * walrecovery.c
 *	  Opening the WAL device, its header, and recovery: rebuilding the ring
 *	  and the log cache from the device at start (and after every crash
 *	  restart, since the postmaster then creates shared memory afresh).
 *
 *	  Recovery reads the newest valid header, then scans records from its
 *	  trim position, reading the device straight into the ring (so the
 *	  recovered bytes are the log cache; no other copy).  It stops at the
 *	  first record that is torn or corrupt: bad magic, an LSN other than its
 *	  own position (a stale record of an earlier lap), a bad CRC, or a
 *	  generation that goes backwards.
 *
 *	  Why a generation: after a crash, recovery may stop at a torn record A
 *	  while a later record B, written by another I/O that did complete, is
 *	  intact on the device (B was never acknowledged: the flushed position
 *	  advances in order).  New appends then reuse A's LSNs; should a new
 *	  record end exactly where B starts, a later recovery would resurrect B.
 *	  Each recovery therefore bumps the header's generation before any new
 *	  append, every record carries the generation it was written in, and
 *	  the scan stops when the generation decreases.
 *
 *	  With several writes in flight this is the common case, not a corner:
 *	  the WAL writer ends every write on a block boundary with a padding
 *	  record (walaio.c), so the write after a torn one starts exactly at a
 *	  block boundary, and the first write after recovery, padded to the end
 *	  of the block it reaches, ends exactly there too.  Padding records
 *	  carry the generation like data records do, so the scan stops at B all
 *	  the same.
 *
 * src/backend/storage/wal/walrecovery.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/logcache.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"

/* Reads start small (a short WAL recovers fast) and double up to this. */
#define RECOVERY_READ_MIN	(16 * 1024)
#define RECOVERY_READ_MAX	(4 * 1024 * 1024)

/* The header this process last read or wrote (WAL writer / recovery). */
static WalDeviceHeader cur_header;
static char *cur_path = NULL;

int
WalDeviceOpen(const char *path, int64 *size)
{
	int			flags = O_RDWR | O_DIRECT | O_CLOEXEC;
	int			fd;
	struct stat st;

	if (wal_sync_method == WAL_SYNC_O_DSYNC)
		flags |= O_DSYNC;
	fd = open(path, flags);
	if (fd < 0)
	{
		if (errno == EINVAL)
			elog_fatal("wal_device \"%s\" is on a filesystem that does not support O_DIRECT (tmpfs?): set wal_device to a file on ext4/xfs or to a block device",
					   path);
		if (errno == ENOENT)
			elog_fatal("WAL device \"%s\" does not exist: create it with strata_ctl init, or set wal_device",
					   path);
		elog_fatal("could not open WAL device \"%s\" (wal_device): %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		elog_fatal("could not stat WAL device \"%s\": %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode))
	{
		uint64		bs;

		if (ioctl(fd, BLKGETSIZE64, &bs) < 0)
			elog_fatal("could not get the size of WAL device \"%s\": %s", path, strerror(errno));
		*size = (int64) bs;
	}
	else
		*size = (int64) st.st_size;
	return fd;
}

void
WalWriteHeader(int fd, WalLsn trim)
{
	static char *buf = NULL;
	WalDeviceHeader *hdr;
	off_t		where;

	if (buf == NULL && posix_memalign((void **) &buf, WAL_BLOCK_SIZE, WAL_BLOCK_SIZE) != 0)
		elog_fatal("out of memory");
	cur_header.sequence++;
	cur_header.trim_lsn = trim;
	cur_header.generation = WalShmem->generation;
	cur_header.node_epoch = __atomic_load_n(&WalShmem->node_epoch, __ATOMIC_SEQ_CST);
	memset(buf, 0, WAL_BLOCK_SIZE);
	hdr = (WalDeviceHeader *) buf;
	*hdr = cur_header;
	WalDeviceHeaderSetCrc(hdr);
	where = (off_t) (cur_header.sequence % WAL_HEADER_BLOCKS) * WAL_BLOCK_SIZE;
	if (pwrite(fd, buf, WAL_BLOCK_SIZE, where) != WAL_BLOCK_SIZE)
		elog(PANIC, "could not write the header of WAL device \"%s\": %s",
			 cur_path ? cur_path : "?", strerror(errno));
	if (wal_sync_method == WAL_SYNC_FDATASYNC && fdatasync(fd) < 0)
		elog(PANIC, "could not fdatasync WAL device \"%s\": %s",
			 cur_path ? cur_path : "?", strerror(errno));
	__atomic_store_n(&WalShmem->durable_node_epoch, cur_header.node_epoch, __ATOMIC_SEQ_CST);
	WalAtomicAdd(&WalShmem->stats.header_writes, 1);
}

/* ---- reading the device into the ring ---- */

typedef struct RecoveryReader
{
	int			fd;
	WalLsn		base;			/* align_down(trim): the ring holds from here */
	WalLsn		loaded;			/* the ring holds device bytes up to here */
	uint64		chunk;			/* size of the next read */
} RecoveryReader;

/* Make the ring hold the device's bytes up to upto; false if past the ring. */
static bool
reader_ensure(RecoveryReader *r, WalLsn upto)
{
	uint64		R = WalShmem->ring_size;
	uint64		D = WalShmem->dev_data_size;

	if (upto > r->base + R)
		return false;
	while (r->loaded < upto)
	{
		WalLsn		L = r->loaded;
		uint64		len = Max(r->chunk, TYPEALIGN(WAL_BLOCK_SIZE, upto) - L);
		ssize_t		n;

		r->chunk = Min(r->chunk * 2, (uint64) RECOVERY_READ_MAX);

		len = Min(len, D - L % D);
		len = Min(len, R - L % R);
		len = Min(len, r->base + R - L);
		n = pread(r->fd, WalShmem->ring + L % R, (size_t) len, (off_t) (WAL_DATA_START + L % D));
		if (n < 0)
			elog_fatal("could not read WAL device \"%s\": %s", cur_path, strerror(errno));
		if ((uint64) n < len)
			memset(WalShmem->ring + L % R + n, 0, (size_t) (len - (uint64) n));
		r->loaded += len;
	}
	return true;
}

/*
 * Read the device's two header blocks and keep the newest valid copy in
 * cur_header; refuse (FATAL) a device that is no WAL, one truncated below
 * the size its header says, or another broker's.
 */
static void
recover_header(const char *path, int fd, int64 devsize)
{
	char	   *hbuf;
	const WalDeviceHeader *best;

	if (posix_memalign((void **) &hbuf, WAL_BLOCK_SIZE, WAL_DATA_START) != 0)
		elog_fatal("out of memory");
	if (devsize < WAL_DATA_START ||
		pread(fd, hbuf, WAL_DATA_START, 0) != WAL_DATA_START)
		elog_fatal("WAL device \"%s\" is too small or unreadable to hold a WAL header (%lld bytes): create it with strata_ctl init, or set wal_device",
				   path, (long long) devsize);
	best = WalChooseHeader(hbuf);
	if (best == NULL)
		elog_fatal("\"%s\" is not a Strata WAL device (no valid header): create it with strata_ctl init, or set wal_device",
				   path);
	cur_header = *best;
	free(hbuf);

	if ((int64) cur_header.capacity > devsize)
		elog_fatal("WAL device \"%s\" is %lld bytes but its header says %llu: the device was truncated or replaced; restore it or recreate it with strata_ctl init",
				   path, (long long) devsize, (unsigned long long) cur_header.capacity);
	if (cur_header.node_id != (uint64) broker_id)
		elog_fatal("WAL device \"%s\" belongs to broker %llu, but this is broker_id %lld: set wal_device to this broker's own WAL",
				   path, (unsigned long long) cur_header.node_id, (long long) broker_id);
}

/* What a scan found. */
typedef struct RecoveryScan
{
	WalLsn		end;			/* after the last good record */
	uint64		nrec;
	uint64		nbytes;
	const char *stop;			/* why the scan stopped, for the log */
} RecoveryScan;

/*
 * Read the records from trim on into the ring and index the data records
 * in the log cache (insert_lck taken per record), stopping at the first
 * torn or corrupt one, at a full lap, or where the ring is full (FATAL if
 * that would lose data: log_cache_size was lowered).
 */
static void
recover_records(const char *path, int fd, WalLsn trim, RecoveryScan *scan)
{
	uint64		R = WalShmem->ring_size;
	uint64		D = WalShmem->dev_data_size;
	RecoveryReader reader;
	WalLsn		pos = trim;
	uint32		last_gen = 0;
	const char *why;

	scan->nrec = scan->nbytes = 0;
	scan->stop = "the end of the WAL";
	reader.fd = fd;
	reader.base = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, trim);
	reader.loaded = reader.base;
	reader.chunk = RECOVERY_READ_MIN;

	for (;;)
	{
		WalRecordHeader hdr;
		uint64		off = pos % D;
		uint64		size;
		uint64		off1;
		size_t		len1;
		uint32		crc;

		if (D - off < WAL_RECORD_HEADER_SIZE)
		{
			pos += D - off;
			continue;
		}
		if (pos + WAL_RECORD_HEADER_SIZE > reader.base + D)
			break;				/* a full lap: nothing more can be valid */
		if (!reader_ensure(&reader, pos + WAL_RECORD_HEADER_SIZE))
		{
			scan->stop = "the ring's end";
			break;
		}
		WalRingRead(pos, &hdr, sizeof(hdr));
		why = WalRecordHeaderCheck(&hdr, pos, D, &cur_header, last_gen, &size);
		if (why != NULL)
		{
			scan->stop = why;
			break;
		}
		if (pos + size > reader.base + D)
			break;
		if (!reader_ensure(&reader, pos + size))
		{
			/*
			 * A record with a plausible header that does not fit the ring:
			 * the WAL holds more untrimmed data than log_cache_size now
			 * allows (it was lowered).  Going on would lose data.
			 */
			if (R < D)
				elog_fatal("WAL device \"%s\" holds more data to recover than log_cache_size (%llu bytes) can hold: set log_cache_size to at least %llu",
						   path, (unsigned long long) R,
						   (unsigned long long) TYPEALIGN(WAL_BLOCK_SIZE, pos + size - reader.base));
			break;
		}
		if (hdr.magic == WAL_PADDING_MAGIC)
			crc = WalRecordComputeCrc(&hdr, NULL, 0, NULL, 0);
		else
		{
			off1 = (pos + WAL_RECORD_HEADER_SIZE) % R;
			len1 = (size_t) Min((uint64) hdr.body_len, R - off1);
			crc = WalRecordComputeCrc(&hdr, WalShmem->ring + off1, len1,
									  WalShmem->ring, hdr.body_len - len1);
		}
		if (crc != hdr.crc)
		{
			scan->stop = "a record with a bad checksum (torn write)";
			break;
		}
		if (hdr.magic == WAL_RECORD_MAGIC)
		{
			SpinLockAcquire(&WalShmem->insert_lck);
			WalShmem->reserved = pos + size;
			(void) LogCacheAddEntryLocked(&hdr, pos);
			SpinLockRelease(&WalShmem->insert_lck);
			scan->nrec++;
			scan->nbytes += hdr.body_len;
		}
		last_gen = hdr.generation;
		pos += size;
	}
	scan->end = pos;
}

/*
 * Make the recovered WAL the shared state: everything up to end is
 * reserved, written and flushed; the trim position is durable.
 */
static void
install_recovered(WalLsn trim, const RecoveryScan *scan)
{
	WalLsn		pos = scan->end;

	SpinLockAcquire(&WalShmem->insert_lck);
	WalShmem->reserved = pos;
	WalShmem->limit_base = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, trim);
	WalShmem->generation = cur_header.generation + 1;
	WalShmem->wal_id = cur_header.wal_id;
	/* keep the recorded epoch unless the catalog worker already set one */
	if (__atomic_load_n(&WalShmem->node_epoch, __ATOMIC_SEQ_CST) == 0)
		__atomic_store_n(&WalShmem->node_epoch, cur_header.node_epoch, __ATOMIC_SEQ_CST);
	SpinLockRelease(&WalShmem->insert_lck);
	(void) LogCacheFlushAdvanced(pos);
	__atomic_store_n(&WalShmem->write_pos, pos, __ATOMIC_SEQ_CST);
	__atomic_store_n(&WalShmem->flushed, pos, __ATOMIC_SEQ_CST);
	__atomic_store_n(&WalShmem->trim_requested, trim, __ATOMIC_SEQ_CST);
	__atomic_store_n(&WalShmem->durable_trim, trim, __ATOMIC_SEQ_CST);
	WalAtomicAdd(&WalShmem->stats.recovered_records, scan->nrec);
	WalAtomicAdd(&WalShmem->stats.recovered_bytes, scan->nbytes);
}

/*
 * Recovery (see wal.h), in its steps: the header, the geometry it gives,
 * the records from trim on, the shared state, then a new header (the new
 * generation) made durable before any new record.
 */
int
WalRecover(void)
{
	char	   *path = WalDevicePath();
	int64		devsize;
	int			fd;
	WalLsn		trim;
	RecoveryScan scan;

	Ensure(WalShmem != NULL && WalShmem->entries != NULL);
	if (cur_path)
		pfree(cur_path);
	cur_path = path;
	fd = WalDeviceOpen(path, &devsize);
	recover_header(path, fd, devsize);

	WalShmem->dev_data_size = cur_header.capacity - WAL_DATA_START;
	WalShmem->capacity = Min(WalShmem->ring_size, WalShmem->dev_data_size);
	WalShmem->max_append = TYPEALIGN_DOWN(WAL_RECORD_ALIGN, WalShmem->capacity / 4);
	trim = cur_header.trim_lsn;

	recover_records(path, fd, trim, &scan);
	install_recovered(trim, &scan);

	/*
	 * New records get the new generation, and may use the current format
	 * (a version 1 device is upgraded here): make both durable before any.
	 */
	cur_header.version = WAL_FORMAT_VERSION;
	WalWriteHeader(fd, trim);

	elog(LOG, "WAL recovery of \"%s\" done: %llu records (%llu bytes) from LSN %llu to %llu, stopped at %s; generation %u",
		 path, (unsigned long long) scan.nrec, (unsigned long long) scan.nbytes,
		 (unsigned long long) trim, (unsigned long long) scan.end, scan.stop,
		 WalShmem->generation);

	__atomic_store_n(&WalShmem->ready, 1, __ATOMIC_SEQ_CST);
	WalWakeSpaceWaiters();
	return fd;
}

/* ---- reading a device without recovering it (failover) ---- */

typedef struct ScanWindow
{
	int			fd;
	uint64		D;
	char	   *buf;			/* block-aligned, for O_DIRECT */
	size_t		cap;
	WalLsn		lsn;			/* LSN of buf[0] (block aligned) */
	size_t		len;
} ScanWindow;

/*
 * Make [pos, pos + len) readable in the window; the range never crosses the
 * end of the data area (records do not), so it is one device range.
 */
static bool
scan_window_ensure(ScanWindow *w, WalLsn pos, uint64 len, char *err, size_t errlen)
{
	WalLsn		start;
	uint64		need,
				want;
	ssize_t		n;

	if (w->len > 0 && pos >= w->lsn && pos + len <= w->lsn + w->len)
		return true;
	start = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, pos);
	need = TYPEALIGN(WAL_BLOCK_SIZE, pos + len) - start;
	want = Max(need, (uint64) RECOVERY_READ_MAX);
	want = Min(want, w->D - start % w->D);
	want = Max(want, need);
	if (want > w->cap)
	{
		free(w->buf);
		if (posix_memalign((void **) &w->buf, WAL_BLOCK_SIZE, (size_t) want) != 0)
		{
			snprintf(err, errlen, "out of memory reading the WAL device");
			w->buf = NULL;
			return false;
		}
		w->cap = (size_t) want;
	}
	n = pread(w->fd, w->buf, (size_t) want, (off_t) (WAL_DATA_START + start % w->D));
	if (n < 0)
	{
		snprintf(err, errlen, "could not read the WAL device: %s", strerror(errno));
		return false;
	}
	if ((uint64) n < want)
		memset(w->buf + n, 0, (size_t) (want - (uint64) n));
	w->lsn = start;
	w->len = (size_t) want;
	return true;
}

bool
WalScanDevice(const char *path, WalDeviceHeader *dev, WalScanCallback cb, void *arg,
			  char *err, size_t errlen)
{
	ScanWindow	w;
	struct stat st;
	int64		devsize;
	char	   *hbuf = NULL;
	const WalDeviceHeader *best;
	WalLsn		pos,
				base;
	uint32		last_gen = 0;
	bool		result = false;

	memset(&w, 0, sizeof(w));
	w.fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (w.fd < 0 && errno == EINVAL)
		w.fd = open(path, O_RDONLY | O_CLOEXEC);	/* no O_DIRECT: page cache will do */
	if (w.fd < 0)
	{
		snprintf(err, errlen, "could not open WAL device \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (fstat(w.fd, &st) < 0)
	{
		snprintf(err, errlen, "could not stat WAL device \"%s\": %s", path, strerror(errno));
		goto done;
	}
	devsize = (int64) st.st_size;
	if (S_ISBLK(st.st_mode))
	{
		uint64		bs;

		if (ioctl(w.fd, BLKGETSIZE64, &bs) < 0)
		{
			snprintf(err, errlen, "could not get the size of WAL device \"%s\": %s", path, strerror(errno));
			goto done;
		}
		devsize = (int64) bs;
	}
	if (posix_memalign((void **) &hbuf, WAL_BLOCK_SIZE, WAL_DATA_START) != 0 ||
		devsize < WAL_DATA_START || pread(w.fd, hbuf, WAL_DATA_START, 0) != WAL_DATA_START ||
		(best = WalChooseHeader(hbuf)) == NULL)
	{
		snprintf(err, errlen, "\"%s\" is not a Strata WAL device (no valid header)", path);
		goto done;
	}
	*dev = *best;
	if ((int64) dev->capacity > devsize)
	{
		snprintf(err, errlen, "WAL device \"%s\" is %lld bytes but its header says %llu",
				 path, (long long) devsize, (unsigned long long) dev->capacity);
		goto done;
	}
	w.D = dev->capacity - WAL_DATA_START;
	pos = dev->trim_lsn;
	base = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, pos);
	for (;;)
	{
		WalRecordHeader hdr;
		uint64		off = pos % w.D;
		uint64		size;
		const char *body;

		if (w.D - off < WAL_RECORD_HEADER_SIZE)
		{
			pos += w.D - off;
			continue;
		}
		if (pos + WAL_RECORD_HEADER_SIZE > base + w.D)
			break;
		if (!scan_window_ensure(&w, pos, WAL_RECORD_HEADER_SIZE, err, errlen))
			goto done;
		memcpy(&hdr, w.buf + (pos - w.lsn), sizeof(hdr));
		if (WalRecordHeaderCheck(&hdr, pos, w.D, dev, last_gen, &size) != NULL ||
			pos + size > base + w.D)
			break;
		if (!scan_window_ensure(&w, pos, size, err, errlen))
			goto done;
		body = w.buf + (pos - w.lsn) + WAL_RECORD_HEADER_SIZE;
		if (hdr.crc != (hdr.magic == WAL_PADDING_MAGIC ?
						WalRecordComputeCrc(&hdr, NULL, 0, NULL, 0) :
						WalRecordComputeCrc(&hdr, body, hdr.body_len, NULL, 0)))
			break;
		if (hdr.magic == WAL_RECORD_MAGIC && !cb(&hdr, body, arg))
			break;
		last_gen = hdr.generation;
		pos += size;
	}
	result = true;
done:
	free(hbuf);
	free(w.buf);
	close(w.fd);
	return result;
}

/*
 * After another broker recovered this WAL into objects (its owner fenced):
 * write a header whose trim position is trim_lsn (the end of what was
 * recovered) and whose node epoch is the fencing epoch, so that the owner,
 * restarted, replays nothing that was recovered for it.  The header must
 * name node_id.  The trim position never moves back.
 */
bool
WalMarkRecovered(const char *path, uint64 node_id, WalLsn trim_lsn, uint64 node_epoch,
				 char *err, size_t errlen)
{
	int			fd = open(path, O_RDWR | O_DIRECT | O_DSYNC | O_CLOEXEC);
	char	   *buf = NULL;
	const WalDeviceHeader *best;
	WalDeviceHeader hdr;
	bool		ok = false;

	if (fd < 0 && errno == EINVAL)
		fd = open(path, O_RDWR | O_DSYNC | O_CLOEXEC);
	if (fd < 0)
	{
		snprintf(err, errlen, "could not open WAL device \"%s\": %s", path, strerror(errno));
		return false;
	}
	if (posix_memalign((void **) &buf, WAL_BLOCK_SIZE, WAL_DATA_START) != 0 ||
		pread(fd, buf, WAL_DATA_START, 0) != WAL_DATA_START ||
		(best = WalChooseHeader(buf)) == NULL)
	{
		snprintf(err, errlen, "\"%s\" is not a Strata WAL device (no valid header)", path);
		goto done;
	}
	hdr = *best;
	if (hdr.node_id != node_id)
	{
		snprintf(err, errlen, "WAL device \"%s\" belongs to broker %llu, not %llu", path,
				 (unsigned long long) hdr.node_id, (unsigned long long) node_id);
		goto done;
	}
	if (hdr.trim_lsn >= trim_lsn && hdr.node_epoch >= node_epoch)
	{
		ok = true;				/* nothing to do */
		goto done;
	}
	hdr.sequence++;
	hdr.trim_lsn = Max(hdr.trim_lsn, trim_lsn);
	hdr.node_epoch = Max(hdr.node_epoch, node_epoch);
	memset(buf, 0, WAL_BLOCK_SIZE);
	memcpy(buf, &hdr, sizeof(hdr));
	WalDeviceHeaderSetCrc((WalDeviceHeader *) buf);
	if (pwrite(fd, buf, WAL_BLOCK_SIZE, (off_t) (hdr.sequence % WAL_HEADER_BLOCKS) * WAL_BLOCK_SIZE) != WAL_BLOCK_SIZE ||
		fdatasync(fd) < 0)
	{
		snprintf(err, errlen, "could not write the header of WAL device \"%s\": %s", path, strerror(errno));
		goto done;
	}
	ok = true;
done:
	free(buf);
	close(fd);
	return ok;
}
