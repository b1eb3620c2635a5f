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
