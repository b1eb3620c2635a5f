/*-------------------------------------------------------------------------
 *
 * scram.c
 *	  SCRAM's cryptography (RFC 5802, RFC 7677) over OpenSSL; see
 *	  utils/scram.h.
 *
 *	  Hi() is PBKDF2 with HMAC-H and one block of output (RFC 5802 section
 *	  2.2 defines it as exactly that), so PKCS5_PBKDF2_HMAC computes it.
 *	  Comparisons of keys use CRYPTO_memcmp, which takes the same time
 *	  whatever the bytes.
 *
 *	  The client's messages are parsed here too, as pure functions, so that
 *	  the fuzz target (contrib/fuzz) can run them without a backend.
 *
 * IDENTIFICATION
 *	  src/backend/utils/scram.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "utils/scram.h"

static const EVP_MD *
scram_md(ScramMechanism m)
{
	return m == SCRAM_SHA_512 ? EVP_sha512() : EVP_sha256();
}

const char *
ScramMechanismName(ScramMechanism m)
{
	return m == SCRAM_SHA_512 ? "SCRAM-SHA-512" : "SCRAM-SHA-256";
}

bool
ScramMechanismFromName(const char *name, ScramMechanism *m)
{
	if (strcasecmp(name, "SCRAM-SHA-256") == 0)
		*m = SCRAM_SHA_256;
	else if (strcasecmp(name, "SCRAM-SHA-512") == 0)
		*m = SCRAM_SHA_512;
	else
		return false;
	return true;
}

int8
ScramMechanismKafkaCode(ScramMechanism m)
{
	return m == SCRAM_SHA_512 ? 2 : 1;
}

bool
ScramMechanismFromKafkaCode(int8 code, ScramMechanism *m)
{
	if (code == 1)
		*m = SCRAM_SHA_256;
	else if (code == 2)
		*m = SCRAM_SHA_512;
	else
		return false;
	return true;
}

int
ScramKeyLength(ScramMechanism m)
{
	return m == SCRAM_SHA_512 ? 64 : 32;
}

void
ScramHash(ScramMechanism m, const uint8 *data, size_t len, uint8 *out)
{
	unsigned int outlen;

	Ensure(EVP_Digest(data, len, out, &outlen, scram_md(m), NULL) == 1);
}

void
ScramHmac(ScramMechanism m, const uint8 *key, size_t keylen,
		  const uint8 *data, size_t len, uint8 *out)
{
	unsigned int outlen;

	Ensure(HMAC(scram_md(m), key, (int) keylen, data, len, out, &outlen) != NULL);
}

bool
ScramSaltedPassword(ScramMechanism m, const char *password, size_t pwlen,
					const uint8 *salt, int saltlen, int32 iterations, uint8 *out)
{
	if (iterations < 1 || saltlen < 0 || pwlen > INT_MAX)
		return false;
	return PKCS5_PBKDF2_HMAC(password, (int) pwlen, salt, saltlen, iterations,
							 scram_md(m), ScramKeyLength(m), out) == 1;
}

void
ScramKeysFromSaltedPassword(ScramMechanism m, const uint8 *salted,
							uint8 *stored_key, uint8 *server_key)
{
	uint8		client_key[SCRAM_MAX_KEY_LEN];
	int			klen = ScramKeyLength(m);

	ScramHmac(m, salted, (size_t) klen, (const uint8 *) "Client Key", 10, client_key);
	ScramHash(m, client_key, (size_t) klen, stored_key);
	ScramHmac(m, salted, (size_t) klen, (const uint8 *) "Server Key", 10, server_key);
	OPENSSL_cleanse(client_key, sizeof(client_key));
}

bool
ScramRandom(uint8 *buf, size_t len)
{
	return RAND_bytes(buf, (int) len) == 1;
}

bool
ScramMakeSecret(ScramMechanism m, const char *password, size_t pwlen,
				int32 iterations, ScramSecret *out)
{
	uint8		salted[SCRAM_MAX_KEY_LEN];

	memset(out, 0, sizeof(*out));
	out->mechanism = m;
	out->iterations = iterations;
	out->salt_len = SCRAM_SALT_LEN;
	if (!ScramRandom(out->salt, SCRAM_SALT_LEN) ||
		!ScramSaltedPassword(m, password, pwlen, out->salt, out->salt_len, iterations, salted))
		return false;
	ScramKeysFromSaltedPassword(m, salted, out->stored_key, out->server_key);
	OPENSSL_cleanse(salted, sizeof(salted));
	return true;
}

bool
ScramCheckPassword(const ScramSecret *secret, const char *password, size_t pwlen)
{
	uint8		salted[SCRAM_MAX_KEY_LEN];
	uint8		stored[SCRAM_MAX_KEY_LEN];
	uint8		server[SCRAM_MAX_KEY_LEN];
	bool		ok;

	if (!ScramSaltedPassword(secret->mechanism, password, pwlen, secret->salt, secret->salt_len,
							 secret->iterations, salted))
		return false;
	ScramKeysFromSaltedPassword(secret->mechanism, salted, stored, server);
	ok = CRYPTO_memcmp(stored, secret->stored_key, (size_t) ScramKeyLength(secret->mechanism)) == 0;
	OPENSSL_cleanse(salted, sizeof(salted));
	return ok;
}

bool
ScramVerifyProof(const ScramSecret *secret, const uint8 *proof, int prooflen,
				 const char *auth_message, size_t amlen)
{
	ScramMechanism m = secret->mechanism;
	int			klen = ScramKeyLength(m);
	uint8		signature[SCRAM_MAX_KEY_LEN];
	uint8		client_key[SCRAM_MAX_KEY_LEN];
	uint8		stored[SCRAM_MAX_KEY_LEN];

	if (prooflen != klen)
		return false;
	ScramHmac(m, secret->stored_key, (size_t) klen, (const uint8 *) auth_message, amlen, signature);
	for (int i = 0; i < klen; i++)
		client_key[i] = proof[i] ^ signature[i];
	ScramHash(m, client_key, (size_t) klen, stored);
	return CRYPTO_memcmp(stored, secret->stored_key, (size_t) klen) == 0;
}

void
ScramServerSignature(const ScramSecret *secret, const char *auth_message, size_t amlen,
					 uint8 *out)
{
	ScramHmac(secret->mechanism, secret->server_key, (size_t) ScramKeyLength(secret->mechanism),
			  (const uint8 *) auth_message, amlen, out);
}

static const char b64chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
ScramBase64Encode(const uint8 *in, size_t len, char *out)
{
	size_t		o = 0;

	for (size_t i = 0; i < len; i += 3)
	{
		uint32		v = (uint32) in[i] << 16;

		if (i + 1 < len)
			v |= (uint32) in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
	}
	out[o] = '\0';
}

static int
b64value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
ScramBase64Decode(const char *in, size_t len, uint8 *out, size_t outcap)
{
	size_t		o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4)
	{
		int			v[4];
		int			pad = 0;

		for (int k = 0; k < 4; k++)
		{
			if (in[i + k] == '=')
			{
				/* Padding only in the last quantum, only at its end. */
				if (i + 4 != len || k < 2)
					return -1;
				v[k] = 0;
				pad++;
			}
			else
			{
				if (pad > 0 || (v[k] = b64value(in[i + k])) < 0)
					return -1;
			}
		}
		if (o + 3 - (size_t) pad > outcap)
			return -1;
		out[o++] = (uint8) ((v[0] << 2) | (v[1] >> 4));
		if (pad < 2)
			out[o++] = (uint8) (((v[1] & 15) << 4) | (v[2] >> 2));
		if (pad < 1)
			out[o++] = (uint8) (((v[2] & 3) << 6) | v[3]);
	}
	return (int) o;
}

/* ---------------------------------------------------------------- parsing */

/*
 * Decode a saslname ("=2C" is ',', "=3D" is '=') from s up to the next ','
 * or the end into a palloc'd string; *end gets where it stopped.  NULL if
 * malformed.
 */
static char *
scram_name(const char *s, const char **end)
{
	char	   *out = palloc(strlen(s) + 1);
	size_t		o = 0;

	while (*s && *s != ',')
	{
		if (*s == '=')
		{
			if (strncmp(s, "=2C", 3) == 0)
				out[o++] = ',';
			else if (strncmp(s, "=3D", 3) == 0)
				out[o++] = '=';
			else
			{
				pfree(out);
				return NULL;
			}
			s += 3;
		}
		else
			out[o++] = *s++;
	}
	out[o] = '\0';
	*end = s;
	return out;
}

/* The value of attribute a ("r=...") at *p, up to ',' or the end; advances *p. */
static char *
scram_attr(const char **p, char a)
{
	const char *s = *p;
	const char *end;

	if (s[0] != a || s[1] != '=')
		return NULL;
	s += 2;
	end = strchr(s, ',');
	if (end == NULL)
		end = s + strlen(s);
	*p = end;
	return psprintf("%.*s", (int) (end - s), s);
}

/* A message as a C string, NULL if it holds a NUL byte. */
static char *
message_string(const char *msg, size_t len)
{
	if (memchr(msg, '\0', len) != NULL)
		return NULL;
	return psprintf("%.*s", (int) len, msg);
}

/* The steps of ScramParseClientFirst over m, a C string copy of the message. */
static const char *
parse_client_first(const char *m, ScramClientFirst *out)
{
	const char *p;

	if (m[0] == 'p')
		return "channel binding is not supported";
	if (!((m[0] == 'n' || m[0] == 'y') && m[1] == ','))
		return "malformed client-first-message (gs2 header)";
	p = m + 2;
	if (p[0] == 'a' && p[1] == '=' && (out->authzid = scram_name(p + 2, &p)) == NULL)
		return "malformed client-first-message (authorization id)";
	if (*p != ',')
		return "malformed client-first-message (gs2 header)";
	p++;
	out->gs2_header = psprintf("%.*s", (int) (p - m), m);
	out->bare = pstrdup(p);
	if (p[0] == 'm' && p[1] == '=')
		return "mandatory extensions are not supported";
	if (p[0] != 'n' || p[1] != '=' || (out->user = scram_name(p + 2, &p)) == NULL)
		return "malformed client-first-message (user name)";
	if (out->user[0] == '\0' || strlen(out->user) > SCRAM_MAX_NAME)
		return "malformed client-first-message: bad user name length";
	if (*p != ',')
		return "malformed client-first-message (nonce)";
	p++;
	if ((out->nonce = scram_attr(&p, 'r')) == NULL || out->nonce[0] == '\0' ||
		strlen(out->nonce) > SCRAM_MAX_NAME)
		return "malformed client-first-message (nonce)";
	for (const char *c = out->nonce; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return "malformed client-first-message (nonce)";
	/* Extensions: only tokenauth means anything. */
	while (*p == ',')
	{
		const char *ext = ++p;

		p += strcspn(p, ",");
		if (strncmp(ext, "tokenauth=", 10) == 0 && strncasecmp(ext + 10, "true", 4) == 0)
			out->tokenauth = true;
	}
	if (*p != '\0')
		return "malformed client-first-message";
	return NULL;
}

const char *
ScramParseClientFirst(const char *msg, size_t len, ScramClientFirst *out)
{
	char	   *m = message_string(msg, len);
	const char *err;

	memset(out, 0, sizeof(*out));
	if (m == NULL)
		return "malformed client-first-message (a NUL byte)";
	err = parse_client_first(m, out);
	pfree(m);
	return err;
}

void
ScramFreeClientFirst(ScramClientFirst *f)
{
	char	  **fields[] = {&f->gs2_header, &f->authzid, &f->user, &f->nonce, &f->bare};

	for (int i = 0; i < (int) lengthof(fields); i++)
		if (*fields[i])
		{
			pfree(*fields[i]);
			*fields[i] = NULL;
		}
}

/* The steps of ScramParseClientFinal over m, a C string copy of the message. */
static const char *
parse_client_final(const char *m, ScramClientFinal *out)
{
	const char *p = m;
	char	   *cb64;
	const char *proof_at;

	if ((cb64 = scram_attr(&p, 'c')) == NULL)
		return "malformed client-final-message (channel binding)";
	out->channel_binding_len = ScramBase64Decode(cb64, strlen(cb64), out->channel_binding,
												 sizeof(out->channel_binding));
	pfree(cb64);
	if (out->channel_binding_len < 0)
		return "malformed client-final-message (channel binding)";
	if (*p != ',')
		return "malformed client-final-message (nonce)";
	p++;
	if ((out->nonce = scram_attr(&p, 'r')) == NULL)
		return "malformed client-final-message (nonce)";
	proof_at = strstr(p, ",p=");
	if (proof_at == NULL || strchr(proof_at + 3, ',') != NULL ||
		(out->proof_len = ScramBase64Decode(proof_at + 3, strlen(proof_at + 3), out->proof,
											sizeof(out->proof))) < 0)
		return "malformed client-final-message (proof)";
	out->without_proof_len = (size_t) (proof_at - m);
	return NULL;
}

const char *
ScramParseClientFinal(const char *msg, size_t len, ScramClientFinal *out)
{
	char	   *m = message_string(msg, len);
	const char *err;

	memset(out, 0, sizeof(*out));
	if (m == NULL)
		return "malformed client-final-message (a NUL byte)";
	err = parse_client_final(m, out);
	pfree(m);
	return err;
}

void
ScramFreeClientFinal(ScramClientFinal *f)
{
	if (f->nonce)
		pfree(f->nonce);
	f->nonce = NULL;
}

const char *
SaslParsePlain(const char *msg, size_t len, SaslPlainMessage *out)
{
	const char *nul1 = memchr(msg, '\0', len);
	const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', len - (size_t) (nul1 + 1 - msg)) : NULL;

	memset(out, 0, sizeof(*out));
	if (nul1 == NULL || nul2 == NULL || memchr(nul2 + 1, '\0', len - (size_t) (nul2 + 1 - msg)) != NULL)
		return "malformed PLAIN message";
	out->authzid = msg;
	out->authzid_len = (size_t) (nul1 - msg);
	out->user = nul1 + 1;
	out->user_len = (size_t) (nul2 - out->user);
	out->password = nul2 + 1;
	out->password_len = len - (size_t) (out->password - msg);
	if (out->user_len == 0 || out->user_len > SCRAM_MAX_NAME)
		return "malformed PLAIN message: bad user name length";
	if (out->authzid_len > 0 &&
		(out->authzid_len != out->user_len || memcmp(out->authzid, out->user, out->user_len) != 0))
		return "the authorization id differs from the user name";
	return NULL;
}
