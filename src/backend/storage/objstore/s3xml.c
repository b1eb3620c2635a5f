/*-------------------------------------------------------------------------
 *
 * s3xml.c
 *	  Bounded scanning of S3's small XML responses; see s3xml.h.
 *
 * src/backend/storage/objstore/s3xml.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "storage/s3xml.h"

static bool
is_name_end(char c)
{
	return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* memmem-like search bounded to [from, len). */
static const char *
find(const char *buf, size_t len, size_t from, const char *needle, size_t nlen)
{
	if (from > len || nlen > len - from)
		return NULL;
	return memmem(buf + from, len - from, needle, nlen);
}

bool
S3XmlNext(const char *buf, size_t len, size_t *pos, const char *tag,
		  const char **content, size_t *clen)
{
	size_t		tlen = strlen(tag);
	size_t		at = *pos;

	for (;;)
	{
		const char *lt = find(buf, len, at, "<", 1);
		size_t		o;
		const char *gt;
		size_t		cstart;

		if (lt == NULL)
			return false;
		o = lt - buf;
		at = o + 1;
		if (len - o < tlen + 2 || memcmp(buf + o + 1, tag, tlen) != 0 ||
			!is_name_end(buf[o + 1 + tlen]))
			continue;
		gt = find(buf, len, o + 1 + tlen, ">", 1);
		if (gt == NULL)
			return false;
		if (gt[-1] == '/')
		{
			/* <Tag/> */
			*content = gt;
			*clen = 0;
			*pos = gt - buf + 1;
			return true;
		}
		cstart = gt - buf + 1;
		/* closing tag: "</Tag" then optional spaces then '>' */
		at = cstart;
		for (;;)
		{
			const char *cl = find(buf, len, at, "</", 2);
			size_t		c;
			size_t		e;

			if (cl == NULL)
				return false;
			c = cl - buf;
			at = c + 2;
			if (len - c < tlen + 3 || memcmp(buf + c + 2, tag, tlen) != 0)
				continue;
			e = c + 2 + tlen;
			while (e < len && (buf[e] == ' ' || buf[e] == '\t' || buf[e] == '\r' || buf[e] == '\n'))
				e++;
			if (e >= len || buf[e] != '>')
				continue;
			*content = buf + cstart;
			*clen = c - cstart;
			*pos = e + 1;
			return true;
		}
	}
}

static void
put_utf8(char **o, unsigned long cp)
{
	char	   *p = *o;

	if (cp < 0x80)
		*p++ = (char) cp;
	else if (cp < 0x800)
	{
		*p++ = (char) (0xC0 | (cp >> 6));
		*p++ = (char) (0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		*p++ = (char) (0xE0 | (cp >> 12));
		*p++ = (char) (0x80 | ((cp >> 6) & 0x3F));
		*p++ = (char) (0x80 | (cp & 0x3F));
	}
	else
	{
		*p++ = (char) (0xF0 | (cp >> 18));
		*p++ = (char) (0x80 | ((cp >> 12) & 0x3F));
		*p++ = (char) (0x80 | ((cp >> 6) & 0x3F));
		*p++ = (char) (0x80 | (cp & 0x3F));
	}
	*o = p;
}

char *
S3XmlDecode(const char *s, size_t len)
{
	char	   *out = palloc(len + 1);	/* decoding never grows the text */
	char	   *o = out;
	size_t		i = 0;

	while (i < len)
	{
		const char *semi;
		size_t		elen;

		if (s[i] != '&')
		{
			*o++ = s[i++];
			continue;
		}
		semi = memchr(s + i, ';', Min(len - i, (size_t) 12));
		if (semi == NULL)
			goto bad;
		elen = semi - (s + i) + 1;	/* includes & and ; */
		if (elen == 5 && memcmp(s + i, "&amp;", 5) == 0)
			*o++ = '&';
		else if (elen == 4 && memcmp(s + i, "&lt;", 4) == 0)
			*o++ = '<';
		else if (elen == 4 && memcmp(s + i, "&gt;", 4) == 0)
			*o++ = '>';
		else if (elen == 6 && memcmp(s + i, "&quot;", 6) == 0)
			*o++ = '"';
		else if (elen == 6 && memcmp(s + i, "&apos;", 6) == 0)
			*o++ = '\'';
		else if (elen >= 4 && s[i + 1] == '#')
		{
			unsigned long cp = 0;
			bool		hexnum = (s[i + 2] == 'x' || s[i + 2] == 'X');
			size_t		d = i + (hexnum ? 3 : 2);

			if (d == i + elen - 1)
				goto bad;
			for (; d < i + elen - 1; d++)
			{
				char		c = s[d];
				int			v;

				if (c >= '0' && c <= '9')
					v = c - '0';
				else if (hexnum && c >= 'a' && c <= 'f')
					v = c - 'a' + 10;
				else if (hexnum && c >= 'A' && c <= 'F')
					v = c - 'A' + 10;
				else
					goto bad;
				cp = cp * (hexnum ? 16 : 10) + v;
				if (cp > 0x10FFFF)
					goto bad;
			}
			if (cp == 0)
				goto bad;
			/* a character reference is at least 4 bytes, UTF-8 at most 4 */
			put_utf8(&o, cp);
		}
		else
			goto bad;
		i += elen;
	}
	*o = '\0';
	return out;
bad:
	pfree(out);
	return NULL;
}

char *
S3XmlGet(const char *buf, size_t len, const char *tag)
{
	size_t		pos = 0;
	const char *c;
	size_t		clen;

	if (!S3XmlNext(buf, len, &pos, tag, &c, &clen))
		return NULL;
	return S3XmlDecode(c, clen);
}

char *
S3XmlEscape(const char *s)
{
	size_t		n = strlen(s);
	char	   *out = palloc(n * 6 + 1);
	char	   *o = out;

	for (; *s; s++)
	{
		switch (*s)
		{
			case '&':
				memcpy(o, "&amp;", 5);
				o += 5;
				break;
			case '<':
				memcpy(o, "&lt;", 4);
				o += 4;
				break;
			case '>':
				memcpy(o, "&gt;", 4);
				o += 4;
				break;
			case '"':
				memcpy(o, "&quot;", 6);
				o += 6;
				break;
			case '\'':
				memcpy(o, "&apos;", 6);
				o += 6;
				break;
			default:
				*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}
