/*-------------------------------------------------------------------------
 *
 * objstore_s3conf.c
 *	  The configuration of the s3:// object-store back end: the
 *	  object_store URL and the credentials in the environment.
 *
 *	  s3://BUCKET[/PREFIX][?NAME=VALUE&...], percent-decoded, with the
 *	  parameters endpoint=scheme://host[:port] (default: AWS's regional
 *	  endpoint), region (default us-east-1), path_style, verify_tls
 *	  (true|false|on|off|1|0), part_size and multipart_threshold (bytes,
 *	  with an optional k/m/g or kB/MB/GB suffix; at least 5MB, S3's
 *	  smallest part; the threshold at most 5GB, S3's largest single PUT).
 *	  Every mistake stops with one line naming the parameter and what it
 *	  should be (doc/objects.md).
 *
 *	  The steps, in the order of the URL: bucket, prefix, parameters,
 *	  endpoint, then the credentials.  Runs in whichever process opens the
 *	  store; takes no lock.
 *
 * src/backend/storage/objstore/objstore_s3conf.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>

#include "objstore_int.h"

/* A palloc'd copy of s[0..n) with %XX escapes decoded. */
static char *
pct_decode(const char *s, size_t n)
{
	char	   *out = palloc(n + 1);
	char	   *o = out;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] == '%' && i + 2 < n &&
			isxdigit((unsigned char) s[i + 1]) && isxdigit((unsigned char) s[i + 2]))
		{
			char		h[3] = {s[i + 1], s[i + 2], 0};

			*o++ = (char) strtol(h, NULL, 16);
			i += 2;
		}
		else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return false;
	return true;
}

static bool
parse_size(const char *v, size_t *out)
{
	char	   *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return false;
	if (strcasecmp(end, "kb") == 0 || strcasecmp(end, "k") == 0)
		n <<= 10;
	else if (strcasecmp(end, "mb") == 0 || strcasecmp(end, "m") == 0)
		n <<= 20;
	else if (strcasecmp(end, "gb") == 0 || strcasecmp(end, "g") == 0)
		n <<= 30;
	else if (*end)
		return false;
	*out = (size_t) n;
	return true;
}

/*
 * The bucket (p[0..bucket_end)) and the prefix (from prefix_start to
 * path_end; slashes stripped at both ends, one kept at the end).
 */
static bool
parse_bucket_prefix(const char *url, const char *p, const char *bucket_end,
					const char *prefix_start, const char *path_end,
					S3Config *conf, ObjStoreError *err)
{
	char	   *raw;
	char	   *b;
	size_t		n;

	conf->bucket = pct_decode(p, bucket_end - p);
	if (conf->bucket[0] == '\0')
	{
		objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
					   "object_store \"%s\" names no bucket: use s3://bucket/prefix?...", url);
		return false;
	}
	for (const char *c = conf->bucket; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_'))
		{
			objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
						   "object_store \"%s\": bucket name \"%s\" may contain only a-z, 0-9, '.', '-' and '_'",
						   url, conf->bucket);
			return false;
		}
	raw = pct_decode(prefix_start, path_end - prefix_start);
	b = raw;
	while (*b == '/')
		b++;
	n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		n--;
	b[n] = '\0';
	conf->prefix = n ? psprintf("%s/", b) : pstrdup("");
	pfree(raw);
	return true;
}

/*
 * One NAME=VALUE parameter.  The endpoint is returned in *endpoint (it is
 * checked once the region is known); the part sizes go into store.
 */
static bool
parse_param(ObjStore *store, const char *url, const char *name, const char *val,
			char **endpoint, S3Config *conf, ObjStoreError *err)
{
	size_t		size;

	if (strcmp(name, "endpoint") == 0)
	{
		if (*endpoint)
			pfree(*endpoint);
		*endpoint = pstrdup(val);
	}
	else if (strcmp(name, "region") == 0)
	{
		pfree(conf->region);
		conf->region = pstrdup(val);
	}
	else if (strcmp(name, "path_style") == 0 && parse_bool(val, &conf->path_style))
		;
	else if (strcmp(name, "verify_tls") == 0 && parse_bool(val, &conf->verify_tls))
		;
	else if ((strcmp(name, "part_size") == 0 || strcmp(name, "multipart_threshold") == 0) &&
			 parse_size(val, &size))
	{
		/* sizes are checked apart, to say what is wrong with them */
		bool		threshold = name[0] == 'm';

		if (size < OBJSTORE_MIN_PART_SIZE ||
			(threshold && size > OBJSTORE_MAX_PUT_SIZE))
		{
			objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
						   "object_store \"%s\": bad parameter \"%s=%s\": %s must be at least 5MB (S3's smallest part)%s",
						   url, name, val, name,
						   threshold ? " and at most 5GB (S3's largest single PUT)" : "");
			return false;
		}
		if (threshold)
			store->multipart_threshold = size;
		else
			store->part_size = size;
	}
	else
	{
		objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
					   "object_store \"%s\": bad parameter \"%s=%s\" (known: endpoint=URL, region=NAME, path_style=true|false, verify_tls=true|false, part_size=BYTES and multipart_threshold=BYTES of at least 5MB)",
					   url, name, val);
		return false;
	}
	return true;
}

/* The parameters after '?' (q points at it), '&'-separated. */
static bool
parse_params(ObjStore *store, const char *url, const char *q, char **endpoint,
			 S3Config *conf, ObjStoreError *err)
{
	const char *a = q + 1;

	while (*a)
	{
		const char *amp = strchr(a, '&');
		size_t		n = amp ? (size_t) (amp - a) : strlen(a);
		const char *eq = memchr(a, '=', n);
		char	   *name;
		char	   *val;
		bool		good;

		if (n == 0)
		{
			a++;
			continue;
		}
		name = pct_decode(a, eq ? (size_t) (eq - a) : n);
		val = eq ? pct_decode(eq + 1, n - (eq + 1 - a)) : pstrdup("");
		good = parse_param(store, url, name, val, endpoint, conf, err);
		pfree(name);
		pfree(val);
		if (!good)
			return false;
		a += n;
		if (*a == '&')
			a++;
	}
	return true;
}

/* scheme://host[:port], no path: into conf->scheme and conf->hostport. */
static bool
parse_endpoint(const char *url, const char *endpoint, S3Config *conf, ObjStoreError *err)
{
	const char *h;
	size_t		n;

	if (strncmp(endpoint, "http://", 7) == 0)
		conf->scheme = pstrdup("http");
	else if (strncmp(endpoint, "https://", 8) == 0)
		conf->scheme = pstrdup("https");
	else
	{
		objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
					   "object_store \"%s\": endpoint \"%s\" must start with http:// or https://", url, endpoint);
		return false;
	}
	h = strstr(endpoint, "://") + 3;
	n = strcspn(h, "/");
	if (n == 0 || (h[n] == '/' && h[n + 1] != '\0'))
	{
		objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
					   "object_store \"%s\": endpoint \"%s\" must be scheme://host[:port] with no path", url, endpoint);
		return false;
	}
	conf->hostport = palloc(n + 1);
	memcpy(conf->hostport, h, n);
	conf->hostport[n] = '\0';
	return true;
}

/* The credentials, from the server's environment. */
static bool
load_credentials(const char *url, S3Config *conf, ObjStoreError *err)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID");
	const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");

	if (ak == NULL || ak[0] == '\0' || sk == NULL || sk[0] == '\0')
	{
		objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
					   "object_store \"%s\" needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the server's environment",
					   url);
		return false;
	}
	conf->access_key = pstrdup(ak);
	conf->secret_key = pstrdup(sk);
	conf->session_token = (tok && tok[0]) ? pstrdup(tok) : NULL;
	return true;
}

bool
s3_parse_config(ObjStore *store, const char *url, S3Config *conf, ObjStoreError *err)
{
	const char *p = url + 5;	/* after "s3://" */
	const char *q = strchr(p, '?');
	const char *pathend = q ? q : p + strlen(p);
	const char *slash = memchr(p, '/', pathend - p);
	char	   *endpoint = NULL;
	bool		good;

	memset(conf, 0, sizeof(*conf));
	conf->verify_tls = true;
	conf->region = pstrdup("us-east-1");
	good = parse_bucket_prefix(url, p, slash ? slash : pathend,
							   slash ? slash + 1 : pathend, pathend, conf, err) &&
		(q == NULL || parse_params(store, url, q, &endpoint, conf, err));
	if (good)
	{
		if (endpoint == NULL)
			endpoint = psprintf("https://s3.%s.amazonaws.com", conf->region);
		good = parse_endpoint(url, endpoint, conf, err) &&
			load_credentials(url, conf, err);
	}
	if (endpoint)
		pfree(endpoint);
	return good;
}

void
s3_free_config(S3Config *conf)
{
	char	  **strings[] = {&conf->bucket, &conf->prefix, &conf->scheme, &conf->hostport,
	&conf->region, &conf->access_key, &conf->secret_key, &conf->session_token};

	/* the secret does not linger in freed memory */
	if (conf->secret_key)
		memset(conf->secret_key, 0, strlen(conf->secret_key));
	for (int i = 0; i < (int) lengthof(strings); i++)
	{
		if (*strings[i])
			pfree(*strings[i]);
		*strings[i] = NULL;
	}
}
