/*-------------------------------------------------------------------------
 *
 * security.c
 *	  The security cache: the catalog's users and ACLs in shared memory,
 *	  and each backend's private parsed copy (kafka/security.h).
 *
 *	  The shared area holds one serialised state:
 *
 *		int64  version                   the catalog's security version
 *		uint8  auth_nonce[32]
 *		uint32 ncredentials, then each:  user (uint32 length, bytes, NUL),
 *		       uint8 mechanism, int32 iterations, uint8 salt length, salt,
 *		       stored key, server key (the mechanism's key length each)
 *		uint32 nacls, then each:         uint8 resource type, pattern type,
 *		       operation, permission; resource name, principal, host (each
 *		       uint32 length, bytes, NUL)
 *
 *	  in host byte order (only this machine reads it).  Credentials are
 *	  sorted by user (bytewise) and mechanism, so a backend finds one by
 *	  binary search.
 *
 *	  Waiting for a version: a backend that has just changed users or ACLs
 *	  puts the version it waits for in its slot of wait_version and sleeps
 *	  on its latch; the catalog worker, after each publish, sets the latch
 *	  of every backend waiting for a version it has reached.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/security.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "catalog/catalog_security.h"
#include "kafka/security.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

typedef struct SecurityShmemStruct
{
	SMutex		lock;			/* SecurityLock: writing or copying data */
	uint64		generation;		/* bumped after each publish (atomic) */
	bool		usable;			/* under lock */
	int64		version;		/* under lock */
	size_t		len;			/* under lock: bytes of data in use */
	size_t		cap;
	int			nslots;
	int64	   *wait_version;	/* [nslots], atomic; 0: not waiting */
	char	   *data;			/* [cap] */
} SecurityShmemStruct;

static SecurityShmemStruct *Security = NULL;

/* ---- the backend's private copy ---- */

typedef struct LocalCredential
{
	const char *user;
	size_t		userlen;
	ScramSecret secret;
} LocalCredential;

static uint64 local_generation = 0;
static bool local_usable = false;
static int64 local_version = 0;
static char *local_buf = NULL;
static size_t local_cap = 0;
static uint8 local_nonce[CATALOG_AUTH_NONCE_LEN];
static LocalCredential *local_creds = NULL;
static int	local_ncreds = 0;
static AclEntry *local_acls = NULL;
static int	local_nacls = 0;

static int
wait_slots(void)
{
	return NUM_AUX_PROCS + (int) max_connections;
}

size_t
SecurityShmemSize(void)
{
	size_t		size = MAXALIGN(sizeof(SecurityShmemStruct));

	size = add_size(size, MAXALIGN(mul_size(sizeof(int64), (size_t) wait_slots())));
	size = add_size(size, (size_t) security_cache_size);
	return size;
}

void
SecurityShmemInit(void)
{
	bool		found;
	char	   *base = ShmemInitStruct("Security cache", SecurityShmemSize(), &found);

	Security = (SecurityShmemStruct *) base;
	if (found)
		return;
	memset(Security, 0, sizeof(*Security));
	SMutexInit(&Security->lock);
	Security->nslots = wait_slots();
	Security->wait_version = (int64 *) (base + MAXALIGN(sizeof(SecurityShmemStruct)));
	memset(Security->wait_version, 0, sizeof(int64) * (size_t) Security->nslots);
	Security->data = (char *) Security->wait_version + MAXALIGN(sizeof(int64) * (size_t) Security->nslots);
	Security->cap = (size_t) security_cache_size;
}

/* ---------------------------------------------------------------- writing */

typedef struct Buf
{
	char	   *p;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_put(Buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap)
	{
		b->cap = Max(b->cap * 2, b->len + len + 1024);
		b->p = repalloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
buf_put_str(Buf *b, const char *s)
{
	uint32		len = (uint32) strlen(s);

	buf_put(b, &len, sizeof(len));
	buf_put(b, s, (size_t) len + 1);
}

static void
buf_put_u8(Buf *b, uint8 v)
{
	buf_put(b, &v, 1);
}

/* Bytewise by user, then by mechanism: the order find_credential expects. */
static int
credential_order(const void *a, const void *b)
{
	const CatalogScramCredential *x = a;
	const CatalogScramCredential *y = b;
	int			r = strcmp(x->user, y->user);

	if (r != 0)
		return r;
	return (int) x->secret.mechanism - (int) y->secret.mechanism;
}

/* Serialise a state loaded from the catalog (see the file comment). */
static void
serialise(CatalogSecurityState *st, Buf *b)
{
	uint32		n;

	qsort(st->credentials, (size_t) st->ncredentials, sizeof(CatalogScramCredential), credential_order);
	buf_put(b, &st->version, sizeof(st->version));
	buf_put(b, st->auth_nonce, CATALOG_AUTH_NONCE_LEN);
	n = (uint32) st->ncredentials;
	buf_put(b, &n, sizeof(n));
	for (int i = 0; i < st->ncredentials; i++)
	{
		const ScramSecret *s = &st->credentials[i].secret;
		int			klen = ScramKeyLength(s->mechanism);

		buf_put_str(b, st->credentials[i].user);
		buf_put_u8(b, (uint8) s->mechanism);
		buf_put(b, &s->iterations, sizeof(s->iterations));
		buf_put_u8(b, (uint8) s->salt_len);
		buf_put(b, s->salt, (size_t) s->salt_len);
		buf_put(b, s->stored_key, (size_t) klen);
		buf_put(b, s->server_key, (size_t) klen);
	}
	n = (uint32) st->nacls;
	buf_put(b, &n, sizeof(n));
	for (int i = 0; i < st->nacls; i++)
	{
		const CatalogAcl *a = &st->acls[i];

		buf_put_u8(b, (uint8) AclResourceTypeFromName(a->resource_type));
		buf_put_u8(b, (uint8) AclPatternTypeFromName(a->pattern_type));
		buf_put_u8(b, (uint8) AclOperationFromName(a->operation));
		buf_put_u8(b, (uint8) AclPermissionFromName(a->permission));
		buf_put_str(b, a->resource_name);
		buf_put_str(b, a->principal);
		buf_put_str(b, a->host);
	}
}

/*
 * Catalog worker: wake the backends waiting for a version up to this one.
 * No lock: a backend that registers after this pass checks the version
 * itself before it sleeps.
 */
static void
wake_waiters(int64 version)
{
	for (int i = 0; i < Security->nslots && i < ProcArray->nslots; i++)
	{
		int64		want = __atomic_load_n(&Security->wait_version[i], __ATOMIC_SEQ_CST);

		if (want != 0 && want <= version)
			SetLatch(&ProcArray->slots[i].latch);
	}
}

bool
SecurityCacheLoad(PGconn *conn, char *err, size_t errlen)
{
	CatalogSecurityState st;
	Buf			b = {palloc(4096), 0, 4096};
	bool		fits;

	if (!CatalogLoadSecurity(conn, &st, err, errlen))
	{
		pfree(b.p);
		return false;
	}
	serialise(&st, &b);
	fits = b.len <= Security->cap;
	SMutexLock(&Security->lock);
	if (fits)
		memcpy(Security->data, b.p, b.len);
	Security->len = fits ? b.len : 0;
	Security->usable = fits;
	Security->version = st.version;
	__atomic_add_fetch(&Security->generation, 1, __ATOMIC_SEQ_CST);
	SMutexUnlock(&Security->lock);
	if (fits)
		elog(DEBUG1, "security cache loaded: version %lld, %d credentials, %d ACLs, %zu bytes",
			 (long long) st.version, st.ncredentials, st.nacls, b.len);
	else
		elog(WARNING, "the catalog's users and ACLs take %zu bytes, more than security_cache_size (%lld): until security_cache_size is raised (and the broker restarted) every authentication fails and only super users are authorised",
			 b.len, (long long) security_cache_size);
	wake_waiters(st.version);
	/* The buffer held keys: clear it before giving it back. */
	memset(b.p, 0, b.len);
	pfree(b.p);
	CatalogFreeSecurity(&st);
	return true;
}

/* ---------------------------------------------------------------- reading */

typedef struct Reader
{
	char	   *p;
	char	   *end;
	bool		ok;
} Reader;

static void *
rd(Reader *r, size_t len)
{
	char	   *p = r->p;

	if (!r->ok || (size_t) (r->end - r->p) < len)
	{
		r->ok = false;
		return NULL;
	}
	r->p += len;
	return p;
}

static uint32
rd_u32(Reader *r)
{
	uint32		v = 0;
	void	   *p = rd(r, sizeof(v));

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static uint8
rd_u8(Reader *r)
{
	uint8	   *p = rd(r, 1);

	return p ? *p : 0;
}

static const char *
rd_str(Reader *r, uint32 *len)
{
	*len = rd_u32(r);
	return rd(r, (size_t) *len + 1);
}

/* Parse local_buf[0, len) into the private copy; false if malformed (a bug). */
static bool
parse_local(size_t len)
{
	Reader		r = {local_buf, local_buf + len, true};
	uint32		n;
	int64	   *version;

	uint8	   *nonce;

	version = rd(&r, sizeof(int64));
	if (version)
		memcpy(&local_version, version, sizeof(int64));
	if ((nonce = rd(&r, CATALOG_AUTH_NONCE_LEN)) != NULL)
		memcpy(local_nonce, nonce, CATALOG_AUTH_NONCE_LEN);
	n = rd_u32(&r);
	if (local_creds)
		pfree(local_creds);
	local_creds = palloc0(sizeof(LocalCredential) * (size_t) Max(n, 1));
	local_ncreds = 0;
	for (uint32 i = 0; i < n && r.ok; i++)
	{
		LocalCredential *c = &local_creds[local_ncreds];
		uint32		ulen;
		int			klen;
		void	   *p;

		c->user = rd_str(&r, &ulen);
		c->userlen = ulen;
		c->secret.mechanism = (ScramMechanism) rd_u8(&r);
		klen = ScramKeyLength(c->secret.mechanism);
		if ((p = rd(&r, sizeof(int32))) != NULL)
			memcpy(&c->secret.iterations, p, sizeof(int32));
		c->secret.salt_len = rd_u8(&r);
		if (c->secret.salt_len > SCRAM_MAX_SALT_LEN)
			return false;
		if ((p = rd(&r, (size_t) c->secret.salt_len)) != NULL)
			memcpy(c->secret.salt, p, (size_t) c->secret.salt_len);
		if ((p = rd(&r, (size_t) klen)) != NULL)
			memcpy(c->secret.stored_key, p, (size_t) klen);
		if ((p = rd(&r, (size_t) klen)) != NULL)
			memcpy(c->secret.server_key, p, (size_t) klen);
		local_ncreds++;
	}
	n = rd_u32(&r);
	if (local_acls)
		pfree(local_acls);
	local_acls = palloc0(sizeof(AclEntry) * (size_t) Max(n, 1));
	local_nacls = 0;
	for (uint32 i = 0; i < n && r.ok; i++)
	{
		AclEntry   *a = &local_acls[local_nacls];
		uint32		l;

		a->resource_type = rd_u8(&r);
		a->pattern_type = rd_u8(&r);
		a->operation = rd_u8(&r);
		a->permission = rd_u8(&r);
		a->resource_name = rd_str(&r, &l);
		a->resource_name_len = (int32) l;
		a->principal = rd_str(&r, &l);
		a->host = rd_str(&r, &l);
		local_nacls++;
	}
	return r.ok && r.p == r.end;
}

void
SecurityCacheRefresh(void)
{
	uint64		gen = __atomic_load_n(&Security->generation, __ATOMIC_SEQ_CST);
	size_t		len;
	MemoryContext old;
	bool		parsed;

	if (gen == local_generation)
		return;
	SMutexLock(&Security->lock);
	gen = Security->generation;
	len = Security->len;
	local_usable = Security->usable;
	if (len > local_cap)
	{
		/* Not repalloc: the old copy holds keys and is cleared first. */
		if (local_buf)
		{
			memset(local_buf, 0, local_cap);
			pfree(local_buf);
		}
		local_cap = Max(len, 4096);
		local_buf = MemoryContextAlloc(TopMemoryContext, local_cap);
	}
	if (len > 0)
		memcpy(local_buf, Security->data, len);
	local_version = Security->version;
	SMutexUnlock(&Security->lock);
	local_generation = gen;
	if (!local_usable)
	{
		local_ncreds = 0;
		local_nacls = 0;
		return;
	}
	/* The private copy outlives the request that refreshes it. */
	old = MemoryContextSwitchTo(TopMemoryContext);
	parsed = parse_local(len);
	MemoryContextSwitchTo(old);
	if (!parsed)
	{
		elog(WARNING, "the security cache in shared memory is malformed; authentication fails until it is reloaded");
		local_usable = false;
		local_ncreds = 0;
		local_nacls = 0;
	}
}

bool
SecurityCacheUsable(void)
{
	return local_usable;
}

static int
cred_cmp(const char *user, size_t userlen, ScramMechanism m, const LocalCredential *c)
{
	size_t		min = Min(userlen, c->userlen);
	int			r = memcmp(user, c->user, min);

	if (r != 0)
		return r;
	if (userlen != c->userlen)
		return userlen < c->userlen ? -1 : 1;
	if ((int) m == -1)
		return 0;
	return (int) m - (int) c->secret.mechanism;
}

/*
 * Index of the credential for (user, m), or with m == -1 of any credential
 * of user; -1 if none (credentials are in credential_order).
 */
static int
find_credential(const char *user, size_t userlen, int m)
{
	int			lo = 0,
				hi = local_ncreds - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = cred_cmp(user, userlen, (ScramMechanism) m, &local_creds[mid]);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

bool
SecurityLookupCredential(const char *user, size_t userlen, ScramMechanism m, ScramSecret *out)
{
	int			i;

	if (!local_usable)
		return false;
	i = find_credential(user, userlen, (int) m);
	if (i < 0)
		return false;
	*out = local_creds[i].secret;
	return true;
}

bool
SecurityUserExists(const char *user, size_t userlen)
{
	return local_usable && find_credential(user, userlen, -1) >= 0;
}

const uint8 *
SecurityAuthNonce(void)
{
	return local_nonce;
}

const AclEntry *
SecurityAcls(int *n)
{
	*n = local_usable ? local_nacls : 0;
	return local_acls;
}

bool
SecurityWaitForVersion(int64 version, long timeout_ms)
{
	int64		deadline = MonotonicMs() + timeout_ms;
	bool		reached = false;

	__atomic_store_n(&Security->wait_version[MyProcSlot], version, __ATOMIC_SEQ_CST);
	for (;;)
	{
		int64		remaining;

		ResetLatch(MyLatch);
		SecurityCacheRefresh();
		if (local_version >= version)
		{
			reached = true;
			break;
		}
		remaining = deadline - MonotonicMs();
		if (remaining <= 0 || ShutdownRequestPending)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, (long) remaining);
	}
	__atomic_store_n(&Security->wait_version[MyProcSlot], 0, __ATOMIC_SEQ_CST);
	if (!reached)
		elog(LOG, "security change (catalog version %lld) not loaded by this broker within %ld ms; it is committed and takes effect once the catalog worker reloads",
			 (long long) version, timeout_ms);
	return reached;
}
