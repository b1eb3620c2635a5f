/*-------------------------------------------------------------------------
 *
 * copycrc.c
 *	  The CPU floor of the produce path: what copying a produced byte once
 *	  and checksumming it once with CRC-32C costs on this machine, in
 *	  core-seconds per GiB -- the reference the broker's CPU per GiB is
 *	  compared with (bench/produce_path.sh).
 *
 *	  Usage: copycrc [GIB [CHUNK]]   (default 4 GiB, moved through chunks
 *	  of CHUNK bytes, default 1 MiB, of two 256 MiB buffers, so the data
 *	  comes from memory, not a cache, as a produced batch does; each chunk
 *	  is copied, then checksummed on its own, as a produced batch is: a
 *	  CHUNK of a few KiB shows what CRC-32C costs at batch sizes)
 *	  Prints "copycrc: N GiB in S core-s: C core-s/GiB (memcpy + CRC-32C,
 *	  hw|sw, CHUNK-byte chunks)", then the CRC alone of one chunk that
 *	  stays in the cache, the checksum's own cost at that size.
 *
 *	  It uses the server's own crc32c (utils/crc32c.h), the one the produce
 *	  path checks batches with.
 *
 * bench/copycrc.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>

#include "utils/crc32c.h"

#define BUF_BYTES	(256UL * 1024 * 1024)

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long		gib = argc > 1 ? atol(argv[1]) : 4;
	long		chunk = argc > 2 ? atol(argv[2]) : 1024 * 1024;
	char	   *src;
	char	   *dst;
	uint32		crc = 0;
	double		t0,
				spent;
	size_t		off = 0;

	if (gib < 1 || gib > 1024 || chunk < 1 || chunk > 64L * 1024 * 1024)
	{
		fprintf(stderr, "usage: copycrc [GIB [CHUNK]]  (GIB 1 .. 1024, CHUNK 1 .. 67108864 bytes)\n");
		return 2;
	}
	src = malloc(BUF_BYTES);
	dst = malloc(BUF_BYTES);
	if (src == NULL || dst == NULL)
	{
		fprintf(stderr, "copycrc: out of memory\n");
		return 1;
	}
	/* touch every page first, so page faults are not counted */
	for (size_t i = 0; i < BUF_BYTES; i++)
		src[i] = (char) (i * 131 + (i >> 12));
	memset(dst, 0, BUF_BYTES);

	t0 = cpu_seconds();
	for (uint64 moved = 0; moved < (uint64) gib << 30; moved += (uint64) chunk)
	{
		if (off + (size_t) chunk > BUF_BYTES)
			off = 0;
		memcpy(dst + off, src + off, (size_t) chunk);
		crc = crc32c(crc, dst + off, (size_t) chunk);
		off += (size_t) chunk;
	}
	spent = cpu_seconds() - t0;
	printf("copycrc: %ld GiB in %.3f core-s: %.3f core-s/GiB (memcpy + CRC-32C, %s, %ld-byte chunks; crc %08x)\n",
		   gib, spent, spent / (double) gib, crc32c_have_hw() ? "hw" : "sw", chunk, crc);

	/*
	 * The CRC alone, of one chunk that stays in the cache: what the
	 * checksum itself costs at this size, apart from memory bandwidth.
	 */
	t0 = cpu_seconds();
	for (uint64 done = 0; done < (uint64) gib << 30; done += (uint64) chunk)
		crc = crc32c(crc, src + 1, (size_t) chunk);
	spent = cpu_seconds() - t0;
	printf("copycrc: CRC-32C alone of a %ld-byte chunk in cache: %.3f core-s/GiB (crc %08x)\n",
		   chunk, spent / (double) gib, crc);
	free(src);
	free(dst);
	return 0;
}
