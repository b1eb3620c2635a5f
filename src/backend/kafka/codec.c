/*-------------------------------------------------------------------------
 *
 * codec.c
 *	  The generic, schema-driven Kafka message codec: decode, encode,
 *	  defaults, text printing and text parsing.  See include/kafka/codec.h.
 *
 *	  Recursion follows the schema (at most a handful of levels), never the
 *	  input: a hostile frame cannot make the decoder recurse deeper than the
 *	  message definition does.  Allocation sizes come from array counts that
 *	  KReadArrayCount has already checked against the bytes left, using the
 *	  smallest wire size an element can have, so decoding a frame of N bytes
 *	  allocates at most a small multiple of N (and the arena is capped too).
 *
 * IDENTIFICATION
 *	  src/backend/kafka/codec.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>

#include "kafka/codec.h"

#define FIELD_PTR(msg, f) ((char *) (msg) + (f)->offset)

/* Bytes one element of this type occupies in C. */
static size_t
elem_csize(const KField *f)
{
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			return sizeof(bool);
		case KT_INT8:
			return sizeof(int8);
		case KT_INT16:
		case KT_UINT16:
			return sizeof(int16);
		case KT_INT32:
		case KT_UINT32:
			return sizeof(int32);
		case KT_INT64:
			return sizeof(int64);
		case KT_FLOAT64:
			return sizeof(double);
		case KT_UUID:
			return sizeof(KUuid);
		case KT_STRING:
			return sizeof(KStr);
		case KT_BYTES:
		case KT_RECORDS:
			return sizeof(KBytes);
		case KT_STRUCT:
			return f->sub->size;
	}
	return 0;
}

static size_t struct_min_wire(const KSchema *s, int16 v, bool flex);

/* The fewest bytes one element of this field can take on the wire. */
static size_t
elem_min_wire(const KField *f, int16 v, bool flex)
{
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
		case KT_INT8:
			return 1;
		case KT_INT16:
		case KT_UINT16:
			return 2;
		case KT_INT32:
		case KT_UINT32:
			return 4;
		case KT_INT64:
		case KT_FLOAT64:
			return 8;
		case KT_UUID:
			return 16;
		case KT_STRING:
			return flex ? 1 : 2;
		case KT_BYTES:
		case KT_RECORDS:
			return flex ? 1 : 4;
		case KT_STRUCT:
			return struct_min_wire(f->sub, v, flex);
	}
	return 1;
}

static size_t
struct_min_wire(const KSchema *s, int16 v, bool flex)
{
	size_t		n = flex ? 1 : 0;

	for (int i = 0; i < s->nfields; i++)
	{
		const KField *f = &s->fields[i];

		if (!KFieldInVersion(f, v) || f->tag >= 0)
			continue;
		if (f->is_array)
			n += flex ? 1 : 4;
		else
			n += elem_min_wire(f, v, flex);
	}
	return Max(n, 1);
}

/* ----------------------------------------------------------------
 *		Defaults
 * ----------------------------------------------------------------
 */
/* Store field f's default at p (the field's place in its struct). */
static void
set_default(const KField *f, void *p)
{
	if (f->is_array)
	{
		((KArrayHdr *) p)->count = 0;
		((KArrayHdr *) p)->items = NULL;
		return;
	}
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			*(bool *) p = f->dflt != 0;
			break;
		case KT_INT8:
			*(int8 *) p = (int8) f->dflt;
			break;
		case KT_INT16:
		case KT_UINT16:
			*(int16 *) p = (int16) f->dflt;
			break;
		case KT_INT32:
		case KT_UINT32:
			*(int32 *) p = (int32) f->dflt;
			break;
		case KT_INT64:
			*(int64 *) p = f->dflt;
			break;
		case KT_FLOAT64:
			*(double *) p = (double) f->dflt;
			break;
		case KT_UUID:
			memset(p, 0, sizeof(KUuid));
			break;
		case KT_STRING:
			if (f->dflt == KDEF_NULL)
				*(KStr *) p = KSTR_NULL;
			else
				*(KStr *) p = (KStr) {"", 0};
			break;
		case KT_BYTES:
		case KT_RECORDS:
			/* null where the field can ever be null, else empty */
			if (f->nullable_min != KV_NONE)
				*(KBytes *) p = (KBytes) {NULL, -1};
			else
				*(KBytes *) p = (KBytes) {(const uint8 *) "", 0};
			break;
		case KT_STRUCT:
			KafkaSetDefaults(f->sub, p);
			break;
	}
}

/*
 * KafkaSetDefaults: every field of msg at its default.  Runs in a backend
 * for each decoded struct and for each response struct a handler builds.
 */
void
KafkaSetDefaults(const KSchema *schema, void *msg)
{
	memset(msg, 0, schema->size);
	for (int i = 0; i < schema->nfields; i++)
		set_default(&schema->fields[i], FIELD_PTR(msg, &schema->fields[i]));
}

/*
 * KafkaSetErrorCode: set msg's top-level ErrorCode to code, if the message
 * has one at this version.  (Kafka's responses name the field ErrorCode
 * everywhere; responses that carry errors only per topic or partition have
 * none at the top.)
 */
bool
KafkaSetErrorCode(const KSchema *schema, int16 version, void *msg, int16 code)
{
	for (int i = 0; i < schema->nfields; i++)
	{
		const KField *f = &schema->fields[i];

		if (f->type == KT_INT16 && !f->is_array && KFieldInVersion(f, version) &&
			strcmp(f->name, "ErrorCode") == 0)
		{
			*(int16 *) FIELD_PTR(msg, f) = code;
			return true;
		}
	}
	return false;
}

void *
KafkaNewArray(KArena *arena, const KSchema *elem, int32 count)
{
	char	   *items;

	if (count <= 0)
		return NULL;
	items = KArenaAlloc(arena, (size_t) count * elem->size);
	if (items == NULL)
		return NULL;
	for (int32 i = 0; i < count; i++)
		KafkaSetDefaults(elem, items + (size_t) i * elem->size);
	return items;
}

KStr
KArenaPrintf(KArena *arena, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = KArenaAlloc(arena, (size_t) n + 1)) == NULL)
		return KSTR_NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return (KStr) {p, n};
}

/*
 * Is the value at p field f's default?  Decides whether a tagged field is
 * sent at all (Kafka omits tagged fields that hold their default).
 */
static bool
is_default(const KField *f, const void *p)
{
	if (f->is_array)
		return ((const KArrayHdr *) p)->count <= 0;
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			return *(const bool *) p == (f->dflt != 0);
		case KT_INT8:
			return *(const int8 *) p == (int8) f->dflt;
		case KT_INT16:
		case KT_UINT16:
			return *(const int16 *) p == (int16) f->dflt;
		case KT_INT32:
		case KT_UINT32:
			return *(const int32 *) p == (int32) f->dflt;
		case KT_INT64:
			return *(const int64 *) p == f->dflt;
		case KT_FLOAT64:
			return *(const double *) p == (double) f->dflt;
		case KT_UUID:
			{
				static const KUuid zero;

				return memcmp(p, &zero, sizeof(KUuid)) == 0;
			}
		case KT_STRING:
			if (f->dflt == KDEF_NULL)
				return ((const KStr *) p)->len < 0;
			return ((const KStr *) p)->len == 0;
		case KT_BYTES:
		case KT_RECORDS:
			if (f->nullable_min != KV_NONE)
				return ((const KBytes *) p)->len < 0;
			return ((const KBytes *) p)->len == 0;
		case KT_STRUCT:
			for (int i = 0; i < f->sub->nfields; i++)
				if (!is_default(&f->sub->fields[i], (const char *) p + f->sub->fields[i].offset))
					return false;
			return true;
	}
	return true;
}

/* ----------------------------------------------------------------
 *		Decoding
 * ----------------------------------------------------------------
 */
static bool decode_struct(const KSchema *s, int16 v, bool flex, KReader *r,
						  KArena *a, void *out);

/* Decode one value (or one array element) of field f into p. */
static void
decode_elem(const KField *f, int16 v, bool flex, bool nullable, KReader *r,
			KArena *a, void *p)
{
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			*(bool *) p = KReadBool(r);
			break;
		case KT_INT8:
			*(int8 *) p = KReadInt8(r);
			break;
		case KT_INT16:
		case KT_UINT16:
			*(int16 *) p = KReadInt16(r);
			break;
		case KT_INT32:
		case KT_UINT32:
			*(int32 *) p = KReadInt32(r);
			break;
		case KT_INT64:
			*(int64 *) p = KReadInt64(r);
			break;
		case KT_FLOAT64:
			*(double *) p = KReadFloat64(r);
			break;
		case KT_UUID:
			KReadUuid(r, (KUuid *) p);
			break;
		case KT_STRING:
			*(KStr *) p = flex ? KReadCompactString(r, nullable) : KReadString(r, nullable);
			break;
		case KT_BYTES:
		case KT_RECORDS:
			*(KBytes *) p = flex ? KReadCompactBytes(r, nullable) : KReadBytes(r, nullable);
			break;
		case KT_STRUCT:
			(void) decode_struct(f->sub, v, flex, r, a, p);
			break;
	}
}

/*
 * Decode field f (a value or a whole array) into p.  Arrays are allocated
 * in the arena only after their count has been checked against the bytes
 * left, using the fewest bytes an element can take.
 */
static void
decode_field(const KField *f, int16 v, bool flex, KReader *r, KArena *a, void *p)
{
	bool		nullable = v >= f->nullable_min;

	if (f->is_array)
	{
		KArrayHdr  *arr = (KArrayHdr *) p;
		size_t		minw = elem_min_wire(f, v, flex);
		size_t		csize = elem_csize(f);
		int32		count;

		count = flex ? KReadCompactArrayCount(r, nullable, minw)
			: KReadArrayCount(r, nullable, minw);
		arr->count = count;
		arr->items = NULL;
		if (r->failed || count <= 0)
		{
			if (r->failed)
				arr->count = 0;
			return;
		}
		arr->items = KArenaAlloc(a, (size_t) count * csize);
		if (arr->items == NULL)
		{
			arr->count = 0;
			KReaderFail(r, "request too large to decode (%s: %d elements)", f->name, count);
			return;
		}
		for (int32 i = 0; i < count && !r->failed; i++)
			decode_elem(f, v, flex, false, r, a, (char *) arr->items + (size_t) i * csize);
		if (r->failed)
			arr->count = 0;
		return;
	}
	decode_elem(f, v, flex, nullable, r, a, p);
}

/*
 * Decode one struct: defaults first, then the fields this version has in
 * wire order, then (flexible versions) the tagged-field section, where
 * known tags are decoded through a reader narrowed to their declared size
 * and unknown ones are skipped.
 */
static bool
decode_struct(const KSchema *s, int16 v, bool flex, KReader *r, KArena *a, void *out)
{
	KafkaSetDefaults(s, out);
	for (int i = 0; i < s->nfields && !r->failed; i++)
	{
		const KField *f = &s->fields[i];

		if (!KFieldInVersion(f, v) || f->tag >= 0)
			continue;
		decode_field(f, v, flex, r, a, FIELD_PTR(out, f));
	}
	if (flex && !r->failed)
	{
		uint32		ntags = KReadUVarint(r);
		int64		last_tag = -1;

		for (uint32 t = 0; t < ntags && !r->failed; t++)
		{
			uint32		tag = KReadUVarint(r);
			uint32		size = KReadUVarint(r);
			const KField *f = NULL;
			KReader		sub;

			if (r->failed)
				break;
			/* Kafka writes tags in strictly ascending order. */
			if ((int64) tag <= last_tag)
			{
				KReaderFail(r, "tagged fields out of order in %s (tag %u after %lld)",
							s->name, tag, (long long) last_tag);
				break;
			}
			last_tag = tag;
			for (int i = 0; i < s->nfields; i++)
				if (s->fields[i].tag == (int64) tag && KFieldInVersion(&s->fields[i], v))
					f = &s->fields[i];
			KReaderSub(r, &sub, size);
			if (f == NULL || r->failed)
				continue;		/* unknown tag: skipped by its length */
			decode_field(f, v, flex, &sub, a, FIELD_PTR(out, f));
			if (!sub.failed && KReaderRemaining(&sub) != 0)
				KReaderFail(&sub, "tagged field %s.%s: %zu bytes left over",
							s->name, f->name, KReaderRemaining(&sub));
			if (sub.failed)
				KReaderFail(r, "%s", sub.errmsg);
		}
	}
	return !r->failed;
}

bool
KafkaDecodePartial(const KSchema *schema, int16 version, bool flexible,
				   KReader *r, KArena *arena, void *out)
{
	if (!decode_struct(schema, version, flexible, r, arena, out))
	{
		/* Leave a well-formed (default) struct behind even on failure. */
		KafkaSetDefaults(schema, out);
		return false;
	}
	return true;
}

bool
KafkaDecode(const KSchema *schema, int16 version, bool flexible,
			KReader *r, KArena *arena, void *out)
{
	if (!KafkaDecodePartial(schema, version, flexible, r, arena, out))
		return false;
	if (KReaderRemaining(r) != 0)
	{
		KReaderFail(r, "%zu bytes left over after %s v%d", KReaderRemaining(r),
					schema->name, version);
		KafkaSetDefaults(schema, out);
		return false;
	}
	return true;
}

/* ----------------------------------------------------------------
 *		Encoding
 * ----------------------------------------------------------------
 */
static void encode_struct(const KSchema *s, int16 v, bool flex, const void *msg, KWriter *w);

/*
 * Bytes given in pieces (KBytes.scatter): the length as KWriteBytes /
 * KWriteCompactBytes write it, then each piece, referred to if external
 * (the fetch's batches in the WAL ring, kafka/api_fetch.c), else copied.
 */
static void
encode_scatter(KWriter *w, bool flex, const KBytes *b)
{
	size_t		total = 0;

	for (int i = 0; i < b->scatter->n; i++)
		total += b->scatter->pieces[i].len;
	if (b->len < 0 || total != (size_t) b->len)
	{
		KWriterFail(w, "bytes in pieces of %zu bytes, but %d announced", total, b->len);
		return;
	}
	if (flex)
		KWriteUVarint(w, (uint32) b->len + 1);
	else
		KWriteInt32(w, b->len);
	for (int i = 0; i < b->scatter->n; i++)
	{
		const KPiece *pc = &b->scatter->pieces[i];

		if (pc->external)
			KWriteExternal(w, pc->ptr, pc->len);
		else
			KWriteRaw(w, pc->ptr, pc->len);
	}
}

static void
encode_elem(const KField *f, int16 v, bool flex, bool nullable, const void *p, KWriter *w)
{
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			KWriteBool(w, *(const bool *) p);
			break;
		case KT_INT8:
			KWriteInt8(w, *(const int8 *) p);
			break;
		case KT_INT16:
		case KT_UINT16:
			KWriteInt16(w, *(const int16 *) p);
			break;
		case KT_INT32:
		case KT_UINT32:
			KWriteInt32(w, *(const int32 *) p);
			break;
		case KT_INT64:
			KWriteInt64(w, *(const int64 *) p);
			break;
		case KT_FLOAT64:
			KWriteFloat64(w, *(const double *) p);
			break;
		case KT_UUID:
			KWriteUuid(w, (const KUuid *) p);
			break;
		case KT_STRING:
			{
				const KStr *s = p;

				if (s->len < 0 && !nullable)
				{
					KWriterFail(w, "null %s is not allowed in version %d", f->name, v);
					break;
				}
				if (flex)
					KWriteCompactString(w, s->ptr, s->len);
				else
					KWriteString(w, s->ptr, s->len);
				break;
			}
		case KT_BYTES:
		case KT_RECORDS:
			{
				const KBytes *b = p;

				if (b->len < 0 && !nullable)
				{
					KWriterFail(w, "null %s is not allowed in version %d", f->name, v);
					break;
				}
				if (b->scatter != NULL)
					encode_scatter(w, flex, b);
				else if (flex)
					KWriteCompactBytes(w, b->ptr, b->len);
				else
					KWriteBytes(w, b->ptr, b->len);
				break;
			}
		case KT_STRUCT:
			encode_struct(f->sub, v, flex, p, w);
			break;
	}
}

static void
encode_field(const KField *f, int16 v, bool flex, const void *p, KWriter *w)
{
	bool		nullable = v >= f->nullable_min;

	if (f->is_array)
	{
		const KArrayHdr *arr = p;
		size_t		csize = elem_csize(f);

		if (arr->count < 0 && !nullable)
		{
			KWriterFail(w, "null array %s is not allowed in version %d", f->name, v);
			return;
		}
		if (arr->count > 0 && arr->items == NULL)
		{
			KWriterFail(w, "array %s has %d elements but no items", f->name, arr->count);
			return;
		}
		if (flex)
			KWriteCompactArrayCount(w, arr->count);
		else
			KWriteArrayCount(w, arr->count);
		for (int32 i = 0; i < arr->count; i++)
			encode_elem(f, v, flex, false, (const char *) arr->items + (size_t) i * csize, w);
		return;
	}
	encode_elem(f, v, flex, nullable, p, w);
}

/*
 * Encode one struct: the fields this version has in wire order, then
 * (flexible versions) the tagged fields that differ from their defaults,
 * in ascending tag order, each as tag, size, value.
 */
static void
encode_struct(const KSchema *s, int16 v, bool flex, const void *msg, KWriter *w)
{
	const KField *tagged[16];
	int			ntagged = 0;

	for (int i = 0; i < s->nfields; i++)
	{
		const KField *f = &s->fields[i];

		if (!KFieldInVersion(f, v))
			continue;
		if (f->tag >= 0)
		{
			if (flex && !is_default(f, FIELD_PTR(msg, f)))
			{
				int			j = ntagged++;

				Ensure(ntagged <= (int) lengthof(tagged));
				/* insertion sort by tag number */
				while (j > 0 && tagged[j - 1]->tag > f->tag)
				{
					tagged[j] = tagged[j - 1];
					j--;
				}
				tagged[j] = f;
			}
			continue;
		}
		encode_field(f, v, flex, FIELD_PTR(msg, f), w);
	}
	if (!flex)
		return;
	KWriteUVarint(w, (uint32) ntagged);
	for (int i = 0; i < ntagged; i++)
	{
		KWriter		tmp;

		KWriterInit(&tmp, 64);
		encode_field(tagged[i], v, flex, FIELD_PTR(msg, tagged[i]), &tmp);
		KWriterInternalize(&tmp);
		if (tmp.failed)
			KWriterFail(w, "%s", tmp.errmsg);
		KWriteUVarint(w, (uint32) tagged[i]->tag);
		KWriteUVarint(w, (uint32) tmp.len);
		KWriteRaw(w, tmp.buf, tmp.len);
		KWriterFree(&tmp);
	}
}

bool
KafkaEncode(const KSchema *schema, int16 version, bool flexible,
			const void *msg, KWriter *w)
{
	encode_struct(schema, version, flexible, msg, w);
	return !w->failed;
}

/* ----------------------------------------------------------------
 *		Printing
 * ----------------------------------------------------------------
 */
static void print_struct(const KSchema *s, int16 v, const void *msg, KWriter *w);

static void
print_uuid(const KUuid *u, KWriter *w)
{
	for (int i = 0; i < 16; i++)
	{
		KWriteText(w, "%02x", u->b[i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			KWriteText(w, "-");
	}
}

static void
print_elem(const KField *f, int16 v, const void *p, KWriter *w)
{
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			KWriteText(w, "%s", *(const bool *) p ? "true" : "false");
			break;
		case KT_INT8:
			KWriteText(w, "%d", *(const int8 *) p);
			break;
		case KT_INT16:
			KWriteText(w, "%d", *(const int16 *) p);
			break;
		case KT_UINT16:
			KWriteText(w, "%u", *(const uint16 *) p);
			break;
		case KT_INT32:
			KWriteText(w, "%d", *(const int32 *) p);
			break;
		case KT_UINT32:
			KWriteText(w, "%u", *(const uint32 *) p);
			break;
		case KT_INT64:
			KWriteText(w, "%lld", (long long) *(const int64 *) p);
			break;
		case KT_FLOAT64:
			KWriteText(w, "%.17g", *(const double *) p);
			break;
		case KT_UUID:
			print_uuid(p, w);
			break;
		case KT_STRING:
			{
				const KStr *s = p;

				if (s->len < 0)
				{
					KWriteText(w, "null");
					break;
				}
				KWriteText(w, "\"");
				for (int32 i = 0; i < s->len; i++)
				{
					unsigned char c = (unsigned char) s->ptr[i];

					if (c == '"' || c == '\\')
						KWriteText(w, "\\%c", c);
					else if (c < 0x20 || c >= 0x7f)
						KWriteText(w, "\\x%02x", c);
					else
						KWriteText(w, "%c", c);
				}
				KWriteText(w, "\"");
				break;
			}
		case KT_BYTES:
		case KT_RECORDS:
			{
				const KBytes *b = p;

				if (b->len < 0)
				{
					KWriteText(w, "null");
					break;
				}
				KWriteText(w, "0x");
				for (int32 i = 0; i < b->len; i++)
					KWriteText(w, "%02x", b->ptr[i]);
				break;
			}
		case KT_STRUCT:
			print_struct(f->sub, v, p, w);
			break;
	}
}

/* Append {Field=value, ...} for the fields version v has. */
static void
print_struct(const KSchema *s, int16 v, const void *msg, KWriter *w)
{
	bool		first = true;

	KWriteText(w, "{");
	for (int i = 0; i < s->nfields; i++)
	{
		const KField *f = &s->fields[i];
		const void *p = FIELD_PTR(msg, f);

		if (!KFieldInVersion(f, v))
			continue;
		KWriteText(w, "%s%s=", first ? "" : ", ", f->name);
		first = false;
		if (f->is_array)
		{
			const KArrayHdr *arr = p;

			if (arr->count < 0)
			{
				KWriteText(w, "null");
				continue;
			}
			KWriteText(w, "[");
			for (int32 j = 0; j < arr->count; j++)
			{
				if (j > 0)
					KWriteText(w, ", ");
				print_elem(f, v, (const char *) arr->items + (size_t) j * elem_csize(f), w);
			}
			KWriteText(w, "]");
		}
		else
			print_elem(f, v, p, w);
	}
	KWriteText(w, "}");
}

void
KafkaPrint(const KSchema *schema, int16 version, const void *msg, KWriter *w)
{
	print_struct(schema, version, msg, w);
}

/* ----------------------------------------------------------------
 *		Parsing the text form
 * ----------------------------------------------------------------
 */
typedef struct TextParser
{
	const char *p;
	KArena	   *arena;
	char	   *errbuf;
	size_t		errlen;
	bool		failed;
} TextParser;

static bool
tp_fail(TextParser *tp, const char *msg, const char *what)
{
	if (!tp->failed)
	{
		snprintf(tp->errbuf, tp->errlen, "%s%s%s near \"%.20s\"", msg,
				 what ? " " : "", what ? what : "", tp->p);
		tp->failed = true;
	}
	return false;
}

static void
tp_ws(TextParser *tp)
{
	while (*tp->p && (isspace((unsigned char) *tp->p) || *tp->p == '#'))
	{
		if (*tp->p == '#')
			while (*tp->p && *tp->p != '\n')
				tp->p++;
		else
			tp->p++;
	}
}

static bool
tp_accept(TextParser *tp, char c)
{
	tp_ws(tp);
	if (*tp->p == c)
	{
		tp->p++;
		return true;
	}
	return false;
}

static bool
tp_word(TextParser *tp, const char *word)
{
	size_t		n = strlen(word);

	tp_ws(tp);
	if (strncmp(tp->p, word, n) == 0 && !isalnum((unsigned char) tp->p[n]))
	{
		tp->p += n;
		return true;
	}
	return false;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_struct(TextParser *tp, const KSchema *s, void *msg);

/* An integer or float64 field's value. */
static bool
parse_number(TextParser *tp, const KField *f, void *p)
{
	char	   *end;
	long long	n;

	errno = 0;
	if (f->type == KT_FLOAT64)
	{
		double		d = strtod(tp->p, &end);

		if (end == tp->p)
			return tp_fail(tp, "expected a number for", f->name);
		*(double *) p = d;
		tp->p = end;
		return true;
	}
	n = strtoll(tp->p, &end, 10);
	if (end == tp->p || errno != 0)
		return tp_fail(tp, "expected an integer for", f->name);
	tp->p = end;
	switch ((KFieldType) f->type)
	{
		case KT_INT8:
			*(int8 *) p = (int8) n;
			break;
		case KT_INT16:
		case KT_UINT16:
			*(int16 *) p = (int16) n;
			break;
		case KT_INT32:
		case KT_UINT32:
			*(int32 *) p = (int32) n;
			break;
		default:
			*(int64 *) p = n;
			break;
	}
	return true;
}

/* A uuid: 32 hex digits, dashes anywhere. */
static bool
parse_uuid(TextParser *tp, const KField *f, KUuid *u)
{
	int			nib = 0;

	while (nib < 32)
	{
		int			h;

		if (*tp->p == '-')
		{
			tp->p++;
			continue;
		}
		h = hexval(*tp->p);
		if (h < 0)
			return tp_fail(tp, "expected a uuid for", f->name);
		if (nib % 2 == 0)
			u->b[nib / 2] = (uint8) (h << 4);
		else
			u->b[nib / 2] |= (uint8) h;
		nib++;
		tp->p++;
	}
	return true;
}

/* null, or a quoted string with \xHH and \n escapes, copied to the arena. */
static bool
parse_string(TextParser *tp, const KField *f, KStr *s)
{
	char	   *buf;
	size_t		n = 0;
	const char *q;

	if (tp_word(tp, "null"))
	{
		*s = KSTR_NULL;
		return true;
	}
	if (*tp->p != '"')
		return tp_fail(tp, "expected a quoted string for", f->name);
	q = ++tp->p;
	/* the unescaped text is never longer than the escaped one */
	while (*q && *q != '"')
		q += (*q == '\\' && q[1]) ? 2 : 1;
	if (*q != '"')
		return tp_fail(tp, "unterminated string for", f->name);
	buf = KArenaAlloc(tp->arena, (size_t) (q - tp->p) + 1);
	if (buf == NULL)
		return tp_fail(tp, "out of memory", NULL);
	while (tp->p < q)
	{
		if (*tp->p == '\\')
		{
			tp->p++;
			if (*tp->p == 'x' && hexval(tp->p[1]) >= 0 && hexval(tp->p[2]) >= 0)
			{
				buf[n++] = (char) (hexval(tp->p[1]) * 16 + hexval(tp->p[2]));
				tp->p += 3;
				continue;
			}
			if (*tp->p == 'n')
			{
				buf[n++] = '\n';
				tp->p++;
				continue;
			}
		}
		buf[n++] = *tp->p++;
	}
	tp->p++;					/* closing quote */
	s->ptr = buf;
	s->len = (int32) n;
	return true;
}

/* null, or 0x and an even number of hex digits, copied to the arena. */
static bool
parse_bytes(TextParser *tp, const KField *f, KBytes *b)
{
	const char *q;
	uint8	   *buf;
	size_t		n;

	if (tp_word(tp, "null"))
	{
		*b = (KBytes) {NULL, -1};
		return true;
	}
	if (tp->p[0] != '0' || (tp->p[1] != 'x' && tp->p[1] != 'X'))
		return tp_fail(tp, "expected 0x... bytes for", f->name);
	tp->p += 2;
	q = tp->p;
	while (hexval(*q) >= 0)
		q++;
	if ((q - tp->p) % 2 != 0)
		return tp_fail(tp, "odd number of hex digits for", f->name);
	n = (size_t) (q - tp->p) / 2;
	buf = KArenaAlloc(tp->arena, n);
	if (buf == NULL)
		return tp_fail(tp, "out of memory", NULL);
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8) (hexval(tp->p[2 * i]) * 16 + hexval(tp->p[2 * i + 1]));
	tp->p = q;
	b->ptr = buf;
	b->len = (int32) n;
	return true;
}

/* One value of field f (one element, for an array) into p. */
static bool
parse_elem(TextParser *tp, const KField *f, void *p)
{
	tp_ws(tp);
	switch ((KFieldType) f->type)
	{
		case KT_BOOL:
			if (tp_word(tp, "true"))
				*(bool *) p = true;
			else if (tp_word(tp, "false"))
				*(bool *) p = false;
			else
				return tp_fail(tp, "expected true or false for", f->name);
			return true;
		case KT_INT8:
		case KT_INT16:
		case KT_UINT16:
		case KT_INT32:
		case KT_UINT32:
		case KT_INT64:
		case KT_FLOAT64:
			return parse_number(tp, f, p);
		case KT_UUID:
			return parse_uuid(tp, f, p);
		case KT_STRING:
			return parse_string(tp, f, p);
		case KT_BYTES:
		case KT_RECORDS:
			return parse_bytes(tp, f, p);
		case KT_STRUCT:
			return parse_struct(tp, f->sub, p);
	}
	return false;
}

static bool
parse_field(TextParser *tp, const KField *f, void *p)
{
	if (f->is_array)
	{
		KArrayHdr  *arr = p;
		size_t		csize = elem_csize(f);
		int32		cap = 0;

		arr->count = 0;
		arr->items = NULL;
		if (tp_word(tp, "null"))
		{
			arr->count = -1;
			return true;
		}
		if (!tp_accept(tp, '['))
			return tp_fail(tp, "expected [ for", f->name);
		if (tp_accept(tp, ']'))
			return true;
		do
		{
			if (arr->count == cap)
			{
				int32		ncap = cap ? cap * 2 : 4;
				void	   *n = KArenaAlloc(tp->arena, (size_t) ncap * csize);

				if (n == NULL)
					return tp_fail(tp, "out of memory", NULL);
				if (cap)
					memcpy(n, arr->items, (size_t) cap * csize);
				arr->items = n;
				cap = ncap;
			}
			if (f->type == KT_STRUCT)
				KafkaSetDefaults(f->sub, (char *) arr->items + (size_t) arr->count * csize);
			if (!parse_elem(tp, f, (char *) arr->items + (size_t) arr->count * csize))
				return false;
			arr->count++;
		} while (tp_accept(tp, ','));
		if (!tp_accept(tp, ']'))
			return tp_fail(tp, "expected ] or , in", f->name);
		return true;
	}
	return parse_elem(tp, f, p);
}

/* Parse {Field=value, ...}; fields not given keep their defaults. */
static bool
parse_struct(TextParser *tp, const KSchema *s, void *msg)
{
	KafkaSetDefaults(s, msg);
	if (!tp_accept(tp, '{'))
		return tp_fail(tp, "expected { for", s->name);
	if (tp_accept(tp, '}'))
		return true;
	do
	{
		const char *start;
		size_t		n;
		const KField *f = NULL;

		tp_ws(tp);
		start = tp->p;
		while (isalnum((unsigned char) *tp->p) || *tp->p == '_')
			tp->p++;
		n = (size_t) (tp->p - start);
		for (int i = 0; i < s->nfields; i++)
			if (strlen(s->fields[i].name) == n && strncmp(s->fields[i].name, start, n) == 0)
				f = &s->fields[i];
		if (f == NULL)
		{
			tp->p = start;
			return tp_fail(tp, "unknown field in", s->name);
		}
		if (!tp_accept(tp, '=') && !tp_accept(tp, ':'))
			return tp_fail(tp, "expected = after", f->name);
		if (!parse_field(tp, f, FIELD_PTR(msg, f)))
			return false;
	} while (tp_accept(tp, ','));
	if (!tp_accept(tp, '}'))
		return tp_fail(tp, "expected } or , in", s->name);
	return true;
}

bool
KafkaParseText(const KSchema *schema, const char **text, KArena *arena,
			   void *msg, char *errbuf, size_t errlen)
{
	TextParser	tp = {*text, arena, errbuf, errlen, false};
	bool		ok = parse_struct(&tp, schema, msg);

	*text = tp.p;
	return ok;
}
