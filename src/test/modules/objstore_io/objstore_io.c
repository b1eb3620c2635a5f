/*-------------------------------------------------------------------------
 *
 * objstore_io.c
 *	  objstore_io URL put|verify KEY SIZE [ATTEMPTS]
 *	  objstore_io URL stream|stream-sized|stream-missized KEY SIZE PART [ABORT_AFTER]
 *
 *	  put: stores SIZE bytes of a pattern derived from KEY (multipart when
 *	  SIZE exceeds the store's part size); verify: reads the object back in
 *	  ranged gets, several in flight, and compares.  stream: the same
 *	  bytes through a streamed put (ObjStoreWriter), in parts of PART
 *	  bytes, each in a buffer of its own that is freed when the writer
 *	  gives it back; prints "ok parts=N released=M"; with ABORT_AFTER, the
 *	  writer is aborted after that many parts and it prints "aborted".
 *	  stream-sized announces SIZE to the writer first (on S3: one
 *	  PutObject whose body streams out); stream-missized announces one
 *	  byte more than it then hands over, which must fail.  Prints "ok" or the
 *	  store's one-line error; exit status 0 or 1 (2 on bad usage).  Used by
 *	  src/test/objstore/t/004_outage.pl to kill s3rver during an upload.
 *
 * src/test/modules/objstore_io/objstore_io.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/objstore.h"
#include "utils/sanitizer.h"

static void
pattern(char *buf, size_t len, uint64 start, const char *key)
{
	uint32		seed = 2166136261u;

	for (const char *k = key; *k; k++)
		seed = (seed ^ (unsigned char) *k) * 16777619u;
	for (size_t i = 0; i < len; i++)
	{
		uint64		x = (start + i) * 0x9E3779B97F4A7C15ULL + seed;

		buf[i] = (char) (x >> 56);
	}
}

static int	released;

static void
release_part(void *tag, void *arg)
{
	pfree(tag);
	released++;
}

/* The "stream" command: see the file comment. */
static int
stream(ObjStore *store, const char *key, size_t size, uint64 announce, size_t part, int abort_after)
{
	ObjStoreWriter *w;
	ObjStoreError err;
	size_t		off = 0;
	int			nparts = 0;
	char	   *buf;
	bool		ok = true;

	if (part == 0)
	{
		fprintf(stderr, "objstore_io stream: PART must be > 0\n");
		return 2;
	}
	w = ObjStoreWriterBegin(store, key, announce, release_part, NULL);
	while (ok && size - off > part)
	{
		if (abort_after >= 0 && nparts == abort_after)
		{
			ObjStoreWriterAbort(w);
			printf("aborted parts=%d released=%d\n", nparts, released);
			ObjStoreClose(store);
			return released == nparts ? 0 : 1;
		}
		buf = palloc(part);
		pattern(buf, part, off, key);
		ok = ObjStoreWriterPart(w, buf, part, buf, &err);
		off += part;
		nparts++;
	}
	if (ok)
	{
		buf = palloc(Max(size - off, 1));
		pattern(buf, size - off, off, key);
		nparts++;
		ok = ObjStoreWriterFinish(w, buf, size - off, buf, &err);
	}
	else
		ObjStoreWriterAbort(w);
	if (ok)
		printf("ok parts=%d released=%d\n", nparts, released);
	else
		printf("%s\n", err.message);
	ObjStoreClose(store);
	return ok && released == nparts ? 0 : 1;
}

int
main(int argc, char **argv)
{
	ObjStore   *store;
	ObjStoreError err;
	size_t		size;
	const char *key;
	int			attempts = 8;

	if (argc < 5 || argc > 7)
	{
		fprintf(stderr, "usage: objstore_io URL put|verify KEY SIZE [ATTEMPTS]\n"
				"       objstore_io URL stream|stream-sized|stream-missized KEY SIZE PART [ABORT_AFTER]\n");
		return 2;
	}
	key = argv[3];
	size = strtoull(argv[4], NULL, 10);
	if (argc == 6 && strncmp(argv[2], "stream", 6) != 0)
		attempts = atoi(argv[5]);
	store = ObjStoreOpen(argv[1], &err);
	if (store == NULL)
	{
		printf("%s\n", err.message);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ObjStoreSetRetry(store, attempts, 50, 500);
	if (ObjStoreIsS3(store))
		ObjStoreSetPartSize(store, OBJSTORE_MIN_PART_SIZE, &err);

	if (strcmp(argv[2], "put") == 0)
	{
		char	   *data = palloc(Max(size, 1));
		bool		ok;

		pattern(data, size, 0, key);
		ok = ObjStorePut(store, key, data, size, &err);
		printf("%s\n", ok ? "ok" : err.message);
		fflush(stdout);
		pfree(data);
		ObjStoreClose(store);
		return ok ? 0 : 1;
	}
	else if (strncmp(argv[2], "stream", 6) == 0)
	{
		uint64		announce = strcmp(argv[2], "stream-sized") == 0 ? size :
			strcmp(argv[2], "stream-missized") == 0 ? size + 1 : 0;

		return stream(store, key, size, announce, argc > 5 ? strtoull(argv[5], NULL, 10) : 0,
					  argc > 6 ? atoi(argv[6]) : -1);
	}
	else if (strcmp(argv[2], "verify") == 0)
	{
		size_t		chunk = 1024 * 1024;
		int			nchunks = (int) ((size + chunk - 1) / chunk);
		char	   *got = palloc(Max(size, 1));
		char	   *want = palloc(Max(size, 1));
		uint64		osize;
		int			started = 0;
		bool		ok = true;

		if (!ObjStoreHead(store, key, &osize, &err))
		{
			printf("%s\n", err.message);
			ok = false;
		}
		else if (osize != size)
		{
			printf("object is %llu bytes, expected %zu\n", (unsigned long long) osize, size);
			ok = false;
		}
		if (!ok)
			nchunks = 0;
		/* ranged gets, up to 4 in flight */
		while (started < nchunks || ObjStoreInFlight(store) > 0)
		{
			ObjStoreRequest *r;

			while (started < nchunks && ObjStoreInFlight(store) < 4)
			{
				size_t		off = (size_t) started * chunk;

				ObjStoreStartGet(store, key, off, Min(chunk, size - off), got + off, NULL);
				started++;
			}
			ObjStoreWait(store, 1000);
			while ((r = ObjStoreNextDone(store)) != NULL)
			{
				if (r->error.code != OBJSTORE_OK)
				{
					if (ok)
						printf("%s\n", r->error.message);
					ok = false;
				}
				ObjStoreRequestFree(r);
			}
		}
		pattern(want, size, 0, key);
		fflush(stdout);
		if (ok && memcmp(got, want, size) != 0)
		{
			printf("bytes differ\n");
			ok = false;
		}
		if (ok)
			printf("ok\n");
		pfree(got);
		pfree(want);
		ObjStoreClose(store);
		return ok ? 0 : 1;
	}
	fprintf(stderr, "objstore_io: unknown command \"%s\"\n", argv[2]);
	return 2;
}
