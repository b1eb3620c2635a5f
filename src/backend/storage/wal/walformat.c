/*-------------------------------------------------------------------------
 *
 * walformat.c
 *	  The WAL's on-device format: record and header checksums, and creating
 *	  a WAL device (strata_ctl init).
 *
 *	  Layout of a device (see doc/wal.md):
 *
 *		[header slot 0: 4 KiB][header slot 1: 4 KiB][data area ...]
 *
 *	  Header writes alternate between the two slots (slot = sequence % 2),
 *	  so a write torn by a crash leaves the other copy intact; the valid
 *	  copy with the highest sequence wins.  The data area is a ring of
 *	  records addressed by LSN: LSN x is at WAL_DATA_START + x % data_size.
 *	  A record never crosses the end of the data area: a padding record (or,
 *	  when fewer than a header's bytes remain, nothing) fills the gap.  A
 *	  padding record also fills the rest of the block a WAL write ends in
 *	  (format version 2; see wal.h).
 *
 * src/backend/storage/wal/walformat.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storage/wal.h"
#include "utils/crc32c.h"
#include "utils/guc.h"

uint32
WalRecordComputeCrc(const WalRecordHeader *hdr, const void *body1, size_t len1,
					const void *body2, size_t len2)
{
	WalRecordHeader copy = *hdr;
	uint32		crc;

	copy.crc = 0;
	crc = crc32c(0, &copy, sizeof(copy));
	if (len1 > 0)
		crc = crc32c(crc, body1, len1);
	if (len2 > 0)
		crc = crc32c(crc, body2, len2);
	return crc;
}

/*
 * CRC-32C is linear, so the CRC of header || body is the CRC of
 * header || body[0, tail_from) shifted over the tail's length, xor the
 * tail's own CRC: the same value WalRecordComputeCrc gives, which recovery
 * checks, with no format change.  An assert-enabled build checks the
 * caller's tail_crc by computing it all again.
 */
uint32
WalRecordComputeCrcKnownTail(const WalRecordHeader *hdr, const void *body, size_t len,
							 size_t tail_from, uint32 tail_crc)
{
	WalRecordHeader copy = *hdr;
	uint32		crc;

	Assert(tail_from <= len);
	copy.crc = 0;
	crc = crc32c(0, &copy, sizeof(copy));
	crc = crc32c(crc, body, tail_from);
	crc = crc32c_combine(crc, tail_crc, len - tail_from);
	Assert(crc == WalRecordComputeCrc(hdr, body, len, NULL, 0));
	return crc;
}

void
WalRecordSetCrc(WalRecordHeader *hdr, const void *body)
{
	if (hdr->magic == WAL_PADDING_MAGIC || body == NULL)
		hdr->crc = WalRecordComputeCrc(hdr, NULL, 0, NULL, 0);
	else
		hdr->crc = WalRecordComputeCrc(hdr, body, hdr->body_len, NULL, 0);
}

void
WalDeviceHeaderSetCrc(WalDeviceHeader *hdr)
{
	hdr->crc = crc32c(0, hdr, offsetof(WalDeviceHeader, crc));
}

bool
WalDeviceHeaderValid(const WalDeviceHeader *hdr)
{
	if (hdr->magic != WAL_HEADER_MAGIC ||
		hdr->version < WAL_FORMAT_VERSION_MIN || hdr->version > WAL_FORMAT_VERSION)
		return false;
	if (hdr->crc != crc32c(0, hdr, offsetof(WalDeviceHeader, crc)))
		return false;
	if (hdr->block_size != WAL_BLOCK_SIZE ||
		hdr->capacity < WAL_DATA_START + WAL_BLOCK_SIZE ||
		hdr->capacity % WAL_BLOCK_SIZE != 0)
		return false;
	return true;
}

const char *
WalRecordHeaderCheck(const WalRecordHeader *hdr, WalLsn pos, uint64 data_size,
					 const WalDeviceHeader *dev, uint32 prev_generation, uint64 *size)
{
	uint64		off = pos % data_size;

	if (hdr->lsn != pos ||
		(hdr->magic != WAL_RECORD_MAGIC && hdr->magic != WAL_PADDING_MAGIC))
		return "the end of the WAL";
	if (hdr->wal_id != dev->wal_id)
		return "a record of another WAL";
	if (hdr->generation > dev->generation || hdr->generation < prev_generation)
		return "a record out of generation order";
	if (hdr->magic == WAL_PADDING_MAGIC)
	{
		/*
		 * Padding runs to the end of the data area, or (version 2) to a
		 * block boundary less than two blocks away, never across the end.
		 */
		*size = WAL_RECORD_HEADER_SIZE + (uint64) hdr->body_len;
		if (off + *size != data_size &&
			(dev->version < 2 || off + *size > data_size ||
			 (pos + *size) % WAL_BLOCK_SIZE != 0 || *size >= 2 * WAL_BLOCK_SIZE))
			return "a corrupt padding record";
	}
	else
	{
		*size = WalRecordSize(hdr->body_len);
		if (off + *size > data_size)
			return "a corrupt record length";
	}
	return NULL;
}

const WalDeviceHeader *
WalChooseHeader(const char *blocks)
{
	const WalDeviceHeader *best = NULL;

	for (int slot = 0; slot < WAL_HEADER_BLOCKS; slot++)
	{
		const WalDeviceHeader *h = (const WalDeviceHeader *) (blocks + slot * WAL_BLOCK_SIZE);

		if (WalDeviceHeaderValid(h) && h->sequence % WAL_HEADER_BLOCKS == (uint64) slot &&
			(best == NULL || h->sequence > best->sequence))
			best = h;
	}
	return best;
}

char *
WalDevicePath(void)
{
	if (wal_device != NULL && wal_device[0] != '\0')
		return pstrdup(wal_device);
	return psprintf("%s/wal/strata.wal", DataDir ? DataDir : ".");
}

/* Size of a block device, or -1. */
static int64
blockdev_size(int fd)
{
	uint64		size;

	if (ioctl(fd, BLKGETSIZE64, &size) < 0)
		return -1;
	return (int64) size;
}

/*
 * Open (creating it, and DATADIR/wal, if needed) the file or block device
 * for WalDeviceCreate; *size becomes the usable size (a block device's
 * whole size).  -1 with a message in err on failure.
 */
static int
create_open(const char *path, uint64 *size, bool *isblk, char *err, size_t errlen)
{
	struct stat st;
	int			fd;

	*isblk = false;
	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		*isblk = true;
	else
	{
		/* Create the parent directory (DATADIR/wal) if it is missing. */
		char	   *dir = pstrdup(path);
		char	   *slash = strrchr(dir, '/');

		if (slash != NULL && slash != dir)
		{
			*slash = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			{
				snprintf(err, errlen, "could not create directory \"%s\" for wal_device: %s",
						 dir, strerror(errno));
				pfree(dir);
				return -1;
			}
		}
		pfree(dir);
	}

	fd = open(path, *isblk ? O_RDWR : (O_RDWR | O_CREAT | O_TRUNC), 0600);
	if (fd < 0)
	{
		snprintf(err, errlen, "could not create WAL device \"%s\" (wal_device): %s",
				 path, strerror(errno));
		return -1;
	}
	if (*isblk)
	{
		int64		bs = blockdev_size(fd);

		if (bs < 0)
		{
			snprintf(err, errlen, "could not get the size of block device \"%s\" (wal_device): %s",
					 path, strerror(errno));
			close(fd);
			return -1;
		}
		*size = (uint64) bs;
	}
	*size = TYPEALIGN_DOWN(WAL_BLOCK_SIZE, *size);
	if (*size < WAL_DATA_START + 64 * 1024)
	{
		snprintf(err, errlen, "WAL device \"%s\" would be %llu bytes; wal_size must be at least 1MB",
				 path, (unsigned long long) *size);
		close(fd);
		return -1;
	}
	return fd;
}

/* Both header copies of a new WAL; buf is a zeroed block-aligned block. */
static bool
create_write_headers(int fd, char *buf, uint64 size, uint64 node_id, uint32 wal_id)
{
	for (int slot = 0; slot < WAL_HEADER_BLOCKS; slot++)
	{
		WalDeviceHeader *hdr = (WalDeviceHeader *) buf;

		memset(buf, 0, WAL_BLOCK_SIZE);
		hdr->magic = WAL_HEADER_MAGIC;
		hdr->version = WAL_FORMAT_VERSION;
		hdr->capacity = size;
		hdr->sequence = (uint64) slot;
		hdr->trim_lsn = 0;
		hdr->node_id = node_id;
		hdr->node_epoch = 0;
		hdr->generation = 0;
		hdr->block_size = WAL_BLOCK_SIZE;
		hdr->created_at = (int64) time(NULL);
		hdr->wal_id = wal_id;
		WalDeviceHeaderSetCrc(hdr);
		if (pwrite(fd, buf, WAL_BLOCK_SIZE, (off_t) slot * WAL_BLOCK_SIZE) != WAL_BLOCK_SIZE)
			return false;
	}
	return true;
}

bool
WalDeviceCreate(const char *path, uint64 size, uint64 node_id, char *err, size_t errlen)
{
	bool		isblk;
	int			fd;
	char	   *buf;
	uint64		chunk = 1024 * 1024;
	uint32		wal_id;

	fd = create_open(path, &size, &isblk, err, errlen);
	if (fd < 0)
		return false;

	/* a random id for this WAL (no need for cryptographic quality) */
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		wal_id = (uint32) ((uint64) ts.tv_nsec * 2654435761u ^ (uint64) ts.tv_sec ^
						   ((uint64) getpid() << 16));
		if (wal_id == 0)
			wal_id = 1;
	}

	/*
	 * Write the whole file with zeros rather than only fallocate it: writes
	 * into allocated-but-unwritten extents make every O_DSYNC write of the
	 * first lap also commit a filesystem metadata change (extent
	 * conversion).  A block device is not zeroed: stale bytes there never
	 * pass a record's LSN and CRC checks.
	 */
	buf = palloc0(chunk);
	if (!isblk)
	{
		for (uint64 off = 0; off < size; off += chunk)
		{
			size_t		n = (size_t) Min(chunk, size - off);

			if (pwrite(fd, buf, n, (off_t) off) != (ssize_t) n)
			{
				snprintf(err, errlen, "could not write WAL device \"%s\" (wal_device): %s",
						 path, errno ? strerror(errno) : "short write");
				pfree(buf);
				close(fd);
				return false;
			}
		}
	}
	if (!create_write_headers(fd, buf, size, node_id, wal_id))
	{
		snprintf(err, errlen, "could not write the header of WAL device \"%s\": %s",
				 path, strerror(errno));
		pfree(buf);
		close(fd);
		return false;
	}
	pfree(buf);
	if (fsync(fd) < 0)
	{
		snprintf(err, errlen, "could not fsync WAL device \"%s\": %s", path, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}
