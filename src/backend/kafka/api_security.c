/*-------------------------------------------------------------------------
 *
 * api_security.c
 *	  The security administration APIs: DescribeUserScramCredentials and
 *	  AlterUserScramCredentials (users), DescribeAcls, CreateAcls and
 *	  DeleteAcls (ACLs).
 *
 *	  Who may: DESCRIBE on the cluster to describe, ALTER on the cluster to
 *	  change (CLUSTER_AUTHORIZATION_FAILED otherwise).  With authorizer =
 *	  off the ACL APIs answer SECURITY_DISABLED, as Kafka does without an
 *	  authorizer.
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
#include "kafka/authorizer.h"
#include "kafka/backend.h"
#include "kafka/handlers.h"
#include "kafka/security.h"
#include "kafka/topics.h"
#include "utils/elog.h"
#include "utils/guc.h"
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

	if (!KafkaAuthorizeCluster(ACL_OP_DESCRIBE))
	{
		resp->ErrorCode = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		resp->ErrorMessage = KSTR_LIT("Describing SCRAM credentials needs DESCRIBE on the cluster");
		return true;
	}
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
	bool		authorized = KafkaAuthorizeCluster(ACL_OP_ALTER);
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

/* ---------------------------------------------------------------- ACLs */

#define SECURITY_DISABLED_MESSAGE "No Authorizer is configured on the broker (authorizer = off)"

/* A catalog row as the ACL model sees it (strings borrowed from the row). */
static AclEntry
entry_of(const CatalogAcl *c)
{
	AclEntry	e;

	e.resource_type = (uint8) AclResourceTypeFromName(c->resource_type);
	e.pattern_type = (uint8) AclPatternTypeFromName(c->pattern_type);
	e.operation = (uint8) AclOperationFromName(c->operation);
	e.permission = (uint8) AclPermissionFromName(c->permission);
	e.resource_name = c->resource_name;
	e.resource_name_len = (int32) strlen(c->resource_name);
	e.principal = c->principal;
	e.host = c->host;
	return e;
}

static void
set_filter_strings(AclFilter *f, KStr name, KStr principal, KStr host)
{
	f->resource_name = name.len >= 0 ? (name.ptr ? name.ptr : "") : NULL;
	f->resource_name_len = Max(name.len, 0);
	f->principal = principal.len >= 0 ? (principal.ptr ? principal.ptr : "") : NULL;
	f->principal_len = Max(principal.len, 0);
	f->host = host.len >= 0 ? (host.ptr ? host.ptr : "") : NULL;
	f->host_len = Max(host.len, 0);
}

bool
KafkaHandleCreateAcls(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const CreateAclsRequest *req = reqp;
	CreateAclsResponse *resp = respp;
	KArena	   *arena = &conn->arena;
	int32		n = Max(req->Creations.count, 0);
	CatalogAcl *rows = palloc0(sizeof(CatalogAcl) * (size_t) Max(n, 1));
	int		   *row_of = palloc(sizeof(int) * (size_t) Max(n, 1));
	int			nrows = 0;
	int16		common = KAFKA_ERR_NONE;
	const char *common_msg = NULL;

	resp->Results.count = n;
	resp->Results.items = KafkaNewArray(arena, &AclCreationResult_schema, n);
	if (!authorizer)
	{
		common = KAFKA_ERR_SECURITY_DISABLED;
		common_msg = SECURITY_DISABLED_MESSAGE;
	}
	else if (!KafkaAuthorizeCluster(ACL_OP_ALTER))
	{
		common = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		common_msg = "Creating ACLs needs ALTER on the cluster";
	}
	for (int32 i = 0; i < n; i++)
	{
		const AclCreation *c = &req->Creations.items[i];
		AclCreationResult *r = &resp->Results.items[i];
		AclEntry	e;
		const char *why;

		r->ErrorMessage = KSTR_NULL;
		row_of[i] = -1;
		if (common != KAFKA_ERR_NONE)
		{
			r->ErrorCode = common;
			r->ErrorMessage = KStrArena(arena, common_msg);
			continue;
		}
		e.resource_type = (uint8) c->ResourceType;
		e.pattern_type = (uint8) c->ResourcePatternType;
		e.operation = (uint8) c->Operation;
		e.permission = (uint8) c->PermissionType;
		e.resource_name = c->ResourceName.ptr ? c->ResourceName.ptr : "";
		e.resource_name_len = Max(c->ResourceName.len, 0);
		e.principal = pnstrdup_kstr(c->Principal);
		e.host = pnstrdup_kstr(c->Host);
		if ((c->ResourceType < 0 || c->ResourcePatternType < 0 || c->Operation < 0 || c->PermissionType < 0) ||
			!AclEntryValid(&e, &why))
		{
			r->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			r->ErrorMessage = KStrArena(arena, c->ResourceType < 0 || c->ResourcePatternType < 0 ||
										c->Operation < 0 || c->PermissionType < 0 ? "Unknown ACL code" : why);
			continue;
		}
		rows[nrows].resource_type = (char *) AclResourceTypeName(e.resource_type);
		rows[nrows].resource_name = pnstrdup_kstr(c->ResourceName);
		rows[nrows].pattern_type = (char *) AclPatternTypeName(e.pattern_type);
		rows[nrows].principal = (char *) e.principal;
		rows[nrows].host = (char *) e.host;
		rows[nrows].operation = (char *) AclOperationName(e.operation);
		rows[nrows].permission = (char *) AclPermissionName(e.permission);
		row_of[i] = nrows++;
	}
	if (nrows > 0)
	{
		char	   *msg;
		char		err[1024];
		int64		version;
		PGconn	   *pg = BackendCatalogConnection(&msg);
		bool		done = pg != NULL && CatalogCreateAcls(pg, rows, nrows, &version, err, sizeof(err));

		if (pg != NULL && !done)
			elog(LOG, "CreateAcls from %s: %s", MyClientAddr, err);
		for (int32 i = 0; i < n; i++)
		{
			if (row_of[i] < 0)
				continue;
			if (done)
				elog(LOG, "ACL created by %s from %s: %s %s \"%s\" %s %s on host %s %s",
					 MyPrincipal, MyClientAddr, rows[row_of[i]].permission, rows[row_of[i]].operation,
					 rows[row_of[i]].resource_name, rows[row_of[i]].resource_type,
					 rows[row_of[i]].pattern_type, rows[row_of[i]].host, rows[row_of[i]].principal);
			else
			{
				resp->Results.items[i].ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
				resp->Results.items[i].ErrorMessage = KSTR_LIT("The catalog refused the change; see the broker's log");
			}
		}
		if (done)
			(void) SecurityWaitForVersion(version, SECURITY_WAIT_MS);
	}
	return true;
}

bool
KafkaHandleDescribeAcls(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DescribeAclsRequest *req = reqp;
	DescribeAclsResponse *resp = respp;
	KArena	   *arena = &conn->arena;
	AclFilter	f;
	const char *why;
	CatalogAcl *rows;
	int			n;
	char	   *msg;
	char		err[1024];
	PGconn	   *pg;
	int			nres = 0;

	resp->ErrorMessage = KSTR_NULL;
	if (!authorizer)
	{
		resp->ErrorCode = KAFKA_ERR_SECURITY_DISABLED;
		resp->ErrorMessage = KSTR_LIT(SECURITY_DISABLED_MESSAGE);
		return true;
	}
	if (!KafkaAuthorizeCluster(ACL_OP_DESCRIBE))
	{
		resp->ErrorCode = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		resp->ErrorMessage = KSTR_LIT("Describing ACLs needs DESCRIBE on the cluster");
		return true;
	}
	f.resource_type = req->ResourceTypeFilter;
	f.pattern_type = req->PatternTypeFilter;
	f.operation = req->Operation;
	f.permission = req->PermissionType;
	set_filter_strings(&f, req->ResourceNameFilter, req->PrincipalFilter, req->HostFilter);
	if (!AclFilterValid(&f, &why))
	{
		resp->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
		resp->ErrorMessage = KStrArena(arena, why);
		return true;
	}
	pg = BackendCatalogConnection(&msg);
	if (pg == NULL || (n = CatalogListAcls(pg, &rows, err, sizeof(err))) < 0)
	{
		if (pg != NULL)
			elog(LOG, "DescribeAcls from %s: %s", MyClientAddr, err);
		resp->ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
		resp->ErrorMessage = KSTR_LIT("The catalog is unreachable; see the broker's log");
		return true;
	}

	/* One resource entry per (type, name, pattern), in the ACLs' order. */
	resp->Resources.items = KafkaNewArray(arena, &DescribeAclsResource_schema, Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		AclEntry	e = entry_of(&rows[i]);
		DescribeAclsResource *res = NULL;
		AclDescription *d;

		if (!AclFilterMatches(&f, &e))
			continue;
		/* Version 0 cannot say PREFIXED: such ACLs are left out, as Kafka does. */
		if (h->api_version == 0 && e.pattern_type != ACL_PATTERN_LITERAL)
			continue;
		for (int r = 0; r < nres && res == NULL; r++)
		{
			DescribeAclsResource *x = &resp->Resources.items[r];

			if (x->ResourceType == e.resource_type && x->PatternType == e.pattern_type &&
				x->ResourceName.len == e.resource_name_len &&
				memcmp(x->ResourceName.ptr, e.resource_name, (size_t) e.resource_name_len) == 0)
				res = x;
		}
		if (res == NULL)
		{
			res = &resp->Resources.items[nres++];
			res->ResourceType = (int8) e.resource_type;
			res->ResourceName = KStrArena(arena, e.resource_name);
			res->PatternType = (int8) e.pattern_type;
			res->Acls.items = KafkaNewArray(arena, &AclDescription_schema, n);
		}
		d = &res->Acls.items[res->Acls.count++];
		d->Principal = KStrArena(arena, e.principal);
		d->Host = KStrArena(arena, e.host);
		d->Operation = (int8) e.operation;
		d->PermissionType = (int8) e.permission;
	}
	resp->Resources.count = nres;
	CatalogFreeAcls(rows, n);
	return true;
}

/* DeleteAcls' filters, for CatalogDeleteAcls' callback. */
typedef struct DeleteFilters
{
	AclFilter  *filters;
	bool	   *valid;
	int			n;
	bool		v0;
} DeleteFilters;

static bool
delete_matches(const CatalogAcl *acl, void *arg)
{
	DeleteFilters *d = arg;
	AclEntry	e = entry_of(acl);

	for (int i = 0; i < d->n; i++)
		if (d->valid[i] && AclFilterMatches(&d->filters[i], &e) &&
			!(d->v0 && e.pattern_type != ACL_PATTERN_LITERAL))
			return true;
	return false;
}

bool
KafkaHandleDeleteAcls(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const DeleteAclsRequest *req = reqp;
	DeleteAclsResponse *resp = respp;
	KArena	   *arena = &conn->arena;
	int32		n = Max(req->Filters.count, 0);
	DeleteFilters df;
	int16		common = KAFKA_ERR_NONE;
	const char *common_msg = NULL;
	int			nvalid = 0;

	df.filters = palloc0(sizeof(AclFilter) * (size_t) Max(n, 1));
	df.valid = palloc0(sizeof(bool) * (size_t) Max(n, 1));
	df.n = n;
	df.v0 = h->api_version == 0;
	resp->FilterResults.count = n;
	resp->FilterResults.items = KafkaNewArray(arena, &DeleteAclsFilterResult_schema, n);
	if (!authorizer)
	{
		common = KAFKA_ERR_SECURITY_DISABLED;
		common_msg = SECURITY_DISABLED_MESSAGE;
	}
	else if (!KafkaAuthorizeCluster(ACL_OP_ALTER))
	{
		common = KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED;
		common_msg = "Deleting ACLs needs ALTER on the cluster";
	}
	for (int32 i = 0; i < n; i++)
	{
		const DeleteAclsFilter *q = &req->Filters.items[i];
		DeleteAclsFilterResult *r = &resp->FilterResults.items[i];
		AclFilter  *f = &df.filters[i];
		const char *why;

		r->ErrorMessage = KSTR_NULL;
		if (common != KAFKA_ERR_NONE)
		{
			r->ErrorCode = common;
			r->ErrorMessage = KStrArena(arena, common_msg);
			continue;
		}
		f->resource_type = q->ResourceTypeFilter;
		f->pattern_type = q->PatternTypeFilter;
		f->operation = q->Operation;
		f->permission = q->PermissionType;
		set_filter_strings(f, q->ResourceNameFilter, q->PrincipalFilter, q->HostFilter);
		if (!AclFilterValid(f, &why))
		{
			r->ErrorCode = KAFKA_ERR_INVALID_REQUEST;
			r->ErrorMessage = KStrArena(arena, why);
			continue;
		}
		df.valid[i] = true;
		nvalid++;
	}
	if (nvalid > 0)
	{
		char	   *msg;
		char		err[1024];
		int64		version;
		CatalogAcl *deleted;
		int			ndeleted;
		PGconn	   *pg = BackendCatalogConnection(&msg);

		if (pg == NULL || !CatalogDeleteAcls(pg, delete_matches, &df, &deleted, &ndeleted, &version,
											 err, sizeof(err)))
		{
			if (pg != NULL)
				elog(LOG, "DeleteAcls from %s: %s", MyClientAddr, err);
			for (int32 i = 0; i < n; i++)
				if (df.valid[i])
				{
					resp->FilterResults.items[i].ErrorCode = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
					resp->FilterResults.items[i].ErrorMessage = KSTR_LIT("The catalog refused the change; see the broker's log");
				}
			return true;
		}
		for (int32 i = 0; i < n; i++)
		{
			DeleteAclsFilterResult *r = &resp->FilterResults.items[i];

			if (!df.valid[i])
				continue;
			r->MatchingAcls.items = KafkaNewArray(arena, &DeleteAclsMatchingAcl_schema, Max(ndeleted, 1));
			for (int k = 0; k < ndeleted; k++)
			{
				AclEntry	e = entry_of(&deleted[k]);
				DeleteAclsMatchingAcl *m;

				if (!AclFilterMatches(&df.filters[i], &e) || (df.v0 && e.pattern_type != ACL_PATTERN_LITERAL))
					continue;
				m = &r->MatchingAcls.items[r->MatchingAcls.count++];
				m->ErrorMessage = KSTR_NULL;
				m->ResourceType = (int8) e.resource_type;
				m->ResourceName = KStrArena(arena, e.resource_name);
				m->PatternType = (int8) e.pattern_type;
				m->Principal = KStrArena(arena, e.principal);
				m->Host = KStrArena(arena, e.host);
				m->Operation = (int8) e.operation;
				m->PermissionType = (int8) e.permission;
			}
		}
		for (int k = 0; k < ndeleted; k++)
			elog(LOG, "ACL deleted by %s from %s: %s %s \"%s\" %s %s on host %s %s",
				 MyPrincipal, MyClientAddr, deleted[k].permission, deleted[k].operation,
				 deleted[k].resource_name, deleted[k].resource_type, deleted[k].pattern_type,
				 deleted[k].host, deleted[k].principal);
		if (ndeleted > 0)
		{
			CatalogFreeAcls(deleted, ndeleted);
			(void) SecurityWaitForVersion(version, SECURITY_WAIT_MS);
		}
	}
	return true;
}
