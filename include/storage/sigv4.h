/*-------------------------------------------------------------------------
 *
 * sigv4.h
 *	  AWS Signature Version 4 (HMAC-SHA256), computed with OpenSSL.
 *
 *	  The caller gives the request as it will be sent: method, the raw
 *	  (unencoded) path, raw query parameters, every header to sign (host and
 *	  x-amz-date included) and the hex SHA-256 of the payload (or
 *	  "UNSIGNED-PAYLOAD").  SigV4Sign builds the canonical request (S3
 *	  rules: the path is URI-encoded once, '/' kept, no normalisation; query
 *	  names and values encoded and sorted; header names lower-cased, values
 *	  trimmed with inner runs of spaces collapsed, repeated names joined with
 *	  ','), the string to sign, the derived key, and the Authorization
 *	  header value.
 *
 * include/storage/sigv4.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_SIGV4_H
#define STRATA_SIGV4_H

#include "c.h"

#include <time.h>

typedef struct SigV4Pair
{
	const char *name;
	const char *value;			/* NULL is the same as "" */
} SigV4Pair;

typedef struct SigV4Request
{
	const char *method;
	const char *path;			/* raw, starting with '/' */
	const SigV4Pair *query;
	int			nquery;
	const SigV4Pair *headers;
	int			nheaders;
	const char *payload_hash;	/* 64 hex digits or UNSIGNED-PAYLOAD */
	const char *access_key;
	const char *secret_key;
	const char *region;
	const char *service;		/* "s3" */
	const char *amz_date;		/* YYYYMMDDTHHMMSSZ, also sent as x-amz-date */
} SigV4Request;

/*
 * Returns a palloc'd Authorization header value.  If creq/sts are not NULL
 * they receive the palloc'd canonical request and string to sign (tests).
 */
extern char *SigV4Sign(const SigV4Request *req, char **creq, char **sts);

/* Append the RFC 3986 encoding of src (unreserved kept; '/' kept if keep_slash). */
extern void SigV4UriEncode(const char *src, bool keep_slash, char **buf, size_t *len, size_t *cap);
/* Convenience: palloc'd encoding. */
extern char *SigV4Encode(const char *src, bool keep_slash);

/* Hex SHA-256 of data into out[65]. */
extern void SigV4Sha256Hex(const void *data, size_t len, char out[65]);
/* Base64 MD5 of data into out[25] (Content-MD5). */
extern void SigV4Md5Base64(const void *data, size_t len, char out[25]);
/* Format t (UTC) as YYYYMMDDTHHMMSSZ into out[17]. */
extern void SigV4FormatDate(time_t t, char out[17]);

#endif							/* STRATA_SIGV4_H */
