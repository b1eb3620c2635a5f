/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Reading, checking and showing settings (see utils/guc.h).
 *
 * src/backend/utils/guc.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include <ctype.h>
#include <limits.h>

#include "utils/elog.h"
#include "utils/guc.h"

char	   *DataDir = NULL;

static const struct
{
	const char *suffix;
	int64		multiplier;
}			byte_units[] =
{
	{"B", 1},
	{"kB", INT64_C(1024)},
	{"KB", INT64_C(1024)},
	{"MB", INT64_C(1024) * 1024},
	{"GB", INT64_C(1024) * 1024 * 1024},
	{"TB", INT64_C(1024) * 1024 * 1024 * 1024},
},
			time_units[] =
{
	{"us", 0},					/* special: divides */
	{"ms", 1},
	{"s", 1000},
	{"min", 60 * 1000},
	{"h", 3600 * 1000},
	{"d", 24 * 3600 * 1000},
};

GucEntry *
GucFind(const char *name)
{
	for (int i = 0; i < GucTableSize; i++)
		if (strcmp(GucTable[i].name, name) == 0)
			return &GucTable[i];
	return NULL;
}

bool
GucParseInt(const char *value, GucUnit unit, int64 *result, const char **hint)
{
	char	   *end;
	long long	v;
	const char *suffix;

	*hint = NULL;
	while (isspace((unsigned char) *value))
		value++;
	if (*value == '\0')
	{
		*hint = "a number";
		return false;
	}
	errno = 0;
	v = strtoll(value, &end, 10);
	if (end == value || errno == ERANGE)
	{
		*hint = "a whole number";
		return false;
	}
	while (isspace((unsigned char) *end))
		end++;
	suffix = end;
	if (*suffix == '\0')
	{
		*result = v;
		return true;
	}
	if (unit == GUC_UNIT_BYTES)
	{
		for (size_t i = 0; i < lengthof(byte_units); i++)
			if (strcmp(suffix, byte_units[i].suffix) == 0)
			{
				if (__builtin_mul_overflow((int64) v, byte_units[i].multiplier, result))
				{
					*hint = "a smaller size";
					return false;
				}
				return true;
			}
		*hint = "a size with one of the units B, kB, MB, GB, TB";
		return false;
	}
	if (unit == GUC_UNIT_MS)
	{
		for (size_t i = 0; i < lengthof(time_units); i++)
			if (strcmp(suffix, time_units[i].suffix) == 0)
			{
				if (time_units[i].multiplier == 0)
				{
					*result = v / 1000;
					return true;
				}
				if (__builtin_mul_overflow((int64) v, time_units[i].multiplier, result))
				{
					*hint = "a shorter time";
					return false;
				}
				return true;
			}
		*hint = "a time with one of the units us, ms, s, min, h, d";
		return false;
	}
	*hint = "a whole number without a unit";
	return false;
}

static bool
parse_bool(const char *value, bool *result)
{
	static const char *const yes[] = {"on", "true", "yes", "1"};
	static const char *const no[] = {"off", "false", "no", "0"};

	for (size_t i = 0; i < lengthof(yes); i++)
	{
		if (strcasecmp(value, yes[i]) == 0)
		{
			*result = true;
			return true;
		}
		if (strcasecmp(value, no[i]) == 0)
		{
			*result = false;
			return true;
		}
	}
	return false;
}

static char *
enum_option_list(const GucEnumOption *opt)
{
	char		buf[512];
	size_t		len = 0;

	buf[0] = '\0';
	for (; opt->name; opt++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
						len ? ", " : "", opt->name);
	return pstrdup(buf);
}

/* Format an integer value back into text using the largest exact unit. */
static char *
format_int(int64 v, GucUnit unit)
{
	if (unit == GUC_UNIT_BYTES && v != 0)
	{
		for (int i = (int) lengthof(byte_units) - 1; i >= 0; i--)
		{
			if (strcmp(byte_units[i].suffix, "KB") == 0)
				continue;
			if (v % byte_units[i].multiplier == 0)
				return psprintf("%lld%s", (long long) (v / byte_units[i].multiplier),
								byte_units[i].suffix);
		}
	}
	if (unit == GUC_UNIT_MS && v != 0)
	{
		for (int i = (int) lengthof(time_units) - 1; i >= 1; i--)
			if (v % time_units[i].multiplier == 0)
				return psprintf("%lld%s", (long long) (v / time_units[i].multiplier),
								time_units[i].suffix);
	}
	return psprintf("%lld", (long long) v);
}

/*
 * Check value for entry; on success store it into *out (not into the
 * variable), so that a whole file can be checked before anything changes.
 */
typedef union GucValue
{
	bool		b;
	int64		i;
	int			e;
	char	   *s;
} GucValue;

static bool
guc_check(const GucEntry *entry, const char *value, GucValue *out,
		  char *err, size_t errlen)
{
	const char *hint;

	switch (entry->type)
	{
		case GUC_BOOL:
			if (!parse_bool(value, &out->b))
			{
				snprintf(err, errlen, "invalid value for setting \"%s\": \"%s\" (allowed: on, off, true, false, yes, no, 1, 0)",
						 entry->name, value);
				return false;
			}
			return true;
		case GUC_INT:
			if (!GucParseInt(value, entry->unit, &out->i, &hint))
			{
				snprintf(err, errlen, "invalid value for setting \"%s\": \"%s\" (expected %s)",
						 entry->name, value, hint);
				return false;
			}
			if (out->i < entry->min || out->i > entry->max)
			{
				char	   *lo = format_int(entry->min, entry->unit);
				char	   *hi = format_int(entry->max, entry->unit);

				snprintf(err, errlen, "value \"%s\" for setting \"%s\" is outside the allowed range %s .. %s",
						 value, entry->name, lo, hi);
				pfree(lo);
				pfree(hi);
				return false;
			}
			return true;
		case GUC_ENUM:
			for (const GucEnumOption *opt = entry->options; opt->name; opt++)
				if (strcasecmp(opt->name, value) == 0)
				{
					out->e = opt->value;
					return true;
				}
			{
				char	   *list = enum_option_list(entry->options);

				snprintf(err, errlen, "invalid value for setting \"%s\": \"%s\" (allowed: %s)",
						 entry->name, value, list);
				pfree(list);
			}
			return false;
		case GUC_STRING:
			out->s = pstrdup(value);
			return true;
	}
	return false;
}

static void
guc_assign(GucEntry *entry, GucValue *val)
{
	switch (entry->type)
	{
		case GUC_BOOL:
			*(bool *) entry->variable = val->b;
			break;
		case GUC_INT:
			*(int64 *) entry->variable = val->i;
			break;
		case GUC_ENUM:
			*(int *) entry->variable = val->e;
			break;
		case GUC_STRING:
			{
				char	  **var = (char **) entry->variable;

				/* The old value may still be referenced by a caller; keep it. */
				*var = val->s;
			}
			break;
	}
}

void
GucInitDefaults(void)
{
	char		err[256];

	for (int i = 0; i < GucTableSize; i++)
	{
		GucEntry   *entry = &GucTable[i];
		GucValue	val;

		if (!guc_check(entry, entry->boot_value, &val, err, sizeof(err)))
			elog(PANIC, "bad built-in default: %s", err);
		guc_assign(entry, &val);
		entry->source = GUC_SRC_DEFAULT;
	}
}

bool
GucSet(const char *name, const char *value, GucSource source, char *err, size_t errlen)
{
	GucEntry   *entry = GucFind(name);
	GucValue	val;

	if (entry == NULL)
	{
		snprintf(err, errlen, "unrecognized setting \"%s\" (strata --describe-config lists them all)", name);
		return false;
	}
	if (entry->source > source)
		return true;			/* a stronger source already set it */
	if (!guc_check(entry, value, &val, err, errlen))
		return false;
	guc_assign(entry, &val);
	entry->source = source;
	return true;
}

/* ---------- configuration file ---------- */

typedef struct ConfItem
{
	char	   *name;
	char	   *value;
	int			lineno;
} ConfItem;

/*
 * Parse a file into items.  Returns the count, or -1 with err set.  Syntax:
 * "name = value" or "name value", '#' starts a comment, a value may be
 * enclosed in single quotes (with '' for a quote inside).
 */
static int
parse_conf_file(const char *path, ConfItem **items_out, char *err, size_t errlen)
{
	FILE	   *f = fopen(path, "r");
	char		line[8192];
	int			lineno = 0;
	int			n = 0,
				cap = 16;
	ConfItem   *items;

	if (f == NULL)
	{
		snprintf(err, errlen, "could not open configuration file \"%s\": %s", path, strerror(errno));
		return -1;
	}
	items = palloc(sizeof(ConfItem) * cap);
	while (fgets(line, sizeof(line), f))
	{
		char	   *p = line,
				   *name,
				   *value;
		char		valbuf[8192];
		size_t		vlen = 0;

		lineno++;
		while (isspace((unsigned char) *p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		name = p;
		while (isalnum((unsigned char) *p) || *p == '_' || *p == '.')
			p++;
		if (p == name)
			goto syntax;
		if (*p != '\0')
		{
			char	   *nameend = p;

			while (isspace((unsigned char) *p))
				p++;
			if (*p == '=')
				p++;
			*nameend = '\0';
		}
		while (isspace((unsigned char) *p))
			p++;
		if (*p == '\'')
		{
			p++;
			for (;;)
			{
				if (*p == '\0' || *p == '\n')
					goto syntax;
				if (*p == '\'')
				{
					if (p[1] == '\'')
					{
						valbuf[vlen++] = '\'';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (vlen >= sizeof(valbuf) - 1)
					goto syntax;
				valbuf[vlen++] = *p++;
			}
		}
		else
		{
			while (*p && *p != '#' && *p != '\n' && vlen < sizeof(valbuf) - 1)
				valbuf[vlen++] = *p++;
			while (vlen > 0 && isspace((unsigned char) valbuf[vlen - 1]))
				vlen--;
			if (vlen == 0)
				goto syntax;
		}
		valbuf[vlen] = '\0';
		while (isspace((unsigned char) *p))
			p++;
		if (*p != '\0' && *p != '#')
			goto syntax;
		value = valbuf;
		if (n == cap)
		{
			cap *= 2;
			items = repalloc(items, sizeof(ConfItem) * cap);
		}
		items[n].name = pstrdup(name);
		items[n].value = pstrdup(value);
		items[n].lineno = lineno;
		n++;
		continue;
syntax:
		snprintf(err, errlen, "syntax error in configuration file \"%s\", line %d: expected name = value", path, lineno);
		fclose(f);
		for (int i = 0; i < n; i++)
		{
			pfree(items[i].name);
			pfree(items[i].value);
		}
		pfree(items);
		return -1;
	}
	fclose(f);
	*items_out = items;
	return n;
}

static void
free_items(ConfItem *items, int n)
{
	for (int i = 0; i < n; i++)
	{
		pfree(items[i].name);
		pfree(items[i].value);
	}
	pfree(items);
}

bool
GucLoadFile(const char *path, GucSource source, char *err, size_t errlen)
{
	ConfItem   *items;
	int			n = parse_conf_file(path, &items, err, errlen);
	char		e[512];

	if (n < 0)
		return false;
	for (int i = 0; i < n; i++)
	{
		if (!GucSet(items[i].name, items[i].value, source, e, sizeof(e)))
		{
			snprintf(err, errlen, "%s, line %d: %s", path, items[i].lineno, e);
			free_items(items, n);
			return false;
		}
	}
	free_items(items, n);
	return true;
}

static bool
values_equal(const GucEntry *entry, const GucValue *val)
{
	switch (entry->type)
	{
		case GUC_BOOL:
			return *(bool *) entry->variable == val->b;
		case GUC_INT:
			return *(int64 *) entry->variable == val->i;
		case GUC_ENUM:
			return *(int *) entry->variable == val->e;
		case GUC_STRING:
			return strcmp(*(char **) entry->variable, val->s) == 0;
	}
	return false;
}

bool
GucReload(const char *path)
{
	ConfItem   *items;
	char		err[512];
	int			n = parse_conf_file(path, &items, err, sizeof(err));
	GucValue   *newvals;
	bool	   *infile;

	if (n < 0)
	{
		elog(LOG, "configuration file not reloaded: %s", err);
		return false;
	}
	newvals = palloc0(sizeof(GucValue) * GucTableSize);
	infile = palloc0(sizeof(bool) * GucTableSize);

	/* Check everything first: a broken file changes nothing. */
	for (int i = 0; i < n; i++)
	{
		GucEntry   *entry = GucFind(items[i].name);
		char		e[512];

		if (entry == NULL)
		{
			elog(LOG, "configuration file not reloaded: %s, line %d: unrecognized setting \"%s\"",
				 path, items[i].lineno, items[i].name);
			goto fail;
		}
		if (!guc_check(entry, items[i].value, &newvals[entry - GucTable], e, sizeof(e)))
		{
			elog(LOG, "configuration file not reloaded: %s, line %d: %s", path, items[i].lineno, e);
			goto fail;
		}
		infile[entry - GucTable] = true;
	}

	for (int i = 0; i < GucTableSize; i++)
	{
		GucEntry   *entry = &GucTable[i];
		GucValue	val;
		char		e[256];

		if (entry->source == GUC_SRC_CMDLINE)
			continue;			/* -c always wins */
		if (infile[i])
			val = newvals[i];
		else if (!guc_check(entry, entry->boot_value, &val, e, sizeof(e)))
			continue;			/* cannot happen: defaults are checked at start */
		if (values_equal(entry, &val))
		{
			entry->source = infile[i] ? GUC_SRC_FILE : GUC_SRC_DEFAULT;
			continue;
		}
		if (entry->context == GUC_POSTMASTER)
		{
			elog(LOG, "setting \"%s\" was changed in the configuration file but takes effect only at server restart",
				 entry->name);
			continue;
		}
		{
			char	   *old = GucShowValue(entry);
			char	   *new;

			guc_assign(entry, &val);
			entry->source = infile[i] ? GUC_SRC_FILE : GUC_SRC_DEFAULT;
			new = GucShowValue(entry);
			elog(LOG, "setting \"%s\" changed from \"%s\" to \"%s\"", entry->name, old, new);
			pfree(old);
			pfree(new);
		}
	}
	pfree(newvals);
	pfree(infile);
	free_items(items, n);
	return true;

fail:
	pfree(newvals);
	pfree(infile);
	free_items(items, n);
	return false;
}

char *
GucShowValue(const GucEntry *entry)
{
	switch (entry->type)
	{
		case GUC_BOOL:
			return pstrdup(*(bool *) entry->variable ? "on" : "off");
		case GUC_INT:
			return format_int(*(int64 *) entry->variable, entry->unit);
		case GUC_ENUM:
			for (const GucEnumOption *opt = entry->options; opt->name; opt++)
				if (opt->value == *(int *) entry->variable)
					return pstrdup(opt->name);
			return pstrdup("?");
		case GUC_STRING:
			return pstrdup(*(char **) entry->variable);
	}
	return pstrdup("?");
}

static const char *
type_name(const GucEntry *entry)
{
	switch (entry->type)
	{
		case GUC_BOOL:
			return "bool";
		case GUC_INT:
			return entry->unit == GUC_UNIT_BYTES ? "size" : entry->unit == GUC_UNIT_MS ? "time" : "integer";
		case GUC_ENUM:
			return "enum";
		case GUC_STRING:
			return "string";
	}
	return "?";
}

static char *
allowed_text(const GucEntry *entry)
{
	switch (entry->type)
	{
		case GUC_BOOL:
			return pstrdup("on, off");
		case GUC_INT:
			{
				char	   *lo = format_int(entry->min, entry->unit);
				char	   *hi = format_int(entry->max, entry->unit);
				char	   *s = psprintf("%s .. %s", lo, hi);

				pfree(lo);
				pfree(hi);
				return s;
			}
		case GUC_ENUM:
			return enum_option_list(entry->options);
		case GUC_STRING:
			return pstrdup("");
	}
	return pstrdup("");
}

void
GucDescribe(FILE *out)
{
	fprintf(out, "name\ttype\tdefault\tallowed\tcontext\tgroup\tdescription\n");
	for (int i = 0; i < GucTableSize; i++)
	{
		const GucEntry *e = &GucTable[i];
		char	   *allowed = allowed_text(e);

		fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e->name, type_name(e), e->boot_value,
				allowed, e->context == GUC_POSTMASTER ? "postmaster" : "sighup",
				e->group, e->description);
		pfree(allowed);
	}
}

void
GucWriteSampleConf(FILE *out)
{
	const char *group = NULL;

	fprintf(out, "# strata.conf — Strata broker settings.\n"
			"#\n"
			"# One setting per line, \"name = value\"; '#' starts a comment.  Sizes take\n"
			"# the units B, kB, MB, GB, TB and times us, ms, s, min, h, d.  Settings\n"
			"# marked (restart) take effect at server start; the others on\n"
			"# \"strata_ctl reload\" (SIGHUP).  strata --describe-config lists them all.\n");
	for (int i = 0; i < GucTableSize; i++)
	{
		const GucEntry *e = &GucTable[i];

		if (group == NULL || strcmp(group, e->group) != 0)
		{
			group = e->group;
			fprintf(out, "\n#------------------------------------------------------------------------------\n"
					"# %s\n"
					"#------------------------------------------------------------------------------\n\n",
					group);
		}
		if (e->type == GUC_STRING)
			fprintf(out, "#%s = '%s'", e->name, e->boot_value);
		else
			fprintf(out, "#%s = %s", e->name, e->boot_value);
		fprintf(out, "\t\t# %s%s\n", e->description,
				e->context == GUC_POSTMASTER ? " (restart)" : "");
	}
}

void
GucWriteDocs(FILE *out)
{
	const char *group = NULL;

	fprintf(out, "# Settings reference\n\n"
			"<!-- Generated from src/backend/utils/guc_tables.c by `strata --describe-config=markdown`; do not edit. -->\n\n"
			"Settings are read from `DATADIR/strata.conf` (`name = value`) and may be\n"
			"overridden on the command line with `-c name=value`. Sizes accept the units\n"
			"`B`, `kB`, `MB`, `GB`, `TB` (powers of 1024); times accept `us`, `ms`, `s`,\n"
			"`min`, `h`, `d`. *Context* says when a change takes effect: `postmaster`\n"
			"settings at server start, `sighup` settings on `strata_ctl reload`.\n");
	for (int i = 0; i < GucTableSize; i++)
	{
		const GucEntry *e = &GucTable[i];
		char	   *allowed = allowed_text(e);

		if (group == NULL || strcmp(group, e->group) != 0)
		{
			group = e->group;
			fprintf(out, "\n## %s\n\n| name | type | default | allowed | context | description |\n"
					"|---|---|---|---|---|---|\n", group);
		}
		fprintf(out, "| `%s` | %s | %s%s%s | %s | %s | %s |\n", e->name, type_name(e),
				e->boot_value[0] ? "`" : "", e->boot_value[0] ? e->boot_value : "*(empty)*",
				e->boot_value[0] ? "`" : "", allowed, e->context == GUC_POSTMASTER ? "postmaster" : "sighup",
				e->description);
		pfree(allowed);
	}
}
