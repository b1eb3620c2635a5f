/*-------------------------------------------------------------------------
 *
 * catalog_int.h
 *	  Private helpers shared by the files of src/backend/catalog: array
 *	  literals for statement parameters, uuid text, rollback.
 *
 *	  Only the catalog's own files build SQL; these helpers are not for
 *	  anyone else (callers pass plain C values to the functions declared in
 *	  include/catalog/).
 *
 * src/backend/catalog/catalog_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_INT_H
#define STRATA_CATALOG_INT_H

#include "catalog/catalog.h"

/*
 * A PostgreSQL array literal ("{1,2,3}", "{\"a\",NULL}") built element by
 * element, passed as one text parameter and taken apart by unnest() in the
 * statement: so a statement over any number of rows is one round trip.
 */
typedef struct CatalogArray
{
	char	   *data;
	size_t		len;
	size_t		cap;
	int			n;				/* elements so far */
} CatalogArray;

extern void CatalogArrayInit(CatalogArray *a);
extern void CatalogArrayInt(CatalogArray *a, int64 v);

/* A text element of len bytes, quoted; s == NULL makes a NULL element. */
extern void CatalogArrayText(CatalogArray *a, const char *s, int32 len);

/*
 * A bytes element of len bytes as hex text, which the statement turns into
 * bytea with decode(.., 'hex') (text cannot hold every byte); s == NULL
 * makes a NULL element.
 */
extern void CatalogArrayHex(CatalogArray *a, const char *s, int32 len);

/*
 * The bytes of hex text (as encode(.., 'hex') writes it): palloc'd, NUL
 * terminated past *len bytes.
 */
extern char *CatalogHexDecode(const char *hex, int32 *len);

/* Close the literal and return it (still owned by a). */
extern const char *CatalogArrayFinish(CatalogArray *a);
extern void CatalogArrayFree(CatalogArray *a);

/* The literal of n int64 values, in one go (palloc'd). */
extern char *CatalogInt64Array(const int64 *values, int n);

/* "%lld" of v into buf (at least 24 bytes); returns buf. */
extern char *CatalogInt64Text(int64 v, char *buf);

/* A uuid's text form into out[37], and back (false if text is no uuid). */
extern void CatalogUuidText(const uint8 id[16], char out[37]);
extern bool CatalogUuidParse(const char *text, uint8 out[16]);

/* The rows of a statement's result, which it clears; -1 if res is NULL. */
extern int	CatalogRowCount(PGresult *res);

/* End the connection's transaction after a failure (best effort). */
extern void CatalogRollback(PGconn *conn);

#endif							/* STRATA_CATALOG_INT_H */
