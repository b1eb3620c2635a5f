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

int
main(int argc, char **argv)
{
	const char *url = NULL;
	size_t		part_size = OBJSTORE_MIN_PART_SIZE;
	int			retries = 3;
	ObjStore   *store;
	ObjStoreError err;
	char		base[96];
	char	   *k_small,
			   *k_multi,
			   *k_missing;
	size_t		small_len = 4096;
	size_t		multi_len;
	char	   *small,
			   *multi,
			   *rbuf;
	size_t		nread;
	uint64		size;
	int			multi_requests = 0;
	bool		ok;

	for (int i = 1; i < argc; i++)
	{
		if (strncmp(argv[i], "--part-size=", 12) == 0)
			part_size = strtoull(argv[i] + 12, NULL, 10);
		else if (strncmp(argv[i], "--attempts=", 11) == 0)
			retries = atoi(argv[i] + 11);
		else if (argv[i][0] == '-')
			usage();
		else if (url == NULL)
			url = argv[i];
		else
			usage();
	}
	if (url == NULL || url[0] == '\0')
		usage();

	start_clock();
	store = ObjStoreOpen(url, &err);
	if (store == NULL)
	{
		fprintf(stderr, "s3check: %s\n", err.message);
		return 2;
	}
	printf("s3check: %s\n", ObjStoreDescribe(store));
	printf("%-28s %-5s %11s  %s\n", "operation", "result", "time", "detail");
	/*
	 * The multipart object below is only a few parts long, far under the
	 * default multipart threshold: lower the threshold to the part size so
	 * that it really goes up as a multipart upload.
	 */
	if (!ObjStoreSetPartSize(store, part_size, &err) ||
		!ObjStoreSetMultipartThreshold(store, part_size, &err))
	{
		fprintf(stderr, "s3check: %s\n", err.message);
		return 2;
	}
	/* fail fast in a checker: a few quick retries, not 25 s */
	ObjStoreSetRetry(store, retries, 50, 1000);

	snprintf(base, sizeof(base), "s3check-%d-%ld", (int) getpid(), (long) time(NULL));
	k_small = psprintf("%s/small object", base);	/* a space, on purpose */
	k_multi = psprintf("%s/multi/\xc3\xa9t\xc3\xa9.bin", base);	/* UTF-8 */
	k_missing = psprintf("%s/never-written", base);
	multi_len = 2 * part_size + part_size / 3;
	small = palloc(small_len);
	multi = palloc(multi_len);
	rbuf = palloc(multi_len);
	fill(small, small_len, 1);
	fill(multi, multi_len, 2);

	start_clock();
	ok = ObjStoreProbe(store, &err);
	row("probe (list 1 key)", ok, "%s", ok ? "bucket reachable, credentials accepted" : err.message);
	if (!ok)
		goto done;

	start_clock();
	ok = ObjStorePut(store, k_small, small, small_len, &err);
	row("put small", ok, "%s", ok ? "4096 bytes, key with a space" : err.message);

	start_clock();
	ok = ObjStoreHead(store, k_small, &size, &err);
	row("head", ok && size == small_len, "%s",
		ok ? fmt("size %llu (expected 4096)", (unsigned long long) size) : err.message);

	start_clock();
	ok = ObjStoreGet(store, k_small, 0, small_len, rbuf, &nread, &err);
	row("get", ok && nread == small_len && memcmp(rbuf, small, small_len) == 0,
		"%s", ok ? (nread == small_len && memcmp(rbuf, small, small_len) == 0 ?
					"4096 bytes, identical" : "bytes differ") : err.message);

	start_clock();
	ok = ObjStoreGet(store, k_small, 1000, 1000, rbuf, &nread, &err);
	if (ok)
		ok = nread == 1000 && memcmp(rbuf, small + 1000, 1000) == 0;
	if (ok)
	{
		/* a range running past the end gives the bytes up to the end */
		ok = ObjStoreGet(store, k_small, small_len - 100, 1000, rbuf, &nread, &err) &&
			nread == 100 && memcmp(rbuf, small + small_len - 100, 100) == 0;
	}
	row("range get", ok, "%s", ok ? "bytes 1000-1999 and a range past the end" :
		err.code != OBJSTORE_OK ? err.message : "wrong bytes");

	start_clock();
	err.code = OBJSTORE_OK;
	{
		/*
		 * Asynchronously, to see how many HTTP requests the put made: a
		 * multipart upload of 3 parts takes at least 5 (create, 3 parts,
		 * complete), a single PUT one (the file back end: one).
		 */
		ObjStoreRequest *req = ObjStoreStartPut(store, k_multi, multi, multi_len, NULL);
		ObjStoreRequest *r;

		if (ObjStoreIsS3(store))
			ObjStoreWaitFor(store, req);
		while ((r = ObjStoreNextDone(store)) != NULL && r != req)
			ObjStoreRequestFree(r);
		ok = req->error.code == OBJSTORE_OK;
		err = req->error;
		multi_requests = req->attempts;
		ObjStoreRequestFree(req);
	}
	if (ok && ObjStoreIsS3(store) && multi_requests < 5)
	{
		ok = false;
		snprintf(err.message, sizeof(err.message),
				 "the put took %d HTTP request(s): not a multipart upload", multi_requests);
		err.code = OBJSTORE_PROTOCOL_ERROR;
	}
	if (ok)
	{
		ok = ObjStoreHead(store, k_multi, &size, &err) && size == multi_len;
		/* read across the part boundaries */
		if (ok)
			ok = ObjStoreGet(store, k_multi, 0, multi_len, rbuf, &nread, &err) &&
				nread == multi_len && memcmp(rbuf, multi, multi_len) == 0;
	}
	row("put multipart", ok, "%s", ok ?
		fmt("%zu bytes in %d parts of %zu (%d requests), read back identical", multi_len,
			ObjStoreIsS3(store) ? 3 : 1, part_size, multi_requests) :
		err.code != OBJSTORE_OK ? err.message : "size or bytes differ");

	start_clock();
	{
		char	   *keys[4];
		char	   *bufs[4];
		int			good = 0;

		for (int i = 0; i < 4; i++)
		{
			keys[i] = psprintf("%s/par/%d", base, i);
			(void) ObjStoreStartPut(store, keys[i], multi + i * 65536, 65536, NULL);
		}
		/* a synchronous call while those are in flight must not disturb them */
		if (ObjStoreProbe(store, &err))
			good++;
		while (ObjStoreInFlight(store) > 0)
		{
			ObjStoreRequest *r;

			ObjStoreWait(store, 1000);
			while ((r = ObjStoreNextDone(store)) != NULL)
			{
				if (r->error.code == OBJSTORE_OK)
					good++;
				else
					snprintf(err.message, sizeof(err.message), "%s", r->error.message);
				ObjStoreRequestFree(r);
			}
		}
		for (int i = 0; i < 4; i++)
		{
			bufs[i] = palloc(65536);
			(void) ObjStoreStartGet(store, keys[i], 0, 65536, bufs[i], (void *) (intptr_t) i);
		}
		while (ObjStoreInFlight(store) > 0)
		{
			ObjStoreRequest *r;

			ObjStoreWait(store, 1000);
			while ((r = ObjStoreNextDone(store)) != NULL)
			{
				int			i = (int) (intptr_t) r->user_data;

				if (r->error.code == OBJSTORE_OK && r->nread == 65536 &&
					memcmp(bufs[i], multi + i * 65536, 65536) == 0)
					good++;
				else if (r->error.code != OBJSTORE_OK)
					snprintf(err.message, sizeof(err.message), "%s", r->error.message);
				ObjStoreRequestFree(r);
			}
		}
		row("4 puts + 4 gets in flight", good == 9, "%d of 9 requests right (a sync list among them)%s%s",
			good, good == 9 ? "" : ": ", good == 9 ? "" : err.message);
		for (int i = 0; i < 4; i++)
			pfree(bufs[i]);
#define FREE_KEYS() do { for (int i = 0; i < 4; i++) pfree(keys[i]); } while (0)
		/* list: 4 keys under par/, paged 3 at a time */
		start_clock();
		{
			ObjStoreListing l;
			char	   *prefix = psprintf("%s/par/", base);
			char	   *token = NULL;
			int			seen = 0,
						pages = 0;
			bool		lok = true;

			do
			{
				lok = ObjStoreList(store, prefix, token, 3, &l, &err);
				if (!lok)
					break;
				pages++;
				for (int i = 0; i < l.nentries; i++)
				{
					char	   *want = psprintf("%s%d", prefix, seen);

					if (strcmp(l.entries[i].key, want) != 0 || l.entries[i].size != 65536)
					{
						lok = false;
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
			} while (lok && token);
			ok = lok && seen == 4 && pages == 2;
			row("list (prefix, continuation)", ok, "%s",
				ok ? "4 keys in 2 pages of at most 3" : lok ? fmt("%d keys in %d pages", seen, pages) : err.message);
			if (token)
				pfree(token);
			pfree(prefix);
		}

		start_clock();
		{
			const char *dk[5] = {keys[0], keys[1], keys[2], keys[3], k_missing};
			ObjStoreListing l;
			char	   *prefix = psprintf("%s/par/", base);

			ok = ObjStoreDeleteBatch(store, dk, 5, &err);
			if (ok)
			{
				ok = ObjStoreList(store, prefix, NULL, 10, &l, &err);
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
			FREE_KEYS();
		}
	}

	start_clock();
	ok = ObjStoreDelete(store, k_small, &err);
	if (ok)
	{
		ok = !ObjStoreHead(store, k_small, &size, &err) && err.code == OBJSTORE_NOT_FOUND;
		if (!ok && err.code == OBJSTORE_OK)
			snprintf(err.message, sizeof(err.message), "object still there after delete");
	}
	row("delete", ok, "%s", ok ? "gone afterwards (head: not found)" : err.message);

	start_clock();
	{
		bool		g = !ObjStoreGet(store, k_missing, 0, 10, rbuf, &nread, &err) &&
			err.code == OBJSTORE_NOT_FOUND;
		bool		h = !ObjStoreHead(store, k_missing, &size, &err) && err.code == OBJSTORE_NOT_FOUND;
		bool		d = ObjStoreDelete(store, k_missing, &err);
		bool		r = !ObjStoreGet(store, k_multi, multi_len + 10, 10, rbuf, &nread, &err) &&
			err.code == OBJSTORE_BAD_RANGE;

		row("missing key", g && h && d, "get %s, head %s, delete %s",
			g ? "not found" : "WRONG", h ? "not found" : "WRONG", d ? "succeeds" : "FAILS");
		row("range past the end", r, "%s", r ? "bad range" : err.message);
	}

	if (ObjStoreIsS3(store))
	{
		char	   *saved = getenv("AWS_ACCESS_KEY_ID") ? pstrdup(getenv("AWS_ACCESS_KEY_ID")) : NULL;
		ObjStore   *bad;
		char	   *burl;

		start_clock();
		setenv("AWS_ACCESS_KEY_ID", "STRATAS3CHECKNOSUCHKEY", 1);
		bad = ObjStoreOpen(url, &err);
		if (saved)
			setenv("AWS_ACCESS_KEY_ID", saved, 1);
		ok = bad != NULL;
		if (bad)
		{
			ObjStoreSetRetry(bad, 2, 50, 200);
			ok = !ObjStorePut(bad, k_missing, small, 100, &err) &&
				err.code == OBJSTORE_ACCESS_DENIED && strstr(err.message, "AWS_ACCESS_KEY_ID") != NULL;
			ObjStoreClose(bad);
		}
		row("wrong credentials", ok, "%s", err.message);

		start_clock();
		burl = other_bucket_url(url, "-strata-missing");
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
		if (saved)
			pfree(saved);
	}
	else
	{
		char	   *burl = psprintf("%s/strata-missing-dir", url);

		start_clock();
		row("wrong credentials", -1, "file:// has no credentials");
		start_clock();
		ObjStore   *bad = ObjStoreOpen(burl, &err);

		ok = bad == NULL && err.code == OBJSTORE_NO_BUCKET &&
			strstr(err.message, "object_store") != NULL;
		row("missing bucket", ok, "%s", err.message);
		ObjStoreClose(bad);
		pfree(burl);
	}

done:
	/* clean up what we wrote */
	{
		const char *ck[2] = {k_small, k_multi};

		ObjStoreDeleteBatch(store, ck, 2, &err);
	}
	ObjStoreClose(store);
	pfree(k_small);
	pfree(k_multi);
	pfree(k_missing);
	pfree(small);
	pfree(multi);
	pfree(rbuf);
	printf("%d passed, %d failed\n", npassed, nfailed);
	return nfailed ? 1 : 0;
}
