/*-------------------------------------------------------------------------
 *
 * api_security.c
 *	  The security administration APIs: DescribeUserScramCredentials and
 *	  AlterUserScramCredentials (users), DescribeAcls, CreateAcls and
 *	  DeleteAcls (ACLs).
 *
 *	  They read and write the catalog directly (catalog_security.h), on the
 *	  backend's own connection, so an answer reflects what every broker
 *	  will enforce.  A change is committed, announced to every broker by
 *	  the catalog's NOTIFY, and the request waits (at most
 *	  SECURITY_WAIT_MS) until this broker's security cache holds it, so the
 *	  client's next request already sees its own change.
 *
 *	  Kafka's rules and messages: credentials need 4096 to 16384 iterations
 *	  (UNACCEPTABLE_CREDENTIAL), a user credential may be named once per
 *	  request (DUPLICATE_RESOURCE), deleting or describing one that does
 *	  not exist is RESOURCE_NOT_FOUND.  Like Kafka, the client sends the
 *	  salted password, never the password, for an upsertion.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/api_security.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog_security.h"
#include "kafka/acl.h"
#include "kafka/backend.h"
#include "kafka/handlers.h"
#include "kafka/security.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "utils/scram.h"

/* How long a change waits to be loaded by this broker's catalog worker. */
#define SECURITY_WAIT_MS	5000

static bool
kstr_eq(KStr a, KStr b)
{
	return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t) a.len) == 0);
}

/* ---------------------------------------------------------------- users */

bool
KafkaHandleDescribeUserScramCredentials(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DescribeUserScramCredentialsRequest *req = reqp;
	DescribeUserScramCredentialsResponse *resp = respp;
	KArena	   *arena = &conn->arena;
	PGconn	   *pg;
	char	   *msg;
	char		err[1024];
	CatalogScramCredential *creds;
	int			n;

	pg = BackendCatalogConnection(&msg);
	if (pg == NULL || (n = CatalogListScramCredentials(pg, NULL, &creds, err, sizeof(err))) < 0)
	{
		if (pg != NULL)
			elog(LOG, "DescribeUserScramCredentials from %s: %s", MyClientAddr, err);
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
		resp->ErrorMessage = KSTR_LIT("The catalog is unreachable; see the broker's log");
		return true;
	}

	if (req->Users.count <= 0)
	{
		/* Every user with a credential, one result each. */
		int			nusers = 0;

		resp->Results.items = KafkaNewArray(arena, &DescribeUserScramCredentialsResult_schema, Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			DescribeUserScramCredentialsResult *r;

			if (nusers == 0 || strcmp(creds[i].user, creds[i - 1].user) != 0)
			{
				r = &resp->Results.items[nusers++];
				r->User = KStrArena(arena, creds[i].user);
				r->ErrorMessage = KSTR_NULL;
				r->CredentialInfos.items = KafkaNewArray(arena, &CredentialInfo_schema, SCRAM_MECHANISMS);
			}
			r = &resp->Results.items[nusers - 1];
			r->CredentialInfos.items[r->CredentialInfos.count].Mechanism =
				ScramMechanismKafkaCode(creds[i].secret.mechanism);
			r->CredentialInfos.items[r->CredentialInfos.count].Iterations = creds[i].secret.iterations;
			r->CredentialInfos.count++;
		}
		resp->Results.count = nusers;
	}
	else
	{
		resp->Results.count = req->Users.count;
		resp->Results.items = KafkaNewArray(arena, &DescribeUserScramCredentialsResult_schema, req->Users.count);
		for (int32 u = 0; u < req->Users.count; u++)
		{
			DescribeUserScramCredentialsResult *r = &resp->Results.items[u];
			KStr		name = req->Users.items[u].Name;
			bool		duplicate = false;

			r->User = name;
			r->ErrorMessage = KSTR_NULL;
			for (int32 o = 0; o < req->Users.count; o++)
				duplicate |= o != u && kstr_eq(req->Users.items[o].Name, name);
			if (duplicate)
			{
				r->ErrorCode = KAFKA_ERR_DUPLICATE_RESOURCE;
				r->ErrorMessage = KSTR_LIT("Cannot describe SCRAM credentials for the same user twice in a single request");
				continue;
			}
			r->CredentialInfos.items = KafkaNewArray(arena, &CredentialInfo_schema, SCRAM_MECHANISMS);
			for (int i = 0; i < n; i++)
			{
				if ((size_t) Max(name.len, 0) != strlen(creds[i].user) ||
					memcmp(creds[i].user, name.ptr, (size_t) Max(name.len, 0)) != 0)
					continue;
				r->CredentialInfos.items[r->CredentialInfos.count].Mechanism =
					ScramMechanismKafkaCode(creds[i].secret.mechanism);
				r->CredentialInfos.items[r->CredentialInfos.count].Iterations = creds[i].secret.iterations;
				r->CredentialInfos.count++;
			}
			if (r->CredentialInfos.count == 0)
			{
				r->ErrorCode = KAFKA_ERR_RESOURCE_NOT_FOUND;
				r->ErrorMessage = KSTR_LIT("Attempt to describe a user credential that does not exist");
			}
		}
	}
	CatalogFreeScramCredentials(creds, n);
	return true;
}

/* One user named by an AlterUserScramCredentials request. */
typedef struct AlterUser
{
	KStr		name;
	int16		error;
	const char *message;
	CatalogScramChange *changes;
	int			nchanges;
} AlterUser;

static AlterUser *
alter_user(AlterUser *users, int *nusers, KStr name, int cap)
{
	for (int i = 0; i < *nusers; i++)
		if (kstr_eq(users[i].name, name))
			return &users[i];
	Ensure(*nusers < cap);
	users[*nusers].name = name;
	users[*nusers].changes = palloc0(sizeof(CatalogScramChange) * (size_t) cap);
	return &users[(*nusers)++];
}

static void
alter_fail(AlterUser *u, int16 error, const char *message)
{
	if (u->error == KAFKA_ERR_NONE)
	{
		u->error = error;
		u->message = message;
	}
}

/*
 * Validate one deletion or upsertion of user u and add it as a change;
 * an invalid one gives u its error (the first wins).
 */
static void
alter_add(AlterUser *u, bool delete, int8 mechanism, const ScramCredentialUpsertion *up)
{
	CatalogScramChange *c;
	ScramMechanism m;

	if (u->name.len <= 0)
	{
		alter_fail(u, KAFKA_ERR_UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
		return;
	}
	if (!ScramMechanismFromKafkaCode(mechanism, &m))
	{
		alter_fail(u, KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
		return;
	}
	for (int i = 0; i < u->nchanges; i++)
		if (u->changes[i].secret.mechanism == m)
		{
			alter_fail(u, KAFKA_ERR_DUPLICATE_RESOURCE,
					   "A user credential cannot be altered twice in the same request");
			return;
		}
	c = &u->changes[u->nchanges++];
	c->user = NULL;				/* set once the name is a C string */
	c->delete = delete;
	c->secret.mechanism = m;
	if (delete)
		return;
	if (up->Iterations < SCRAM_MIN_ITERATIONS)
		alter_fail(u, KAFKA_ERR_UNACCEPTABLE_CREDENTIAL, "Too few iterations");
	else if (up->Iterations > SCRAM_MAX_ITERATIONS)
		alter_fail(u, KAFKA_ERR_UNACCEPTABLE_CREDENTIAL, "Too many iterations");
	else if (up->Salt.len <= 0 || up->Salt.len > SCRAM_MAX_SALT_LEN)
		alter_fail(u, KAFKA_ERR_UNACCEPTABLE_CREDENTIAL, "The salt must be 1 to 128 bytes");
	else if (up->SaltedPassword.len != ScramKeyLength(m))
		alter_fail(u, KAFKA_ERR_UNACCEPTABLE_CREDENTIAL,
				   "The salted password must be as long as the mechanism's hash");
	else
	{
		c->secret.iterations = up->Iterations;
		c->secret.salt_len = up->Salt.len;
		memcpy(c->secret.salt, up->Salt.ptr, (size_t) up->Salt.len);
		ScramKeysFromSaltedPassword(m, up->SaltedPassword.ptr, c->secret.stored_key, c->secret.server_key);
	}
}

bool
KafkaHandleAlterUserScramCredentials(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const AlterUserScramCredentialsRequest *req = reqp;
	AlterUserScramCredentialsResponse *resp = respp;
	KArena	   *arena = &conn->arena;
	int			cap = Max(req->Deletions.count, 0) + Max(req->Upsertions.count, 0);
	AlterUser  *users = palloc0(sizeof(AlterUser) * (size_t) Max(cap, 1));
	int			nusers = 0;
	bool		authorized = true;
	PGconn	   *pg = NULL;
	char	   *msg;
	int64		version = 0;

	for (int32 i = 0; i < req->Deletions.count; i++)
		alter_add(alter_user(users, &nusers, req->Deletions.items[i].Name, cap), true,
				  req->Deletions.items[i].Mechanism, NULL);
	for (int32 i = 0; i < req->Upsertions.count; i++)
		alter_add(alter_user(users, &nusers, req->Upsertions.items[i].Name, cap), false,
				  req->Upsertions.items[i].Mechanism, &req->Upsertions.items[i]);
	if (authorized)
		pg = BackendCatalogConnection(&msg);

	resp->Results.count = nusers;
	resp->Results.items = KafkaNewArray(arena, &AlterUserScramCredentialsResult_schema, nusers);
	for (int i = 0; i < nusers; i++)
	{
		AlterUser  *u = &users[i];
		AlterUserScramCredentialsResult *r = &resp->Results.items[i];
		char	   *name = pnstrdup_kstr(u->name);
		char		err[1024];
		int			missing;

		r->User = u->name;
		r->ErrorMessage = KSTR_NULL;
		if (!authorized)
			alter_fail(u, KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED, "Altering SCRAM credentials needs ALTER on the cluster");
		else if (pg == NULL)
			alter_fail(u, KAFKA_ERR_UNKNOWN_SERVER_ERROR, "The catalog is unreachable; see the broker's log");
		if (u->error == KAFKA_ERR_NONE)
		{
			int64		v;

			for (int c = 0; c < u->nchanges; c++)
				u->changes[c].user = name;
			switch (CatalogAlterScramCredentials(pg, u->changes, u->nchanges, &missing, &v, err, sizeof(err)))
			{
				case CATALOG_SECURITY_OK:
					version = Max(version, v);
					elog(LOG, "SCRAM credentials of user \"%s\" altered by %s from %s",
						 name, MyPrincipal, MyClientAddr);
					break;
				case CATALOG_SECURITY_NOT_FOUND:
					alter_fail(u, KAFKA_ERR_RESOURCE_NOT_FOUND,
							   "Attempt to delete a user credential that does not exist");
					break;
				case CATALOG_SECURITY_ERROR:
					elog(LOG, "AlterUserScramCredentials from %s: %s", MyClientAddr, err);
					alter_fail(u, KAFKA_ERR_UNKNOWN_SERVER_ERROR, "The catalog refused the change; see the broker's log");
					break;
			}
		}
		r->ErrorCode = u->error;
		if (u->message)
			r->ErrorMessage = KStrArena(arena, u->message);
		/* The derived keys are secrets too. */
		memset(u->changes, 0, sizeof(CatalogScramChange) * (size_t) cap);
		pfree(u->changes);
		pfree(name);
	}
	pfree(users);
	if (version > 0)
		(void) SecurityWaitForVersion(version, SECURITY_WAIT_MS);
	return true;
}
