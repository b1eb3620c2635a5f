/*-------------------------------------------------------------------------
 *
 * s3xml.h
 *	  A small, careful scanner for the XML documents S3 answers with
 *	  (Error, ListBucketResult, InitiateMultipartUploadResult,
 *	  CompleteMultipartUploadResult, DeleteResult).  These are flat and
 *	  never nest an element inside one of the same name, so "find the next
 *	  <Tag>...</Tag> inside this span" is all that is needed.  Every access
 *	  is bounded by the span's length; the input need not be terminated.
 *
 * include/storage/s3xml.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_S3XML_H
#define STRATA_S3XML_H

#include "c.h"

/*
 * Find the next element named tag at or after *pos in buf[0..len).  On
 * success sets *content and *clen to its inner text (raw, entities not
 * decoded), moves *pos past the closing tag and returns true.  Returns
 * false if there is none or it is not closed.
 */
extern bool S3XmlNext(const char *buf, size_t len, size_t *pos, const char *tag,
					  const char **content, size_t *clen);

/* Decode entities (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;); NULL if malformed. */
extern char *S3XmlDecode(const char *s, size_t len);

/* The decoded text of the first <tag> in buf, or NULL. */
extern char *S3XmlGet(const char *buf, size_t len, const char *tag);

/* Append s escaped for XML text to a palloc'd buffer. */
extern char *S3XmlEscape(const char *s);

#endif							/* STRATA_S3XML_H */
