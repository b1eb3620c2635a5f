/*-------------------------------------------------------------------------
 *
 * catalog_groups.h
 *	  Consumer groups and their committed offsets in the catalog (tables
 *	  strata.groups, strata.group_members, strata.committed_offsets).
 *
 *	  Transactions and locks: every function is ONE statement, its own
 *	  implicit transaction, taking only the row locks of the rows it
 *	  writes (an upsert locks the conflicting row); none takes an advisory
 *	  lock.  The connection must not be inside a transaction.
 *
 *	  Backends call these on their kept connection (kafka/topics.h
 *	  BackendCatalogConnection); the functions marked "reconnects once"
 *	  use CatalogQueryRetry, so a catalog restart since the last request
 *	  costs no error.  The offset committer calls CatalogCommitOffsets on
 *	  its own connection with a deadline.
 *
 *	  Strings are NUL-terminated unless a length is given; results are
 *	  palloc'd, strings included.
 *
 * include/catalog/catalog_groups.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_CATALOG_GROUPS_H
#define STRATA_CATALOG_GROUPS_H

#include "c.h"

#include <libpq-fe.h>

#include "catalog/catalog.h"

/* One committed offset of a group. */
typedef struct CatalogOffset
{
	const char *group_id;
	const char *topic;
	int32		partition;
	int64		offset;
	int32		leader_epoch;	/* -1: none */
	const char *metadata;		/* any bytes; NULL: SQL NULL */
	int32		metadata_len;
} CatalogOffset;

/* A group a commit writes to, with the protocol type a new group gets. */
typedef struct CatalogOffsetGroup
{
	const char *group_id;
	const char *protocol_type;	/* NULL: unknown */
	int32		slot;			/* its coordinator slot (doc/cluster.md) */
} CatalogOffsetGroup;

/*
 * Upsert rows into committed_offsets and their groups into groups (a new
 * group gets its protocol type; a known one only its "updated" time), in
 * one statement, for the groups whose coordinator slot broker coordinator
 * leads in the catalog; refused[i] (ngroups of them) says a group was not
 * written because its slot has moved to another broker (the fence against
 * a late commit from a former coordinator; the slot rows are locked FOR
 * SHARE, so a move waits for the commit).  No (group, topic, partition) may
 * occur twice in rows: PostgreSQL refuses an upsert that touches a row
 * twice.
 *
 * timeout_ms < 0: blocking, reconnects once (a backend writing a commit
 * too large for the committer's queue).  Otherwise CatalogQueryWait with
 * cancel_on_timeout (the offset committer): a statement left running could
 * commit after a later batch has written newer offsets over the same rows.
 * CATALOG_WAIT_REJECTED: the catalog refused the rows (err has its
 * message); CATALOG_WAIT_LOST: the outcome is unknown.
 */
extern CatalogWaitResult CatalogCommitOffsets(PGconn *conn, int32 coordinator,
											  const CatalogOffsetGroup *groups, int ngroups,
											  const CatalogOffset *rows, int nrows, bool *refused,
											  long timeout_ms, char *err, size_t errlen);

/*
 * All committed offsets of a group, ordered by topic and partition
 * (group_id of each row points at the argument).  Returns the count (rows
 * in *out, free with CatalogFreeOffsets) or -1 with err.  Reconnects once.
 */
extern int	CatalogLoadOffsets(PGconn *conn, const char *group_id, CatalogOffset **out,
							   char *err, size_t errlen);
extern void CatalogFreeOffsets(CatalogOffset *rows, int n);

/* Remove one partition's committed offset.  Reconnects once. */
extern bool CatalogDeleteOffset(PGconn *conn, const char *group_id, const char *topic,
								int32 partition, char *err, size_t errlen);

/* Does the catalog know the group?  Reconnects once. */
extern bool CatalogGroupExists(PGconn *conn, const char *group_id, bool *exists,
							   char *err, size_t errlen);

/*
 * Remove a group: its offsets, members and row.  *existed: the group's row
 * was there.  Reconnects once.
 */
extern bool CatalogDeleteGroup(PGconn *conn, const char *group_id, bool *existed,
							   char *err, size_t errlen);

/* A member as recorded in group_members (for the operator views). */
typedef struct CatalogGroupMember
{
	const char *member_id;
	const char *instance_id;	/* NULL: none */
	const char *client_id;
	const char *client_host;
	int32		session_timeout_ms;
	int32		rebalance_timeout_ms;
} CatalogGroupMember;

/*
 * Record a group's protocol, generation, state and exactly these members
 * (others of the group are removed).  Reconnects once.
 */
extern bool CatalogRecordGroup(PGconn *conn, const char *group_id, const char *protocol_type,
							   const char *protocol, int32 generation, const char *state,
							   const CatalogGroupMember *members, int nmembers,
							   char *err, size_t errlen);

/* A group the catalog knows. */
typedef struct CatalogGroupName
{
	char	   *group_id;
	char	   *protocol_type;	/* "" if unknown */
} CatalogGroupName;

/*
 * Every group in the catalog.  Returns the count (*out, free with
 * CatalogFreeGroupNames) or -1 with err.  Reconnects once.
 */
extern int	CatalogListGroups(PGconn *conn, CatalogGroupName **out, char *err, size_t errlen);
extern void CatalogFreeGroupNames(CatalogGroupName *groups, int n);

#endif							/* STRATA_CATALOG_GROUPS_H */
