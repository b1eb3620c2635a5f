/*-------------------------------------------------------------------------
 *
 * listeners.c
 *	  Parsing the listeners and advertised_listeners settings.
 *
 *	  Each entry is PROTOCOL://host:port with one of Kafka's security
 *	  protocols (utils/listeners.h).  The postmaster opens one listening
 *	  socket (or one per address the host resolves to) per entry and gives
 *	  each backend the protocol of the socket its client came in on;
 *	  Metadata then answers with the advertised listener of that protocol.
 *
 * src/backend/utils/listeners.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "utils/guc.h"
#include "utils/listeners.h"

static const char *const protocol_names[LISTENER_PROTOCOLS] = {
	[LISTENER_PLAINTEXT] = "PLAINTEXT",
	[LISTENER_SSL] = "SSL",
	[LISTENER_SASL_PLAINTEXT] = "SASL_PLAINTEXT",
	[LISTENER_SASL_SSL] = "SASL_SSL",
};

const char *
ListenerProtocolName(ListenerProtocol p)
{
	if ((int) p < 0 || (int) p >= LISTENER_PROTOCOLS)
		return "?";
	return protocol_names[p];
}

bool
ListenerParseProtocol(const char *spec, ListenerProtocol *proto, char *err, size_t errlen)
{
	const char *p = strstr(spec, "://");

	if (p == NULL)
	{
		snprintf(err, errlen, "listener \"%s\" is not of the form PROTOCOL://host:port", spec);
		return false;
	}
	for (int i = 0; i < LISTENER_PROTOCOLS; i++)
	{
		if ((size_t) (p - spec) == strlen(protocol_names[i]) &&
			strncasecmp(spec, protocol_names[i], (size_t) (p - spec)) == 0)
		{
			if (proto)
				*proto = (ListenerProtocol) i;
			return true;
		}
	}
	snprintf(err, errlen, "listener \"%s\": unknown security protocol \"%.*s\" (use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)",
			 spec, (int) Min(p - spec, 64), spec);
	return false;
}

/*
 * Parse one "PROTOCOL://host:port" listener into host and port.
 */
bool
ListenerParse(const char *spec, char *host, size_t hostlen, char *port, size_t portlen,
			  char *err, size_t errlen)
{
	const char *hp;
	const char *colon;

	if (!ListenerParseProtocol(spec, NULL, err, errlen))
		return false;
	hp = strstr(spec, "://") + 3;
	if (*hp == '[')
	{
		const char *close = strchr(hp, ']');

		if (close == NULL || close[1] != ':')
		{
			snprintf(err, errlen, "listener \"%s\": bad IPv6 address (use [addr]:port)", spec);
			return false;
		}
		snprintf(host, hostlen, "%.*s", (int) (close - hp - 1), hp + 1);
		colon = close + 1;
	}
	else
	{
		colon = strrchr(hp, ':');
		if (colon == NULL)
		{
			snprintf(err, errlen, "listener \"%s\" has no port", spec);
			return false;
		}
		snprintf(host, hostlen, "%.*s", (int) (colon - hp), hp);
	}
	snprintf(port, portlen, "%s", colon + 1);
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) || atoi(port) <= 0 || atoi(port) > 65535)
	{
		snprintf(err, errlen, "listener \"%s\" has a bad port", spec);
		return false;
	}
	return true;
}

/*
 * Call fn for each non-empty entry of a comma-separated list (leading
 * blanks skipped), until it returns false; returns false then.
 */
static bool
foreach_listener(const char *list, bool (*fn) (const char *spec, void *arg), void *arg)
{
	const char *p = list;

	while (p != NULL && *p != '\0')
	{
		const char *end = strchr(p, ',');
		size_t		len = end ? (size_t) (end - p) : strlen(p);
		char		spec[512];

		while (len > 0 && *p == ' ')
		{
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0)
		{
			snprintf(spec, sizeof(spec), "%.*s", (int) Min(len, sizeof(spec) - 1), p);
			if (!fn(spec, arg))
				return false;
		}
		p = end ? end + 1 : NULL;
	}
	return true;
}

typedef struct CheckState
{
	const char *setting;
	bool		seen[LISTENER_PROTOCOLS];
	const bool *allowed;		/* NULL: any protocol */
	const char *within_setting;
	char	   *err;
	size_t		errlen;
} CheckState;

static bool
check_one(const char *spec, void *arg)
{
	CheckState *st = arg;
	ListenerProtocol proto;
	char		host[256],
				port[16],
				err[512];

	if (!ListenerParse(spec, host, sizeof(host), port, sizeof(port), err, sizeof(err)) ||
		!ListenerParseProtocol(spec, &proto, err, sizeof(err)))
	{
		snprintf(st->err, st->errlen, "invalid value for setting \"%s\": %s", st->setting, err);
		return false;
	}
	if (st->seen[proto])
	{
		snprintf(st->err, st->errlen, "invalid value for setting \"%s\": listener %s appears twice (each security protocol names one listener)",
				 st->setting, ListenerProtocolName(proto));
		return false;
	}
	if (st->allowed && !st->allowed[proto])
	{
		snprintf(st->err, st->errlen, "invalid value for setting \"%s\": listener %s is not in setting \"%s\"",
				 st->setting, ListenerProtocolName(proto), st->within_setting);
		return false;
	}
	st->seen[proto] = true;
	return true;
}

bool
ListenersCheck(const char *list, const char *setting, const char *within,
			   char *err, size_t errlen)
{
	CheckState	st = {0};
	CheckState	outer = {0};

	if (within != NULL)
	{
		outer.setting = "listeners";
		outer.err = err;
		outer.errlen = errlen;
		if (!foreach_listener(within, check_one, &outer))
			return false;
		st.allowed = outer.seen;
		st.within_setting = "listeners";
	}
	st.setting = setting;
	st.err = err;
	st.errlen = errlen;
	return foreach_listener(list, check_one, &st);
}

typedef struct FindState
{
	const char *name;
	char	   *host;
	size_t		hostlen;
	int32	   *port;
	bool		found;
} FindState;

static bool
find_one(const char *spec, void *arg)
{
	FindState  *st = arg;
	char		portbuf[16],
				err[256];
	size_t		nlen = st->name ? strlen(st->name) : 0;

	if (nlen > 0 && !(strncasecmp(spec, st->name, nlen) == 0 && strncmp(spec + nlen, "://", 3) == 0))
		return true;
	if (!ListenerParse(spec, st->host, st->hostlen, portbuf, sizeof(portbuf), err, sizeof(err)))
		return true;
	/* A wildcard listener cannot be given to clients: name the loopback. */
	if (st->host[0] == '\0' || strcmp(st->host, "0.0.0.0") == 0 || strcmp(st->host, "::") == 0)
		strlcpy_s(st->host, "127.0.0.1", st->hostlen);
	*st->port = atoi(portbuf);
	st->found = true;
	return false;				/* stop at the first match */
}

bool
ListenerFind(const char *list, const char *name, char *host, size_t hostlen, int32 *port)
{
	FindState	st = {name, host, hostlen, port, false};

	(void) foreach_listener(list, find_one, &st);
	return st.found;
}

bool
ListenerAdvertised(char *host, size_t hostlen, int32 *port)
{
	return ListenerFind(advertised_listeners[0] ? advertised_listeners : listeners, NULL,
						host, hostlen, port);
}

bool
ListenerAdvertisedFor(const char *name, char *host, size_t hostlen, int32 *port)
{
	if (advertised_listeners[0] && ListenerFind(advertised_listeners, name, host, hostlen, port))
		return true;
	if (ListenerFind(listeners, name, host, hostlen, port))
		return true;
	return ListenerAdvertised(host, hostlen, port);
}
