/*-------------------------------------------------------------------------
 *
 * ctl_init.c
 *	  strata_ctl init: create the data directory, write strata.conf from
 *	  the options, create the WAL file, and set up the catalog
 *	  (ctl_catalog.c).  A failed init removes what it created.
 *
 * src/bin/strata_ctl/ctl_init.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <dirent.h>
#include <ftw.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "storage/wal.h"
#include "utils/guc.h"

#include "strata_ctl.h"

/*
 * Create the WAL file, preallocated, with its header (the WAL module's
 * WalDeviceCreate), owned by this broker.
 */
static void
create_wal_file(const char *path, int64 size)
{
	char		err[1024];

	if (!WalDeviceCreate(path, (uint64) size, (uint64) broker_id, err, sizeof(err)))
		fail("%s", err);
}

static bool created_datadir = false;
static bool init_done = false;

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void) sb;
	(void) ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/* atexit: a failed init leaves nothing behind (as initdb). */
static void
remove_datadir_on_failure(void)
{
	if (created_datadir && datadir && !init_done)
	{
		fprintf(stderr, "%s: removing data directory \"%s\"\n", progname, datadir);
		nftw(datadir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
	}
}

static void
mkdir_p(const char *path, mode_t mode)
{
	char	   *p = pstrdup(path);

	for (char *s = p + 1; *s; s++)
	{
		if (*s == '/')
		{
			*s = '\0';
			/*
			 * Parents we create are 0755 despite our umask: the embedded
			 * catalog's user must be able to traverse them.
			 */
			if (mkdir(p, 0755) == 0)
				chmod(p, 0755);
			else if (errno != EEXIST)
				fail("could not create directory \"%s\": %s", p, strerror(errno));
			*s = '/';
		}
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		fail("could not create directory \"%s\": %s", p, strerror(errno));
	pfree(p);
}

static bool
dir_is_empty(const char *path)
{
	DIR		   *d = opendir(path);
	struct dirent *de;
	bool		empty = true;

	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

/* Write v into a strata.conf line, single-quoted with '' doubled. */
static void
write_conf_value(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s = '", name);
	for (; *v; v++)
	{
		if (*v == '\'')
			fputc('\'', f);
		fputc(*v, f);
	}
	fprintf(f, "'\n");
}

int
do_init(void)
{
	char		err[1024];
	char	   *conf;
	char	   *p;
	FILE	   *f;
	struct stat st;

	GucInitDefaults();
	for (int i = 0; i < n_init_opts; i++)
		if (!GucSet(init_opts[i].name, init_opts[i].value, GUC_SRC_CMDLINE, err, sizeof(err)))
			fail("%s", err);

	if (stat(datadir, &st) == 0)
	{
		if (!S_ISDIR(st.st_mode))
			fail("\"%s\" exists and is not a directory", datadir);
		if (!dir_is_empty(datadir))
			fail("directory \"%s\" exists but is not empty; remove it or choose another data directory", datadir);
		if (chmod(datadir, 0700) != 0)
			fail("could not change permissions of \"%s\": %s", datadir, strerror(errno));
	}
	else
	{
		mkdir_p(datadir, 0700);
		created_datadir = true;
		atexit(remove_datadir_on_failure);
	}
	DataDir = datadir;
	if (CatalogIsEmbedded())
	{
		char	   *ci;

		/* Refuse a socket path too long for sun_path before doing anything. */
		if (!CatalogConninfo(&ci, err, sizeof(err)))
			fail("%s", err);
		pfree(ci);
		setup_pg_user();
		find_pg_bindir();
		if (pg_as_other_user)
		{
			/* The PostgreSQL user must reach DATADIR/catalog: group strata, 0710. */
			if (chown(datadir, 0, pg_gid) != 0 || chmod(datadir, 0710) != 0)
				fail("could not give user \"%s\" access to \"%s\": %s", PG_USER, datadir, strerror(errno));
			check_pg_user_traverse(datadir);
		}
	}

	/* strata.conf: every setting commented at its default, then ours. */
	conf = conf_path();
	f = fopen(conf, "w");
	if (f == NULL)
		fail("could not create \"%s\": %s", conf, strerror(errno));
	GucWriteSampleConf(f);
	fprintf(f, "\n#------------------------------------------------------------------------------\n"
			"# Set by strata_ctl init\n"
			"#------------------------------------------------------------------------------\n\n");
	for (int i = 0; i < n_init_opts; i++)
	{
		GucEntry   *e = GucFind(init_opts[i].name);
		char	   *v = GucShowValue(e);

		if (e->type == GUC_STRING)
			write_conf_value(f, e->name, v);
		else
			fprintf(f, "%s = %s\n", e->name, v);
		pfree(v);
	}
	if (fclose(f) != 0)
		fail("could not write \"%s\": %s", conf, strerror(errno));
	printf("wrote %s\n", conf);

	p = psprintf("%s/log", datadir);
	mkdir_p(p, 0700);
	pfree(p);

	/* The WAL file, unless wal_device names something else. */
	if (wal_device == NULL || wal_device[0] == '\0')
	{
		char	   *waldir = psprintf("%s/wal", datadir);
		char	   *wal = psprintf("%s/strata.wal", waldir);

		mkdir_p(waldir, 0700);
		create_wal_file(wal, wal_size);
		printf("created WAL file %s (%lld bytes)\n", wal, (long long) wal_size);
		pfree(wal);
		pfree(waldir);
	}

	/* The object store, when it is a local directory. */
	if (object_store == NULL || object_store[0] == '\0')
	{
		p = psprintf("%s/objects", datadir);
		mkdir_p(p, 0700);
		pfree(p);
	}
	else if (strncmp(object_store, "file://", 7) == 0)
	{
		if (object_store[7] != '/')
			fail("object_store \"%s\" must be file:///absolute/path", object_store);
		mkdir_p(object_store + 7, 0700);
	}

	if (CatalogIsEmbedded())
		init_embedded_catalog();
	else
		init_external_catalog();

	init_done = true;
	printf("\nSuccess. You can now start the broker with:\n\n    %s start -D %s\n\n", progname, datadir);
	return 0;
}
