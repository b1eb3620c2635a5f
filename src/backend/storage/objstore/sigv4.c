/*-------------------------------------------------------------------------
 *
 * sigv4.c
 *	  AWS Signature Version 4, as documented in AWS's "Authenticating
 *	  Requests (AWS Signature Version 4)" for S3:
 *
 *	  CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
 *	                     CanonicalHeaders \n SignedHeaders \n PayloadHash
 *	  StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Scope \n
 *	                     hex(SHA256(CanonicalRequest))
 *	  Scope            = Date/Region/Service/aws4_request
 *	  SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4"+Secret, Date), Region),
 *	                          Service), "aws4_request")
 *	  Signature        = hex(HMAC(SigningKey, StringToSign))
 *
 *	  S3 differs from other services in that the path is encoded once and
 *	  not normalised, which is what Strata needs: keys are taken literally.
 *	  Tested against AWS's published test-suite vectors (test_sigv4.c) and
 *	  against botocore (src/test/objstore).
 *
 * src/backend/storage/objstore/sigv4.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "storage/sigv4.h"

static void
buf_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap)
	{
		size_t		ncap = Max(*cap * 2, *len + n + 64);

		*buf = repalloc(*buf, ncap);
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void
buf_appends(char **buf, size_t *len, size_t *cap, const char *s)
{
	buf_append(buf, len, cap, s, strlen(s));
}

void
SigV4UriEncode(const char *src, bool keep_slash, char **buf, size_t *len, size_t *cap)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *) src; *p; p++)
	{
		unsigned char c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && keep_slash))
			buf_append(buf, len, cap, (const char *) p, 1);
		else
		{
			char		e[3] = {'%', hex[c >> 4], hex[c & 15]};

			buf_append(buf, len, cap, e, 3);
		}
	}
}

char *
SigV4Encode(const char *src, bool keep_slash)
{
	size_t		len = 0,
				cap = strlen(src) * 3 + 1;
	char	   *buf = palloc(cap);

	buf[0] = '\0';
	SigV4UriEncode(src, keep_slash, &buf, &len, &cap);
	return buf;
}

static void
to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
	{
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void
SigV4Sha256Hex(const void *data, size_t len, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256(data, len, d);
	to_hex(d, sizeof(d), out);
}

void
SigV4Md5Base64(const void *data, size_t len, char out[25])
{
	unsigned char d[16];
	unsigned int dlen = 0;

	EVP_Digest(data, len, d, &dlen, EVP_md5(), NULL);
	EVP_EncodeBlock((unsigned char *) out, d, 16);
}

void
SigV4FormatDate(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static void
hmac(const void *key, size_t keylen, const char *msg, unsigned char out[32])
{
	unsigned int olen = 32;
	unsigned char tmp[32];

	/* through tmp: callers pass the same buffer as key and output */
	HMAC(EVP_sha256(), key, (int) keylen, (const unsigned char *) msg, strlen(msg), tmp, &olen);
	memcpy(out, tmp, 32);
}

typedef struct EncPair
{
	char	   *name;
	char	   *value;
} EncPair;

static int
encpair_cmp(const void *a, const void *b)
{
	const EncPair *x = a,
			   *y = b;
	int			c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

typedef struct CanonHeader
{
	char	   *name;			/* lower-cased */
	char	   *value;			/* trimmed, spaces collapsed */
	int			order;			/* input position, for a stable sort */
} CanonHeader;

static int
canonheader_cmp(const void *a, const void *b)
{
	const CanonHeader *x = a,
			   *y = b;
	int			c = strcmp(x->name, y->name);

	return c ? c : x->order - y->order;
}

static char *
trim_collapse(const char *v)
{
	char	   *out = palloc(strlen(v) + 1);
	char	   *o = out;
	bool		space = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++)
	{
		if (*v == ' ' || *v == '\t')
		{
			space = true;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = false;
		*o++ = *v;
	}
	*o = '\0';
	return out;
}

char *
SigV4Sign(const SigV4Request *req, char **creq_out, char **sts_out)
{
	char	   *creq = palloc(256);
	size_t		clen = 0,
				ccap = 256;
	char	   *signed_headers = palloc(64);
	size_t		slen = 0,
				scap = 64;
	EncPair    *q = palloc(sizeof(EncPair) * Max(req->nquery, 1));
	CanonHeader *h = palloc(sizeof(CanonHeader) * Max(req->nheaders, 1));
	char		date[9];
	char		scope[256];
	char		creq_hash[65];
	char	   *sts;
	unsigned char k[32];
	unsigned char sig[32];
	char		sighex[65];
	char	   *secret_key;
	char	   *auth;

	creq[0] = '\0';
	signed_headers[0] = '\0';

	/* method and path */
	buf_appends(&creq, &clen, &ccap, req->method);
	buf_appends(&creq, &clen, &ccap, "\n");
	SigV4UriEncode(req->path, true, &creq, &clen, &ccap);
	buf_appends(&creq, &clen, &ccap, "\n");

	/* query: encode, then sort by name, then value */
	for (int i = 0; i < req->nquery; i++)
	{
		q[i].name = SigV4Encode(req->query[i].name, false);
		q[i].value = SigV4Encode(req->query[i].value ? req->query[i].value : "", false);
	}
	qsort(q, req->nquery, sizeof(EncPair), encpair_cmp);
	for (int i = 0; i < req->nquery; i++)
	{
		if (i > 0)
			buf_appends(&creq, &clen, &ccap, "&");
		buf_appends(&creq, &clen, &ccap, q[i].name);
		buf_appends(&creq, &clen, &ccap, "=");
		buf_appends(&creq, &clen, &ccap, q[i].value);
		pfree(q[i].name);
		pfree(q[i].value);
	}
	pfree(q);
	buf_appends(&creq, &clen, &ccap, "\n");

	/* headers: lower-case, trim, sort (stable), join repeated names */
	for (int i = 0; i < req->nheaders; i++)
	{
		h[i].name = pstrdup(req->headers[i].name);
		for (char *p = h[i].name; *p; p++)
			*p = (char) tolower((unsigned char) *p);
		h[i].value = trim_collapse(req->headers[i].value ? req->headers[i].value : "");
		h[i].order = i;
	}
	qsort(h, req->nheaders, sizeof(CanonHeader), canonheader_cmp);
	for (int i = 0; i < req->nheaders; i++)
	{
		bool		first = (i == 0 || strcmp(h[i].name, h[i - 1].name) != 0);

		if (first)
		{
			if (i > 0)
			{
				buf_appends(&creq, &clen, &ccap, "\n");
				buf_appends(&signed_headers, &slen, &scap, ";");
			}
			buf_appends(&creq, &clen, &ccap, h[i].name);
			buf_appends(&creq, &clen, &ccap, ":");
			buf_appends(&signed_headers, &slen, &scap, h[i].name);
		}
		else
			buf_appends(&creq, &clen, &ccap, ",");
		buf_appends(&creq, &clen, &ccap, h[i].value);
	}
	if (req->nheaders > 0)
		buf_appends(&creq, &clen, &ccap, "\n");
	for (int i = 0; i < req->nheaders; i++)
	{
		pfree(h[i].name);
		pfree(h[i].value);
	}
	pfree(h);
	buf_appends(&creq, &clen, &ccap, "\n");
	buf_appends(&creq, &clen, &ccap, signed_headers);
	buf_appends(&creq, &clen, &ccap, "\n");
	buf_appends(&creq, &clen, &ccap, req->payload_hash);

	/* string to sign */
	memcpy(date, req->amz_date, 8);
	date[8] = '\0';
	snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date, req->region, req->service);
	SigV4Sha256Hex(creq, clen, creq_hash);
	sts = psprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", req->amz_date, scope, creq_hash);

	/* signing key and signature */
	secret_key = psprintf("AWS4%s", req->secret_key);
	hmac(secret_key, strlen(secret_key), date, k);
	memset(secret_key, 0, strlen(secret_key));
	pfree(secret_key);
	hmac(k, 32, req->region, k);
	hmac(k, 32, req->service, k);
	hmac(k, 32, "aws4_request", k);
	hmac(k, 32, sts, sig);
	to_hex(sig, 32, sighex);

	auth = psprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
					req->access_key, scope, signed_headers, sighex);
	pfree(signed_headers);
	if (creq_out)
		*creq_out = creq;
	else
		pfree(creq);
	if (sts_out)
		*sts_out = sts;
	else
		pfree(sts);
	return auth;
}
