/*
 * test_kbuf.c
 *	  Kafka wire primitives: every reader/writer pair at boundary values,
 *	  hand-made byte vectors, the sticky-error contract, hostile lengths and
 *	  counts, and the arena's limit.
 */
#include "c.h"

#include <sys/uio.h>

#include "kafka/kbuf.h"
#include "tap.h"

static KWriter w;

static void
reset(void)
{
	KWriterReset(&w);
}

static int
bytes_are(const uint8 *want, size_t n)
{
	return w.len == n && memcmp(w.buf, want, n) == 0;
}

static void
test_fixed(void)
{
	KReader		r;
	static const uint8 be[] = {0x80, 0x01, 0x80, 0x00, 0x00, 0x01};
	int64		i64s[] = {0, 1, -1, INT64_MIN, INT64_MAX, 0x0102030405060708LL};
	int32		i32s[] = {0, 1, -1, INT32_MIN, INT32_MAX};
	int16		i16s[] = {0, 1, -1, INT16_MIN, INT16_MAX};

	reset();
	KWriteInt16(&w, (int16) 0x8001);
	KWriteUInt32(&w, 0x80000001u);
	ok(bytes_are(be, sizeof(be)), "int16/uint32 are big-endian");
	KReaderInit(&r, w.buf, w.len);
	is_int(KReadInt16(&r), (int16) 0x8001, "int16 read back");
	is_int(KReadUInt32(&r), 0x80000001u, "uint32 read back");
	is_int(KReaderRemaining(&r), 0, "nothing left");
	ok(!r.failed, "no failure");

	for (size_t i = 0; i < lengthof(i64s); i++)
	{
		reset();
		KWriteInt64(&w, i64s[i]);
		KReaderInit(&r, w.buf, w.len);
		ok(KReadInt64(&r) == i64s[i] && !r.failed && w.len == 8, "int64 %lld round trip", (long long) i64s[i]);
	}
	for (size_t i = 0; i < lengthof(i32s); i++)
	{
		reset();
		KWriteInt32(&w, i32s[i]);
		KReaderInit(&r, w.buf, w.len);
		ok(KReadInt32(&r) == i32s[i] && !r.failed, "int32 %d round trip", i32s[i]);
	}
	for (size_t i = 0; i < lengthof(i16s); i++)
	{
		reset();
		KWriteInt16(&w, i16s[i]);
		KReaderInit(&r, w.buf, w.len);
		ok(KReadInt16(&r) == i16s[i] && !r.failed, "int16 %d round trip", i16s[i]);
	}
	reset();
	KWriteInt8(&w, -128);
	KWriteInt8(&w, 127);
	KWriteBool(&w, true);
	KWriteFloat64(&w, -2.5);
	KWriteUInt16(&w, 65535);
	KReaderInit(&r, w.buf, w.len);
	is_int(KReadInt8(&r), -128, "int8 min");
	is_int(KReadInt8(&r), 127, "int8 max");
	ok(KReadBool(&r), "bool true");
	ok(KReadFloat64(&r) == -2.5, "float64 -2.5");
	is_int(KReadUInt16(&r), 65535, "uint16 max");
	ok(!r.failed && KReaderRemaining(&r) == 0, "all consumed");

	{
		KUuid		u,
					v;

		for (int i = 0; i < 16; i++)
			u.b[i] = (uint8) (i * 17);
		reset();
		KWriteUuid(&w, &u);
		KReaderInit(&r, w.buf, w.len);
		KReadUuid(&r, &v);
		ok(memcmp(&u, &v, 16) == 0 && w.len == 16, "uuid round trip");
	}
}

static void
test_varints(void)
{
	KReader		r;
	uint32		u32s[] = {0, 1, 127, 128, 16383, 16384, 0x0fffffff, 0x10000000, UINT32_MAX};
	int			u32sizes[] = {1, 1, 1, 2, 2, 3, 4, 5, 5};
	int32		s32s[] = {0, -1, 1, -64, 63, 64, INT32_MIN, INT32_MAX};
	int64		s64s[] = {0, -1, 1, INT64_MIN, INT64_MAX, 1LL << 40};
	static const uint8 v300[] = {0xac, 0x02};
	static const uint8 zz[] = {0x00, 0x01, 0x02, 0x03};

	for (size_t i = 0; i < lengthof(u32s); i++)
	{
		reset();
		KWriteUVarint(&w, u32s[i]);
		KReaderInit(&r, w.buf, w.len);
		ok(KReadUVarint(&r) == u32s[i] && !r.failed && (int) w.len == u32sizes[i] &&
		   KUVarintSize(u32s[i]) == u32sizes[i],
		   "uvarint %u round trip in %d bytes", u32s[i], u32sizes[i]);
	}
	for (size_t i = 0; i < lengthof(s32s); i++)
	{
		reset();
		KWriteVarint(&w, s32s[i]);
		KReaderInit(&r, w.buf, w.len);
		ok(KReadVarint(&r) == s32s[i] && !r.failed, "varint %d round trip", s32s[i]);
	}
	for (size_t i = 0; i < lengthof(s64s); i++)
	{
		reset();
		KWriteVarlong(&w, s64s[i]);
		KReaderInit(&r, w.buf, w.len);
		ok(KReadVarlong(&r) == s64s[i] && !r.failed, "varlong %lld round trip", (long long) s64s[i]);
	}
	reset();
	KWriteVarlong(&w, INT64_MIN);
	is_int(w.len, 10, "varlong INT64_MIN takes 10 bytes");
	reset();
	KWriteUVarint(&w, 300);
	ok(bytes_are(v300, 2), "uvarint 300 = ac 02 (protobuf example)");
	reset();
	KWriteVarint(&w, 0);
	KWriteVarint(&w, -1);
	KWriteVarint(&w, 1);
	KWriteVarint(&w, -2);
	ok(bytes_are(zz, 4), "zigzag 0,-1,1,-2 = 0,1,2,3");

	/* hostile varints */
	{
		static const uint8 six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
		static const uint8 big5[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
		static const uint8 trunc[] = {0x80, 0x80};
		static const uint8 eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};

		KReaderInit(&r, six, sizeof(six));
		(void) KReadUVarint(&r);
		ok(r.failed, "6-byte uvarint rejected");
		KReaderInit(&r, big5, sizeof(big5));
		(void) KReadUVarint(&r);
		ok(r.failed, "5-byte uvarint overflowing 32 bits rejected");
		KReaderInit(&r, trunc, sizeof(trunc));
		(void) KReadUVarint(&r);
		ok(r.failed, "unterminated uvarint at end of frame rejected");
		KReaderInit(&r, eleven, sizeof(eleven));
		(void) KReadUVarlong(&r);
		ok(r.failed, "11-byte varlong rejected");
	}
}

static void
test_strings(void)
{
	KReader		r;
	KStr		s;
	KBytes		b;
	static const uint8 hello[] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
	static const uint8 chello[] = {0x06, 'h', 'e', 'l', 'l', 'o'};
	static const uint8 nulls[] = {0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00};
	static const uint8 neg[] = {0xff, 0xfe, 'x'};
	static const uint8 negb[] = {0xff, 0xff, 0xff, 0xfe};
	static const uint8 longs[] = {0x00, 0x09, 'a', 'b'};
	static const uint8 cover[] = {0xff, 0xff, 0xff, 0xff, 0x0f};

	reset();
	KWriteString(&w, "hello", 5);
	ok(bytes_are(hello, sizeof(hello)), "string: int16 length then bytes");
	reset();
	KWriteCompactString(&w, "hello", 5);
	ok(bytes_are(chello, sizeof(chello)), "compact string: uvarint length+1");
	KReaderInit(&r, hello, sizeof(hello));
	s = KReadString(&r, false);
	ok(s.len == 5 && memcmp(s.ptr, "hello", 5) == 0 && s.ptr == (const char *) hello + 2,
	   "string borrowed from the frame");
	ok(KStrEq(s, "hello") && !KStrEq(s, "hell"), "KStrEq");
	KReaderInit(&r, chello, sizeof(chello));
	s = KReadCompactString(&r, false);
	ok(KStrEq(s, "hello") && !r.failed, "compact string read");

	KReaderInit(&r, nulls, sizeof(nulls));
	s = KReadString(&r, true);
	ok(s.len == -1 && s.ptr == NULL, "int16 -1 is a null string");
	s = KReadCompactString(&r, true);
	ok(s.len == -1, "compact 0 is a null string");
	b = KReadBytes(&r, true);
	ok(b.len == -1 && !r.failed, "int32 -1 is null bytes");
	b = KReadCompactBytes(&r, true);
	ok(b.len == -1 && !r.failed && KReaderRemaining(&r) == 0, "compact 0 is null bytes");

	KReaderInit(&r, nulls, sizeof(nulls));
	s = KReadString(&r, false);
	ok(r.failed, "null in a non-nullable string fails");
	s = KReadString(&r, true);
	ok(r.failed && s.len == -1, "reader stays failed (sticky)");

	KReaderInit(&r, neg, sizeof(neg));
	(void) KReadString(&r, true);
	ok(r.failed, "string length -2 rejected");
	KReaderInit(&r, negb, sizeof(negb));
	(void) KReadBytes(&r, true);
	ok(r.failed, "bytes length -2 rejected");
	KReaderInit(&r, longs, sizeof(longs));
	(void) KReadString(&r, false);
	ok(r.failed, "string longer than the frame rejected");
	KReaderInit(&r, cover, sizeof(cover));
	(void) KReadCompactBytes(&r, false);
	ok(r.failed, "compact bytes length 0xffffffff-1 rejected");
	KReaderInit(&r, cover, sizeof(cover));
	(void) KReadCompactString(&r, false);
	ok(r.failed, "compact string length overflow rejected");

	reset();
	KWriteBytes(&w, "\x01\x02", 2);
	KWriteCompactBytes(&w, "\x03", 1);
	KWriteBytes(&w, NULL, -1);
	KWriteCompactString(&w, NULL, -1);
	KWriteString(&w, "", 0);
	KReaderInit(&r, w.buf, w.len);
	b = KReadBytes(&r, false);
	ok(b.len == 2 && b.ptr[1] == 2, "bytes round trip");
	b = KReadCompactBytes(&r, false);
	ok(b.len == 1 && b.ptr[0] == 3, "compact bytes round trip");
	b = KReadBytes(&r, true);
	ok(b.len == -1, "null bytes round trip");
	s = KReadCompactString(&r, true);
	ok(s.len == -1, "null compact string round trip");
	s = KReadString(&r, false);
	ok(s.len == 0 && !r.failed && KReaderRemaining(&r) == 0, "empty string is not null");

	reset();
	{
		char		big[40000];

		memset(big, 'x', sizeof(big));
		KWriteString(&w, big, sizeof(big));
		ok(w.failed, "writer refuses a string over 32767 bytes");
	}
}

static void
test_arrays(void)
{
	KReader		r;
	static const uint8 huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
	static const uint8 neg2[] = {0xff, 0xff, 0xff, 0xfe};
	static const uint8 nul[] = {0xff, 0xff, 0xff, 0xff};
	static const uint8 two[] = {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8 chuge[] = {0xff, 0xff, 0xff, 0xff, 0x07};
	static const uint8 cnull[] = {0x00};

	KReaderInit(&r, huge, sizeof(huge));
	is_int(KReadArrayCount(&r, false, 1), 0, "count 0x7fffffff with 4 bytes left...");
	ok(r.failed, "...is rejected before any allocation");
	KReaderInit(&r, neg2, sizeof(neg2));
	(void) KReadArrayCount(&r, true, 1);
	ok(r.failed, "count -2 rejected");
	KReaderInit(&r, nul, sizeof(nul));
	is_int(KReadArrayCount(&r, true, 1), -1, "count -1 is null where nullable");
	KReaderInit(&r, nul, sizeof(nul));
	(void) KReadArrayCount(&r, false, 1);
	ok(r.failed, "count -1 rejected where not nullable");
	KReaderInit(&r, two, sizeof(two));
	is_int(KReadArrayCount(&r, false, 4), 2, "two int32s fit");
	KReaderInit(&r, two, sizeof(two) - 1);
	(void) KReadArrayCount(&r, false, 4);
	ok(r.failed, "two int32s in 7 bytes do not fit");
	KReaderInit(&r, chuge, sizeof(chuge));
	(void) KReadCompactArrayCount(&r, false, 1);
	ok(r.failed, "compact count 2^31-2 rejected");
	KReaderInit(&r, cnull, sizeof(cnull));
	is_int(KReadCompactArrayCount(&r, true, 1), -1, "compact count 0 is null");

	reset();
	KWriteArrayCount(&w, 3);
	KWriteCompactArrayCount(&w, 3);
	KWriteCompactArrayCount(&w, -1);
	KWriteArrayCount(&w, -1);
	KReaderInit(&r, w.buf, w.len);
	ok(KReadArrayCount(&r, false, 0) == 3 && KReaderRemaining(&r) == 6, "array count round trip");
	ok(KReadCompactArrayCount(&r, false, 1) == 3, "compact array count round trip");
	ok(KReadCompactArrayCount(&r, true, 1) == -1, "null compact array round trip");
	ok(KReadArrayCount(&r, true, 1) == -1 && !r.failed, "null array round trip");
}

static void
test_tags_and_sub(void)
{
	KReader		r,
				sub;
	static const uint8 tags[] = {0x02, 0x00, 0x03, 'a', 'b', 'c', 0x05, 0x00, 0x07};
	static const uint8 badtags[] = {0x01, 0x00, 0x09, 'a'};

	KReaderInit(&r, tags, sizeof(tags));
	KReadSkipTaggedFields(&r);
	ok(!r.failed && KReadInt8(&r) == 7, "two unknown tags skipped by length");
	KReaderInit(&r, badtags, sizeof(badtags));
	KReadSkipTaggedFields(&r);
	ok(r.failed, "tag whose size runs past the frame rejected");

	KReaderInit(&r, tags, sizeof(tags));
	KReaderSub(&r, &sub, 3);
	is_int(KReaderRemaining(&sub), 3, "sub-reader narrowed to 3 bytes");
	(void) KReadInt32(&sub);
	ok(sub.failed && !r.failed, "reading past a sub-reader fails it, not the parent");
	is_int(KReaderRemaining(&r), 6, "parent advanced past the sub range");
	KReaderSub(&r, &sub, 7);
	ok(r.failed && sub.failed, "sub-reader longer than the parent fails both");

	/* Truncation at every byte of a valid sequence fails, never crashes. */
	reset();
	KWriteInt32(&w, 1);
	KWriteCompactString(&w, "topic", 5);
	KWriteVarlong(&w, -123456789);
	KWriteUVarint(&w, 1);
	KWriteUVarint(&w, 0);
	KWriteUVarint(&w, 1);
	KWriteInt8(&w, 9);
	{
		int			good = 0;

		for (size_t cut = 0; cut < w.len; cut++)
		{
			KReaderInit(&r, w.buf, cut);
			(void) KReadInt32(&r);
			(void) KReadCompactString(&r, false);
			(void) KReadVarlong(&r);
			KReadSkipTaggedFields(&r);
			if (r.failed && r.errmsg[0] != '\0')
				good++;
		}
		is_int(good, (int) w.len, "truncated at each of %zu bytes: every one fails with a message", w.len);
	}
}

static void
test_writer_misc(void)
{
	size_t		at;
	static const uint8 patched[] = {0, 0, 0, 3, 'a', 'b', 'c'};

	reset();
	at = KWriteReserveInt32(&w);
	KWriteRaw(&w, "abc", 3);
	KWritePatchInt32(&w, at, (int32) (w.len - at - 4));
	ok(bytes_are(patched, sizeof(patched)), "reserved length back-patched");
	reset();
	KWriteText(&w, "%s=%d", "x", 5);
	ok(w.len == 3 && memcmp(w.buf, "x=5", 3) == 0, "KWriteText");
	reset();
	{
		char		big[1000];

		memset(big, 'y', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		KWriteText(&w, "%s!", big);
		ok(w.len == 1000 && w.buf[999] == '!', "KWriteText longer than its stack buffer");
	}
	reset();
	for (int i = 0; i < 100000; i++)
		KWriteInt32(&w, i);
	ok(w.len == 400000 && w.buf[399999] == (uint8) (99999 & 0xff), "writer grows");
}

static void
test_arena(void)
{
	KArena		a;
	char	   *p,
			   *q;
	int			allzero = 1;

	KArenaInit(&a, 64 * 1024);
	p = KArenaAlloc(&a, 10);
	q = KArenaAlloc(&a, 10);
	ok(p && q && q - p == 16, "allocations are 8-byte aligned bumps");
	p = KArenaAlloc(&a, 20000);
	ok(p != NULL, "allocation larger than a block");
	for (int i = 0; i < 20000; i++)
		if (p[i])
			allzero = 0;
	ok(allzero, "arena memory is zeroed");
	ok(KArenaAlloc(&a, 100000) == NULL, "allocation past the limit returns NULL");
	KArenaReset(&a);
	ok(a.total <= 64 * 1024 && KArenaAlloc(&a, 30000) != NULL, "reset gives the space back");
	{
		KArena		big;

		KArenaInit(&big, 64 * 1024 * 1024);
		(void) KArenaAlloc(&big, 100);
		ok(KArenaAlloc(&big, 10 * 1024 * 1024) != NULL, "a 10 MB allocation");
		KArenaReset(&big);
		ok(big.blocks != NULL && big.total >= 10 * 1024 * 1024 && big.total <= 17 * 1024 * 1024,
		   "an outgrown arena keeps one block of the size the request needed");
		p = KArenaAllocRaw(&big, 8 * 1024 * 1024);
		q = KArenaAllocRaw(&big, 2 * 1024 * 1024);
		ok(p != NULL && q == p + 8 * 1024 * 1024, "the next request of that size fits in it");
		KArenaReset(&big);
		for (int i = 0; i < 15; i++)
		{
			(void) KArenaAlloc(&big, 100);
			KArenaReset(&big);
		}
		ok(big.blocks != NULL && big.total >= 10 * 1024 * 1024, "a few small requests keep the big block");
		(void) KArenaAlloc(&big, 100);
		KArenaReset(&big);
		ok(big.blocks == NULL && big.total == 0, "sixteen in a row give it back");
		(void) KArenaAlloc(&big, 100);
		KArenaReset(&big);
		ok(big.blocks != NULL && big.total <= 16 * 1024, "then a small block is kept");

		/* KArenaExtendRaw: in place for the newest allocation, else a copy */
		p = KArenaAllocRaw(&big, 1000);
		memset(p, 'x', 1000);
		q = KArenaExtendRaw(&big, p, 1000, 4000);
		ok(q == p, "the newest allocation grows in place");
		(void) KArenaAllocRaw(&big, 10);
		q = KArenaExtendRaw(&big, p, 4000, 6000);
		ok(q != NULL && q != p && q[0] == 'x' && q[999] == 'x', "an older one is copied");
		q = KArenaExtendRaw(&big, q, 6000, 60 * 1024 * 1024);
		ok(q != NULL && q[999] == 'x', "growing past the block moves it to a new one");
		ok(KArenaExtendRaw(&big, q, 100, 65 * 1024 * 1024) == NULL, "and past the limit fails");
		KArenaFree(&big);
		ok(big.blocks == NULL && big.total == 0, "KArenaFree frees every block");
	}
	q = KArenaStrdup(&a, KStrFromC("abc"));
	is_str(q, "abc", "KArenaStrdup terminates");
	ok(KArenaStrdup(&a, KSTR_NULL) == NULL, "KArenaStrdup of null is NULL");
	KArenaFree(&a);
	ok(a.blocks == NULL, "arena freed");
}

/* The output of a writer with external bytes, through KWriterIov. */
static size_t
gather(const KWriter *x, size_t skip, size_t n, uint8 *out, int maxiov)
{
	struct iovec iov[256];
	int			k = KWriterIov(x, skip, n, iov, Min(maxiov, 256));
	size_t		len = 0;

	for (int i = 0; i < k; i++)
	{
		memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return len;
}

/*
 * Bytes referred to, not copied (KWriteExternal), as the fetch response
 * uses them: output order, lengths, truncation, partial consumption as a
 * socket takes it, and copying in -- a fixed case, then random writes and
 * consumptions checked against a plain byte string.
 */
static void
test_external(void)
{
	KWriter		x;
	uint8		out[4096];
	uint8		ref[4096];
	size_t		reflen = 0;
	static const uint8 ext1[] = "xyz",
				ext2[] = "12",
				ext3[] = "34";
	uint64		seed = 12345;
	int			bad = 0;

	KWriterInit(&x, 16);
	KWriteRaw(&x, "AB", 2);
	KWriteExternal(&x, ext1, 3);
	KWriteRaw(&x, "CD", 2);
	KWriteExternal(&x, ext2, 2);
	KWriteExternal(&x, ext3, 2);
	KWriteRaw(&x, "E", 1);
	is_int((int) KWriterTotal(&x), 12, "own and external bytes make the output length");
	ok(gather(&x, 0, 12, out, 64) == 12 && memcmp(out, "ABxyzCD1234E", 12) == 0,
	   "the output has external bytes where they were written");
	ok(gather(&x, 3, 6, out, 64) == 6 && memcmp(out, "yzCD12", 6) == 0, "a window of the output");
	ok(gather(&x, 0, 12, out, 2) == 5 && memcmp(out, "ABxyz", 5) == 0, "fewer iovecs give a prefix");
	is_int((int) KWriterTotalSince(&x, 2), 7, "bytes that follow own byte 1 (not those before own byte 2)");
	is_int((int) KWriterTotalSince(&x, 1), 11, "bytes that follow own byte 0");
	KWriterConsume(&x, 3);
	ok(KWriterTotal(&x) == 9 && gather(&x, 0, 9, out, 64) == 9 && memcmp(out, "yzCD1234E", 9) == 0,
	   "consuming into an external piece keeps its rest first");
	KWriterConsume(&x, 6);
	ok(KWriterTotal(&x) == 3 && gather(&x, 0, 3, out, 64) == 3 && memcmp(out, "34E", 3) == 0,
	   "consuming across pieces");
	KWriterInternalize(&x);
	ok(x.next == 0 && x.len == 3 && memcmp(x.buf, "34E", 3) == 0, "internalized: own bytes only");
	KWriterReset(&x);
	KWriteRaw(&x, "abc", 3);
	KWriteExternal(&x, ext1, 3);
	KWriteRaw(&x, "d", 1);
	KWriterTruncate(&x, 3);
	ok(KWriterTotal(&x) == 6 && x.next == 1, "truncating to own length 3 keeps the external bytes before own byte 3");
	KWriterTruncate(&x, 2);
	ok(KWriterTotal(&x) == 2 && x.next == 0, "truncating to 2 drops them");

	/* random: writes of either kind, consumptions, copying in */
	KWriterReset(&x);
	for (int step = 0; step < 20000 && bad == 0; step++)
	{
		uint64		r;
		size_t		n;
		static uint8 pool[256];

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = seed >> 33;
		if (step == 0)
			for (int i = 0; i < 256; i++)
				pool[i] = (uint8) (i * 7 + 1);
		n = r % 40;
		if (reflen + n < sizeof(ref) && r % 5 < 2)
		{
			KWriteRaw(&x, pool + (r >> 8) % 200, n);
			memcpy(ref + reflen, pool + (r >> 8) % 200, n);
			reflen += n;
		}
		else if (reflen + n < sizeof(ref) && r % 5 < 4)
		{
			KWriteExternal(&x, pool + (r >> 8) % 200, n);
			memcpy(ref + reflen, pool + (r >> 8) % 200, n);
			reflen += n;
		}
		else
		{
			n = reflen == 0 ? 0 : (size_t) ((r >> 8) % (reflen + 1));
			KWriterConsume(&x, n);
			memmove(ref, ref + n, reflen - n);
			reflen -= n;
			if ((r >> 20) % 10 == 0)
				KWriterInternalize(&x);
		}
		if (KWriterTotal(&x) != reflen)
			bad++;
		/* 2 * next + 1 iovecs at most: own and external pieces alternate */
		else if (x.next < 100 && (gather(&x, 0, reflen, out, 256) != reflen ||
								  memcmp(out, ref, reflen) != 0))
			bad++;
		else if (reflen > 10 && (gather(&x, 5, reflen - 5, out, 256) != reflen - 5 ||
								 memcmp(out, ref + 5, reflen - 5) != 0) && x.next < 100)
			bad++;
	}
	is_int(bad, 0, "20000 random writes, consumptions and copies match a plain byte string");
	KWriterFree(&x);
}

int
main(void)
{
	KWriterInit(&w, 16);
	test_fixed();
	test_varints();
	test_strings();
	test_arrays();
	test_tags_and_sub();
	test_writer_misc();
	test_arena();
	test_external();
	KWriterFree(&w);
	return done_testing();
}
