/*-------------------------------------------------------------------------
 *
 * uploader_internal.h
 *	  What the uploader's files share: its process-local state, and the
 *	  building of one object streamed out to the store.
 *
 *	  The uploader is one process in four files:
 *
 *	    uploader.c           the main loop, the pending list, the regular
 *	                         uploads (take, select, build, commit, trim),
 *	                         status reports and object maintenance;
 *	    upload_object.c      one object: prepared in the catalog, built,
 *	                         streamed out a part at a time, paced, finished;
 *	    uploader_handoff.c   hand-offs of frozen partitions to their new
 *	                         leaders (doc/cluster.md, "Moves");
 *	    uploader_recovery.c  the recovery of a fenced broker's WAL
 *	                         (doc/cluster.md, "Failover").
 *
 *	  Nothing here is for other processes: the state is this process's own
 *	  and needs no lock.
 *
 * include/postmaster/uploader_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_POSTMASTER_UPLOADER_INTERNAL_H
#define STRATA_POSTMASTER_UPLOADER_INTERNAL_H

#include "c.h"

#include "catalog/catalog.h"
#include "catalog/catalog_objects.h"
#include "storage/logcache.h"
#include "storage/objformat.h"
#include "storage/objstore.h"
#include "storage/wal.h"

/* A durable WAL record waiting to be uploaded. */
typedef struct PendingRecord
{
	LogCacheRecord rec;
	int64		noticed_ms;		/* when we first saw it (MonotonicMs) */
} PendingRecord;

/* The uploader's state, shared by its files (uploader.c owns it). */
typedef struct UploaderState
{
	PGconn	   *catalog_conn;	/* NULL while not connected */
	ObjStore   *store;			/* NULL until opened */
	bool		store_checked;	/* bucket and credentials known to work */

	/* Durable records not uploaded yet, in LSN order; noted up to scan_pos. */
	PendingRecord *pending;
	int			npending;
	int			maxpending;
	uint64		pending_bytes;
	WalLsn		scan_pos;
} UploaderState;

extern UploaderState Uploader;

/* uploader.c */
extern void UploaderNoteFailure(const char *msg);
extern void UploaderScanWal(void);
extern uint64 UploaderThreshold(void);

/*
 * One object being built and streamed out (see "Streaming" in
 * uploader.c's file comment): prepared in the catalog, built by an
 * ObjFormatBuilder, its closed blocks handed to an ObjStoreWriter a part
 * at a time, finished, then committed with the others of its upload.
 */
typedef struct UploadObject
{
	ObjFormatKind kind;
	int64		object_id;
	char		key[CATALOG_OBJECT_KEY_LEN];
	ObjFormatBuilder *builder;	/* while it is built */
	ObjStoreWriter *writer;		/* until it is written whole */
	uint64		announced;		/* its size worked out at Begin, or 0 */
	uint64		len;			/* its size, once finished */
	CatalogRange *ranges;
	int			nranges;
	uint64		start_us;		/* for strata_upload_duration */
} UploadObject;

/*
 * Pacing of one upload's parts: at most rate bytes per second from start,
 * unless off (no pacing set, or something waits for this upload).
 */
typedef struct Pacer
{
	bool		on;
	int64		start_ms;
	uint64		rate;
	uint64		sent;
} Pacer;

/*
 * upload_object.c.  Each returns false with err on a failure; the object
 * is then to be freed (UploadObjectFree), which abandons it.  Begin is
 * given every record the object will hold, in the order they will be
 * added (its size is worked out from them, for a single streamed put);
 * pacer may be NULL (not paced); scratch holds a record body that wraps
 * the WAL ring, and may be NULL for records that never wrap.
 */
extern bool UploadObjectBegin(UploadObject *obj, ObjFormatKind kind, LogCacheRecord *const *recs,
							  int nrecs, char *err, size_t errlen);
extern bool UploadObjectAdd(UploadObject *obj, const LogCacheRecord *r, Pacer *pacer,
							char **scratch, size_t *scratchlen, char *err, size_t errlen);
extern bool UploadObjectFinish(UploadObject *obj, LogCacheRecord **recs, int nrecs,
							   Pacer *pacer, char *err, size_t errlen);
extern bool UploadObjectBuild(UploadObject *obj, ObjFormatKind kind, LogCacheRecord **recs,
							  int nrecs, Pacer *pacer, char **scratch, size_t *scratchlen,
							  char *err, size_t errlen);
/*
 * len more bytes of a paced upload (or compaction) were handed to the
 * store: wait until they are due at p's rate (see upload_object.c).
 */
extern void UploadPace(Pacer *p, size_t len);
extern void UploadObjectFree(UploadObject *obj);
extern void UploadObjectsFree(UploadObject *objs, int nobjs);
extern CatalogObject *UploadObjectsForCommit(const UploadObject *objs, int nobjs);
extern void UploadReleaseSpareBuffers(void);
extern int	UploadCmpStreamLsn(const void *a, const void *b);

/* uploader_handoff.c */
extern bool UploaderHandoffStep(long *wait_ms);

/* uploader_recovery.c */
extern void UploaderRecoveryStep(void);

#endif							/* STRATA_POSTMASTER_UPLOADER_INTERNAL_H */
