/*-------------------------------------------------------------------------
 *
 * listeners.c
 *	  Parsing the listeners and advertised_listeners settings.
 *
 * src/backend/utils/listeners.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "utils/guc.h"
#include "utils/listeners.h"

/*
 * Parse one "NAME://host:port" listener into host and port.  Only
 * PLAINTEXT exists for now (TLS and SASL come later).
 */
bool
ListenerParse(const char *spec, char *host, size_t hostlen, char *port, size_t portlen,
			   char *err, size_t errlen)
{
	const char *p = strstr(spec, "://");
	const char *hp;
	const char *colon;

	if (p == NULL)
	{
		snprintf(err, errlen, "listener \"%s\" is not of the form PLAINTEXT://host:port", spec);
		return false;
	}
	if (!((p - spec) == 9 && strncasecmp(spec, "PLAINTEXT", 9) == 0))
	{
		snprintf(err, errlen, "listener \"%s\": only the PLAINTEXT security protocol is supported", spec);
		return false;
	}
	hp = p + 3;
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

bool
ListenerAdvertised(char *host, size_t hostlen, int32 *port)
{
	const char *list = advertised_listeners[0] ? advertised_listeners : listeners;
	char	   *first = pstrdup(list);
	char		portbuf[16],
				err[256];
	char	   *comma = strchr(first, ',');
	bool		ok;

	if (comma)
		*comma = '\0';
	ok = ListenerParse(first, host, hostlen, portbuf, sizeof(portbuf), err, sizeof(err));
	pfree(first);
	if (!ok)
		return false;
	/* A wildcard listener cannot be given to clients: name the loopback. */
	if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
		strlcpy_s(host, "127.0.0.1", hostlen);
	*port = atoi(portbuf);
	return true;
}
