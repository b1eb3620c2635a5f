/*-------------------------------------------------------------------------
 *
 * test_scram.c
 *	  Unit tests of SCRAM's cryptography (utils/scram.c): the SCRAM-SHA-256
 *	  exchange of RFC 7677 section 3 computed from its password, salt and
 *	  messages; a SCRAM-SHA-512 round trip with a proof built as a client
 *	  builds it; PLAIN's password check; base64 as SCRAM writes it; the
 *	  parsers of the client's messages.
 *
 * src/test/unit/test_scram.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "tap.h"
#include "utils/scram.h"

/* RFC 7677, section 3. */
static const char *rfc_client_first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
static const char *rfc_server_first =
"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
static const char *rfc_client_final_without_proof =
"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
static const char *rfc_proof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
static const char *rfc_server_signature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

/* The secret the catalog would hold for the RFC's user. */
static ScramSecret
rfc_secret(void)
{
	ScramSecret s;
	uint8		salted[SCRAM_MAX_KEY_LEN];

	memset(&s, 0, sizeof(s));
	s.mechanism = SCRAM_SHA_256;
	s.iterations = 4096;
	s.salt_len = ScramBase64Decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, s.salt, sizeof(s.salt));
	ScramSaltedPassword(SCRAM_SHA_256, "pencil", 6, s.salt, s.salt_len, 4096, salted);
	ScramKeysFromSaltedPassword(SCRAM_SHA_256, salted, s.stored_key, s.server_key);
	return s;
}

static void
test_rfc7677(void)
{
	ScramSecret s = rfc_secret();
	char	   *auth = psprintf("%s,%s,%s", rfc_client_first_bare, rfc_server_first,
								rfc_client_final_without_proof);
	uint8		proof[SCRAM_MAX_KEY_LEN];
	int			prooflen = ScramBase64Decode(rfc_proof, strlen(rfc_proof), proof, sizeof(proof));
	uint8		sig[SCRAM_MAX_KEY_LEN];
	char		sig64[ScramBase64EncodedLen(SCRAM_MAX_KEY_LEN)];

	is_int(s.salt_len, 16, "the RFC's salt decodes to 16 bytes");
	is_int(prooflen, 32, "the RFC's proof decodes to 32 bytes");
	ok(ScramVerifyProof(&s, proof, prooflen, auth, strlen(auth)), "RFC 7677: the client's proof verifies");
	ScramServerSignature(&s, auth, strlen(auth), sig);
	ScramBase64Encode(sig, 32, sig64);
	is_str(sig64, rfc_server_signature, "RFC 7677: the server signature is the RFC's");

	proof[0] ^= 1;
	ok(!ScramVerifyProof(&s, proof, prooflen, auth, strlen(auth)), "a proof with one bit changed fails");
	proof[0] ^= 1;
	ok(!ScramVerifyProof(&s, proof, prooflen - 1, auth, strlen(auth)), "a short proof fails");
	auth[strlen(auth) - 1] ^= 1;
	ok(!ScramVerifyProof(&s, proof, prooflen, auth, strlen(auth)), "the proof covers the whole AuthMessage");

	ok(ScramCheckPassword(&s, "pencil", 6), "PLAIN: the right password checks against the SCRAM secret");
	ok(!ScramCheckPassword(&s, "pencil!", 7), "PLAIN: a wrong password does not");
	ok(!ScramCheckPassword(&s, "", 0), "PLAIN: an empty password does not");
	pfree(auth);
}

/* A client's proof: ClientKey XOR HMAC(StoredKey, AuthMessage). */
static void
client_proof(ScramMechanism m, const char *password, const ScramSecret *s, const char *auth, uint8 *proof)
{
	uint8		salted[SCRAM_MAX_KEY_LEN];
	uint8		client_key[SCRAM_MAX_KEY_LEN];
	uint8		stored[SCRAM_MAX_KEY_LEN];
	uint8		sig[SCRAM_MAX_KEY_LEN];
	int			klen = ScramKeyLength(m);

	ScramSaltedPassword(m, password, strlen(password), s->salt, s->salt_len, s->iterations, salted);
	ScramHmac(m, salted, (size_t) klen, (const uint8 *) "Client Key", 10, client_key);
	ScramHash(m, client_key, (size_t) klen, stored);
	ScramHmac(m, stored, (size_t) klen, (const uint8 *) auth, strlen(auth), sig);
	for (int i = 0; i < klen; i++)
		proof[i] = client_key[i] ^ sig[i];
}

static void
test_sha512_round_trip(void)
{
	ScramSecret s;
	ScramSecret s2;
	const char *auth = "n=alice,r=abc,r=abcdef,s=c2FsdA==,i=4096,c=biws,r=abcdef";
	uint8		proof[SCRAM_MAX_KEY_LEN];

	ok(ScramMakeSecret(SCRAM_SHA_512, "s3cr3t", 6, 4096, &s), "a SCRAM-SHA-512 secret is made");
	is_int(ScramKeyLength(SCRAM_SHA_512), 64, "SHA-512 keys are 64 bytes");
	is_int(s.salt_len, SCRAM_SALT_LEN, "with a salt of SCRAM_SALT_LEN bytes");
	client_proof(SCRAM_SHA_512, "s3cr3t", &s, auth, proof);
	ok(ScramVerifyProof(&s, proof, 64, auth, strlen(auth)), "a client's SCRAM-SHA-512 proof verifies");
	client_proof(SCRAM_SHA_512, "s3cr3T", &s, auth, proof);
	ok(!ScramVerifyProof(&s, proof, 64, auth, strlen(auth)), "a proof from the wrong password does not");
	ok(ScramMakeSecret(SCRAM_SHA_512, "s3cr3t", 6, 4096, &s2), "a second secret for the same password");
	ok(memcmp(s.salt, s2.salt, SCRAM_SALT_LEN) != 0 && memcmp(s.stored_key, s2.stored_key, 64) != 0,
	   "has another salt and so other keys");
	ok(ScramCheckPassword(&s2, "s3cr3t", 6), "and checks the same password");
}

static void
test_names(void)
{
	ScramMechanism m;

	ok(ScramMechanismFromName("scram-sha-512", &m) && m == SCRAM_SHA_512, "mechanism names are case-insensitive");
	ok(!ScramMechanismFromName("SCRAM-SHA-1", &m), "SCRAM-SHA-1 is not a mechanism here");
	ok(ScramMechanismFromKafkaCode(1, &m) && m == SCRAM_SHA_256, "Kafka's code 1 is SCRAM-SHA-256");
	ok(ScramMechanismFromKafkaCode(2, &m) && m == SCRAM_SHA_512, "Kafka's code 2 is SCRAM-SHA-512");
	ok(!ScramMechanismFromKafkaCode(0, &m) && !ScramMechanismFromKafkaCode(3, &m), "codes 0 and 3 are unknown");
}

static void
test_base64(void)
{
	uint8		out[16];
	char		enc[ScramBase64EncodedLen(5)];

	ScramBase64Encode((const uint8 *) "n,,", 3, enc);
	is_str(enc, "biws", "base64 of the gs2 header n,, is biws");
	ScramBase64Encode((const uint8 *) "abcde", 5, enc);
	is_str(enc, "YWJjZGU=", "padding");
	is_int(ScramBase64Decode("YWJjZGU=", 8, out, sizeof(out)), 5, "decodes back to 5 bytes");
	ok(memcmp(out, "abcde", 5) == 0, "the same bytes");
	is_int(ScramBase64Decode("YWJjZGU", 7, out, sizeof(out)), -1, "a length not a multiple of 4 is refused");
	is_int(ScramBase64Decode("YW=jZGU=", 8, out, sizeof(out)), -1, "padding in the middle is refused");
	is_int(ScramBase64Decode("YWJj*GU=", 8, out, sizeof(out)), -1, "a character outside the alphabet is refused");
	is_int(ScramBase64Decode("YWJjZGVm", 8, out, 5), -1, "output that would not fit is refused");
	is_int(ScramBase64Decode("", 0, out, sizeof(out)), 0, "empty is empty");
}

static void
test_parsers(void)
{
	ScramClientFirst cf;
	ScramClientFinal fin;
	SaslPlainMessage pm;
	const char *first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
	const char *final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
		"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

	ok(ScramParseClientFirst(first, strlen(first), &cf) == NULL, "RFC 7677's client-first-message parses");
	is_str(cf.user, "user", "user");
	is_str(cf.nonce, "rOprNGfwEbeRWgbNEkqO", "nonce");
	is_str(cf.gs2_header, "n,,", "gs2 header");
	is_str(cf.bare, rfc_client_first_bare, "client-first-message-bare");
	ScramFreeClientFirst(&cf);
	ok(ScramParseClientFirst("n,a=a=2Cb,n=a=2Cb=3D,r=x,ext=y,tokenauth=true", 45, &cf) == NULL,
	   "an authzid, escapes and extensions parse");
	is_str(cf.authzid, "a,b", "=2C is a comma");
	is_str(cf.user, "a,b=", "=3D is an equals sign");
	ok(cf.tokenauth, "tokenauth is noted");
	ScramFreeClientFirst(&cf);
	is_str(ScramParseClientFirst("p=tls-unique,,n=u,r=x", 21, &cf), "channel binding is not supported",
		   "channel binding is refused");
	ScramFreeClientFirst(&cf);
	ok(ScramParseClientFirst("n,,n=u=2X,r=x", 13, &cf) != NULL, "a bad escape is refused");
	ScramFreeClientFirst(&cf);
	ok(ScramParseClientFirst("n,,n=u,r=x\0y", 12, &cf) != NULL, "a NUL inside is refused");
	ScramFreeClientFirst(&cf);
	ok(ScramParseClientFirst("n,,n=u,r=", 9, &cf) != NULL, "an empty nonce is refused");
	ScramFreeClientFirst(&cf);

	ok(ScramParseClientFinal(final, strlen(final), &fin) == NULL, "RFC 7677's client-final-message parses");
	is_int(fin.channel_binding_len, 3, "c= decodes to the 3 bytes of n,,");
	is_int(fin.proof_len, 32, "a 32-byte proof");
	is_int((long long) fin.without_proof_len, (long long) strlen(rfc_client_final_without_proof),
		   "the part without the proof");
	ScramFreeClientFinal(&fin);
	ok(ScramParseClientFinal("c=biws,r=x,p=abc", 16, &fin) != NULL, "a proof that is not base64 is refused");
	ScramFreeClientFinal(&fin);
	ok(ScramParseClientFinal("c=biws,r=x", 10, &fin) != NULL, "no proof is refused");
	ScramFreeClientFinal(&fin);

	ok(SaslParsePlain("\0alice\0pw", 9, &pm) == NULL && pm.user_len == 5 && pm.password_len == 2,
	   "PLAIN without authzid");
	ok(SaslParsePlain("alice\0alice\0pw", 14, &pm) == NULL, "PLAIN with the same authzid");
	is_str(SaslParsePlain("bob\0alice\0pw", 12, &pm), "the authorization id differs from the user name",
		   "PLAIN with another authzid is refused");
	ok(SaslParsePlain("\0alice", 6, &pm) != NULL, "PLAIN without a password field is refused");
	ok(SaslParsePlain("\0\0pw", 4, &pm) != NULL, "PLAIN with an empty user is refused");
}

int
main(void)
{
	test_rfc7677();
	test_sha512_round_trip();
	test_names();
	test_base64();
	test_parsers();
	return done_testing();
}
