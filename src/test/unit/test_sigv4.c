/*
 * test_sigv4.c
 *	  Strata's Signature V4 signer against cases of AWS's published
 *	  "Signature Version 4 test suite" (aws-sig-v4-test-suite): the inputs
 *	  (method, URI, query, headers, body) and the expected Authorization
 *	  values below are copied from that suite as facts.  Suite constants:
 *	  access key AKIDEXAMPLE, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
 *	  region us-east-1, service "service", date 20150830T123600Z.
 *
 *	  Also the helpers: URI encoding, SHA-256 and MD5 check values.
 */
#include "c.h"

#include "tap.h"
#include "storage/sigv4.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define CRED "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

typedef struct Case
{
	const char *name;
	const char *method;
	const char *path;
	SigV4Pair	query[4];
	int			nquery;
	SigV4Pair	headers[6];
	int			nheaders;
	const char *body;
	const char *expected_creq;	/* NULL: not checked */
	const char *expected_auth;
} Case;

static const Case cases[] = {
	{"get-vanilla", "GET", "/", {{0}}, 0,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "",
		"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA256,
		CRED "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-vanilla-query-order-key", "GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}}, 2,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "",
		"GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA256,
		CRED "SignedHeaders=host;x-amz-date, Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
	{"get-vanilla-query-order-key-case", "GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, 2,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "", NULL,
		CRED "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{"get-vanilla-query-order-value", "GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}}, 2,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "", NULL,
		CRED "SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
	{"get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {{0}}, 0,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "", NULL,
		CRED "SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
	{"get-utf8", "GET", "/\xe1\x88\xb4", {{0}}, 0,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "",
		"GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA256,
		CRED "SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
	{"get-header-value-trim", "GET", "/", {{0}}, 0,
		{{"Host", "example.amazonaws.com"}, {"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""},
		{"X-Amz-Date", "20150830T123600Z"}}, 4, "",
		"GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" EMPTY_SHA256,
		CRED "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	{"get-header-key-duplicate", "GET", "/", {{0}}, 0,
		{{"Host", "example.amazonaws.com"}, {"My-Header1", "value2"}, {"My-Header1", "value2"},
		{"My-Header1", "value1"}, {"X-Amz-Date", "20150830T123600Z"}}, 5, "",
		"GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" EMPTY_SHA256,
		CRED "SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
	{"post-vanilla-query", "POST", "/", {{"Param1", "value1"}}, 1,
		{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, 2, "", NULL,
		CRED "SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
	{"post-x-www-form-urlencoded", "POST", "/", {{0}}, 0,
		{{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "example.amazonaws.com"},
		{"X-Amz-Date", "20150830T123600Z"}}, 3, "Param1=value1",
		"POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
		CRED "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
};

int
main(void)
{
	char		hex[65];
	char		md5[25];
	char	   *e;

	for (size_t i = 0; i < lengthof(cases); i++)
	{
		const Case *c = &cases[i];
		SigV4Request r = {0};
		char	   *creq;
		char	   *auth;

		SigV4Sha256Hex(c->body, strlen(c->body), hex);
		r.method = c->method;
		r.path = c->path;
		r.query = c->query;
		r.nquery = c->nquery;
		r.headers = c->headers;
		r.nheaders = c->nheaders;
		r.payload_hash = hex;
		r.access_key = "AKIDEXAMPLE";
		r.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
		r.region = "us-east-1";
		r.service = "service";
		r.amz_date = "20150830T123600Z";
		auth = SigV4Sign(&r, &creq, NULL);
		if (c->expected_creq)
			is_str(creq, c->expected_creq, "%s: canonical request", c->name);
		is_str(auth, c->expected_auth, "%s: Authorization", c->name);
		pfree(auth);
		pfree(creq);
	}

	/* helpers */
	SigV4Sha256Hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256(\"abc\") (FIPS 180-2)");
	SigV4Md5Base64("", 0, md5);
	is_str(md5, "1B2M2Y8AsgTpgAmY7PhCfg==", "Content-MD5 of empty body");
	e = SigV4Encode("a b/c+d=é~", true);
	is_str(e, "a%20b/c%2Bd%3D%C3%A9~", "encoding keeps '/' in paths");
	pfree(e);
	e = SigV4Encode("a/b", false);
	is_str(e, "a%2Fb", "encoding escapes '/' in query values");
	pfree(e);
	{
		char		d[17];

		SigV4FormatDate((time_t) 1440938160, d);
		is_str(d, "20150830T123600Z", "x-amz-date format");
	}
	return done_testing();
}
