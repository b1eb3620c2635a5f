/*-------------------------------------------------------------------------
 *
 * secure.h
 *	  A client connection's transport: the plain socket, or TLS over it
 *	  (OpenSSL).
 *
 *	  The server's TLS context (certificate, key, CA, protocol versions,
 *	  ciphers, client-certificate policy) is built by the postmaster from
 *	  the ssl_* settings at start and again on SIGHUP, before any fork, so
 *	  every backend inherits the context current when it was forked: new
 *	  connections get a new certificate, established ones keep theirs.
 *	  The handshake itself runs in the backend (SecureStartTls), never in
 *	  the postmaster, so a slow or hostile client can only hold up its own
 *	  process, and for at most authentication_timeout.
 *
 *	  The backend reads and writes through SecureRead/SecureWrite(v) whether
 *	  TLS is on or not.  Both are non-blocking: -1 with errno EAGAIN means
 *	  "wait for SecureWaitEvent() on the socket, then call again" -- with
 *	  TLS a read may need the socket writable and a write readable.
 *
 *	  Process: SecureLoadContext in the postmaster; everything else in a
 *	  backend.  No shared memory, no locks.
 *
 * include/kafka/secure.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_SECURE_H
#define STRATA_KAFKA_SECURE_H

#include "c.h"

#include <sys/types.h>

/*
 * Build the TLS context from the ssl_* settings.  At start (is_reload
 * false) a failure is for the caller to make fatal; on reload the old
 * context stays in force.  false with one line in err naming the setting
 * at fault.  Run by the postmaster, only when a TLS listener exists.
 */
extern bool SecureLoadContext(bool is_reload, char *err, size_t errlen);

/* Serve the client on sock (set non-blocking here) without TLS. */
extern void SecureInitPlain(int sock);

/*
 * Run the TLS handshake as the server on sock, waiting on the socket and
 * the latch until deadline_ms (MonotonicMs).  false with the reason in
 * err (the peer's or OpenSSL's, or a timeout); the caller logs it and
 * closes the connection.  Returns early (false) on a shutdown request.
 */
extern bool SecureStartTls(int sock, int64 deadline_ms, char *err, size_t errlen);

/* Non-blocking read and write (see the file comment).  0 from read: EOF. */
extern ssize_t SecureRead(void *buf, size_t len);
extern ssize_t SecureWrite(const void *buf, size_t len);

/*
 * Write from a vector of iovcnt > 0 pieces: all of them in one sendmsg
 * without TLS, the first one only with TLS.  Non-blocking like SecureWrite.
 */
struct iovec;
extern ssize_t SecureWritev(const struct iovec *iov, int iovcnt);

/* WL_SOCKET_READABLE or WL_SOCKET_WRITEABLE: what the last EAGAIN waits for. */
extern int	SecureWaitEvent(void);

/*
 * The common name of the client's certificate, if it sent one and it was
 * verified against ssl_ca_file; NULL otherwise.  palloc'd.
 */
extern char *SecurePeerCommonName(void);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for the connection's log line. */
extern const char *SecureDescribe(void);

/* Close the TLS session politely (best effort, never blocks). */
extern void SecureClose(void);

#endif							/* STRATA_KAFKA_SECURE_H */
