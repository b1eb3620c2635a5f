/*
 * test_objformat.c
 *	  Stream-set and stream objects: build/parse round trips (every batch
 *	  found again by (stream, offset) through the index's binary search and
 *	  read back byte for byte), block splitting, builder ordering rules,
 *	  streaming (closed blocks taken out while building give the same
 *	  object),
 *	  and damaged objects rejected with clear errors: footer and index
 *	  corruption, inconsistent but correctly checksummed indexes, and every
 *	  sampled single-byte corruption detected somewhere.
 */
#include "c.h"

#include "tap.h"
#include "storage/objformat.h"
#include "utils/crc32c.h"

typedef struct Appended
{
	uint64		stream;
	uint64		base;
	uint32		delta;
	uint32		count;
	int64		ts;
	size_t		len;
	uint32		seed;
} Appended;

static Appended app[4000];
static int	napp;

static void
fill(char *buf, size_t len, uint32 seed)
{
	uint32		x = seed * 2654435761u + 7;

	for (size_t i = 0; i < len; i++)
	{
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char) x;
	}
}

static uint32 rng = 12345;
static uint32
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static bool
append(ObjFormatBuilder *b, uint64 stream, uint64 base, uint32 delta, size_t len)
{
	char		err[256];
	char	   *payload = palloc(len);
	Appended   *a = &app[napp];
	bool		ok;

	a->stream = stream;
	a->base = base;
	a->delta = delta;
	a->count = delta + 1;
	a->ts = 1700000000000LL + (int64) base;
	a->len = len;
	a->seed = (uint32) napp + 1;
	fill(payload, len, a->seed);
	ok = ObjFormatAppend(b, stream, base, delta, a->count, a->ts, payload, len, err, sizeof(err));
	if (!ok)
		printf("# append: %s\n", err);
	else
		napp++;
	pfree(payload);
	return ok;
}

/* Read every block and check it against what was appended; returns batches seen or -1. */
static int
verify_all(const char *obj, const ObjFormatIndex *idx, char *err, size_t errlen)
{
	int			seen = 0;

	for (int i = 0; i < idx->nentries; i++)
	{
		const ObjFormatIndexEntry *e = &idx->entries[i];
		ObjFormatBlockReader r;
		ObjFormatBatch bt;
		int			rc;

		if (!ObjFormatBlockOpen(e, obj + e->block_position, e->block_size, &r, err, errlen))
			return -1;
		while ((rc = ObjFormatBlockNext(&r, &bt, err, errlen)) == 1)
		{
			const Appended *a = &app[seen];
			char	   *want;
			bool		same;

			if (seen >= napp || bt.stream_id != a->stream || bt.base_offset != a->base ||
				bt.last_offset_delta != a->delta || bt.record_count != a->count ||
				bt.max_timestamp != a->ts || bt.payload_len != a->len)
			{
				snprintf(err, errlen, "batch %d differs", seen);
				return -1;
			}
			want = palloc(a->len);
			fill(want, a->len, a->seed);
			same = memcmp(want, bt.payload, a->len) == 0;
			pfree(want);
			if (!same)
			{
				snprintf(err, errlen, "batch %d payload differs", seen);
				return -1;
			}
			seen++;
		}
		if (rc < 0)
			return -1;
	}
	return seen;
}

/* Find (stream, offset) through the index and read that batch. */
static bool
lookup(const char *obj, const ObjFormatIndex *idx, const Appended *a)
{
	int			i = ObjFormatFindBlock(idx, a->stream, a->base + a->delta / 2);
	ObjFormatBlockReader r;
	ObjFormatBatch bt;
	char		err[256];

	if (i < 0)
		return false;
	if (!ObjFormatBlockOpen(&idx->entries[i], obj + idx->entries[i].block_position,
							idx->entries[i].block_size, &r, err, sizeof(err)))
		return false;
	while (ObjFormatBlockNext(&r, &bt, err, sizeof(err)) == 1)
		if (bt.base_offset == a->base)
			return bt.payload_len == a->len;
	return false;
}

/* Recompute index and footer CRCs after a deliberate edit. */
static void
reseal(char *obj, size_t len)
{
	char	   *f = obj + len - OBJFORMAT_FOOTER_SIZE;
	uint64		ipos = 0;
	uint32		ilen = 0,
				c;

	for (int i = 0; i < 8; i++)
		ipos = (ipos << 8) | (unsigned char) f[i];
	for (int i = 0; i < 4; i++)
		ilen = (ilen << 8) | (unsigned char) f[8 + i];
	c = crc32c(0, obj + ipos, ilen);
	for (int i = 0; i < 4; i++)
		f[16 + i] = (char) (c >> (24 - 8 * i));
	c = crc32c(0, f, 36);
	for (int i = 0; i < 4; i++)
		f[36 + i] = (char) (c >> (24 - 8 * i));
}

static bool
rejects(const char *obj, size_t len, const char *expect, const char *what)
{
	ObjFormatIndex idx;
	char		err[256] = "";
	bool		ok = ObjFormatOpenBuffer(obj, len, &idx, err, sizeof(err));

	if (ok)
	{
		ObjFormatIndexFree(&idx);
		printf("# %s: accepted\n", what);
		return false;
	}
	if (strstr(err, expect) == NULL)
	{
		printf("# %s: error \"%s\" does not mention \"%s\"\n", what, err, expect);
		return false;
	}
	return true;
}

int
main(void)
{
	ObjFormatBuilder *b;
	ObjFormatIndex idx;
	char		err[256];
	char	   *obj;
	size_t		len;
	ObjFormatRange *ranges;
	int			nranges;
	int			found;
	size_t		block_size = 4096;

	/* --- an SSO with three streams, small blocks so stream 5 spans many --- */
	b = ObjFormatBuilderCreate(OBJFORMAT_SSO, block_size);
	ok(append(b, 1, 0, 9, 300) && append(b, 1, 10, 0, 50), "stream 1: two batches");
	{
		uint64		off = 1000;
		bool		all = true;

		for (int i = 0; i < 200; i++)
		{
			uint32		delta = rnd() % 20;
			size_t		sz = 1 + rnd() % 1500;

			all &= append(b, 5, off, delta, sz);
			off += delta + 1;
			if (i == 100)
				off += 50;		/* a gap in the offsets */
		}
		ok(all, "stream 5: 200 batches with a gap");
	}
	ok(append(b, 9, 42, 0, 10000), "stream 9: one batch larger than a block");
	ranges = ObjFormatBuilderRanges(b, &nranges);
	is_int(nranges, 3, "three stream ranges");
	is_int(ranges[0].start_offset, 0, "stream 1 starts at 0");
	is_int(ranges[0].end_offset, 11, "stream 1 ends at 11 (exclusive)");
	is_int(ranges[0].record_count, 11, "stream 1 has 11 records");
	is_int(ranges[1].stream_id, 5, "second range is stream 5");
	is_int(ranges[1].start_offset, 1000, "stream 5 starts at 1000");
	is_int(ranges[2].end_offset, 43, "stream 9 ends at 43");
	pfree(ranges);
	{
		size_t		predicted = ObjFormatBuilderSize(b);

		obj = ObjFormatFinish(b, &len);
		is_int(len, predicted, "ObjFormatBuilderSize predicted the object's size");
	}
	ok(ObjFormatOpenBuffer(obj, len, &idx, err, sizeof(err)), "object parses: %s", err);
	ok(idx.nentries > 10, "stream 5 was split into blocks (%d index entries)", idx.nentries);
	is_int(idx.footer.kind, OBJFORMAT_SSO, "kind is SSO");
	{
		bool		small = true;

		for (int i = 0; i < idx.nentries; i++)
			if (idx.entries[i].stream_id != 9 && idx.entries[i].block_size > block_size)
				small = false;
		ok(small, "no block but the oversized batch's exceeds the block size");
	}
	found = verify_all(obj, &idx, err, sizeof(err));
	is_int(found, napp, "every batch read back in order, byte for byte");
	{
		bool		all = true;

		for (int i = 0; i < napp; i++)
			all &= lookup(obj, &idx, &app[i]);
		ok(all, "every batch found by (stream, offset) with the index's binary search");
	}
	is_int(ObjFormatFindBlock(&idx, 5, 999), ObjFormatFindBlock(&idx, 5, 1000),
		   "an offset before the stream's start finds its first block");
	is_int(ObjFormatFindBlock(&idx, 1, 11), -1, "past the end of stream 1: none");
	is_int(ObjFormatFindBlock(&idx, 3, 0), -1, "absent stream: none");
	is_int(ObjFormatFindBlock(&idx, 10, 0), -1, "stream after the last: none");
	is_int(ObjFormatFindBlock(&idx, 0, 0), -1, "stream before the first: none");
	ObjFormatBuilderFree(b);

	/* --- damaged objects --- */
	{
		char	   *c = palloc(len);

		memcpy(c, obj, len);
		c[len - 20] ^= 1;
		ok(rejects(c, len, "footer CRC mismatch", "footer bit flip"), "footer bit flip rejected");
		memcpy(c, obj, len);
		c[len - 1] ^= 0x40;
		ok(rejects(c, len, "magic", "bad magic"), "bad magic rejected: not a Strata object");
		ok(rejects(obj, len - 1, "magic", "truncated"), "truncated object rejected");
		ok(rejects(obj, 10, "too short", "tiny"), "tiny object rejected");
		memcpy(c, obj, len);
		c[idx.footer.index_position + 5] ^= 0x10;
		ok(rejects(c, len, "index CRC mismatch", "index bit flip"), "index bit flip rejected");

		/* consistent checksums, inconsistent contents */
		memcpy(c, obj, len);
		c[len - OBJFORMAT_FOOTER_SIZE + 21] = 7;	/* version */
		reseal(c, len);
		ok(rejects(c, len, "version 7 is not supported", "version"), "unknown version rejected");
		memcpy(c, obj, len);
		c[len - OBJFORMAT_FOOTER_SIZE + 22] = 9;	/* kind */
		reseal(c, len);
		ok(rejects(c, len, "unknown kind", "kind"), "unknown kind rejected");
		memcpy(c, obj, len);
		c[len - OBJFORMAT_FOOTER_SIZE + 15] += 1;	/* entry count */
		reseal(c, len);
		ok(rejects(c, len, "inconsistent", "entry count"), "entry count not matching the index length rejected");
		memcpy(c, obj, len);
		{
			/* swap the first two index entries */
			char		tmp[OBJFORMAT_INDEX_ENTRY_SIZE];
			char	   *e0 = c + idx.footer.index_position;

			memcpy(tmp, e0, OBJFORMAT_INDEX_ENTRY_SIZE);
			memcpy(e0, e0 + OBJFORMAT_INDEX_ENTRY_SIZE, OBJFORMAT_INDEX_ENTRY_SIZE);
			memcpy(e0 + OBJFORMAT_INDEX_ENTRY_SIZE, tmp, OBJFORMAT_INDEX_ENTRY_SIZE);
		}
		reseal(c, len);
		ok(rejects(c, len, "does not follow", "swapped entries"), "reordered index entries rejected");
		memcpy(c, obj, len);
		c[idx.footer.index_position + 28] = 0x7f;	/* first entry's block size */
		reseal(c, len);
		ok(rejects(c, len, "does not follow", "block size"), "block size running past the data area rejected");
		memcpy(c, obj, len);
		/* first entry: end offset = start offset */
		memcpy(c + idx.footer.index_position + 16, c + idx.footer.index_position + 8, 8);
		reseal(c, len);
		ok(rejects(c, len, "not below end offset", "empty range"), "empty offset range rejected");

		/* a damaged block is caught when it is opened */
		memcpy(c, obj, len);
		c[idx.entries[3].block_position + 100] ^= 4;
		{
			ObjFormatIndex i2;
			ObjFormatBlockReader r;

			ok(ObjFormatOpenBuffer(c, len, &i2, err, sizeof(err)), "block damage leaves the index intact");
			ok(!ObjFormatBlockOpen(&i2.entries[3], c + i2.entries[3].block_position,
								   i2.entries[3].block_size, &r, err, sizeof(err)) &&
			   strstr(err, "CRC mismatch") != NULL, "damaged block rejected: %s", err);
			ok(!ObjFormatBlockOpen(&i2.entries[3], c + i2.entries[3].block_position,
								   i2.entries[3].block_size - 1, &r, err, sizeof(err)),
			   "short block buffer rejected: %s", err);
			ObjFormatIndexFree(&i2);
		}

		/* every sampled single-byte corruption is detected somewhere */
		{
			int			undetected = 0;

			for (int t = 0; t < 400; t++)
			{
				size_t		pos = rnd() % len;
				ObjFormatIndex i3;

				memcpy(c, obj, len);
				c[pos] ^= (char) (1 + rnd() % 255);
				if (ObjFormatOpenBuffer(c, len, &i3, err, sizeof(err)))
				{
					if (verify_all(c, &i3, err, sizeof(err)) >= 0)
					{
						undetected++;
						printf("# corruption at byte %zu went undetected\n", pos);
					}
					ObjFormatIndexFree(&i3);
				}
			}
			is_int(undetected, 0, "400 random single-byte corruptions all detected");
		}
		pfree(c);
	}
	ObjFormatIndexFree(&idx);
	pfree(obj);

	/* --- builder rules --- */
	napp = 0;
	b = ObjFormatBuilderCreate(OBJFORMAT_SO, 0);
	ok(append(b, 7, 100, 4, 10), "SO: first batch");
	ok(!append(b, 7, 102, 0, 10), "SO: overlapping offsets refused");
	ok(!append(b, 8, 200, 0, 10), "SO: a second stream refused");
	ok(!ObjFormatAppend(b, 7, 105, 0, 1, 0, "x", 0, err, sizeof(err)), "empty payload refused");
	ok(!ObjFormatAppend(b, 7, UINT64_MAX - 1, 5, 1, 0, "x", 1, err, sizeof(err)) &&
	   strstr(err, "overflows") != NULL, "offset overflow refused");
	ok(append(b, 7, 105, 0, 10), "SO: the next batch still fits after refusals");
	obj = ObjFormatFinish(b, &len);
	ok(ObjFormatOpenBuffer(obj, len, &idx, err, sizeof(err)) && idx.nentries == 1 &&
	   idx.footer.kind == OBJFORMAT_SO, "SO parses with one block");
	is_int(verify_all(obj, &idx, err, sizeof(err)), 2, "SO: both batches read back");
	ObjFormatIndexFree(&idx);
	pfree(obj);
	ObjFormatBuilderFree(b);

	napp = 0;
	b = ObjFormatBuilderCreate(OBJFORMAT_SSO, 0);
	ok(append(b, 3, 0, 0, 10), "SSO: stream 3");
	ok(!append(b, 2, 0, 0, 10), "SSO: a lower stream id after a higher one refused");
	ObjFormatBuilderFree(b);

	/*
	 * Building in a buffer given to the builder (the uploader's kept
	 * buffers): the same bytes as a builder of its own, growing the buffer
	 * when it is too small, and the allocated size comes back.
	 */
	{
		char	   *own,
				   *in;
		size_t		ownlen,
					inlen,
					cap;
		ObjFormatBuilder *b2;

		napp = 0;
		b = ObjFormatBuilderCreate(OBJFORMAT_SSO, 0);
		ok(append(b, 1, 0, 3, 2000) && append(b, 2, 0, 0, 3000), "own buffer: two streams");
		own = ObjFormatFinish(b, &ownlen);
		napp = 0;
		b2 = ObjFormatBuilderCreateIn(OBJFORMAT_SSO, 0, palloc(100), 100);
		ok(append(b2, 1, 0, 3, 2000) && append(b2, 2, 0, 0, 3000), "given 100-byte buffer: two streams");
		in = ObjFormatFinishBuffer(b2, &inlen, &cap);
		ok(inlen == ownlen && memcmp(own, in, ownlen) == 0, "the same object, byte for byte");
		ok(cap >= inlen, "its allocated size comes back (%zu >= %zu)", cap, inlen);
		pfree(own);
		ObjFormatBuilderFree(b);
		ObjFormatBuilderFree(b2);

		/* and a buffer large enough is used as it is */
		own = palloc(1 << 20);
		b2 = ObjFormatBuilderCreateIn(OBJFORMAT_SO, 0, own, 1 << 20);
		napp = 0;
		ok(append(b2, 5, 0, 0, 500), "given 1 MiB buffer: a batch");
		in = ObjFormatFinishBuffer(b2, &inlen, &cap);
		ok(in == own && cap == (size_t) 1 << 20, "built in place, not reallocated");
		ok(ObjFormatOpenBuffer(in, inlen, &idx, err, sizeof(err)) && idx.nentries == 1, "and it parses");
		ObjFormatIndexFree(&idx);
		ObjFormatBuilderFree(b2);
		pfree(in);
	}

	/*
	 * Streaming (the uploader): closed blocks taken out as they pile up,
	 * the builder going on in a new buffer each time; the parts and the
	 * finished rest, end to end, are the object a builder keeping it all
	 * makes, byte for byte, with the same ranges.
	 */
	{
		ObjFormatBuilder *whole = ObjFormatBuilderCreate(OBJFORMAT_SSO, 4096);
		ObjFormatBuilder *st = ObjFormatBuilderCreate(OBJFORMAT_SSO, 4096);
		char	   *all,
				   *joined = palloc(1 << 20);
		size_t		alllen,
					joinedlen = 0,
					partlen,
					cap;
		int			parts = 0;
		bool		same_size = true;
		ObjFormatRange *r2;
		int			n2;

		napp = 0;
		for (int i = 0; i < 300; i++)
		{
			uint64		stream = 1 + (uint64) (i / 100);
			size_t		plen = 100 + rnd() % 900;

			(void) append(whole, stream, (uint64) (i % 100) * 10, 9, plen);
			napp--;				/* the same batch again into st */
			(void) append(st, stream, (uint64) (i % 100) * 10, 9, plen);
			if (ObjFormatBuilderSize(whole) != ObjFormatBuilderSize(st))
				same_size = false;
			if (ObjFormatBuilderClosedBytes(st) >= 16 * 1024)
			{
				char	   *part = ObjFormatBuilderTakeClosed(st, palloc(1000), 1000, &partlen, &cap);

				memcpy(joined + joinedlen, part, partlen);
				joinedlen += partlen;
				pfree(part);
				parts++;
			}
		}
		ok(napp == 300, "streaming: 300 batches of 3 streams appended twice");
		ok(parts >= 5, "streaming: %d parts of closed blocks taken while building", parts);
		ok(same_size, "streaming: the size of the object to be is the same all along");
		ranges = ObjFormatBuilderRanges(whole, &nranges);
		r2 = ObjFormatBuilderRanges(st, &n2);
		ok(nranges == n2 && memcmp(ranges, r2, sizeof(ObjFormatRange) * (size_t) n2) == 0,
		   "streaming: the same ranges (bytes per stream included)");
		all = ObjFormatFinish(whole, &alllen);
		obj = ObjFormatFinish(st, &len);
		memcpy(joined + joinedlen, obj, len);
		joinedlen += len;
		ok(joinedlen == alllen && memcmp(joined, all, alllen) == 0,
		   "streaming: the parts and the rest are the whole object, byte for byte");
		ok(ObjFormatOpenBuffer(joined, joinedlen, &idx, err, sizeof(err)), "streamed object parses");
		is_int(verify_all(joined, &idx, err, sizeof(err)), 300, "streamed object: every batch reads back");
		ObjFormatIndexFree(&idx);
		pfree(ranges);
		pfree(r2);
		pfree(all);
		pfree(obj);
		pfree(joined);
		ObjFormatBuilderFree(whole);
		ObjFormatBuilderFree(st);
	}

	/* an empty object is valid and finds nothing */
	b = ObjFormatBuilderCreate(OBJFORMAT_SSO, 0);
	obj = ObjFormatFinish(b, &len);
	is_int(len, OBJFORMAT_FOOTER_SIZE, "empty object is just a footer");
	ok(ObjFormatOpenBuffer(obj, len, &idx, err, sizeof(err)) && idx.nentries == 0, "empty object parses");
	is_int(ObjFormatFindBlock(&idx, 1, 0), -1, "empty object: nothing found");
	ObjFormatIndexFree(&idx);
	pfree(obj);
	ObjFormatBuilderFree(b);
	{
		ObjFormatLayout l;

		ObjFormatLayoutInit(&l, 0);
		is_int(ObjFormatLayoutSize(&l), OBJFORMAT_FOOTER_SIZE, "layout of no batch: the footer alone");
	}

	/*
	 * The layout, worked out from the batches alone, is the size of the
	 * object the builder then builds, block for block: random streams,
	 * lengths (some larger than a block) and record counts, at several
	 * block sizes.
	 */
	for (int round = 0; round < 40; round++)
	{
		size_t		bsize = round % 4 == 0 ? 0 : (size_t) 1024 << (round % 7);
		ObjFormatLayout l;
		uint64		stream = 1;
		uint64		base = 0;
		int			nbatches = 1 + (int) (rnd() % 400);
		int			opened = 0;
		bool		same = true;

		ObjFormatLayoutInit(&l, bsize);
		napp = 0;
		b = ObjFormatBuilderCreate(round % 5 == 0 ? OBJFORMAT_SO : OBJFORMAT_SSO, bsize);
		for (int i = 0; i < nbatches && same; i++)
		{
			size_t		blen = 1 + rnd() % (rnd() % 10 == 0 ? 70000 : 3000);
			uint32		delta = rnd() % 50;

			if (round % 5 != 0 && rnd() % 8 == 0)
				stream += 1 + rnd() % 3, base = 0;
			opened += ObjFormatLayoutAdd(&l, stream, delta + 1, blen) ? 1 : 0;
			same = append(b, stream, base, delta, blen) &&
				ObjFormatBuilderSize(b) == ObjFormatLayoutSize(&l);
			base += delta + 1 + rnd() % 3;
		}
		obj = ObjFormatFinish(b, &len);
		if (!same || len != ObjFormatLayoutSize(&l) ||
			!ObjFormatOpenBuffer(obj, len, &idx, err, sizeof(err)) || idx.nentries != opened)
		{
			printf("# round %d, block size %zu: object %zu bytes, layout %llu; %d blocks opened\n",
				   round, bsize, len, (unsigned long long) ObjFormatLayoutSize(&l), opened);
			ok(false, "layout round %d", round);
			break;
		}
		ObjFormatIndexFree(&idx);
		pfree(obj);
		ObjFormatBuilderFree(b);
		if (round == 39)
			ok(true, "40 random objects: the layout gave each one's size and blocks before it was built");
	}

	return done_testing();
}
