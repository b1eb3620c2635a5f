#!/usr/bin/python3
#-------------------------------------------------------------------------
# botocore_sign.py: signs S3 requests with botocore's S3SigV4Auth (Debian
# python3-botocore) at a fixed date and prints one Authorization header per
# request, for 002_sigv4_botocore.pl to compare with Strata's signer.
#
# Input (stdin): one JSON object per line with endpoint, bucket, prefix,
# path_style, method, key (or null), query ([[name, value], ...]), body
# (text), range (or null), content_md5 (bool), amz_date, access_key,
# secret_key, region, token (or null).
#
# src/test/objstore/botocore_sign.py
#-------------------------------------------------------------------------
import base64
import hashlib
import json
import sys
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    scheme, hostport = case["endpoint"].split("://", 1)
    key = case["key"]
    full = (case["prefix"] + key) if key is not None else None
    if case["path_style"]:
        host = hostport
        path = "/" + case["bucket"] + ("/" + full if full is not None else "")
    else:
        host = case["bucket"] + "." + hostport
        path = "/" + (full if full is not None else "")
    # S3 keys: every byte but the unreserved ones and '/' percent-encoded
    url = scheme + "://" + host + quote(path, safe="/~")
    body = case["body"].encode("utf-8")
    headers = {}
    if case["range"]:
        headers["Range"] = case["range"]
    if case["content_md5"]:
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
    params = {n: v for n, v in case["query"]}
    req = AWSRequest(method=case["method"], url=url, headers=headers, data=body,
                     params=params)
    creds = Credentials(case["access_key"], case["secret_key"], case["token"])
    auth = S3SigV4Auth(creds, "s3", case["region"])
    # add_auth() reads the clock; do its steps with a fixed timestamp
    req.context["timestamp"] = case["amz_date"]
    auth._modify_request_before_signing(req)
    creq = auth.canonical_request(req)
    sts = auth.string_to_sign(req, creq)
    auth._inject_signature_to_request(req, auth.signature(sts, req))
    return req.headers["Authorization"], creq


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    authz, creq = sign(json.loads(line))
    print(json.dumps({"authorization": authz, "canonical_request": creq}))
