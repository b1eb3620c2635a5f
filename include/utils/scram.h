/*-------------------------------------------------------------------------
 *
 * scram.h
 *	  The cryptography of SCRAM (RFC 5802, RFC 7677): salted passwords,
 *	  the stored and server keys kept instead of passwords, and the proofs
 *	  and signatures of an exchange; base64 as SCRAM writes it.
 *
 *	  With H the mechanism's hash (SHA-256 or SHA-512) and HMAC keyed
 *	  with it:
 *
 *		SaltedPassword = Hi(password, salt, iterations)   (PBKDF2-HMAC-H)
 *		ClientKey      = HMAC(SaltedPassword, "Client Key")
 *		StoredKey      = H(ClientKey)
 *		ServerKey      = HMAC(SaltedPassword, "Server Key")
 *
 *	  The catalog keeps salt, iterations, StoredKey and ServerKey, which
 *	  verify a client without ever holding its password.  Passwords are
 *	  taken as the bytes the client sends (UTF-8), without SASLprep, as
 *	  Kafka and its clients do.
 *
 *	  Pure functions over OpenSSL's EVP, HMAC and PBKDF2: no state, no
 *	  locks; used by backends (kafka/sasl.c), by AlterUserScramCredentials
 *	  and by strata_ctl user.
 *
 * include/utils/scram.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_SCRAM_H
#define STRATA_SCRAM_H

#include "c.h"

typedef enum ScramMechanism
{
	SCRAM_SHA_256,
	SCRAM_SHA_512
} ScramMechanism;

#define SCRAM_MECHANISMS		2
#define SCRAM_MAX_KEY_LEN		64	/* SHA-512 */
#define SCRAM_SALT_LEN			32	/* what strata_ctl generates */
#define SCRAM_MAX_SALT_LEN		128
#define SCRAM_MIN_ITERATIONS	4096	/* Kafka's bounds: clients refuse others */
#define SCRAM_MAX_ITERATIONS	16384
#define SCRAM_DEFAULT_ITERATIONS 4096

/* A user's credential for one mechanism, as the catalog keeps it. */
typedef struct ScramSecret
{
	ScramMechanism mechanism;
	int32		iterations;
	int			salt_len;
	uint8		salt[SCRAM_MAX_SALT_LEN];
	uint8		stored_key[SCRAM_MAX_KEY_LEN];
	uint8		server_key[SCRAM_MAX_KEY_LEN];
} ScramSecret;

/* "SCRAM-SHA-256" / "SCRAM-SHA-512". */
extern const char *ScramMechanismName(ScramMechanism m);
/* Parse a mechanism name (case-insensitive); false if unknown. */
extern bool ScramMechanismFromName(const char *name, ScramMechanism *m);
/* Kafka's ScramMechanism code (1 SHA-256, 2 SHA-512) and back. */
extern int8 ScramMechanismKafkaCode(ScramMechanism m);
extern bool ScramMechanismFromKafkaCode(int8 code, ScramMechanism *m);
/* Length of the mechanism's hash and keys: 32 or 64. */
extern int	ScramKeyLength(ScramMechanism m);

/* H(data) into out (ScramKeyLength bytes). */
extern void ScramHash(ScramMechanism m, const uint8 *data, size_t len, uint8 *out);
/* HMAC(key, data) into out (ScramKeyLength bytes). */
extern void ScramHmac(ScramMechanism m, const uint8 *key, size_t keylen,
					  const uint8 *data, size_t len, uint8 *out);
/* Hi(password, salt, iterations) into out (ScramKeyLength bytes). */
extern bool ScramSaltedPassword(ScramMechanism m, const char *password, size_t pwlen,
								const uint8 *salt, int saltlen, int32 iterations, uint8 *out);
/* StoredKey and ServerKey from a salted password. */
extern void ScramKeysFromSaltedPassword(ScramMechanism m, const uint8 *salted,
										uint8 *stored_key, uint8 *server_key);

/*
 * A new secret for password: a random salt of SCRAM_SALT_LEN bytes and
 * the keys.  false if the system cannot give random bytes.
 */
extern bool ScramMakeSecret(ScramMechanism m, const char *password, size_t pwlen,
							int32 iterations, ScramSecret *out);

/* Does password match secret?  (Computes the keys; constant-time compare.) */
extern bool ScramCheckPassword(const ScramSecret *secret, const char *password, size_t pwlen);

/*
 * Verify a client's proof for auth_message: ClientKey = proof XOR
 * HMAC(StoredKey, AuthMessage) must hash to StoredKey.  Constant time.
 */
extern bool ScramVerifyProof(const ScramSecret *secret, const uint8 *proof, int prooflen,
							 const char *auth_message, size_t amlen);
/* ServerSignature = HMAC(ServerKey, AuthMessage) into out. */
extern void ScramServerSignature(const ScramSecret *secret, const char *auth_message,
								 size_t amlen, uint8 *out);

/*
 * The client's messages of a SCRAM exchange (RFC 5802 section 7), parsed
 * with Kafka's conventions: no channel binding (gs2 header "n" or "y"),
 * saslname escapes (=2C, =3D) decoded, extensions allowed and only
 * "tokenauth" noted.  Strings are palloc'd; the parsers never read past
 * len and take no NUL byte inside a message.  They return NULL, or why the
 * message is refused (static text).
 */
typedef struct ScramClientFirst
{
	char	   *gs2_header;		/* "n,," or "n,a=x," : what c= must repeat */
	char	   *authzid;		/* NULL if none */
	char	   *user;
	char	   *nonce;
	char	   *bare;			/* client-first-message-bare, for AuthMessage */
	bool		tokenauth;		/* the delegation token extension asked for */
} ScramClientFirst;

typedef struct ScramClientFinal
{
	uint8		channel_binding[64];	/* c=, decoded */
	int			channel_binding_len;
	char	   *nonce;			/* r= */
	uint8		proof[SCRAM_MAX_KEY_LEN];	/* p=, decoded */
	int			proof_len;
	size_t		without_proof_len;	/* the message before ",p=", for AuthMessage */
} ScramClientFinal;

#define SCRAM_MAX_NAME	255		/* longest user name and nonce accepted */

extern const char *ScramParseClientFirst(const char *msg, size_t len, ScramClientFirst *out);
extern const char *ScramParseClientFinal(const char *msg, size_t len, ScramClientFinal *out);
/* Free what a parse allocated (after success or failure alike). */
extern void ScramFreeClientFirst(ScramClientFirst *f);
extern void ScramFreeClientFinal(ScramClientFinal *f);

/*
 * SASL PLAIN (RFC 4616): [authzid] NUL authcid NUL password.  Pointers
 * into msg; NULL or why it is refused.
 */
typedef struct SaslPlainMessage
{
	const char *authzid;
	size_t		authzid_len;
	const char *user;
	size_t		user_len;
	const char *password;
	size_t		password_len;
} SaslPlainMessage;

extern const char *SaslParsePlain(const char *msg, size_t len, SaslPlainMessage *out);

/* Cryptographically strong random bytes; false on failure. */
extern bool ScramRandom(uint8 *buf, size_t len);

/*
 * Base64 (RFC 4648, with padding).  ScramBase64Encode writes a
 * NUL-terminated string of ScramBase64EncodedLen(len) bytes (with the NUL)
 * into out.  ScramBase64Decode returns the decoded length, or -1 if in is
 * not valid base64 or would not fit outcap.
 */
#define ScramBase64EncodedLen(len) ((((len) + 2) / 3) * 4 + 1)
extern void ScramBase64Encode(const uint8 *in, size_t len, char *out);
extern int	ScramBase64Decode(const char *in, size_t len, uint8 *out, size_t outcap);

#endif							/* STRATA_SCRAM_H */
