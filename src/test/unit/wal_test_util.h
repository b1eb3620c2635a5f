/*
 * wal_test_util.h
 *	  Helpers shared by the WAL unit tests: a fresh in-process shared memory
 *	  with this process in a backend slot, and hand-built WAL images.
 *
 * src/test/unit/wal_test_util.h
 */
#ifndef WAL_TEST_UTIL_H
#define WAL_TEST_UTIL_H

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "postmaster/interrupt.h"
#include "postmaster/ipci.h"
#include "postmaster/pmsignal.h"
#include "postmaster/walwriter.h"
#include "storage/latch.h"
#include "storage/logcache.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/wal.h"
#include "storage/wal_internal.h"
#include "utils/elog.h"
#include "utils/guc.h"

static char wal_test_dir[256];
static char wal_test_path[300];

static void
wal_test_settings(void)
{
	char		err[256];

	GucInitDefaults();
	snprintf(wal_test_dir, sizeof(wal_test_dir), "%s/walunitXXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(wal_test_dir) == NULL)
	{
		perror("mkdtemp");
		exit(1);
	}
	snprintf(wal_test_path, sizeof(wal_test_path), "%s/test.wal", wal_test_dir);
	DataDir = wal_test_dir;
	/* Small tables: test_wal_recovery makes thousands of fresh shared memories. */
	if (!GucSet("wal_device", wal_test_path, GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_cache_size", "1MB", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_connections", "4", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("offset_cache_size", "64kB", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_producer_states", "64", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_groups", "4", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_group_members", "16", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("max_partitions", "64", GUC_SRC_CMDLINE, err, sizeof(err)) ||
		!GucSet("log_min_messages", "warning", GUC_SRC_CMDLINE, err, sizeof(err)))
	{
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

/* Throw away shared memory and make a fresh one, this process in a slot. */
static void
wal_test_fresh_shmem(void)
{
	int			slot;

	if (ShmemBase != NULL)
	{
		MyProc = NULL;
		MyLatch = NULL;
		MyProcSlot = -1;
		WalShmem = NULL;
		ShmemDestroy();
	}
	CreateSharedMemoryAndSemaphores();
	slot = ProcSlotAssign(PROC_BACKEND);
	ProcSlotActivate(slot);
}

static void
wal_test_cleanup(void)
{
	unlink(wal_test_path);
	rmdir(wal_test_dir);
}

/*
 * This process plays the postmaster: the WAL writer signals it (SIGUSR1,
 * postmaster/pmsignal.h) when recovery is done.
 */
static inline void
wal_test_as_postmaster(void)
{
	signal(SIGUSR1, SIG_IGN);
	PostmasterPid = getpid();
}

/* Fork a real WAL writer (WalWriterMain) in the WAL writer's slot. */
static inline pid_t
wal_test_fork_writer(void)
{
	int			slot = ProcSlotAssign(PROC_WALWRITER);
	pid_t		pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		MyProcSlot = -1;
		ProcSlotActivate(slot);
		InitLatchSupport();
		SetupChildSignalHandlers();
		WalWriterMain();
	}
	return pid;
}

#endif
