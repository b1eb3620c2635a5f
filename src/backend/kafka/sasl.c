/*-------------------------------------------------------------------------
 *
 * sasl.c
 *	  SASL authentication of the backend's client (kafka/sasl.h): the
 *	  state machine run before dispatch, SaslHandshake and
 *	  SaslAuthenticate, and the PLAIN (RFC 4616) and SCRAM-SHA-256/512
 *	  (RFC 5802, RFC 7677) server exchanges, with Kafka's conventions:
 *
 *	  - SCRAM without channel binding (gs2 header "n,," or "y,,"); an
 *	    authorization id, if given, must be the user itself; the extension
 *	    tokenauth (delegation tokens) is refused, others are ignored.
 *	  - PLAIN's password is checked against the user's SCRAM credential
 *	    (the catalog keeps no passwords), preferring SCRAM-SHA-512.
 *	  - A SCRAM exchange for a user without a credential runs to its end
 *	    with a salt derived from the cluster's auth nonce and the name,
 *	    stable across connections and brokers, and fails only at the proof,
 *	    exactly as a wrong password does: the exchange does not tell who
 *	    exists.
 *	  - Failure: SASL_AUTHENTICATION_FAILED with Kafka's message, after
 *	    authentication_failure_delay, then the connection closes; with
 *	    bare tokens (SaslHandshake v0) there is no way to say it, and the
 *	    connection just closes, as Kafka does.
 *
 *	  The principal of an authenticated client is User:<name>
 *	  (MyPrincipal, kafka/backend.h).
 *
 *	  Process: a backend, for its one connection; no shared state but the
 *	  security cache it reads.  What lasts from one request to the next (the
 *	  exchange in progress, the session, the principal) is allocated in
 *	  TopMemoryContext, the rest in RequestContext.
 *
 * IDENTIFICATION
 *	  src/backend/kafka/sasl.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <openssl/crypto.h>

#include "kafka/backend.h"
#include "kafka/sasl.h"
#include "kafka/security.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/listeners.h"
#include "utils/metrics.h"
#include "utils/scram.h"
#include "utils/timestamp.h"

/* Smallest request: api key, version, correlation id, client id length. */
#define MIN_REQUEST_FRAME	10

/* Bytes of randomness in the server's part of a SCRAM nonce. */
#define SCRAM_SERVER_NONCE_BYTES 18

typedef enum SaslMechanism
{
	MECH_NONE = -1,
	MECH_PLAIN,
	MECH_SCRAM_SHA_256,
	MECH_SCRAM_SHA_512
} SaslMechanism;

static const char *const mechanism_names[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

typedef enum SaslStep
{
	STEP_START,					/* no handshake yet (or authenticated) */
	STEP_HANDSHAKEN,			/* mechanism chosen, waiting for its first token */
	STEP_SCRAM_FINAL			/* server-first sent, waiting for client-final */
} SaslStep;

typedef enum ExchangeResult
{
	EXCHANGE_CONTINUE,			/* send the token, wait for the next */
	EXCHANGE_SUCCESS,			/* send the (last) token: authenticated */
	EXCHANGE_FAILURE			/* refuse */
} ExchangeResult;

static struct
{
	bool		on;				/* a SASL listener */
	bool		authenticated;
	int64		deadline_ms;	/* while not authenticated */
	SaslStep	step;
	bool		bare;			/* tokens without Kafka framing (handshake v0) */
	bool		reauth;			/* this exchange re-authenticates */
	SaslMechanism mechanism;	/* of the exchange in progress */
	SaslMechanism session_mechanism;	/* of the authenticated session */
	char	   *user;			/* authenticated user */
	int64		session_end_ms; /* 0: the session does not expire */
	bool		close_after;	/* failed: close after the response */
	int64		close_delay_ms; /* ... sent after this long */
	/* SCRAM exchange in progress */
	char	   *scram_user;
	char	   *gs2_header;
	char	   *client_first_bare;
	char	   *server_first;
	char	   *nonce;			/* client's + server's */
	bool		mock;			/* no such user: must fail at the proof */
	ScramSecret secret;
}			sasl;

/* ---------------------------------------------------------------- settings */

static SaslMechanism
mechanism_from_name(const char *name, size_t len)
{
	for (int m = 0; m < (int) lengthof(mechanism_names); m++)
		if (strlen(mechanism_names[m]) == len && strncasecmp(mechanism_names[m], name, len) == 0)
			return (SaslMechanism) m;
	return MECH_NONE;
}

/*
 * Walk sasl_enabled_mechanisms: fn(mechanism or MECH_NONE, name, len, arg)
 * for each entry.
 */
static void
foreach_mechanism(const char *list, void (*fn) (SaslMechanism, const char *, size_t, void *), void *arg)
{
	const char *p = list;

	while (*p)
	{
		const char *end;
		size_t		len;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		end = p;
		while (*end && *end != ',' && *end != ' ')
			end++;
		len = (size_t) (end - p);
		fn(mechanism_from_name(p, len), p, len, arg);
		p = end;
	}
}

typedef struct CheckArg
{
	int			count;
	char	   *err;
	size_t		errlen;
} CheckArg;

static void
check_one(SaslMechanism m, const char *name, size_t len, void *arg)
{
	CheckArg   *c = arg;

	if (m == MECH_NONE && c->err[0] == '\0')
		snprintf(c->err, c->errlen, "invalid value for setting \"sasl_enabled_mechanisms\": unknown mechanism \"%.*s\" (use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN)",
				 (int) Min(len, 64), name);
	c->count++;
}

bool
SaslCheckMechanisms(const char *list, char *err, size_t errlen)
{
	CheckArg	c = {0, err, errlen};

	err[0] = '\0';
	foreach_mechanism(list, check_one, &c);
	if (err[0] != '\0')
		return false;
	if (c.count == 0)
	{
		snprintf(err, errlen, "setting \"sasl_enabled_mechanisms\" is empty, but a SASL listener (SASL_PLAINTEXT or SASL_SSL) needs a mechanism");
		return false;
	}
	return true;
}

/* Mechanisms offered on this connection, in the setting's order. */
typedef struct Offered
{
	int			n;
	SaslMechanism m[lengthof(mechanism_names)];
} Offered;

static void
offer_one(SaslMechanism m, const char *name, size_t len, void *arg)
{
	Offered    *o = arg;

	if (m == MECH_NONE)
		return;
	/* PLAIN sends the password itself: only over TLS, unless allowed. */
	if (m == MECH_PLAIN && !ListenerUsesTls(MyListenerProtocol) && !sasl_plain_without_tls)
		return;
	for (int i = 0; i < o->n; i++)
		if (o->m[i] == m)
			return;
	o->m[o->n++] = m;
}

static Offered
offered_mechanisms(void)
{
	Offered		o = {0};

	foreach_mechanism(sasl_enabled_mechanisms, offer_one, &o);
	return o;
}

/* ---------------------------------------------------------------- connection state */

void
SaslInitConnection(int64 start_ms)
{
	memset(&sasl, 0, sizeof(sasl));
	sasl.on = ListenerUsesSasl(MyListenerProtocol);
	sasl.deadline_ms = start_ms + authentication_timeout;
	sasl.mechanism = MECH_NONE;
	sasl.session_mechanism = MECH_NONE;
}

int64
SaslMaxFrame(void)
{
	return sasl.on && !sasl.authenticated ? Min(sasl_max_request_bytes, socket_request_max_bytes)
		: socket_request_max_bytes;
}

bool
SaslExpectsBareToken(void)
{
	return sasl.on && sasl.bare && sasl.step != STEP_START;
}

long
SaslDeadlineRemaining(void)
{
	if (!sasl.on || sasl.authenticated)
		return -1;
	return (long) Max(sasl.deadline_ms - MonotonicMs(), 0);
}

bool
SaslDeadlinePassed(void)
{
	if (!sasl.on || sasl.authenticated || MonotonicMs() < sasl.deadline_ms)
		return false;
	elog(LOG, "closing connection from %s on listener %s: it did not authenticate within authentication_timeout (%lld ms)",
		 MyClientAddr, MyListenerName, (long long) authentication_timeout);
	MetricsInc(METRIC_AUTHENTICATION_FAILURES, 1);
	return true;
}

bool
SaslCloseAfterResponse(int64 *delay_ms)
{
	*delay_ms = sasl.close_delay_ms;
	return sasl.close_after;
}

/* ---------------------------------------------------------------- exchanges */

/*
 * A client-supplied name made safe for the log: at most 64 bytes, bytes
 * outside printable ASCII as \xNN.  palloc'd.
 */
static char *
printable(const char *s, size_t len)
{
	char	   *out = palloc(64 * 4 + 4);
	size_t		o = 0;

	for (size_t i = 0; i < len && i < 64; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char) c;
		else
			o += (size_t) sprintf(out + o, "\\x%02x", c);
	}
	if (len > 64)
	{
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static void
free_string(char **p)
{
	if (*p)
		pfree(*p);
	*p = NULL;
}

/* Forget the exchange in progress (its secret included). */
static void
reset_exchange(void)
{
	free_string(&sasl.scram_user);
	free_string(&sasl.gs2_header);
	free_string(&sasl.client_first_bare);
	free_string(&sasl.server_first);
	free_string(&sasl.nonce);
	OPENSSL_cleanse(&sasl.secret, sizeof(sasl.secret));
	sasl.mock = false;
	sasl.step = STEP_START;
	sasl.bare = false;
}

/*
 * Refuse the authentication: log who, from where and why (never a
 * password), count it, and have the connection closed after the response
 * and authentication_failure_delay.
 */
static void
refuse(const char *user, size_t userlen, const char *reason)
{
	char	   *who = printable(user ? user : "", user ? userlen : 0);

	elog(LOG, "%s of user \"%s\" from %s on listener %s failed: %s (SASL %s)",
		 sasl.reauth ? "re-authentication" : "authentication", who, MyClientAddr, MyListenerName,
		 reason, sasl.mechanism == MECH_NONE ? "?" : mechanism_names[sasl.mechanism]);
	pfree(who);
	MetricsInc(METRIC_AUTHENTICATION_FAILURES, 1);
	sasl.close_after = true;
	sasl.close_delay_ms = authentication_failure_delay;
	reset_exchange();
}

/* The exchange succeeded for user: start (or renew) the session. */
static bool
complete(const char *user)
{
	if (sasl.reauth && strcmp(user, sasl.user) != 0)
	{
		refuse(user, strlen(user), "re-authentication as another user than the session's");
		return false;
	}
	if (!sasl.reauth)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		sasl.user = pstrdup(user);
		MyPrincipal = psprintf("User:%s", user);
		MemoryContextSwitchTo(old);
	}
	sasl.authenticated = true;
	sasl.session_mechanism = sasl.mechanism;
	sasl.session_end_ms = connections_max_reauth_ms > 0 ? MonotonicMs() + connections_max_reauth_ms : 0;
	elog(DEBUG1, "%s %s on listener %s as %s (SASL %s)",
		 sasl.reauth ? "re-authenticated" : "authenticated", MyClientAddr, MyListenerName,
		 MyPrincipal, mechanism_names[sasl.mechanism]);
	MetricsInc(METRIC_AUTHENTICATIONS, 1);
	reset_exchange();
	sasl.reauth = false;
	return true;
}

/*
 * A secret for a user that has none: the salt is derived from the cluster's
 * auth nonce and the name, so the same name gets the same salt on every
 * connection and broker, as a real user does; the keys are random, and the
 * exchange fails at the proof.
 */
static void
mock_secret(ScramMechanism m, const char *user, ScramSecret *out)
{
	uint8		mac[SCRAM_MAX_KEY_LEN];
	char	   *data = psprintf("strata mock salt %s %s", ScramMechanismName(m), user);

	memset(out, 0, sizeof(*out));
	out->mechanism = m;
	out->iterations = SCRAM_DEFAULT_ITERATIONS;
	ScramHmac(SCRAM_SHA_256, SecurityAuthNonce(), 32, (const uint8 *) data, strlen(data), mac);
	out->salt_len = SCRAM_SALT_LEN;
	memcpy(out->salt, mac, SCRAM_SALT_LEN);
	if (!ScramRandom(out->stored_key, SCRAM_MAX_KEY_LEN) || !ScramRandom(out->server_key, SCRAM_MAX_KEY_LEN))
		memset(out->stored_key, 0xff, SCRAM_MAX_KEY_LEN);
	pfree(data);
}

/* PLAIN: [authzid] NUL authcid NUL password (RFC 4616). */
static ExchangeResult
plain_exchange(const uint8 *in, int32 len)
{
	SaslPlainMessage pm;
	const char *why = SaslParsePlain((const char *) in, (size_t) len, &pm);
	ScramSecret secret;
	char	   *name;
	bool		found;
	bool		ok;

	if (why != NULL)
	{
		refuse(pm.user, pm.user_len, why);
		return EXCHANGE_FAILURE;
	}
	name = psprintf("%.*s", (int) pm.user_len, pm.user);
	found = SecurityLookupCredential(name, pm.user_len, SCRAM_SHA_512, &secret) ||
		SecurityLookupCredential(name, pm.user_len, SCRAM_SHA_256, &secret);
	if (!found)
		mock_secret(SCRAM_SHA_256, name, &secret);
	/* Checked for a user that does not exist too: the same time either way. */
	ok = ScramCheckPassword(&secret, pm.password, pm.password_len) && found;
	OPENSSL_cleanse(&secret, sizeof(secret));
	if (!ok)
	{
		refuse(pm.user, pm.user_len, !SecurityCacheUsable() ? "users are not loaded from the catalog yet (see the catalog worker's log)"
			   : found ? "wrong password" : "no such user");
		pfree(name);
		return EXCHANGE_FAILURE;
	}
	ok = complete(name);
	pfree(name);
	return ok ? EXCHANGE_SUCCESS : EXCHANGE_FAILURE;
}

/* A token for the client, in the request arena. */
static KBytes
arena_token(KArena *arena, const char *s)
{
	size_t		len = strlen(s);
	uint8	   *p = KArenaAlloc(arena, len + 1);

	if (p == NULL)
		elog(ERROR, "request arena exhausted");
	memcpy(p, s, len);
	return (KBytes) {p, (int32) len};
}

/* client-first-message: answer with server-first-message. */
static ExchangeResult
scram_first(const uint8 *in, int32 len, KArena *arena, KBytes *out)
{
	ScramMechanism m = sasl.mechanism == MECH_SCRAM_SHA_512 ? SCRAM_SHA_512 : SCRAM_SHA_256;
	ScramClientFirst cf;
	const char *why = ScramParseClientFirst((const char *) in, (size_t) len, &cf);
	uint8		snonce[SCRAM_SERVER_NONCE_BYTES];
	char		snonce64[ScramBase64EncodedLen(SCRAM_SERVER_NONCE_BYTES)];
	char		salt64[ScramBase64EncodedLen(SCRAM_MAX_SALT_LEN)];

	if (why == NULL && cf.tokenauth)
		why = "delegation tokens (tokenauth) are not supported";
	if (why == NULL && cf.authzid != NULL && cf.authzid[0] != '\0' && strcmp(cf.authzid, cf.user) != 0)
		why = "the authorization id differs from the user name";
	if (why == NULL && !ScramRandom(snonce, sizeof(snonce)))
		why = "no random bytes for the server nonce";
	if (why != NULL)
	{
		refuse(cf.user, cf.user ? strlen(cf.user) : 0, why);
		ScramFreeClientFirst(&cf);
		return EXCHANGE_FAILURE;
	}
	sasl.mock = !SecurityLookupCredential(cf.user, strlen(cf.user), m, &sasl.secret);
	if (sasl.mock)
		mock_secret(m, cf.user, &sasl.secret);
	ScramBase64Encode(snonce, sizeof(snonce), snonce64);
	ScramBase64Encode(sasl.secret.salt, (size_t) sasl.secret.salt_len, salt64);
	{
		/* The exchange's state lasts until its next request. */
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		sasl.scram_user = pstrdup(cf.user);
		sasl.gs2_header = pstrdup(cf.gs2_header);
		sasl.client_first_bare = pstrdup(cf.bare);
		sasl.nonce = psprintf("%s%s", cf.nonce, snonce64);
		sasl.server_first = psprintf("r=%s,s=%s,i=%d", sasl.nonce, salt64, sasl.secret.iterations);
		MemoryContextSwitchTo(old);
	}
	*out = arena_token(arena, sasl.server_first);
	sasl.step = STEP_SCRAM_FINAL;
	ScramFreeClientFirst(&cf);
	return EXCHANGE_CONTINUE;
}

/* client-final-message: check the proof, answer with server-final-message. */
static ExchangeResult
scram_final(const uint8 *in, int32 len, KArena *arena, KBytes *out)
{
	char	   *user = pstrdup(sasl.scram_user);
	ScramClientFinal cf;
	const char *why = ScramParseClientFinal((const char *) in, (size_t) len, &cf);
	char	   *auth_message = NULL;
	uint8		signature[SCRAM_MAX_KEY_LEN];
	char		sig64[ScramBase64EncodedLen(SCRAM_MAX_KEY_LEN)];
	size_t		nlen = cf.nonce ? strlen(cf.nonce) : 0;
	bool		ok;

	if (why == NULL && ((size_t) cf.channel_binding_len != strlen(sasl.gs2_header) ||
						memcmp(cf.channel_binding, sasl.gs2_header, (size_t) cf.channel_binding_len) != 0))
		why = "client-final-message whose channel binding is not the gs2 header sent";

	/*
	 * The nonce must end with the exchange's (Kafka checks no more:
	 * librdkafka before 2.2 sends its own nonce again in front of it).
	 */
	if (why == NULL && (nlen < strlen(sasl.nonce) ||
						strcmp(cf.nonce + nlen - strlen(sasl.nonce), sasl.nonce) != 0))
		why = "client-final-message with a nonce other than the exchange's";
	if (why == NULL)
	{
		auth_message = psprintf("%s,%s,%.*s", sasl.client_first_bare, sasl.server_first,
								(int) cf.without_proof_len, (const char *) in);
		ok = ScramVerifyProof(&sasl.secret, cf.proof, cf.proof_len, auth_message, strlen(auth_message)) &&
			!sasl.mock;
		if (!ok)
			why = !SecurityCacheUsable() ? "users are not loaded from the catalog yet (see the catalog worker's log)"
				: !sasl.mock ? "wrong password"
				: SecurityUserExists(user, strlen(user)) ? psprintf("the user has no %s credential", ScramMechanismName(sasl.secret.mechanism))
				: "no such user";
	}
	ScramFreeClientFinal(&cf);
	if (why != NULL)
	{
		refuse(user, strlen(user), why);
		if (auth_message)
			pfree(auth_message);
		pfree(user);
		return EXCHANGE_FAILURE;
	}
	ScramServerSignature(&sasl.secret, auth_message, strlen(auth_message), signature);
	ScramBase64Encode(signature, (size_t) ScramKeyLength(sasl.secret.mechanism), sig64);
	*out = arena_token(arena, psprintf("v=%s", sig64));
	pfree(auth_message);
	ok = complete(user);
	pfree(user);
	return ok ? EXCHANGE_SUCCESS : EXCHANGE_FAILURE;
}

/* One token of the exchange in progress; the answer token in *out. */
static ExchangeResult
exchange(const uint8 *in, int32 len, KArena *arena, KBytes *out)
{
	*out = (KBytes) {(const uint8 *) "", 0};
	SecurityCacheRefresh();
	if (len < 0)
		len = 0;
	if (sasl.mechanism == MECH_PLAIN)
		return plain_exchange(in, len);
	if (sasl.step == STEP_HANDSHAKEN)
		return scram_first(in, len, arena, out);
	return scram_final(in, len, arena, out);
}

static const char *
failure_message(void)
{
	return psprintf("Authentication failed during authentication due to invalid credentials with SASL mechanism %s",
					sasl.mechanism == MECH_NONE ? "?" : mechanism_names[sasl.mechanism]);
}

/* Close the connection after this response, without delay. */
static void
close_after_response(const char *why)
{
	elog(LOG, "closing connection from %s on listener %s: %s", MyClientAddr, MyListenerName, why);
	sasl.close_after = true;
	sasl.close_delay_ms = 0;
	reset_exchange();
}

/* ---------------------------------------------------------------- the state machine */

SaslFrameAction
SaslFilterFrame(KafkaConn *conn, const uint8 *frame, size_t len)
{
	int16		api_key;

	if (!sasl.on)
		return SASL_FRAME_DISPATCH;
	if (SaslDeadlinePassed())
		return SASL_FRAME_CLOSE;
	if (SaslExpectsBareToken())
	{
		/* SaslHandshake v0: the frame is the token, the answer a bare frame. */
		KBytes		answer;
		ExchangeResult r = exchange(frame, (int32) len, &conn->arena, &answer);

		if (r != EXCHANGE_FAILURE)
		{
			KWriteInt32(&conn->out, answer.len);
			KWriteRaw(&conn->out, answer.ptr, (size_t) answer.len);
		}
		return SASL_FRAME_DONE;
	}
	api_key = (int16) ((frame[0] << 8) | frame[1]);
	if (!sasl.authenticated)
	{
		if (api_key == KAFKA_API_API_VERSIONS || api_key == KAFKA_API_SASL_HANDSHAKE ||
			api_key == KAFKA_API_SASL_AUTHENTICATE)
			return SASL_FRAME_DISPATCH;
		elog(LOG, "closing connection from %s on listener %s: %s request (API key %d) before authentication",
			 MyClientAddr, MyListenerName,
			 KafkaApiLookup(api_key) ? KafkaApiLookup(api_key)->name : "unknown", api_key);
		MetricsInc(METRIC_AUTHENTICATION_FAILURES, 1);
		return SASL_FRAME_CLOSE;
	}
	if (sasl.session_end_ms != 0 && MonotonicMs() >= sasl.session_end_ms &&
		api_key != KAFKA_API_SASL_HANDSHAKE && api_key != KAFKA_API_SASL_AUTHENTICATE &&
		!(sasl.reauth && sasl.step != STEP_START))
	{
		elog(LOG, "closing connection from %s on listener %s: the SASL session of %s expired (connections_max_reauth_ms = %lld) without re-authentication",
			 MyClientAddr, MyListenerName, MyPrincipal, (long long) connections_max_reauth_ms);
		return SASL_FRAME_CLOSE;
	}
	return SASL_FRAME_DISPATCH;
}

/* ---------------------------------------------------------------- handlers */

bool
KafkaHandleSaslHandshake(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const SaslHandshakeRequest *req = reqp;
	SaslHandshakeResponse *resp = respp;
	Offered		o = sasl.on ? offered_mechanisms() : (Offered) {0};
	SaslMechanism m = mechanism_from_name(req->Mechanism.ptr, (size_t) Max(req->Mechanism.len, 0));
	bool		offered = false;

	resp->Mechanisms.count = o.n;
	resp->Mechanisms.items = KArenaArray(&conn->arena, o.n, sizeof(KStr));
	for (int i = 0; i < o.n; i++)
	{
		resp->Mechanisms.items[i] = KStrArena(&conn->arena, mechanism_names[o.m[i]]);
		offered |= o.m[i] == m;
	}
	if (!sasl.on)
	{
		/* As Kafka answers on a listener without SASL. */
		resp->ErrorCode = KAFKA_ERR_ILLEGAL_SASL_STATE;
		return true;
	}
	if (sasl.authenticated)
	{
		/* KIP-368 re-authentication: same mechanism, SaslAuthenticate to follow. */
		if (h->api_version < 1 || sasl.step != STEP_START || m != sasl.session_mechanism)
		{
			resp->ErrorCode = KAFKA_ERR_ILLEGAL_SASL_STATE;
			close_after_response("a re-authentication must use SaslHandshake v1+ with the session's mechanism");
			return true;
		}
		sasl.reauth = true;
	}
	else if (sasl.step != STEP_START)
	{
		resp->ErrorCode = KAFKA_ERR_ILLEGAL_SASL_STATE;
		close_after_response("a second SaslHandshake before authentication");
		return true;
	}
	if (!offered)
	{
		char	   *what = printable(req->Mechanism.ptr ? req->Mechanism.ptr : "", (size_t) Max(req->Mechanism.len, 0));

		resp->ErrorCode = KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM;
		close_after_response(psprintf("SASL mechanism \"%s\" is not enabled on this listener (sasl_enabled_mechanisms%s)",
									  what, m == MECH_PLAIN ? "; PLAIN is only offered over TLS unless sasl_plain_without_tls is on" : ""));
		MetricsInc(METRIC_AUTHENTICATION_FAILURES, 1);
		return true;
	}
	sasl.mechanism = m;
	sasl.step = STEP_HANDSHAKEN;
	sasl.bare = h->api_version == 0;
	return true;
}

bool
KafkaHandleSaslAuthenticate(void *ctx, const KafkaRequestHeader *h, const void *reqp, void *respp)
{
	KafkaConn  *conn = ctx;
	const SaslAuthenticateRequest *req = reqp;
	SaslAuthenticateResponse *resp = respp;
	ExchangeResult r;

	resp->AuthBytes = (KBytes) {(const uint8 *) "", 0};
	if (!sasl.on)
	{
		resp->ErrorCode = KAFKA_ERR_ILLEGAL_SASL_STATE;
		resp->ErrorMessage = KArenaPrintf(&conn->arena, "SaslAuthenticate request received on listener %s, which has no SASL",
										  MyListenerName);
		return true;
	}
	if (sasl.step == STEP_START || sasl.bare)
	{
		resp->ErrorCode = KAFKA_ERR_ILLEGAL_SASL_STATE;
		resp->ErrorMessage = sasl.authenticated && !sasl.reauth
			? KSTR_LIT("SaslAuthenticate request received after successful authentication")
			: KSTR_LIT("Unexpected SaslAuthenticate request without a SaslHandshake v1");
		close_after_response("SaslAuthenticate out of sequence");
		return true;
	}
	r = exchange(req->AuthBytes.ptr, req->AuthBytes.len, &conn->arena, &resp->AuthBytes);
	if (r == EXCHANGE_FAILURE)
	{
		resp->ErrorCode = KAFKA_ERR_SASL_AUTHENTICATION_FAILED;
		resp->ErrorMessage = KStrArena(&conn->arena, failure_message());
		resp->AuthBytes = (KBytes) {(const uint8 *) "", 0};
		return true;
	}
	if (r == EXCHANGE_SUCCESS && sasl.session_end_ms != 0)
		resp->SessionLifetimeMs = connections_max_reauth_ms;
	return true;
}
