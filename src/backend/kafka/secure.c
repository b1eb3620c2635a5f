/*-------------------------------------------------------------------------
 *
 * secure.c
 *	  The client connection's transport: a plain socket or TLS (OpenSSL).
 *
 *	  The TLS context.  SecureLoadContext builds an SSL_CTX from the ssl_*
 *	  settings: the certificate chain and key (a key that needs a
 *	  passphrase is refused rather than prompted for), the minimum protocol
 *	  version, the TLS 1.2 cipher list, and for ssl_client_auth requested
 *	  or required the CA list client certificates are verified against.
 *	  Compression and renegotiation are off.  Sessions are not resumed:
 *	  every connection is its own process, with no cache to share, and
 *	  without tickets a client certificate is verified on every connection.
 *	  The postmaster builds the context at start and on SIGHUP; a reload
 *	  that fails leaves the old context in force, logged.
 *
 *	  A connection.  The backend runs the handshake (SecureStartTls) on its
 *	  non-blocking socket, sleeping on the socket and its latch between
 *	  steps, so that a shutdown request or the deadline
 *	  (authentication_timeout) ends it.  Afterwards SecureRead/SecureWrite
 *	  (and SecureWritev) go through SSL_read/SSL_write; partial writes are enabled and the
 *	  write buffer may move between retries (the backend's output buffer
 *	  can be reallocated while a write waits).
 *
 * IDENTIFICATION
 *	  src/backend/kafka/secure.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "kafka/secure.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* The context new connections use (postmaster; inherited by backends). */
static SSL_CTX *server_ctx = NULL;

/* This backend's connection. */
static int	conn_sock = -1;
static SSL *conn_ssl = NULL;
static int	wait_event = WL_SOCKET_READABLE;
static char conn_description[128];

/* Refuse keys protected by a passphrase instead of prompting for one. */
static int
no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	return 0;
}

/* The reason of the oldest queued OpenSSL error, or a fallback. */
static const char *
openssl_reason(const char *fallback)
{
	unsigned long e = ERR_get_error();
	const char *r;

	ERR_clear_error();
	if (e == 0)
		return fallback;
	r = ERR_reason_error_string(e);
	return r ? r : fallback;
}

/* A setting's file name, relative names taken from DATADIR; palloc'd. */
static char *
setting_path(const char *value)
{
	if (value[0] == '/' || DataDir == NULL)
		return pstrdup(value);
	return psprintf("%s/%s", DataDir, value);
}

/* Warn about a server certificate that is expired or not yet valid. */
static void
check_certificate_dates(SSL_CTX *ctx, const char *path)
{
	X509	   *cert = SSL_CTX_get0_certificate(ctx);

	if (cert == NULL)
		return;
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		elog(WARNING, "the server certificate in \"%s\" (setting \"ssl_cert_file\") has expired: clients will refuse it", path);
	else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
		elog(WARNING, "the server certificate in \"%s\" (setting \"ssl_cert_file\") is not valid yet: clients will refuse it", path);
}

/* The steps of SecureLoadContext on ctx; false with err. */
static bool
configure_context(SSL_CTX *ctx, char *err, size_t errlen)
{
	char	   *cert = setting_path(ssl_cert_file);
	char	   *key = setting_path(ssl_key_file);
	int			verify = SSL_VERIFY_NONE;

	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
						SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (!SSL_CTX_set_min_proto_version(ctx, ssl_min_protocol_version == SSL_PROTOCOL_TLSV1_3
									   ? TLS1_3_VERSION : TLS1_2_VERSION))
	{
		snprintf(err, errlen, "could not set setting \"ssl_min_protocol_version\": %s",
				 openssl_reason("unsupported"));
		return false;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
	{
		snprintf(err, errlen, "could not load server certificate file \"%s\" (setting \"ssl_cert_file\"): %s",
				 cert, openssl_reason("unknown error"));
		return false;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
	{
		if (ERR_GET_REASON(ERR_peek_error()) != X509_R_KEY_VALUES_MISMATCH)
		{
			snprintf(err, errlen, "could not load private key file \"%s\" (setting \"ssl_key_file\"): %s",
					 key, openssl_reason("unknown error"));
			return false;
		}
		/* A key of its own, but not the certificate's: said below. */
	}
	if (SSL_CTX_check_private_key(ctx) != 1)
	{
		snprintf(err, errlen, "private key file \"%s\" (setting \"ssl_key_file\") does not match the certificate in \"%s\": %s",
				 key, cert, openssl_reason("key mismatch"));
		return false;
	}
	if (SSL_CTX_set_cipher_list(ctx, ssl_ciphers) != 1)
	{
		snprintf(err, errlen, "setting \"ssl_ciphers\" = '%s' names no usable cipher: %s",
				 ssl_ciphers, openssl_reason("no cipher match"));
		return false;
	}
	if (ssl_ca_file[0])
	{
		char	   *ca = setting_path(ssl_ca_file);
		STACK_OF(X509_NAME) *names;

		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 ||
			(names = SSL_load_client_CA_file(ca)) == NULL)
		{
			snprintf(err, errlen, "could not load root certificate file \"%s\" (setting \"ssl_ca_file\"): %s",
					 ca, openssl_reason("no certificate found"));
			return false;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		pfree(ca);
	}
	if (ssl_client_auth != SSL_CLIENT_AUTH_NONE)
	{
		if (!ssl_ca_file[0])
		{
			snprintf(err, errlen, "setting \"ssl_client_auth\" = %s needs setting \"ssl_ca_file\" to verify client certificates",
					 ssl_client_auth == SSL_CLIENT_AUTH_REQUIRED ? "required" : "requested");
			return false;
		}
		verify = SSL_VERIFY_PEER;
		if (ssl_client_auth == SSL_CLIENT_AUTH_REQUIRED)
			verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
	SSL_CTX_set_verify(ctx, verify, NULL);
	check_certificate_dates(ctx, cert);
	pfree(cert);
	pfree(key);
	return true;
}

bool
SecureLoadContext(bool is_reload, char *err, size_t errlen)
{
	SSL_CTX    *ctx;

	if (ssl_cert_file[0] == '\0' || ssl_key_file[0] == '\0')
	{
		snprintf(err, errlen, "setting \"%s\" is empty, but a TLS listener (SSL or SASL_SSL) needs a server certificate and its key",
				 ssl_cert_file[0] == '\0' ? "ssl_cert_file" : "ssl_key_file");
		return false;
	}
	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
	{
		snprintf(err, errlen, "could not create a TLS context: %s", openssl_reason("out of memory"));
		return false;
	}
	if (!configure_context(ctx, err, errlen))
	{
		SSL_CTX_free(ctx);
		return false;
	}
	if (server_ctx != NULL)
		SSL_CTX_free(server_ctx);
	server_ctx = ctx;
	if (is_reload)
		elog(LOG, "TLS certificate and settings reloaded; new connections use them");
	return true;
}

void
SecureInitPlain(int sock)
{
	conn_sock = sock;
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
	snprintf(conn_description, sizeof(conn_description), "no TLS");
}

/* Why a handshake step failed: the peer's alert, verification, errno. */
static void
describe_handshake_failure(int ret, char *err, size_t errlen)
{
	int			code = SSL_get_error(conn_ssl, ret);
	long		verify = SSL_get_verify_result(conn_ssl);
	unsigned long e = ERR_peek_error();

	if (code == SSL_ERROR_SYSCALL && e == 0)
	{
		snprintf(err, errlen, "%s", ret == 0 || errno == 0 ? "the client closed the connection during the handshake"
				 : strerror(errno));
		return;
	}
	if (verify != X509_V_OK)
	{
		snprintf(err, errlen, "client certificate rejected: %s",
				 X509_verify_cert_error_string(verify));
		ERR_clear_error();
		return;
	}
	snprintf(err, errlen, "%s", openssl_reason("TLS handshake failed"));
}

bool
SecureStartTls(int sock, int64 deadline_ms, char *err, size_t errlen)
{
	SecureInitPlain(sock);
	if (server_ctx == NULL)
	{
		snprintf(err, errlen, "no TLS context");
		return false;
	}
	conn_ssl = SSL_new(server_ctx);
	if (conn_ssl == NULL || SSL_set_fd(conn_ssl, sock) != 1)
	{
		snprintf(err, errlen, "could not set up TLS: %s", openssl_reason("out of memory"));
		return false;
	}
	for (;;)
	{
		int			ret;
		int			code;
		int64		remaining;

		ResetLatch(MyLatch);
		if (ShutdownRequestPending)
		{
			snprintf(err, errlen, "the server is shutting down");
			return false;
		}
		ERR_clear_error();
		errno = 0;
		ret = SSL_accept(conn_ssl);
		if (ret == 1)
			break;
		code = SSL_get_error(conn_ssl, ret);
		if (code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE)
		{
			describe_handshake_failure(ret, err, errlen);
			return false;
		}
		remaining = deadline_ms - MonotonicMs();
		if (remaining <= 0)
		{
			snprintf(err, errlen, "the TLS handshake did not finish within authentication_timeout (%lld ms)",
					 (long long) authentication_timeout);
			return false;
		}
		(void) WaitLatchOrSocket(MyLatch,
								 (code == SSL_ERROR_WANT_READ ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE) |
								 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
								 sock, (long) remaining);
	}
	snprintf(conn_description, sizeof(conn_description), "%s %s",
			 SSL_get_version(conn_ssl), SSL_get_cipher_name(conn_ssl));
	return true;
}

/* Map an SSL_read/SSL_write failure onto the recv/send conventions. */
static ssize_t
ssl_failure(int ret)
{
	int			code = SSL_get_error(conn_ssl, ret);

	switch (code)
	{
		case SSL_ERROR_WANT_READ:
			wait_event = WL_SOCKET_READABLE;
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_WANT_WRITE:
			wait_event = WL_SOCKET_WRITEABLE;
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_ZERO_RETURN:
			return 0;			/* close_notify: a clean end */
		case SSL_ERROR_SYSCALL:
			if (errno == 0)
				errno = ECONNRESET;	/* EOF without close_notify */
			return -1;
		default:
			elog(DEBUG1, "TLS error on the connection: %s", openssl_reason("protocol error"));
			errno = ECONNRESET;
			return -1;
	}
}

ssize_t
SecureRead(void *buf, size_t len)
{
	int			ret;

	if (conn_ssl == NULL)
	{
		ssize_t		n = recv(conn_sock, buf, len, 0);

		if (n < 0)
			wait_event = WL_SOCKET_READABLE;
		return n;
	}
	ERR_clear_error();
	errno = 0;
	ret = SSL_read(conn_ssl, buf, (int) Min(len, (size_t) INT_MAX));
	if (ret > 0)
		return ret;
	return ssl_failure(ret);
}

ssize_t
SecureWrite(const void *buf, size_t len)
{
	int			ret;

	if (conn_ssl == NULL)
	{
		ssize_t		n = send(conn_sock, buf, len, MSG_NOSIGNAL);

		if (n < 0)
			wait_event = WL_SOCKET_WRITEABLE;
		return n;
	}
	ERR_clear_error();
	errno = 0;
	ret = SSL_write(conn_ssl, buf, (int) Min(len, (size_t) INT_MAX));
	if (ret > 0)
		return ret;
	return ssl_failure(ret);
}

/*
 * A gathered write.  A plain socket takes the whole vector in one sendmsg;
 * TLS encrypts from the first piece only (one SSL_write, straight from
 * where the bytes lie) and the caller comes back for the rest, as after
 * any partial write.  A retry after EAGAIN may pass a longer first piece,
 * or one that moved, holding the same bytes (partial writes and moving
 * buffers are enabled on the context).
 */
ssize_t
SecureWritev(const struct iovec *iov, int iovcnt)
{
	if (conn_ssl == NULL)
	{
		struct msghdr msg;
		ssize_t		n;

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = (struct iovec *) iov;
		msg.msg_iovlen = (size_t) iovcnt;
		n = sendmsg(conn_sock, &msg, MSG_NOSIGNAL);
		if (n < 0)
			wait_event = WL_SOCKET_WRITEABLE;
		return n;
	}
	Assert(iovcnt > 0);
	return SecureWrite(iov[0].iov_base, iov[0].iov_len);
}

int
SecureWaitEvent(void)
{
	return wait_event;
}

char *
SecurePeerCommonName(void)
{
	X509	   *peer;
	X509_NAME  *subject;
	int			idx;
	ASN1_STRING *data;
	char	   *cn;

	if (conn_ssl == NULL || SSL_get_verify_result(conn_ssl) != X509_V_OK)
		return NULL;
	peer = SSL_get0_peer_certificate(conn_ssl);
	if (peer == NULL)
		return NULL;
	subject = X509_get_subject_name(peer);
	idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (idx < 0)
		return NULL;
	data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
	/* A CN with an embedded NUL would name somebody else: refuse it. */
	if (data == NULL || (size_t) ASN1_STRING_length(data) != strlen((const char *) ASN1_STRING_get0_data(data)))
		return NULL;
	cn = palloc((size_t) ASN1_STRING_length(data) + 1);
	memcpy(cn, ASN1_STRING_get0_data(data), (size_t) ASN1_STRING_length(data));
	cn[ASN1_STRING_length(data)] = '\0';
	return cn;
}

const char *
SecureDescribe(void)
{
	return conn_description;
}

void
SecureClose(void)
{
	if (conn_ssl != NULL)
	{
		ERR_clear_error();
		(void) SSL_shutdown(conn_ssl);	/* sends close_notify if the socket takes it */
		SSL_free(conn_ssl);
		conn_ssl = NULL;
	}
}
