/*-------------------------------------------------------------------------
 *
 * catalog_security.c
 *	  Users (SCRAM credentials) and ACLs in the catalog; see
 *	  catalog/catalog_security.h for the transactions and locks.
 *
 *	  Binary columns (salts and keys) travel as hex text (encode/decode in
 *	  SQL), so every statement uses libpq's text format.
 *
 * IDENTIFICATION
 *	  src/backend/catalog/catalog_security.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog.h"
#include "catalog/catalog_security.h"

#define CREDENTIAL_COLUMNS \
	"user_name, mechanism, iterations, encode(salt, 'hex'), encode(stored_key, 'hex'), encode(server_key, 'hex')"
#define ACL_COLUMNS \
	"id, resource_type, resource_name, pattern_type, principal, host, operation, permission"

static void
to_hex(const uint8 *in, int len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < len; i++)
	{
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* Decode hex text into out (at most cap bytes); the length, or -1. */
static int
from_hex(const char *in, uint8 *out, int cap)
{
	size_t		len = strlen(in);

	if (len % 2 != 0 || (int) (len / 2) > cap)
		return -1;
	for (size_t i = 0; i < len / 2; i++)
	{
		unsigned int v;

		if (sscanf(in + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8) v;
	}
	return (int) (len / 2);
}

/*
 * Start a transaction; a connection lost since its last use (the catalog
 * restarted) is reset and the BEGIN run again, which is safe.
 */
static bool
begin(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult   *res = CatalogQueryRetry(conn, sql, 0, NULL, err, errlen);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

static void
rollback(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "ROLLBACK");

	PQclear(res);
}

/* Fill a credential from row r of a result of CREDENTIAL_COLUMNS. */
static bool
read_credential(PGresult *res, int r, CatalogScramCredential *c, char *err, size_t errlen)
{
	ScramSecret *s = &c->secret;
	int			klen;

	memset(c, 0, sizeof(*c));
	if (!ScramMechanismFromName(PQgetvalue(res, r, 1), &s->mechanism))
	{
		snprintf(err, errlen, "catalog holds a credential of user \"%s\" with unknown mechanism \"%s\"",
				 PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		return false;
	}
	klen = ScramKeyLength(s->mechanism);
	s->iterations = atoi(PQgetvalue(res, r, 2));
	s->salt_len = from_hex(PQgetvalue(res, r, 3), s->salt, SCRAM_MAX_SALT_LEN);
	if (s->salt_len <= 0 ||
		from_hex(PQgetvalue(res, r, 4), s->stored_key, SCRAM_MAX_KEY_LEN) != klen ||
		from_hex(PQgetvalue(res, r, 5), s->server_key, SCRAM_MAX_KEY_LEN) != klen)
	{
		snprintf(err, errlen, "catalog holds a malformed %s credential of user \"%s\"",
				 PQgetvalue(res, r, 1), PQgetvalue(res, r, 0));
		return false;
	}
	c->user = pstrdup(PQgetvalue(res, r, 0));
	return true;
}

static void
read_acl(PGresult *res, int r, CatalogAcl *a)
{
	a->id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	a->resource_type = pstrdup(PQgetvalue(res, r, 1));
	a->resource_name = pstrdup(PQgetvalue(res, r, 2));
	a->pattern_type = pstrdup(PQgetvalue(res, r, 3));
	a->principal = pstrdup(PQgetvalue(res, r, 4));
	a->host = pstrdup(PQgetvalue(res, r, 5));
	a->operation = pstrdup(PQgetvalue(res, r, 6));
	a->permission = pstrdup(PQgetvalue(res, r, 7));
}

/* The version after this transaction's changes (the triggers' bumps). */
static bool
current_version(PGconn *conn, int64 *version, char *err, size_t errlen)
{
	PGresult   *res = CatalogQuery(conn, "SELECT version FROM strata.security_state", 0, NULL,
								   err, errlen);

	if (res == NULL)
		return false;
	if (PQntuples(res) != 1)
	{
		snprintf(err, errlen, "strata.security_state does not have its one row");
		PQclear(res);
		return false;
	}
	*version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool
CatalogLoadSecurity(PGconn *conn, CatalogSecurityState *out, char *err, size_t errlen)
{
	PGresult   *res;

	memset(out, 0, sizeof(*out));
	/* No reconnecting here: the catalog worker's connection holds its LISTENs. */
	if (!CatalogExec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err, errlen))
		return false;
	res = CatalogQuery(conn, "SELECT version, encode(auth_nonce, 'hex') FROM strata.security_state",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) != 1 ||
		from_hex(PQgetvalue(res, 0, 1), out->auth_nonce, CATALOG_AUTH_NONCE_LEN) != CATALOG_AUTH_NONCE_LEN)
	{
		snprintf(err, errlen, "strata.security_state does not have its one row with a %d-byte auth_nonce",
				 CATALOG_AUTH_NONCE_LEN);
		PQclear(res);
		goto fail;
	}
	out->version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);

	res = CatalogQuery(conn, "SELECT " CREDENTIAL_COLUMNS " FROM strata.scram_credentials ORDER BY 1, 2",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	out->credentials = palloc0(sizeof(CatalogScramCredential) * (size_t) Max(PQntuples(res), 1));
	for (int r = 0; r < PQntuples(res); r++)
	{
		if (!read_credential(res, r, &out->credentials[r], err, errlen))
		{
			PQclear(res);
			goto fail;
		}
		out->ncredentials++;
	}
	PQclear(res);

	res = CatalogQuery(conn, "SELECT " ACL_COLUMNS " FROM strata.acls ORDER BY id", 0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	out->acls = palloc0(sizeof(CatalogAcl) * (size_t) Max(PQntuples(res), 1));
	for (int r = 0; r < PQntuples(res); r++)
		read_acl(res, r, &out->acls[out->nacls++]);
	PQclear(res);
	if (!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return true;

fail:
	rollback(conn);
	CatalogFreeSecurity(out);
	return false;
}

void
CatalogFreeSecurity(CatalogSecurityState *state)
{
	if (state->credentials)
		CatalogFreeScramCredentials(state->credentials, state->ncredentials);
	if (state->acls)
		CatalogFreeAcls(state->acls, state->nacls);
	memset(state, 0, sizeof(*state));
}

CatalogSecurityResult
CatalogAlterScramCredentials(PGconn *conn, const CatalogScramChange *changes, int n, int *missing,
							 int64 *version, char *err, size_t errlen)
{
	if (!begin(conn, "BEGIN", err, errlen))
		return CATALOG_SECURITY_ERROR;
	for (int i = 0; i < n; i++)
	{
		const CatalogScramChange *c = &changes[i];
		const char *mech = ScramMechanismName(c->secret.mechanism);

		if (c->delete)
		{
			const char *p[2] = {c->user, mech};
			PGresult   *res = CatalogQuery(conn,
										   "DELETE FROM strata.scram_credentials WHERE user_name = $1 AND mechanism = $2",
										   2, p, err, errlen);

			if (res == NULL)
				goto fail;
			if (strcmp(PQcmdTuples(res), "0") == 0)
			{
				PQclear(res);
				rollback(conn);
				*missing = i;
				return CATALOG_SECURITY_NOT_FOUND;
			}
			PQclear(res);
		}
		else
		{
			int			klen = ScramKeyLength(c->secret.mechanism);
			char		iters[16];
			char		salt[2 * SCRAM_MAX_SALT_LEN + 1];
			char		stored[2 * SCRAM_MAX_KEY_LEN + 1];
			char		server[2 * SCRAM_MAX_KEY_LEN + 1];
			const char *p[6] = {c->user, mech, iters, salt, stored, server};

			snprintf(iters, sizeof(iters), "%d", c->secret.iterations);
			to_hex(c->secret.salt, c->secret.salt_len, salt);
			to_hex(c->secret.stored_key, klen, stored);
			to_hex(c->secret.server_key, klen, server);
			if (!CatalogExec(conn,
							 "INSERT INTO strata.scram_credentials"
							 " (user_name, mechanism, iterations, salt, stored_key, server_key)"
							 " VALUES ($1, $2, $3::integer, decode($4, 'hex'), decode($5, 'hex'), decode($6, 'hex'))"
							 " ON CONFLICT (user_name, mechanism) DO UPDATE SET iterations = EXCLUDED.iterations,"
							 " salt = EXCLUDED.salt, stored_key = EXCLUDED.stored_key,"
							 " server_key = EXCLUDED.server_key, updated = now()",
							 6, p, err, errlen))
				goto fail;
		}
	}
	if (!current_version(conn, version, err, errlen) ||
		!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return CATALOG_SECURITY_OK;

fail:
	rollback(conn);
	return CATALOG_SECURITY_ERROR;
}

bool
CatalogRemoveUser(PGconn *conn, const char *user, int *removed, int64 *version,
				  char *err, size_t errlen)
{
	const char *p[1] = {user};
	PGresult   *res;

	if (!begin(conn, "BEGIN", err, errlen))
		return false;
	res = CatalogQuery(conn, "DELETE FROM strata.scram_credentials WHERE user_name = $1", 1, p,
					   err, errlen);
	if (res == NULL)
		goto fail;
	*removed = atoi(PQcmdTuples(res));
	PQclear(res);
	if (!current_version(conn, version, err, errlen) ||
		!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return true;

fail:
	rollback(conn);
	return false;
}

int
CatalogListScramCredentials(PGconn *conn, const char *user, CatalogScramCredential **out,
							char *err, size_t errlen)
{
	const char *p[1] = {user};
	PGresult   *res = CatalogQueryRetry(conn,
										"SELECT " CREDENTIAL_COLUMNS " FROM strata.scram_credentials"
										" WHERE $1::text IS NULL OR user_name = $1 ORDER BY 1, 2",
										1, p, err, errlen);
	int			n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	*out = palloc0(sizeof(CatalogScramCredential) * (size_t) Max(n, 1));
	for (int r = 0; r < n; r++)
	{
		if (!read_credential(res, r, &(*out)[r], err, errlen))
		{
			CatalogFreeScramCredentials(*out, r);
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return n;
}

void
CatalogFreeScramCredentials(CatalogScramCredential *rows, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (rows[i].user)
			pfree(rows[i].user);
		/* The keys are secrets: leave nothing of them in freed memory. */
		memset(&rows[i].secret, 0, sizeof(rows[i].secret));
	}
	pfree(rows);
}

bool
CatalogCreateAcls(PGconn *conn, const CatalogAcl *acls, int n, int64 *version,
				  char *err, size_t errlen)
{
	if (!begin(conn, "BEGIN", err, errlen))
		return false;
	for (int i = 0; i < n; i++)
	{
		const CatalogAcl *a = &acls[i];
		const char *p[7] = {a->resource_type, a->resource_name, a->pattern_type, a->principal,
		a->host, a->operation, a->permission};

		if (!CatalogExec(conn,
						 "INSERT INTO strata.acls (resource_type, resource_name, pattern_type, principal,"
						 " host, operation, permission) VALUES ($1, $2, $3, $4, $5, $6, $7)"
						 " ON CONFLICT DO NOTHING",
						 7, p, err, errlen))
			goto fail;
	}
	if (!current_version(conn, version, err, errlen) ||
		!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
		goto fail;
	return true;

fail:
	rollback(conn);
	return false;
}

int
CatalogListAcls(PGconn *conn, CatalogAcl **out, char *err, size_t errlen)
{
	PGresult   *res = CatalogQueryRetry(conn, "SELECT " ACL_COLUMNS " FROM strata.acls ORDER BY id",
										0, NULL, err, errlen);
	int			n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	*out = palloc0(sizeof(CatalogAcl) * (size_t) Max(n, 1));
	for (int r = 0; r < n; r++)
		read_acl(res, r, &(*out)[r]);
	PQclear(res);
	return n;
}

void
CatalogFreeAcls(CatalogAcl *rows, int n)
{
	for (int i = 0; i < n; i++)
	{
		pfree(rows[i].resource_type);
		pfree(rows[i].resource_name);
		pfree(rows[i].pattern_type);
		pfree(rows[i].principal);
		pfree(rows[i].host);
		pfree(rows[i].operation);
		pfree(rows[i].permission);
	}
	pfree(rows);
}

bool
CatalogDeleteAcls(PGconn *conn, CatalogAclMatch match, void *arg,
				  CatalogAcl **deleted, int *ndeleted, int64 *version,
				  char *err, size_t errlen)
{
	PGresult   *res;
	int			n;
	CatalogAcl *rows;
	char	   *ids;
	size_t		idlen = 0;
	int			nmatch = 0;

	*deleted = NULL;
	*ndeleted = 0;
	if (!begin(conn, "BEGIN", err, errlen))
		return false;
	res = CatalogQuery(conn, "SELECT " ACL_COLUMNS " FROM strata.acls ORDER BY id FOR UPDATE",
					   0, NULL, err, errlen);
	if (res == NULL)
		goto fail;
	n = PQntuples(res);
	rows = palloc0(sizeof(CatalogAcl) * (size_t) Max(n, 1));
	ids = palloc((size_t) n * 21 + 3);
	ids[idlen++] = '{';
	for (int r = 0; r < n; r++)
	{
		CatalogAcl	a;

		read_acl(res, r, &a);
		if (match(&a, arg))
		{
			idlen += (size_t) sprintf(ids + idlen, "%s%lld", nmatch > 0 ? "," : "", (long long) a.id);
			rows[nmatch++] = a;
		}
		else
		{
			CatalogAcl *one = palloc(sizeof(CatalogAcl));

			*one = a;
			CatalogFreeAcls(one, 1);
		}
	}
	ids[idlen++] = '}';
	ids[idlen] = '\0';
	PQclear(res);
	if (nmatch > 0)
	{
		const char *p[1] = {ids};

		if (!CatalogExec(conn, "DELETE FROM strata.acls WHERE id = ANY ($1::bigint[])", 1, p, err, errlen))
		{
			CatalogFreeAcls(rows, nmatch);
			pfree(ids);
			goto fail;
		}
	}
	pfree(ids);
	if (!current_version(conn, version, err, errlen) ||
		!CatalogExec(conn, "COMMIT", 0, NULL, err, errlen))
	{
		CatalogFreeAcls(rows, nmatch);
		goto fail;
	}
	*deleted = rows;
	*ndeleted = nmatch;
	return true;

fail:
	rollback(conn);
	return false;
}
