#!/usr/bin/python3
"""Makes real shares for the console test, then waits until a checkpoint covers the whole log.

Environment: ADMIN_URL (https://127.0.0.1:PORT), PROXY_URL (https://127.0.0.1:PORT), CA (PEM),
CLIENT_CERT / CLIENT_KEY (a service certificate the agreement allows, e.g. demo-service),
TOKEN_CONSENT, TOKEN_AUDITOR, SUBJECT_WITH_SHARES, SHARE_VENDOR (e.g. sharebox).

- consent for SUBJECT_WITH_SHARES (analytics, SHARE_VENDOR), pushed through the admin API;
- three shares naming that subject (email hashed, card number removed), one refused (no consent);
- then polls GET /v1/log/verify until the latest checkpoint covers every entry (checkpoints are signed
  every 10 s of activity).
"""

import datetime
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ENV = os.environ


def context(client=False):
    ctx = ssl.create_default_context(cafile=ENV["CA"])
    if client:
        ctx.load_cert_chain(ENV["CLIENT_CERT"], ENV["CLIENT_KEY"])
    return ctx


def call(method, url, body=None, headers=None, client=False):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, context=context(client), timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def main():
    admin, proxy = ENV["ADMIN_URL"].rstrip("/"), ENV["PROXY_URL"].rstrip("/")
    subject, vendor = ENV["SUBJECT_WITH_SHARES"], ENV["SHARE_VENDOR"]
    consent = {"Authorization": "Bearer " + ENV["TOKEN_CONSENT"]}
    auditor = {"Authorization": "Bearer " + ENV["TOKEN_AUDITOR"]}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, text, _ = call(
        "PUT", f"{admin}/v1/subjects/{urllib.parse.quote(subject, safe='')}/consents",
        {"purpose": "analytics", "vendor": vendor, "status": "granted", "givenAt": now, "source": "console-test"},
        consent,
    )
    if status != 200:
        sys.exit(f"seed: consent PUT answered {status}: {text}")
    shared = 0
    for page in ("/home", "/cart", "/checkout"):
        status, text, headers = call(
            "POST", f"{proxy}/vendors/{vendor}/track",
            {"user_id": subject, "email": "console@example.com", "page": page, "card_number": "4111111111111111"},
            {"Share-Purpose": "analytics"}, client=True,
        )
        if status != 200:
            sys.exit(f"seed: share answered {status}: {text}")
        shared += 1
    status, text, _ = call(
        "POST", f"{proxy}/vendors/{vendor}/track", {"user_id": "console-no-consent", "page": "/home"},
        {"Share-Purpose": "analytics"}, client=True,
    )
    if status < 400:
        sys.exit(f"seed: a share without consent was not refused ({status})")
    deadline = time.time() + float(ENV.get("SEED_CHECKPOINT_SECONDS", "60"))
    while True:
        status, text, _ = call("GET", f"{admin}/v1/log/verify", headers=auditor)
        result = json.loads(text) if text.startswith("{") else {}
        if status == 200 and result.get("ok") and result.get("checkpointSize") == result.get("treeSize"):
            break
        if time.time() > deadline:
            sys.exit(f"seed: no checkpoint covers the log yet: {status} {text}")
        time.sleep(1)
    print(f"seed: {shared} shares and 1 refusal; checkpoint covers {result['treeSize']} entries", flush=True)


if __name__ == "__main__":
    main()
