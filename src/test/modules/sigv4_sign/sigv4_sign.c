/*-------------------------------------------------------------------------
 *
 * sigv4_sign.c
 *	  sigv4_sign URL METHOD KEY QUERY BODYFILE RANGE AMZDATE
 *
 *	  Prints the URL and the Authorization header that an s3:// object store
 *	  opened from URL would send for one request signed at AMZDATE
 *	  (YYYYMMDDTHHMMSSZ), one per line.  KEY, QUERY ("name=value&...",
 *	  raw), BODYFILE and RANGE may be "-" for none.  The TAP test
 *	  src/test/objstore/t/002_sigv4_botocore.pl compares the header with
 *	  botocore's for the same request.  Credentials come from the usual
 *	  environment variables.
 *
 * src/test/modules/sigv4_sign/sigv4_sign.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/objstore.h"
#include "utils/sanitizer.h"

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		fprintf(stderr, "sigv4_sign: cannot read \"%s\"\n", path);
		exit(2);
	}
	buf = palloc(n + 1);
	if (n > 0 && fread(buf, 1, n, f) != (size_t) n)
	{
		fprintf(stderr, "sigv4_sign: short read of \"%s\"\n", path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return buf;
}

#define ARG(i) (strcmp(argv[i], "-") == 0 ? NULL : argv[i])

int
main(int argc, char **argv)
{
	ObjStore   *store;
	ObjStoreError err;
	char	   *body = NULL;
	size_t		body_len = 0;
	char	   *url;
	char	   *auth;

	if (argc != 8)
	{
		fprintf(stderr, "usage: sigv4_sign URL METHOD KEY QUERY BODYFILE RANGE AMZDATE\n");
		return 2;
	}
	store = ObjStoreOpen(argv[1], &err);
	if (store == NULL)
	{
		fprintf(stderr, "sigv4_sign: %s\n", err.message);
		return 2;
	}
	if (ARG(5))
		body = read_file(argv[5], &body_len);
	auth = ObjStoreS3DebugSign(store, argv[2], ARG(3), ARG(4), body, body_len, ARG(6),
							   argv[7], &url);
	if (auth == NULL)
	{
		fprintf(stderr, "sigv4_sign: not an s3:// store\n");
		return 2;
	}
	printf("%s\n%s\n", url, auth);
	pfree(url);
	pfree(auth);
	if (body)
		pfree(body);
	ObjStoreClose(store);
	return 0;
}
