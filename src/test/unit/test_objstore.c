/*
 * test_objstore.c
 *	  The object-store layer without a network: the file:// back end
 *	  (atomic puts, ranged gets, listing with prefixes and paging, deletes,
 *	  the asynchronous API), key validation, s3:// URL parsing and its
 *	  operator messages, request URLs for both addressing styles, and the
 *	  XML scanner used for S3's responses.
 */
#include "c.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "storage/objstore.h"
#include "storage/s3xml.h"
#include "utils/guc.h"

static char tmpdir[] = "/tmp/strata-test-objstore-XXXXXX";

static int
count_tmp_files(const char *dir)
{
	DIR		   *d = opendir(dir);
	struct dirent *de;
	int			n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL)
	{
		char	   *p;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, ".strata-tmp.", 12) == 0)
			n++;
		p = psprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			n += count_tmp_files(p);
		pfree(p);
	}
	closedir(d);
	return n;
}

static void
test_keys(void)
{
	char		why[256];
	char		longkey[1100];
	static const char *bad[] = {"", "/a", "a/", "a//b", "a/../b", "./a", "..", "a\nb", "a\x7f",
	"d/.strata-tmp.x"};

	ok(ObjStoreKeyIsValid("a", why, sizeof(why)), "plain key is valid");
	ok(ObjStoreKeyIsValid("dir/sub dir/\xc3\xa9t\xc3\xa9 & <x>.bin", why, sizeof(why)),
	   "key with '/', spaces, UTF-8 and XML specials is valid");
	ok(ObjStoreKeyIsValid("a..b/.hidden", why, sizeof(why)), "dots inside names are fine");
	for (size_t i = 0; i < lengthof(bad); i++)
		ok(!ObjStoreKeyIsValid(bad[i], why, sizeof(why)), "bad key %zu rejected: %s", i, why);
	memset(longkey, 'k', 1025);
	longkey[1025] = '\0';
	ok(!ObjStoreKeyIsValid(longkey, why, sizeof(why)) && strstr(why, "1025") != NULL,
	   "key of 1025 bytes rejected: %s", why);
	longkey[1024] = '\0';
	ok(ObjStoreKeyIsValid(longkey, why, sizeof(why)), "key of 1024 bytes accepted");
}

static void
test_file(void)
{
	ObjStoreError err;
	ObjStore   *st;
	char	   *url = psprintf("file://%s", tmpdir);
	char		buf[4096];
	char		data[3000];
	size_t		nread;
	uint64		size;
	ObjStoreListing l;

	for (int i = 0; i < 3000; i++)
		data[i] = (char) (i * 7);

	ok(ObjStoreOpen("file://relative/path", &err) == NULL && err.code == OBJSTORE_CONFIG_ERROR &&
	   strstr(err.message, "absolute path") != NULL, "relative file:// path rejected: %s", err.message);
	{
		char	   *m = psprintf("file://%s/missing", tmpdir);

		ok(ObjStoreOpen(m, &err) == NULL && err.code == OBJSTORE_NO_BUCKET &&
		   strstr(err.message, "object_store") != NULL, "missing directory names the setting: %s", err.message);
		pfree(m);
	}
	ok(ObjStoreOpen("gs://bucket", &err) == NULL && err.code == OBJSTORE_CONFIG_ERROR,
	   "unknown scheme rejected: %s", err.message);

	st = ObjStoreOpen(url, &err);
	ok(st != NULL, "file:// store opens");
	ok(!ObjStoreIsS3(st), "file:// is not S3");

	ok(ObjStorePut(st, "a/b/c.bin", data, sizeof(data), &err), "put nested key: %s", err.message);
	ok(ObjStoreHead(st, "a/b/c.bin", &size, &err) && size == sizeof(data), "head gives the size");
	ok(ObjStoreGet(st, "a/b/c.bin", 0, sizeof(buf), buf, &nread, &err) && nread == sizeof(data) &&
	   memcmp(buf, data, sizeof(data)) == 0, "get of the whole object (buffer larger than it)");
	ok(ObjStoreGet(st, "a/b/c.bin", 1000, 100, buf, &nread, &err) && nread == 100 &&
	   memcmp(buf, data + 1000, 100) == 0, "ranged get");
	ok(ObjStoreGet(st, "a/b/c.bin", 2990, 100, buf, &nread, &err) && nread == 10,
	   "ranged get past the end returns the tail");
	ok(!ObjStoreGet(st, "a/b/c.bin", 3000, 10, buf, &nread, &err) && err.code == OBJSTORE_BAD_RANGE,
	   "get starting at the end: bad range: %s", err.message);
	ok(!ObjStoreGet(st, "a/b/nope", 0, 10, buf, &nread, &err) && err.code == OBJSTORE_NOT_FOUND,
	   "get of a missing key: not found: %s", err.message);
	ok(!ObjStoreHead(st, "a/b", &size, &err) && err.code == OBJSTORE_NOT_FOUND,
	   "a directory is not an object");
	ok(!ObjStoreHead(st, "a/b/c.bin/x", &size, &err) && err.code == OBJSTORE_NOT_FOUND,
	   "a key below an object is not found");
	ok(!ObjStorePut(st, "a//b", data, 10, &err) && err.code == OBJSTORE_INVALID_ARGUMENT,
	   "put with a bad key: invalid argument: %s", err.message);
	ok(!ObjStorePut(st, "a/b/c.bin/under", data, 10, &err) && err.code == OBJSTORE_IO_ERROR,
	   "put below an existing object fails cleanly: %s", err.message);

	/* overwrite replaces whole */
	ok(ObjStorePut(st, "a/b/c.bin", "short", 5, &err) && ObjStoreHead(st, "a/b/c.bin", &size, &err) &&
	   size == 5, "overwrite replaces the object");
	ok(ObjStorePut(st, "empty", "", 0, &err) && ObjStoreHead(st, "empty", &size, &err) && size == 0,
	   "empty object");
	is_int(count_tmp_files(tmpdir), 0, "no temporary files left behind");

	/* listing */
	{
		static const char *keys[] = {"list/b", "list/a", "list/c/d", "list/c/e", "list/ca", "listing"};
		char	   *token = NULL;
		int			total = 0,
					pages = 0;
		bool		order = true;
		char		last[64] = "";

		for (size_t i = 0; i < lengthof(keys); i++)
			ObjStorePut(st, keys[i], keys[i], strlen(keys[i]), &err);
		/* the file back end cannot hold both "list/c" and "list/c/d" */
		ok(!ObjStorePut(st, "list/c", "x", 1, &err) && err.code == OBJSTORE_IO_ERROR,
		   "file://: a key naming a directory of other keys fails cleanly: %s", err.message);
		ok(ObjStoreList(st, "list/", NULL, 1000, &l, &err) && l.nentries == 5 && !l.truncated,
		   "list by directory prefix: 5 keys");
		is_str(l.nentries > 0 ? l.entries[0].key : NULL, "list/a", "first key in byte order");
		is_str(l.nentries > 2 ? l.entries[2].key : NULL, "list/c/d", "nested keys listed with their path");
		is_int(l.nentries > 0 ? l.entries[0].size : 0, 6, "sizes listed");
		ObjStoreListingFree(&l);
		ok(ObjStoreList(st, "list/c", NULL, 1000, &l, &err) && l.nentries == 3,
		   "prefix ending inside a name matches files and directories (list/c/*, list/ca)");
		ObjStoreListingFree(&l);
		ok(ObjStoreList(st, "list", NULL, 1000, &l, &err) && l.nentries == 6, "prefix \"list\" matches \"listing\" too");
		ObjStoreListingFree(&l);
		ok(ObjStoreList(st, "nothing/here/", NULL, 10, &l, &err) && l.nentries == 0 && !l.truncated,
		   "prefix with no directory: empty listing");
		ObjStoreListingFree(&l);
		do
		{
			if (!ObjStoreList(st, "list/", token, 4, &l, &err))
				break;
			pages++;
			for (int i = 0; i < l.nentries; i++)
			{
				if (strcmp(last, l.entries[i].key) >= 0)
					order = false;
				snprintf(last, sizeof(last), "%s", l.entries[i].key);
			}
			total += l.nentries;
			if (token)
				pfree(token);
			token = l.next_token ? pstrdup(l.next_token) : NULL;
			ObjStoreListingFree(&l);
		} while (token);
		ok(total == 5 && pages == 2 && order, "paging: 5 keys in 2 pages of 4, in order");
		ok(!ObjStoreList(st, "", NULL, 0, &l, &err) && err.code == OBJSTORE_INVALID_ARGUMENT,
		   "max_keys 0 refused");
	}

	/* deletes */
	{
		const char *dk[] = {"list/a", "list/b", "list/never"};

		ok(ObjStoreDeleteBatch(st, dk, 3, &err), "batch delete with a missing key succeeds");
		ok(!ObjStoreHead(st, "list/a", &size, &err) && !ObjStoreHead(st, "list/b", &size, &err),
		   "batch-deleted keys are gone");
		ok(ObjStoreDelete(st, "list/ca", &err) && ObjStoreDelete(st, "list/ca", &err),
		   "delete, twice: deleting a missing key succeeds");
		dk[0] = "bad//key";
		ok(!ObjStoreDeleteBatch(st, dk, 1, &err) && err.code == OBJSTORE_INVALID_ARGUMENT,
		   "batch delete with a bad key refused");
	}

	/* asynchronous API */
	{
		ObjStoreRequest *r1,
				   *r2,
				   *r3,
				   *d;
		char		b2[16];
		int			n = 0;

		r1 = ObjStoreStartPut(st, "async/1", "one", 3, (void *) 1);
		r2 = ObjStoreStartGet(st, "async/1", 0, sizeof(b2), b2, (void *) 2);
		r3 = ObjStoreStartHead(st, "async/missing", (void *) 3);
		is_int(ObjStoreInFlight(st), 3, "three requests outstanding");
		is_int(ObjStoreWait(st, 0), 3, "all three done (file:// works inside Start)");
		while ((d = ObjStoreNextDone(st)) != NULL)
		{
			n++;
			if (d == r1)
				ok(d->user_data == (void *) 1 && d->error.code == OBJSTORE_OK && d->size == 3, "async put done");
			else if (d == r2)
				ok(d->error.code == OBJSTORE_OK && d->nread == 3 && memcmp(b2, "one", 3) == 0, "async get done");
			else if (d == r3)
				ok(d->error.code == OBJSTORE_NOT_FOUND, "async head of a missing key: not found");
			ObjStoreRequestFree(d);
		}
		is_int(n, 3, "three requests collected in order");
		is_int(ObjStoreInFlight(st), 0, "nothing outstanding");
	}
	ObjStoreClose(st);

	/* the embedded default: DATADIR/objects */
	DataDir = NULL;
	ok(ObjStoreOpen("", &err) == NULL && err.code == OBJSTORE_CONFIG_ERROR, "empty URL without a data directory refused");
	DataDir = tmpdir;
	st = ObjStoreOpen("", &err);
	ok(st != NULL && strstr(ObjStoreDescribe(st), "/objects") != NULL, "empty URL means DATADIR/objects: %s",
	   st ? ObjStoreDescribe(st) : err.message);
	if (st)
		ObjStoreClose(st);
	DataDir = NULL;
	pfree(url);
}

static void
test_s3_urls(void)
{
	ObjStoreError err;
	ObjStore   *st;
	char	   *u = NULL;
	char	   *a;

	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	ok(ObjStoreOpen("s3://bucket/p?endpoint=http://127.0.0.1:9&path_style=true", &err) == NULL &&
	   err.code == OBJSTORE_CONFIG_ERROR && strstr(err.message, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
	   "no credentials: %s", err.message);
	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
	ok(ObjStoreOpen("s3:///p", &err) == NULL && strstr(err.message, "names no bucket"), "no bucket: %s", err.message);
	ok(ObjStoreOpen("s3://Bad_Bucket!", &err) == NULL && strstr(err.message, "may contain only"),
	   "bad bucket name: %s", err.message);
	ok(ObjStoreOpen("s3://b?endpoint=ftp://x", &err) == NULL && strstr(err.message, "http:// or https://"),
	   "bad endpoint scheme: %s", err.message);
	ok(ObjStoreOpen("s3://b?endpoint=http://x/path", &err) == NULL && strstr(err.message, "no path"),
	   "endpoint with a path: %s", err.message);
	ok(ObjStoreOpen("s3://b?colour=blue", &err) == NULL && strstr(err.message, "bad parameter \"colour=blue\""),
	   "unknown parameter named: %s", err.message);
	ok(ObjStoreOpen("s3://b?path_style=maybe", &err) == NULL, "bad boolean refused");
	ok(ObjStoreOpen("s3://b?part_size=4MB", &err) == NULL && strstr(err.message, "part_size must be at least 5MB"),
	   "part size below 5 MiB refused: %s", err.message);
	ok(ObjStoreOpen("s3://b?multipart_threshold=4MB", &err) == NULL && err.code == OBJSTORE_CONFIG_ERROR &&
	   strstr(err.message, "bad parameter \"multipart_threshold=4MB\": multipart_threshold must be at least 5MB"),
	   "multipart threshold below 5 MiB refused, naming the parameter: %s", err.message);
	ok(ObjStoreOpen("s3://b?multipart_threshold=6GB", &err) == NULL &&
	   strstr(err.message, "at most 5GB"), "multipart threshold above S3's largest PUT refused: %s", err.message);
	ok(ObjStoreOpen("s3://b?multipart_threshold=lots", &err) == NULL &&
	   strstr(err.message, "bad parameter \"multipart_threshold=lots\""), "multipart threshold not a size: %s", err.message);
	st = ObjStoreOpen("s3://b", &err);
	ok(st != NULL, "bare bucket opens");
	if (st)
	{
		is_int(ObjStoreGetMultipartThreshold(st), 100 * 1024 * 1024, "multipart_threshold defaults to 100MB");
		is_int(ObjStoreGetPartSize(st), 16 * 1024 * 1024, "part_size defaults to 16MB");
		ok(!ObjStoreSetMultipartThreshold(st, 4 * 1024 * 1024, &err) && err.code == OBJSTORE_INVALID_ARGUMENT,
		   "ObjStoreSetMultipartThreshold refuses 4 MiB: %s", err.message);
		ok(ObjStoreSetMultipartThreshold(st, 5 * 1024 * 1024, &err) &&
		   ObjStoreGetMultipartThreshold(st) == 5 * 1024 * 1024, "ObjStoreSetMultipartThreshold takes 5 MiB");
		ObjStoreClose(st);
	}
	st = ObjStoreOpen("s3://b?multipart_threshold=5MB&part_size=5MB", &err);
	ok(st != NULL, "multipart_threshold=5MB opens: %s", st ? "" : err.message);
	if (st)
	{
		is_int(ObjStoreGetMultipartThreshold(st), 5 * 1024 * 1024, "multipart_threshold=5MB");
		ObjStoreClose(st);
	}
	st = ObjStoreOpen("s3://b?multipart_threshold=1GB", &err);
	if (st)
	{
		is_int(ObjStoreGetMultipartThreshold(st), 1024 * 1024 * 1024, "multipart_threshold=1GB");
		ObjStoreClose(st);
	}
	else
		ok(false, "multipart_threshold=1GB opens: %s", err.message);

	st = ObjStoreOpen("s3://bkt/some/prefix/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1&path_style=true&part_size=8MB", &err);
	ok(st != NULL && ObjStoreIsS3(st), "path-style URL with an encoded endpoint opens: %s", st ? "" : err.message);
	if (st)
	{
		is_int(ObjStoreGetPartSize(st), 8 * 1024 * 1024, "part_size=8MB");
		a = ObjStoreS3DebugSign(st, "GET", "k/\xc3\xa9 x", "list-type=2&prefix=a b", NULL, 0, NULL,
								"20260101T000000Z", &u);
		is_str(u, "http://127.0.0.1:9000/bkt/some/prefix/k/%C3%A9%20x?list-type=2&prefix=a%20b",
			   "path-style URL: bucket in the path, prefix once, key encoded");
		ok(strstr(a, "Credential=AK/20260101/eu-west-1/s3/aws4_request") != NULL, "credential scope has the region");
		pfree(a);
		pfree(u);
		a = ObjStoreS3DebugSign(st, "POST", NULL, "delete", "x", 1, NULL, "20260101T000000Z", &u);
		is_str(u, "http://127.0.0.1:9000/bkt?delete", "bucket-level request, empty-valued parameter sent bare");
		ok(strstr(a, "content-md5;host") != NULL, "DeleteObjects signs Content-MD5");
		pfree(a);
		pfree(u);
		ObjStoreClose(st);
	}
	st = ObjStoreOpen("s3://bkt", &err);
	ok(st != NULL, "bare bucket URL opens (AWS endpoint, virtual-host style)");
	if (st)
	{
		a = ObjStoreS3DebugSign(st, "GET", "k", NULL, NULL, 0, "bytes=0-9", "20260101T000000Z", &u);
		is_str(u, "https://bkt.s3.us-east-1.amazonaws.com/k", "virtual-host URL on AWS's regional endpoint");
		ok(strstr(a, "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,") != NULL,
		   "signed headers: host, range, x-amz-content-sha256, x-amz-date");
		pfree(a);
		pfree(u);
		ObjStoreClose(st);
	}
}

static void
test_xml(void)
{
	const char *doc =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Name>b</Name><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>"
		"<Contents><Key>a &amp; b &lt;c&gt; &#233;&#x1F600;</Key><Size>10</Size></Contents>"
		"<Contents ><Key>x</Key><Size>20</Size><Owner/></Contents>"
		"<NextContinuationToken>tok+/=</NextContinuationToken >"
		"</ListBucketResult>";
	size_t		len = strlen(doc);
	size_t		pos = 0;
	const char *c;
	size_t		clen;
	char	   *s;
	int			n = 0;

	while (S3XmlNext(doc, len, &pos, "Contents", &c, &clen))
	{
		s = S3XmlGet(c, clen, "Key");
		if (n == 0)
			is_str(s, "a & b <c> \xc3\xa9\xf0\x9f\x98\x80", "entities decoded, numeric ones to UTF-8");
		else
			is_str(s, "x", "second Contents (tag with a space before '>')");
		pfree(s);
		n++;
	}
	is_int(n, 2, "two Contents elements");
	s = S3XmlGet(doc, len, "Key");
	is_str(s, "a & b <c> \xc3\xa9\xf0\x9f\x98\x80", "<Key> is not confused with <KeyCount>");
	pfree(s);
	s = S3XmlGet(doc, len, "NextContinuationToken");
	is_str(s, "tok+/=", "closing tag with a space");
	pfree(s);
	s = S3XmlGet(doc, len, "Owner");
	is_str(s, "", "self-closing element is empty");
	pfree(s);
	ok(S3XmlGet(doc, len, "Missing") == NULL, "absent element: NULL");
	ok(S3XmlGet("<Key>abc", 8, "Key") == NULL, "unclosed element: NULL");
	ok(S3XmlGet("<Key>abc</Ke", 12, "Key") == NULL, "truncated closing tag: NULL");
	ok(S3XmlGet("<Key", 4, "Key") == NULL, "truncated opening tag: NULL");
	ok(S3XmlDecode("a &bogus; b", 11) == NULL, "unknown entity refused");
	ok(S3XmlDecode("a &amp b", 8) == NULL, "unterminated entity refused");
	ok(S3XmlDecode("&#x110000;", 10) == NULL, "code point beyond Unicode refused");
	ok(S3XmlDecode("&#0;", 4) == NULL, "NUL character reference refused");
	s = S3XmlEscape("a&b<c>\"d'");
	is_str(s, "a&amp;b&lt;c&gt;&quot;d&apos;", "escape for XML text");
	pfree(s);
	/*
	 * Damaged documents: every truncation and random byte changes, each in
	 * an exactly-sized copy (so the sanitizer build sees any read past the
	 * end).  Nothing may crash; results are whatever the bytes say.
	 */
	{
		int			scanned = 0;
		uint32		r = 99;

		for (size_t cut = 0; cut <= len; cut++)
		{
			char	   *copy = palloc(cut + 1);
			size_t		p2 = 0;

			memcpy(copy, doc, cut);
			while (S3XmlNext(copy, cut, &p2, "Contents", &c, &clen))
			{
				char	   *k = S3XmlGet(c, clen, "Key");

				if (k)
					pfree(k);
				scanned++;
			}
			pfree(copy);
		}
		for (int t = 0; t < 3000; t++)
		{
			char	   *copy = palloc(len);
			size_t		p2 = 0;

			memcpy(copy, doc, len);
			for (int m = 0; m < 3; m++)
			{
				r = r * 1103515245 + 12345;
				copy[(r >> 8) % len] = "<>/&;#x"[(r >> 20) % 7];
			}
			while (S3XmlNext(copy, len, &p2, "Contents", &c, &clen))
			{
				char	   *k = S3XmlGet(c, clen, "Key");

				if (k)
					pfree(k);
			}
			{
				char	   *k = S3XmlGet(copy, len, "NextContinuationToken");

				if (k)
					pfree(k);
			}
			pfree(copy);
		}
		ok(scanned > 0, "truncated and mutated documents scanned without harm (%d elements seen)", scanned);
	}

	/* the span's length bounds the search even without a terminator */
	{
		char		raw[] = {'<', 'C', 'o', 'd', 'e', '>', 'X', '<', '/', 'C', 'o', 'd', 'e', '>'};

		s = S3XmlGet(raw, sizeof(raw), "Code");
		is_str(s, "X", "unterminated buffer scanned within its length");
		pfree(s);
		ok(S3XmlGet(raw, sizeof(raw) - 1, "Code") == NULL, "one byte short: not closed");
	}
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
	{
		perror("mkdtemp");
		return 1;
	}
	test_keys();
	test_file();
	test_s3_urls();
	test_xml();
	{
		char	   *cmd = psprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
		pfree(cmd);
	}
	return done_testing();
}
