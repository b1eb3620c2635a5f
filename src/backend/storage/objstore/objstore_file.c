/*-------------------------------------------------------------------------
 *
 * objstore_file.c
 *	  The file:// object-store back end: objects are files under a root
 *	  directory, keys with '/' are subdirectories.
 *
 *	  A put is atomic and durable before it is reported done: the bytes go
 *	  (all at once, or a part at a time for a streamed put) to a temporary
 *	  file ".strata-tmp.<name>.<pid>.<n>" in the object's
 *	  directory, which is fsynced, renamed over the final name, and the
 *	  directory is fsynced (so the rename itself survives a crash).  Newly
 *	  created directories are fsynced into their parents the same way.  A
 *	  reader therefore sees either the old object or the whole new one,
 *	  never a torn file.  Temporary files left by a crash are invisible to
 *	  list and get (their names are reserved), and may be removed by hand.
 *
 *	  Deletes unlink the file; empty directories are left in place, because
 *	  removing one could race with another process creating an object in
 *	  it.  All work happens inside the Start call (local I/O is fast and
 *	  this keeps the back end free of threads); the request is queued as
 *	  done at once.
 *
 * src/backend/storage/objstore/objstore_file.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objstore_int.h"

static char *
key_path(ObjStore *store, const char *key)
{
	return psprintf("%s/%s", store->root, key);
}

static bool
fsync_path(const char *path, bool is_dir, ObjStoreError *err)
{
	int			fd = open(path, (is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);

	if (fd < 0)
	{
		objstore_error(err, OBJSTORE_IO_ERROR, 0, "could not open \"%s\" to fsync it: %m", path);
		return false;
	}
	if (fsync(fd) != 0)
	{
		objstore_error(err, OBJSTORE_IO_ERROR, 0, "could not fsync \"%s\": %m", path);
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

bool
file_open(ObjStore *store, const char *path, bool create, ObjStoreError *err)
{
	struct stat st;
	size_t		len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	store->root = palloc(len + 1);
	memcpy(store->root, path, len);
	store->root[len] = '\0';

	if (stat(store->root, &st) != 0)
	{
		if (errno == ENOENT && create)
		{
			if (mkdir(store->root, 0700) != 0)
			{
				objstore_error(err, OBJSTORE_IO_ERROR, 0,
							   "could not create object directory \"%s\": %m", store->root);
				return false;
			}
			return true;
		}
		if (errno == ENOENT)
			objstore_error(err, OBJSTORE_NO_BUCKET, 0,
						   "object directory \"%s\" does not exist: create it or correct the object_store setting",
						   store->root);
		else
			objstore_error(err, OBJSTORE_IO_ERROR, 0,
						   "could not access object directory \"%s\": %m", store->root);
		return false;
	}
	if (!S_ISDIR(st.st_mode))
	{
		objstore_error(err, OBJSTORE_CONFIG_ERROR, 0,
					   "object_store path \"%s\" is not a directory", store->root);
		return false;
	}
	return true;
}

/*
 * Create the directories leading to key's file, fsyncing each new one into
 * its parent.  dir is modified in place and restored.
 */
static bool
make_parents(ObjStore *store, char *path, ObjStoreError *err)
{
	size_t		rootlen = strlen(store->root);

	for (char *p = path + rootlen + 1; (p = strchr(p, '/')) != NULL; p++)
	{
		*p = '\0';
		if (mkdir(path, 0700) == 0)
		{
			char	   *parent = pstrdup(path);
			char	   *slash = strrchr(parent, '/');
			bool		ok;

			*slash = '\0';
			ok = fsync_path(parent, true, err);
			pfree(parent);
			if (!ok)
			{
				*p = '/';
				return false;
			}
		}
		else if (errno != EEXIST)
		{
			objstore_error(err, OBJSTORE_IO_ERROR, 0, "could not create directory \"%s\": %m", path);
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return true;
}

/*
 * A put writes the object back to the disk as it goes, a chunk at a time,
 * instead of leaving all of it dirty for the final fsync.  That fsync of
 * tens of MB would put the whole object in the device's queue at once,
 * ahead of the WAL's small synchronous writes when both share a disk (the
 * embedded default), and produce latency would jump with every upload.
 * Here at most two chunks are in flight: the one just written is handed
 * to writeback, and the one before it is waited for.  Errors are left to
 * the fsync, which reports them.
 */
#define FILE_WRITEBACK_CHUNK	((size_t) 4 * 1024 * 1024)

/* The chunk ending at end (a multiple of the chunk size) is written. */
static void
writeback_chunk(int fd, uint64 end)
{
#ifdef SYNC_FILE_RANGE_WRITE
	off_t		start = (off_t) (end - FILE_WRITEBACK_CHUNK);

	(void) sync_file_range(fd, start, FILE_WRITEBACK_CHUNK, SYNC_FILE_RANGE_WRITE);
	if (start >= (off_t) FILE_WRITEBACK_CHUNK)
		(void) sync_file_range(fd, start - (off_t) FILE_WRITEBACK_CHUNK, FILE_WRITEBACK_CHUNK,
							   SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
							   SYNC_FILE_RANGE_WAIT_AFTER);
#else
	(void) fd;
	(void) end;
#endif
}

/*
 * Direct I/O.  Where the filesystem takes O_DIRECT (not tmpfs), a put's
 * bytes go to the device from a staging buffer of this process, a MB at a
 * time, not through the page cache: a buffered write() copies every byte
 * into newly allocated page-cache pages, and that copy (a page fault and a
 * zeroed page per 4 KiB) was the uploader's largest cost, 8% of all CPU
 * while kcat produced.  The staging copy is into one reused, already mapped
 * buffer.  Writes are whole aligned blocks; the last one is padded with
 * zeros and the file truncated to its size before the fsync.  Without
 * O_DIRECT the bytes are written as before, with writeback as they go.
 */
#define FILE_DIO_ALIGN		((size_t) 4096)
#define FILE_DIO_STAGE		((size_t) 1024 * 1024)

static char *spare_stage = NULL;	/* one staging buffer kept for the next put */

static char *
stage_take(void)
{
	char	   *p = spare_stage;

	spare_stage = NULL;
	if (p == NULL && posix_memalign((void **) &p, FILE_DIO_ALIGN, FILE_DIO_STAGE) != 0)
		p = NULL;
	return p;
}

static void
stage_give_back(char *p)
{
	if (p == NULL)
		return;
	if (spare_stage == NULL)
		spare_stage = p;
	else
		free(p);
}

/* Write the first n bytes of the stage (a multiple of FILE_DIO_ALIGN). */
static bool
stage_flush(ObjStoreWriter *w, size_t n)
{
	size_t		done = 0;

	while (done < n)
	{
		ssize_t		r = write(w->fd, w->stage + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		/* a short O_DIRECT write is the device filling up */
		if (r <= 0 || (size_t) r % FILE_DIO_ALIGN != 0)
		{
			if (r >= 0)
				errno = ENOSPC;
			objstore_error(&w->error, OBJSTORE_IO_ERROR, 0, "could not write \"%s\": %m", w->tmp);
			return false;
		}
		done += (size_t) r;
	}
	w->staged = 0;
	return true;
}

/*
 * Streamed puts (ObjStoreWriter) and whole puts alike: a temporary file
 * ".strata-tmp.<name>.<pid>.<n>" beside the object, written by
 * file_writer_write as bytes come, made durable and renamed over the
 * object's name by file_writer_finish.  On failure w->error says why and
 * the temporary file is gone.
 */
bool
file_writer_begin(ObjStoreWriter *w)
{
	ObjStore   *store = w->store;
	char	   *base;

	w->fd = -1;
	w->path = key_path(store, w->key);
	w->dir = pstrdup(w->path);
	base = strrchr(w->dir, '/');
	*base++ = '\0';
	w->tmp = psprintf("%s/.strata-tmp.%.100s.%d.%llu", w->dir, base, (int) getpid(),
					  (unsigned long long) ++store->tmp_counter);
	if (!make_parents(store, w->path, &w->error))
		return false;
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0)
	{
		objstore_error(&w->error, OBJSTORE_IO_ERROR, 0, "could not create \"%s\": %m", w->tmp);
		return false;
	}
	/* Direct I/O where the filesystem has it (fcntl refuses it otherwise). */
	w->direct = false;
	w->staged = 0;
#ifdef O_DIRECT
	w->stage = stage_take();
	if (w->stage != NULL && fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_DIRECT) == 0)
		w->direct = true;
	else
	{
		stage_give_back(w->stage);
		w->stage = NULL;
	}
#endif
	return true;
}

/* Append len bytes, writing back each chunk the file's end passes. */
bool
file_writer_write(ObjStoreWriter *w, const void *data, size_t len)
{
	size_t		done = 0;

	while (w->direct && done < len)
	{
		size_t		n = Min(len - done, FILE_DIO_STAGE - w->staged);

		memcpy(w->stage + w->staged, (const char *) data + done, n);
		w->staged += n;
		done += n;
		if (w->staged == FILE_DIO_STAGE && !stage_flush(w, FILE_DIO_STAGE))
			return false;
	}
	while (done < len)
	{
		uint64		pos = w->size + done;
		uint64		chunk_end = (pos / FILE_WRITEBACK_CHUNK + 1) * FILE_WRITEBACK_CHUNK;
		ssize_t		n = write(w->fd, (const char *) data + done,
							  (size_t) Min((uint64) (len - done), chunk_end - pos));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			if (n == 0)
				errno = ENOSPC;
			objstore_error(&w->error, OBJSTORE_IO_ERROR, 0, "could not write \"%s\": %m", w->tmp);
			return false;
		}
		done += (size_t) n;
		if ((w->size + done) % FILE_WRITEBACK_CHUNK == 0)
			writeback_chunk(w->fd, w->size + done);
	}
	return true;
}

/* fsync, close, rename over the final name, fsync the directory. */
bool
file_writer_finish(ObjStoreWriter *w)
{
	if (w->direct && w->staged > 0)
	{
		size_t		padded = TYPEALIGN(FILE_DIO_ALIGN, w->staged);

		memset(w->stage + w->staged, 0, padded - w->staged);
		if (!stage_flush(w, padded))
			return false;
		if (ftruncate(w->fd, (off_t) w->size) != 0)
		{
			objstore_error(&w->error, OBJSTORE_IO_ERROR, 0, "could not truncate \"%s\": %m", w->tmp);
			return false;
		}
	}
	if (fsync(w->fd) != 0)
	{
		objstore_error(&w->error, OBJSTORE_IO_ERROR, 0, "could not fsync \"%s\": %m", w->tmp);
		return false;
	}
	if (close(w->fd) != 0)
	{
		w->fd = -1;
		objstore_error(&w->error, OBJSTORE_IO_ERROR, 0, "could not close \"%s\": %m", w->tmp);
		return false;
	}
	w->fd = -1;
	if (rename(w->tmp, w->path) != 0)
	{
		objstore_error(&w->error, OBJSTORE_IO_ERROR, 0,
					   "could not rename \"%s\" to \"%s\": %m", w->tmp, w->path);
		return false;
	}
	pfree(w->tmp);
	w->tmp = NULL;				/* renamed: nothing to remove any more */
	return fsync_path(w->dir, true, &w->error);
}

/* Drop the temporary file (if any) and free the file fields. */
void
file_writer_abort(ObjStoreWriter *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	stage_give_back(w->stage);
	w->stage = NULL;
	w->direct = false;
	if (w->tmp)
	{
		(void) unlink(w->tmp);
		pfree(w->tmp);
		w->tmp = NULL;
	}
	if (w->path)
		pfree(w->path);
	if (w->dir)
		pfree(w->dir);
	w->path = w->dir = NULL;
}

void
file_put(ObjStore *store, ObjStoreRequest *req, const void *data, size_t len)
{
	ObjStoreWriter w;
	bool		ok;

	memset(&w, 0, sizeof(w));
	w.store = store;
	w.key = req->key;
	req->attempts = 1;
	ok = file_writer_begin(&w) && file_writer_write(&w, data, len);
	w.size = len;
	ok = ok && file_writer_finish(&w);
	if (ok)
		req->size = len;
	else
		req->error = w.error;
	file_writer_abort(&w);
	objstore_complete(store, req);
}

void
file_get(ObjStore *store, ObjStoreRequest *req, uint64 offset, size_t len, void *buf)
{
	char	   *path = key_path(store, req->key);
	int			fd;
	struct stat st;

	req->attempts = 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ENOENT || errno == ENOTDIR)
			objstore_error(&req->error, OBJSTORE_NOT_FOUND, 0,
						   "object \"%s\" does not exist in %s", req->key, store->display);
		else
			objstore_error(&req->error, OBJSTORE_IO_ERROR, 0, "could not open \"%s\": %m", path);
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		objstore_error(&req->error, OBJSTORE_NOT_FOUND, 0,
					   "object \"%s\" does not exist in %s", req->key, store->display);
		close(fd);
		goto out;
	}
	if (offset >= (uint64) st.st_size)
	{
		objstore_error(&req->error, OBJSTORE_BAD_RANGE, 0,
					   "range starting at byte %llu is past the end of \"%s\" (%lld bytes)",
					   (unsigned long long) offset, req->key, (long long) st.st_size);
		close(fd);
		goto out;
	}
	while (req->nread < len)
	{
		ssize_t		n = pread(fd, (char *) buf + req->nread,
							  Min(len - req->nread, (size_t) 1 << 30),
							  (off_t) (offset + req->nread));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			objstore_error(&req->error, OBJSTORE_IO_ERROR, 0, "could not read \"%s\": %m", path);
			break;
		}
		if (n == 0)
			break;
		req->nread += n;
	}
	close(fd);
out:
	pfree(path);
	objstore_complete(store, req);
}

void
file_head(ObjStore *store, ObjStoreRequest *req)
{
	char	   *path = key_path(store, req->key);
	struct stat st;

	req->attempts = 1;
	if (stat(path, &st) != 0)
	{
		if (errno == ENOENT || errno == ENOTDIR)
			objstore_error(&req->error, OBJSTORE_NOT_FOUND, 0,
						   "object \"%s\" does not exist in %s", req->key, store->display);
		else
			objstore_error(&req->error, OBJSTORE_IO_ERROR, 0, "could not stat \"%s\": %m", path);
	}
	else if (!S_ISREG(st.st_mode))
		objstore_error(&req->error, OBJSTORE_NOT_FOUND, 0,
					   "object \"%s\" does not exist in %s", req->key, store->display);
	else
		req->size = st.st_size;
	pfree(path);
	objstore_complete(store, req);
}

void
file_delete(ObjStore *store, ObjStoreRequest *req)
{
	char	   *path = key_path(store, req->key);

	req->attempts = 1;
	if (unlink(path) != 0 && errno != ENOENT && errno != ENOTDIR)
		objstore_error(&req->error, OBJSTORE_IO_ERROR, 0, "could not delete \"%s\": %m", path);
	pfree(path);
	objstore_complete(store, req);
}

/* ---- listing ---- */

typedef struct KeyList
{
	ObjStoreEntry *items;
	int			n;
	int			cap;
} KeyList;

/*
 * Walk dir (relative path rel under the root) collecting regular files
 * whose key starts with prefix.  Subdirectories are entered only when they
 * can hold such keys.
 */
static bool
walk(ObjStore *store, const char *rel, const char *prefix, KeyList *kl, ObjStoreError *err)
{
	char	   *dirpath = rel[0] ? psprintf("%s/%s", store->root, rel) : pstrdup(store->root);
	DIR		   *d = opendir(dirpath);
	struct dirent *de;
	size_t		plen = strlen(prefix);
	bool		ok = true;

	if (d == NULL)
	{
		bool		missing = (errno == ENOENT || errno == ENOTDIR);

		if (!missing)
			objstore_error(err, OBJSTORE_IO_ERROR, 0, "could not open directory \"%s\": %m", dirpath);
		pfree(dirpath);
		return missing;
	}
	while ((de = readdir(d)) != NULL)
	{
		char	   *key;
		size_t		klen;
		struct stat st;
		char	   *full;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			strncmp(de->d_name, ".strata-tmp.", 12) == 0)
			continue;
		key = rel[0] ? psprintf("%s/%s", rel, de->d_name) : pstrdup(de->d_name);
		klen = strlen(key);
		full = psprintf("%s/%s", store->root, key);
		if (lstat(full, &st) != 0)
		{
			pfree(full);
			pfree(key);
			continue;			/* deleted meanwhile */
		}
		pfree(full);
		if (S_ISDIR(st.st_mode))
		{
			/* descend if "key/" and prefix agree on their common length */
			size_t		n = Min(klen, plen);

			if (strncmp(key, prefix, n) == 0 && (plen <= klen || prefix[klen] == '/'))
				ok = walk(store, key, prefix, kl, err);
			pfree(key);
			if (!ok)
				break;
			continue;
		}
		if (!S_ISREG(st.st_mode) || strncmp(key, prefix, plen) != 0)
		{
			pfree(key);
			continue;
		}
		if (kl->n == kl->cap)
		{
			kl->cap = kl->cap ? kl->cap * 2 : 64;
			kl->items = repalloc(kl->items, sizeof(ObjStoreEntry) * kl->cap);
		}
		kl->items[kl->n].key = key;
		kl->items[kl->n].size = st.st_size;
		kl->n++;
	}
	closedir(d);
	pfree(dirpath);
	return ok;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const ObjStoreEntry *) a)->key, ((const ObjStoreEntry *) b)->key);
}

/*
 * Listing walks the whole subtree under the prefix's directory each call
 * and pages by "last key returned" tokens, so pages stay correct while
 * objects come and go.  Fine for the embedded store's sizes.
 */
bool
file_list(ObjStore *store, const char *prefix, const char *token, int max_keys,
		  ObjStoreListing *out, ObjStoreError *err)
{
	KeyList		kl = {0};
	int			start = 0;
	char	   *rel = pstrdup(prefix);
	char	   *slash = strrchr(rel, '/');

	/* start the walk at the prefix's directory part */
	if (slash)
		*slash = '\0';
	else
		rel[0] = '\0';
	if (!walk(store, rel, prefix, &kl, err))
	{
		pfree(rel);
		for (int i = 0; i < kl.n; i++)
			pfree(kl.items[i].key);
		if (kl.items)
			pfree(kl.items);
		return false;
	}
	pfree(rel);
	if (kl.n > 1)
		qsort(kl.items, kl.n, sizeof(ObjStoreEntry), entry_cmp);
	if (token)
		while (start < kl.n && strcmp(kl.items[start].key, token) <= 0)
			start++;
	out->nentries = Min(kl.n - start, max_keys);
	out->entries = palloc(sizeof(ObjStoreEntry) * Max(out->nentries, 1));
	for (int i = 0; i < kl.n; i++)
	{
		if (i >= start && i < start + out->nentries)
			out->entries[i - start] = kl.items[i];
		else
			pfree(kl.items[i].key);
	}
	out->truncated = start + out->nentries < kl.n;
	if (out->truncated)
		out->next_token = pstrdup(out->entries[out->nentries - 1].key);
	if (kl.items)
		pfree(kl.items);
	return true;
}
