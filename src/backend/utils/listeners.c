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
	return ListenerFind(advertised_listeners[0] ? advertised_listeners : listeners, NULL,
						host, hostlen, port);
}

bool
ListenerFind(const char *list, const char *name, char *host, size_t hostlen, int32 *port)
{
	const char *p = list;

	while (p != NULL && *p != '\0')
	{
		const char *end = strchr(p, ',');
		size_t		len = end ? (size_t) (end - p) : strlen(p);
		char		spec[512];
		char		portbuf[16],
					err[256];

		while (len > 0 && *p == ' ')
		{
			p++;
			len--;
		}
		if (len > 0 && len < sizeof(spec))
		{
			memcpy(spec, p, len);
			spec[len] = '\0';
			if ((name == NULL || name[0] == '\0' ||
				 (strncasecmp(spec, name, strlen(name)) == 0 &&
				  strncmp(spec + strlen(name), "://", 3) == 0)) &&
				ListenerParse(spec, host, hostlen, portbuf, sizeof(portbuf), err, sizeof(err)))
			{
				/* A wildcard listener cannot be given to clients: name the loopback. */
				if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
					strlcpy_s(host, "127.0.0.1", hostlen);
				*port = atoi(portbuf);
				return true;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}
