/*-------------------------------------------------------------------------
 *
 * codec.h
 *	  Schema-driven encoding and decoding of Kafka messages.
 *
 *	  Each request and response is a plain C struct (include/kafka/messages.h)
 *	  plus a KSchema: one KField row per wire field giving its type, the
 *	  versions it exists in, the versions in which it may be null, its tag
 *	  number if it is a tagged field, the nested schema for structs and
 *	  arrays of structs, its default, and its offset in the C struct.  One
 *	  generic decoder turns bytes into a struct (arrays allocated in the
 *	  request arena, strings and bytes borrowed from the frame), one generic
 *	  encoder turns a struct into bytes, and one printer renders a struct as
 *	  text for tests and the regress suite.  Because requests and responses
 *	  are described alike, the same code encodes requests and decodes
 *	  responses (the regress client and the unit tests use that direction).
 *
 *	  Wire rules the codec applies, from Kafka's protocol guide:
 *	  - In a message's flexible versions (>= the API's first flexible version)
 *	    strings, bytes and arrays use the compact forms (UVARINT length+1,
 *	    0 meaning null) and every struct ends with a tagged-field section.
 *	  - A field absent from the version being decoded gets its default;
 *	    when encoding it is skipped.
 *	  - Tagged fields are decoded from the section when known (the tag's
 *	    size must match what the field consumed) and skipped when unknown;
 *	    they are encoded only when their value differs from the default,
 *	    in ascending tag order.
 *
 * include/kafka/codec.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_KAFKA_CODEC_H
#define STRATA_KAFKA_CODEC_H

#include "kafka/kbuf.h"

typedef enum KFieldType
{
	KT_BOOL,
	KT_INT8,
	KT_INT16,
	KT_INT32,
	KT_INT64,
	KT_UINT16,
	KT_UINT32,
	KT_FLOAT64,
	KT_UUID,
	KT_STRING,
	KT_BYTES,
	KT_RECORDS,					/* bytes holding record batches */
	KT_STRUCT
} KFieldType;

#define KV_MAX		0x7fff		/* "N+": no upper version bound */
#define KV_NONE		0x7fff		/* never nullable */
#define KDEF_NULL	1			/* default of a string field: null */

typedef struct KSchema KSchema;

typedef struct KField
{
	const char *name;
	uint8		type;			/* KFieldType of the value or of each element */
	bool		is_array;
	int16		min_version;	/* field present in [min_version, max_version] */
	int16		max_version;
	int16		nullable_min;	/* null allowed from this version on (KV_NONE) */
	int16		tag;			/* tag number, or -1 if not a tagged field */
	uint16		offset;			/* offsetof in the C struct */
	const KSchema *sub;			/* for KT_STRUCT */
	int64		dflt;			/* ints/bools: the value; strings: KDEF_NULL or 0 ("") */
} KField;

struct KSchema
{
	const char *name;
	size_t		size;			/* sizeof the C struct */
	const KField *fields;
	int			nfields;
};

#define KFIELD(S, F, T, VMIN, VMAX, NULLMIN, TAG, SUB, DFLT) \
	{#F, T, false, VMIN, VMAX, NULLMIN, TAG, offsetof(S, F), SUB, DFLT}
#define KFIELD_ARRAY(S, F, T, VMIN, VMAX, NULLMIN, TAG, SUB) \
	{#F, T, true, VMIN, VMAX, NULLMIN, TAG, offsetof(S, F), SUB, 0}
#define KSCHEMA(S) {#S, sizeof(S), S##_fields, lengthof(S##_fields)}

/*
 * KafkaDecode: decode one message of the given schema and version from r
 * into out (schema->size bytes, which it overwrites completely), allocating
 * arrays in arena.  Returns false if the bytes are malformed, the arena is
 * exhausted, or bytes are left over; r->errmsg says why.  Never reads past
 * r's end and never sizes an allocation from an unchecked count.
 */
extern bool KafkaDecode(const KSchema *schema, int16 version, bool flexible,
						KReader *r, KArena *arena, void *out);

/*
 * KafkaDecode without the "bytes left over" check: for embedded use, and
 * for request bodies, after which Kafka ignores surplus bytes (dispatch.c).
 */
extern bool KafkaDecodePartial(const KSchema *schema, int16 version, bool flexible,
							   KReader *r, KArena *arena, void *out);

/*
 * KafkaEncode: append msg encoded at the given version to w.  Returns false
 * (w->errmsg says why) if msg cannot be represented in that version: a null
 * where the version does not allow one, an over-long string.
 */
extern bool KafkaEncode(const KSchema *schema, int16 version, bool flexible,
						const void *msg, KWriter *w);

/* Fill msg with the defaults of every field (arrays empty, strings ""/null). */
extern void KafkaSetDefaults(const KSchema *schema, void *msg);

/*
 * Set msg's top-level ErrorCode field to code; false if the message has
 * none at this version (its errors are per topic or partition).
 */
extern bool KafkaSetErrorCode(const KSchema *schema, int16 version, void *msg, int16 code);

/*
 * For handlers building responses: count structs of the given schema in the
 * arena, each at its defaults (NULL if the arena is exhausted), e.g.
 *		t->PartitionResponses.items =
 *			KafkaNewArray(arena, &PartitionProduceResponse_schema, n);
 *		t->PartitionResponses.count = n;
 */
extern void *KafkaNewArray(KArena *arena, const KSchema *elem, int32 count);

/* A printf-formatted string in the arena (e.g. an ErrorMessage). */
extern KStr KArenaPrintf(KArena *arena, const char *fmt,...) pg_attribute_printf(2, 3);

/*
 * KafkaPrint: append a readable rendering of msg (fields of this version
 * only) to w, e.g.
 *		{Topics=[{Name="t1", TopicId=00000000-...}], AllowAutoTopicCreation=true}
 * Bytes print as hex (0x...), null as null.  The format is what the regress
 * suite's expected files hold, and what KafkaParseText reads back.
 */
extern void KafkaPrint(const KSchema *schema, int16 version, const void *msg, KWriter *w);

/*
 * KafkaParseText: the inverse of KafkaPrint, for the regress client's
 * scripts.  Fields may be given in any order and omitted (they keep their
 * defaults); unknown names are an error.  Strings and bytes point into
 * arena copies.  On error returns false and writes a message to errbuf.
 */
extern bool KafkaParseText(const KSchema *schema, const char **text, KArena *arena,
						   void *msg, char *errbuf, size_t errlen);

/* Does field f exist in version v? */
static inline bool
KFieldInVersion(const KField *f, int16 v)
{
	return v >= f->min_version && v <= f->max_version;
}

#endif							/* STRATA_KAFKA_CODEC_H */
