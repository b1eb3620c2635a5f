/*-------------------------------------------------------------------------
 *
 * s3check.c
 *	  s3check [--part-size=BYTES] [--attempts=N] URL
 *
 *	  Checks, against an S3-compatible service (or a file:// store), every
 *	  operation Strata's object-store layer needs, through that same layer,
 *	  and prints a pass/fail table, one row per operation.  URL is an
 *	  object_store value: s3://bucket/prefix?endpoint=...&region=...
 *	  &path_style=true, credentials in AWS_ACCESS_KEY_ID and
 *	  AWS_SECRET_ACCESS_KEY.  Everything is written under a fresh
 *	  "s3check-PID-TIME/" prefix and deleted at the end.
 *
 *	  Exit status: 0 if every row passed, 1 if any failed, 2 on bad usage
 *	  or a URL that cannot be opened at all.
 *
 * contrib/s3check/s3check.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <time.h>
#include <unistd.h>

#include "storage/objstore.h"
#include "utils/sanitizer.h"

static int	nfailed = 0;
static int	npassed = 0;
static struct timespec t0;

static void
start_clock(void)
{
	clock_gettime(CLOCK_MONOTONIC, &t0);
}

static double
elapsed_ms(void)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

static void
row(const char *op, int result, const char *fmt, ...) pg_attribute_printf(3, 4);

/* result: 1 pass, 0 fail, -1 skipped */
static void
row(const char *op, int result, const char *fmt, ...)
{
	va_list		ap;
	char		detail[700];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("%-28s %-5s %8.1f ms  %s\n", op, result > 0 ? "PASS" : result == 0 ? "FAIL" : "SKIP",
		   elapsed_ms(), detail);
	fflush(stdout);
	if (result == 0)
		nfailed++;
	else if (result > 0)
		npassed++;
}

/* Format into a static buffer (for row details). */
static const char *
fmt(const char *f, ...) pg_attribute_printf(1, 2);

static const char *
fmt(const char *f, ...)
{
	static char buf[512];
	va_list		ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

static void
fill(char *buf, size_t len, uint32 seed)
{
	uint32		x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++)
	{
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char) (x >> 24);
	}
}

/* The same URL with another bucket name (for the missing-bucket row). */
static char *
other_bucket_url(const char *url, const char *suffix)
{
	const char *b = url + 5;
	size_t		blen = strcspn(b, "/?");

	return psprintf("s3://%.*s%s%s", (int) blen, b, suffix, b + blen);
}

static void
usage(void)
{
	fprintf(stderr,
			"usage: s3check [--part-size=BYTES] [--attempts=N] URL\n"
			"  URL: s3://bucket/prefix?endpoint=http://host:port&region=us-east-1&path_style=true\n"
			"       (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or file:///abs/dir\n");
	exit(2);
}

/* What the checks share: the store, the keys under this run's prefix, data. */
typedef struct Check
{
	ObjStore   *store;
	const char *url;
	size_t		part_size;
	char		base[96];
	char	   *k_small;
	char	   *k_multi;
	char	   *k_missing;
	char	   *small;
	size_t		small_len;
	char	   *multi;
	size_t		multi_len;
	char	   *rbuf;			/* multi_len bytes to read into */
	char	   *par_keys[4];	/* keys of the parallel puts */
} Check;

/* put, head, get and range get of a small object. */
static void
check_small_object(Check *c)
{
	ObjStoreError err;
	uint64		size;
	size_t		nread;
	bool		ok;

	start_clock();
	ok = ObjStorePut(c->store, c->k_small, c->small, c->small_len, &err);
	row("put small", ok, "%s", ok ? "4096 bytes, key with a space" : err.message);

	start_clock();
	ok = ObjStoreHead(c->store, c->k_small, &size, &err);
	row("head", ok && size == c->small_len, "%s",
		ok ? fmt("size %llu (expected 4096)", (unsigned long long) size) : err.message);

	start_clock();
	ok = ObjStoreGet(c->store, c->k_small, 0, c->small_len, c->rbuf, &nread, &err);
	row("get", ok && nread == c->small_len && memcmp(c->rbuf, c->small, c->small_len) == 0,
		"%s", ok ? (nread == c->small_len && memcmp(c->rbuf, c->small, c->small_len) == 0 ?
					"4096 bytes, identical" : "bytes differ") : err.message);

	start_clock();
	ok = ObjStoreGet(c->store, c->k_small, 1000, 1000, c->rbuf, &nread, &err);
	if (ok)
		ok = nread == 1000 && memcmp(c->rbuf, c->small + 1000, 1000) == 0;
	if (ok)
	{
		/* a range running past the end gives the bytes up to the end */
		ok = ObjStoreGet(c->store, c->k_small, c->small_len - 100, 1000, c->rbuf, &nread, &err) &&
			nread == 100 && memcmp(c->rbuf, c->small + c->small_len - 100, 100) == 0;
	}
	row("range get", ok, "%s", ok ? "bytes 1000-1999 and a range past the end" :
		err.code != OBJSTORE_OK ? err.message : "wrong bytes");
}

/* An object of a few parts goes up as a multipart upload and reads back. */
static void
check_multipart(Check *c)
{
	ObjStoreError err = {0};
	ObjStoreRequest *req;
	ObjStoreRequest *r;
	int			requests;
	uint64		size;
	size_t		nread;
	bool		ok;

	start_clock();

	/*
	 * Asynchronously, to see how many HTTP requests the put made: a
	 * multipart upload of 3 parts takes at least 5 (create, 3 parts,
	 * complete), a single PUT one (the file back end: one).
	 */
	req = ObjStoreStartPut(c->store, c->k_multi, c->multi, c->multi_len, NULL);
	if (ObjStoreIsS3(c->store))
		ObjStoreWaitFor(c->store, req);
	while ((r = ObjStoreNextDone(c->store)) != NULL && r != req)
		ObjStoreRequestFree(r);
	ok = req->error.code == OBJSTORE_OK;
	err = req->error;
	requests = req->attempts;
	ObjStoreRequestFree(req);
	if (ok && ObjStoreIsS3(c->store) && requests < 5)
	{
		ok = false;
		snprintf(err.message, sizeof(err.message),
				 "the put took %d HTTP request(s): not a multipart upload", requests);
		err.code = OBJSTORE_PROTOCOL_ERROR;
	}
	if (ok)
	{
		ok = ObjStoreHead(c->store, c->k_multi, &size, &err) && size == c->multi_len;
		/* read across the part boundaries */
		if (ok)
			ok = ObjStoreGet(c->store, c->k_multi, 0, c->multi_len, c->rbuf, &nread, &err) &&
				nread == c->multi_len && memcmp(c->rbuf, c->multi, c->multi_len) == 0;
	}
	row("put multipart", ok, "%s", ok ?
		fmt("%zu bytes in %d parts of %zu (%d requests), read back identical", c->multi_len,
			ObjStoreIsS3(c->store) ? 3 : 1, c->part_size, requests) :
		err.code != OBJSTORE_OK ? err.message : "size or bytes differ");
}

/*
 * Wait for every request in flight; count those that succeeded (and, with
 * bufs, read back c->multi's 64 KiB piece number user_data).
 */
static int
wait_all(Check *c, char **bufs, ObjStoreError *err)
{
	int			good = 0;

	while (ObjStoreInFlight(c->store) > 0)
	{
		ObjStoreRequest *r;

		ObjStoreWait(c->store, 1000);
		while ((r = ObjStoreNextDone(c->store)) != NULL)
		{
			int			i = (int) (intptr_t) r->user_data;

			if (r->error.code != OBJSTORE_OK)
				snprintf(err->message, sizeof(err->message), "%s", r->error.message);
			else if (bufs == NULL ||
					 (r->nread == 65536 && memcmp(bufs[i], c->multi + i * 65536, 65536) == 0))
				good++;
			ObjStoreRequestFree(r);
		}
	}
	return good;
}

/* 4 puts, then 4 gets, in flight at once, with a synchronous call among them. */
static void
check_parallel(Check *c)
{
	ObjStoreError err = {0};
	char	   *bufs[4];
	int			good = 0;

	start_clock();
	for (int i = 0; i < 4; i++)
	{
		c->par_keys[i] = psprintf("%s/par/%d", c->base, i);
		(void) ObjStoreStartPut(c->store, c->par_keys[i], c->multi + i * 65536, 65536, NULL);
	}
	/* a synchronous call while those are in flight must not disturb them */
	if (ObjStoreProbe(c->store, &err))
		good++;
	good += wait_all(c, NULL, &err);
	for (int i = 0; i < 4; i++)
	{
		bufs[i] = palloc(65536);
		(void) ObjStoreStartGet(c->store, c->par_keys[i], 0, 65536, bufs[i], (void *) (intptr_t) i);
	}
	good += wait_all(c, bufs, &err);
	row("4 puts + 4 gets in flight", good == 9, "%d of 9 requests right (a sync list among them)%s%s",
		good, good == 9 ? "" : ": ", good == 9 ? "" : err.message);
	for (int i = 0; i < 4; i++)
		pfree(bufs[i]);
}

/* The 4 keys of check_parallel, listed 3 at a time: 2 pages. */
static void
check_list(Check *c)
{
	ObjStoreError err = {0};
	ObjStoreListing l;
	char	   *prefix = psprintf("%s/par/", c->base);
	char	   *token = NULL;
	int			seen = 0,
				pages = 0;
	bool		ok = true;

	start_clock();
	do
	{
		ok = ObjStoreList(c->store, prefix, token, 3, &l, &err);
		if (!ok)
			break;
		pages++;
		for (int i = 0; i < l.nentries; i++)
		{
			char	   *want = psprintf("%s%d", prefix, seen);

			if (strcmp(l.entries[i].key, want) != 0 || l.entries[i].size != 65536)
			{
				ok = false;
				snprintf(err.message, sizeof(err.message), "entry %d is \"%s\" (%llu bytes), expected \"%s\"",
						 seen, l.entries[i].key, (unsigned long long) l.entries[i].size, want);
			}
			pfree(want);
			seen++;
		}
		if (token)
			pfree(token);
		token = l.next_token ? pstrdup(l.next_token) : NULL;
		ObjStoreListingFree(&l);
	} while (ok && token);
	row("list (prefix, continuation)", ok && seen == 4 && pages == 2, "%s",
		ok && seen == 4 && pages == 2 ? "4 keys in 2 pages of at most 3" :
		ok ? fmt("%d keys in %d pages", seen, pages) : err.message);
	if (token)
		pfree(token);
	pfree(prefix);
}

/* The 4 keys of check_parallel and a missing one deleted in one batch. */
static void
check_batch_delete(Check *c)
{
	ObjStoreError err;
	const char *dk[5] = {c->par_keys[0], c->par_keys[1], c->par_keys[2], c->par_keys[3], c->k_missing};
	ObjStoreListing l;
	char	   *prefix = psprintf("%s/par/", c->base);
	bool		ok;

	start_clock();
	ok = ObjStoreDeleteBatch(c->store, dk, 5, &err);
	if (ok)
	{
		ok = ObjStoreList(c->store, prefix, NULL, 10, &l, &err);
		if (ok)
		{
			ok = l.nentries == 0;
			if (!ok)
				snprintf(err.message, sizeof(err.message), "%d keys still listed", l.nentries);
			ObjStoreListingFree(&l);
		}
	}
	row("batch delete", ok, "%s", ok ? "4 keys and a missing one; none listed after" : err.message);
	pfree(prefix);
	for (int i = 0; i < 4; i++)
		pfree(c->par_keys[i]);
}

/* Delete, then what a missing key and a range past the end give. */
static void
check_delete_and_missing(Check *c)
{
	ObjStoreError err;
	uint64		size;
	size_t		nread;
	bool		ok,
				g,
				h,
				d,
				r;

	start_clock();
	ok = ObjStoreDelete(c->store, c->k_small, &err);
	if (ok)
	{
		ok = !ObjStoreHead(c->store, c->k_small, &size, &err) && err.code == OBJSTORE_NOT_FOUND;
		if (!ok && err.code == OBJSTORE_OK)
			snprintf(err.message, sizeof(err.message), "object still there after delete");
	}
	row("delete", ok, "%s", ok ? "gone afterwards (head: not found)" : err.message);

	start_clock();
	g = !ObjStoreGet(c->store, c->k_missing, 0, 10, c->rbuf, &nread, &err) &&
		err.code == OBJSTORE_NOT_FOUND;
	h = !ObjStoreHead(c->store, c->k_missing, &size, &err) && err.code == OBJSTORE_NOT_FOUND;
	d = ObjStoreDelete(c->store, c->k_missing, &err);
	r = !ObjStoreGet(c->store, c->k_multi, c->multi_len + 10, 10, c->rbuf, &nread, &err) &&
		err.code == OBJSTORE_BAD_RANGE;
	row("missing key", g && h && d, "get %s, head %s, delete %s",
		g ? "not found" : "WRONG", h ? "not found" : "WRONG", d ? "succeeds" : "FAILS");
	row("range past the end", r, "%s", r ? "bad range" : err.message);
}

/* Wrong credentials and a missing bucket give errors that name the fix. */
static void
check_bad_access(Check *c)
{
	ObjStoreError err;
	ObjStore   *bad;
	char	   *burl;
	bool		ok;

	if (!ObjStoreIsS3(c->store))
	{
		start_clock();
		row("wrong credentials", -1, "file:// has no credentials");
		start_clock();
		burl = psprintf("%s/strata-missing-dir", c->url);
		bad = ObjStoreOpen(burl, &err);
		ok = bad == NULL && err.code == OBJSTORE_NO_BUCKET &&
			strstr(err.message, "object_store") != NULL;
		row("missing bucket", ok, "%s", err.message);
		ObjStoreClose(bad);
		pfree(burl);
		return;
	}

	start_clock();
	{
		char	   *saved = getenv("AWS_ACCESS_KEY_ID") ? pstrdup(getenv("AWS_ACCESS_KEY_ID")) : NULL;

		setenv("AWS_ACCESS_KEY_ID", "STRATAS3CHECKNOSUCHKEY", 1);
		bad = ObjStoreOpen(c->url, &err);
		if (saved)
		{
			setenv("AWS_ACCESS_KEY_ID", saved, 1);
			pfree(saved);
		}
	}
	ok = bad != NULL;
	if (bad)
	{
		ObjStoreSetRetry(bad, 2, 50, 200);
		ok = !ObjStorePut(bad, c->k_missing, c->small, 100, &err) &&
			err.code == OBJSTORE_ACCESS_DENIED && strstr(err.message, "AWS_ACCESS_KEY_ID") != NULL;
		ObjStoreClose(bad);
	}
	row("wrong credentials", ok, "%s", err.message);

	start_clock();
	burl = other_bucket_url(c->url, "-strata-missing");
	bad = ObjStoreOpen(burl, &err);
	ok = bad != NULL;
	if (bad)
	{
		ObjStoreSetRetry(bad, 2, 50, 200);
		ok = !ObjStoreProbe(bad, &err) && err.code == OBJSTORE_NO_BUCKET &&
			strstr(err.message, "-strata-missing") != NULL && strstr(err.message, "object_store") != NULL;
		ObjStoreClose(bad);
	}
	row("missing bucket", ok, "%s", err.message);
	pfree(burl);
}

int
main(int argc, char **argv)
{
	Check		c = {0};
	int			retries = 3;
	ObjStoreError err;
	bool		ok;

	c.part_size = OBJSTORE_MIN_PART_SIZE;
	for (int i = 1; i < argc; i++)
	{
		if (strncmp(argv[i], "--part-size=", 12) == 0)
			c.part_size = strtoull(argv[i] + 12, NULL, 10);
		else if (strncmp(argv[i], "--attempts=", 11) == 0)
			retries = atoi(argv[i] + 11);
		else if (argv[i][0] == '-')
			usage();
		else if (c.url == NULL)
			c.url = argv[i];
		else
			usage();
	}
	if (c.url == NULL || c.url[0] == '\0')
		usage();

	start_clock();
	c.store = ObjStoreOpen(c.url, &err);
	if (c.store == NULL)
	{
		fprintf(stderr, "s3check: %s\n", err.message);
		return 2;
	}
	printf("s3check: %s\n", ObjStoreDescribe(c.store));
	printf("%-28s %-5s %11s  %s\n", "operation", "result", "time", "detail");

	/*
	 * The multipart object below is only a few parts long, far under the
	 * default multipart threshold: lower the threshold to the part size so
	 * that it really goes up as a multipart upload.
	 */
	if (!ObjStoreSetPartSize(c.store, c.part_size, &err) ||
		!ObjStoreSetMultipartThreshold(c.store, c.part_size, &err))
	{
		fprintf(stderr, "s3check: %s\n", err.message);
		return 2;
	}
	/* fail fast in a checker: a few quick retries, not 25 s */
	ObjStoreSetRetry(c.store, retries, 50, 1000);

	snprintf(c.base, sizeof(c.base), "s3check-%d-%ld", (int) getpid(), (long) time(NULL));
	c.k_small = psprintf("%s/small object", c.base);	/* a space, on purpose */
	c.k_multi = psprintf("%s/multi/\xc3\xa9t\xc3\xa9.bin", c.base);	/* UTF-8 */
	c.k_missing = psprintf("%s/never-written", c.base);
	c.small_len = 4096;
	c.multi_len = 2 * c.part_size + c.part_size / 3;
	c.small = palloc(c.small_len);
	c.multi = palloc(c.multi_len);
	c.rbuf = palloc(c.multi_len);
	fill(c.small, c.small_len, 1);
	fill(c.multi, c.multi_len, 2);

	start_clock();
	ok = ObjStoreProbe(c.store, &err);
	row("probe (list 1 key)", ok, "%s", ok ? "bucket reachable, credentials accepted" : err.message);
	if (ok)
	{
		check_small_object(&c);
		check_multipart(&c);
		check_parallel(&c);
		check_list(&c);
		check_batch_delete(&c);
		check_delete_and_missing(&c);
		check_bad_access(&c);
	}

	/* clean up what we wrote */
	{
		const char *ck[2] = {c.k_small, c.k_multi};

		ObjStoreDeleteBatch(c.store, ck, 2, &err);
	}
	ObjStoreClose(c.store);
	pfree(c.k_small);
	pfree(c.k_multi);
	pfree(c.k_missing);
	pfree(c.small);
	pfree(c.multi);
	pfree(c.rbuf);
	printf("%d passed, %d failed\n", npassed, nfailed);
	return nfailed ? 1 : 0;
}
