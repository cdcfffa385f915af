#!/usr/bin/python3
"""A stand-in for the gateway's admin listener, for developing the console without building gatewayd.

NOT the contract: the Swift sources and docs/openapi.yaml are. It answers the admin routes the console
calls with the shapes Sources/Gateway/Admin/AdminAPI*.swift write (a subset of their members), serves
console/ under /console/ with the console's security headers, and keeps everything in memory. The real
check is scripts/console-test.sh against gatewayd (CONSOLE_FROM_DISK=1 serves console/ from the work tree).

    python3 Tests/browser/mock_gateway.py --port 9555 --dir /tmp/mock   # prints the environment to use
    then: env $(cat /tmp/mock/env) python3 Tests/browser/console_test.py
"""

import argparse
import base64
import datetime
import hashlib
import http.server
import json
import os
import re
import secrets
import ssl
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSOLE = os.path.join(ROOT, "console")
NS = "{urn:vendor-gateway:dpa:1}"
PREFIX = "https://vendor-gateway.example/problems/"
CSP = "default-src 'self'; frame-ancestors 'none'"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
STATUS = {"not-found": 404, "forbidden": 403, "unauthorized": 401, "conflict": 409, "invalid-request": 400, "invalid-contract": 422}


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Problem(Exception):
    def __init__(self, code, detail, status=None, **extra):
        super().__init__(detail)
        self.code, self.detail, self.status, self.extra = code, detail, status or STATUS.get(code, 400), extra


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}
        self.vendors = {}  # id -> {record, versions: [{..., xml}]}
        self.entries = []
        self.consents = {}
        self.requests = []
        self.refs = {}

    def ref(self, subject):
        return self.refs.setdefault(subject, hashlib.sha256(b"k" + subject.encode()).hexdigest())


STATE = State()


def parse_agreement(xml_bytes):
    text = xml_bytes.decode("utf-8", "replace")
    errors = []
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as error:
        raise Problem("invalid-contract", "the agreement has 1 problem(s)", 422,
                      errors=[{"line": error.position[0], "message": f"not well-formed XML: {error}", "hint": None}])
    for number, line in enumerate(text.splitlines(), 1):
        for date in re.findall(r'(?:effective|expires|assessedOn)="([^"]*)"', line):
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                errors.append({"line": number, "message": f"'{date}' is not a valid value of the atomic type 'xs:date'", "hint": "dates are YYYY-MM-DD"})
        match = re.search(r"<(\w+)", line)
        if match and match.group(1) not in KNOWN_ELEMENTS and not line.strip().startswith("<?"):
            errors.append({"line": number, "message": f"Element '{match.group(1)}': This element is not expected.", "hint": None})
    if errors:
        raise Problem("invalid-contract", f"the agreement has {len(errors)} problem(s)", 422, errors=errors)
    vendor = root.find(NS + "vendor")
    term = root.find(NS + "term")
    return {
        "agreement": root.get("id"), "version": int(root.get("version")), "vendor": vendor.get("id"),
        "effective": term.get("effective"), "expires": term.get("expires"), "root": root,
    }


KNOWN_ELEMENTS = {"agreement", "vendor", "term", "vetting", "certification", "processing", "purpose", "category", "prohibited",
                  "retention", "transfers", "region", "mechanism", "subprocessors", "subprocessor", "breachNotification", "auditRights",
                  "endpoint", "allowedService", "rights", "request", "dataMap", "operation", "field", "query",
                  "dataSubject", "dataSubjects", "deletion", "securityMeasure", "subjectMatter"}


def version_json(v):
    return {k: v[k] for k in ("vendor", "agreement", "version", "status", "digest", "registeredBy", "registeredAt", "approvedBy", "approvedAt", "effective", "expires")}


def vendor_json(vendor, detailed):
    versions = vendor["versions"]
    current = next((v for v in reversed(versions) if v["status"] == "approved"), None)
    pending = next((v for v in reversed(versions) if v["status"] == "pending"), None)
    out = {"id": vendor["id"], "agreement": vendor["agreement"], "status": vendor["status"],
           "currentVersion": current["version"] if current else None, "pendingVersion": pending["version"] if pending else None,
           "statusChangedBy": vendor.get("statusChangedBy"), "statusChangedAt": vendor.get("statusChangedAt")}
    if current:
        days = (datetime.date.fromisoformat(current["expires"]) - now().date()).days
        out.update({"expires": current["expires"], "daysToExpiry": days, "expiringSoon": 0 <= days <= 30, "expired": days < 0})
    if detailed:
        out["versions"] = [version_json(v) for v in versions]
    return out


def register(xml_bytes, principal, approve=False):
    info = parse_agreement(xml_bytes)
    with STATE.lock:
        vendor = STATE.vendors.get(info["vendor"])
        if vendor and vendor["status"] == "terminated":
            raise Problem("conflict", f"vendor {info['vendor']} is terminated")
        if vendor and any(v["version"] == info["version"] for v in vendor["versions"]):
            raise Problem("conflict", f"version {info['version']} of {info['vendor']} is already registered")
        if not vendor:
            vendor = {"id": info["vendor"], "agreement": info["agreement"], "status": "active", "versions": []}
            STATE.vendors[info["vendor"]] = vendor
        record = {"vendor": info["vendor"], "agreement": info["agreement"], "version": info["version"], "status": "pending",
                  "digest": "sha256:" + hashlib.sha256(xml_bytes).hexdigest(), "registeredBy": principal, "registeredAt": rfc3339(now()),
                  "approvedBy": None, "approvedAt": None, "effective": info["effective"], "expires": info["expires"], "xml": xml_bytes}
        vendor["versions"].append(record)
        if approve:
            for v in vendor["versions"]:
                if v["status"] == "approved":
                    v["status"] = "superseded"
            record.update(status="approved", approvedBy="bootstrap", approvedAt=rfc3339(now()))
        return record


def operations(root):
    out = []
    for op in root.iter(NS + "operation"):
        out.append({"method": op.get("method"), "path": op.get("path"),
                    "fields": [(f.get("path"), f.get("category")) for f in op.iter(NS + "field")]})
    return out


def seed(subject):
    """Two vendors, shares for `subject` and others, a refusal, outcome entries."""
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("acme-analytics.xml", "mailbird-email.xml"):
        path = os.path.join(ROOT, "contracts", "agreements", name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                register(handle.read(), "bootstrap", approve=True)
    del here
    old = now() - datetime.timedelta(days=40)
    STATE.requests.append({
        "id": "rr_overdue0001", "type": "rectification", "status": "open", "createdAt": rfc3339(old), "createdBy": "cmp", "doneAt": None,
        "subjectRef": STATE.ref("u-2001"), "purposes": [], "categories": ["user.contact.email"], "reference": "DSR-0001", "overdue": True,
        "recipients": [
            {"vendor": "acme", "channel": "manual", "status": "overdue", "delivery": "manual", "respondBy": rfc3339(old + datetime.timedelta(days=30)),
             "contact": "privacy@acme.example", "attempts": 0, "upstreamStatus": None, "lastError": None, "notifiedAt": None, "nextAttemptAt": None,
             "confirmedAt": None, "confirmedBy": None, "note": None},
            {"vendor": "mailbird", "channel": "api", "status": "notified", "delivery": "notified", "respondBy": rfc3339(old + datetime.timedelta(days=30)),
             "contact": None, "attempts": 1, "upstreamStatus": 202, "lastError": None, "notifiedAt": rfc3339(old), "nextAttemptAt": None,
             "confirmedAt": None, "confirmedBy": None, "note": None},
        ]})
    seq = 0
    for days_ago in range(0, 20, 2):
        for index, (vendor, decision) in enumerate((("acme", "shared"), ("acme", "refused"), ("mailbird", "shared"))):
            t = now() - datetime.timedelta(days=days_ago, minutes=index)
            who = subject if index == 0 else f"u-{1000 + days_ago}"
            entry = {"seq": seq, "origin": "mock.example/gateway", "id": f"sh_{seq:06d}", "time": rfc3339(t), "kind": "share",
                     "service": "checkout", "vendor": vendor, "contract": {"id": STATE.vendors[vendor]["agreement"], "version": STATE.vendors[vendor]["versions"][-1]["version"], "digest": STATE.vendors[vendor]["versions"][-1]["digest"]},
                     "purpose": "analytics" if vendor == "acme" else "marketing.communications.email", "method": "POST", "operation": "/events" if vendor == "acme" else "/contacts",
                     "subjectRefs": [STATE.ref(who)], "consentRefs": [1], "records": {"received": 1, "sent": 1 if decision == "shared" else 0},
                     "fields": [] if decision == "refused" else [
                         {"path": "@.user_id", "category": "user.unique_id.pseudonymous", "action": "sent", "reason": "allowed", "count": 1},
                         {"path": "@.email", "category": "user.contact.email", "action": "hash", "reason": "contract-transform", "count": 1},
                         {"path": "@.card_number", "category": "user.financial.credit_card", "action": "removed", "reason": "prohibited", "count": 1}],
                     "decision": decision, "reason": None if decision == "shared" else PREFIX + "consent-missing", "gpc": False, "lawfulBasis": "consent"}
            STATE.entries.append(entry)
            seq += 1
            if decision == "shared":
                STATE.entries.append({"seq": seq, "origin": "mock.example/gateway", "id": f"oc_{seq:06d}", "time": rfc3339(t), "kind": "outcome",
                                      "shareId": entry["id"], "vendor": vendor, "upstreamStatus": 202, "error": None, "durationMs": 12})
                seq += 1


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "mock-gateway"
    sys_version = ""

    def log_message(self, fmt, *args):
        if os.environ.get("MOCK_VERBOSE"):
            sys.stderr.write("mock: " + fmt % args + "\n")

    def send(self, status, body, content_type="application/json", extra=None):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def static(self, path):
        rel = path[len("/console/"):] or "index.html"
        full = os.path.normpath(os.path.join(CONSOLE, rel))
        if not full.startswith(CONSOLE + os.sep) or not os.path.isfile(full):
            return self.send(404, {"type": PREFIX + "not-found", "title": "Not Found", "status": 404, "detail": "no such file"}, "application/problem+json")
        with open(full, "rb") as handle:
            data = handle.read()
        self.send(200, data, TYPES.get(os.path.splitext(full)[1], "application/octet-stream"),
                  {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    def principal(self, roles):
        header = self.headers.get("Authorization")
        if not header:
            raise Problem("unauthorized", "a bearer token is required")
        parts = header.split(" ", 1)
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise Problem("unauthorized", "use `Authorization: Bearer <token>`")
        who = STATE.tokens.get(parts[1])
        if not who:
            raise Problem("unauthorized", "the token is unknown or revoked")
        if who["role"] != "admin" and who["role"] not in roles:
            raise Problem("forbidden", f"the `{who['role']}` role cannot call this")
        return who

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self, method):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = dict(urllib.parse.parse_qsl(parsed.query))
        if method == "GET" and path == "/console":
            self.send_response(301)
            self.send_header("Location", "/console/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if method == "GET" and path.startswith("/console/"):
            return self.static(path)
        try:
            result = self.route(method, path, query)
            if isinstance(result, tuple):
                self.send(*result)
            else:
                self.send(200, result)
        except Problem as problem:
            body = {"type": PREFIX + problem.code, "title": problem.code.replace("-", " ").title(), "status": problem.status, "detail": problem.detail}
            body.update(problem.extra)
            self.send(problem.status, body, "application/problem+json", {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def route(self, method, path, query):
        segments = [urllib.parse.unquote(s) for s in path.split("/")[1:]]
        P, A, C, AU = {"procurement"}, {"admin"}, {"consent"}, {"auditor"}
        if method == "GET" and path == "/v1/tokens":
            self.principal(A)
            return {"tokens": [{"id": "tok_" + t[:6], "name": w["name"], "role": w["role"], "createdAt": rfc3339(now()), "revokedAt": None} for t, w in STATE.tokens.items()]}
        if path == "/v1/vendors" and method == "GET":
            self.principal(P | AU)
            return {"vendors": [vendor_json(v, False) for v in STATE.vendors.values()]}
        if path == "/v1/vendors" and method == "POST":
            who = self.principal(P)
            record = register(self.body(), who["name"])
            return (201, version_json(record))
        if len(segments) == 3 and segments[:2] == ["v1", "vendors"] and method == "GET":
            self.principal(P | AU)
            vendor = STATE.vendors.get(segments[2])
            if not vendor:
                raise Problem("not-found", "no vendor with this id")
            return vendor_json(vendor, True)
        if len(segments) == 5 and segments[:2] == ["v1", "vendors"] and segments[3] == "versions" and method == "GET":
            self.principal(P | AU)
            vendor = STATE.vendors.get(segments[2])
            version = next((v for v in (vendor or {}).get("versions", []) if str(v["version"]) == segments[4]), None)
            if not version:
                raise Problem("not-found", "no such version")
            return (200, version["xml"], "application/xml", {"Digest-SHA256": version["digest"]})
        if len(segments) == 4 and segments[:2] == ["v1", "vendors"] and method == "POST":
            who = self.principal(P)
            vendor = STATE.vendors.get(segments[2])
            if not vendor:
                raise Problem("not-found", f"no vendor {segments[2]}")
            if vendor["status"] == "terminated":
                raise Problem("conflict", f"vendor {vendor['id']} is terminated")
            action = segments[3]
            if action == "approve":
                pending = next((v for v in reversed(vendor["versions"]) if v["status"] == "pending"), None)
                if not pending:
                    raise Problem("conflict", f"vendor {vendor['id']} has no version waiting for approval")
                if pending["registeredBy"] == who["name"]:
                    raise Problem("conflict", f"version {pending['version']} must be approved by someone other than its registrant")
                for v in vendor["versions"]:
                    if v["status"] == "approved":
                        v["status"] = "superseded"
                pending.update(status="approved", approvedBy=who["name"], approvedAt=rfc3339(now()))
                return version_json(pending)
            if action in ("suspend", "terminate"):
                vendor.update(status="suspended" if action == "suspend" else "terminated", statusChangedBy=who["name"], statusChangedAt=rfc3339(now()))
                return vendor_json(vendor, False)
        if path == "/v1/preview" and method == "POST":
            self.principal(P | A)
            request = json.loads(self.body() or b"{}")
            vendor = STATE.vendors.get(request.get("vendor"))
            if not vendor:
                raise Problem("not-found", "no such vendor or version")
            version = vendor["versions"][-1]
            root = ET.fromstring(version["xml"])
            op = next((o for o in operations(root) if o["method"] == request.get("method") and o["path"] == request.get("operation")), None)
            contract = {"id": version["agreement"], "version": version["version"], "digest": version["digest"], "status": version["status"]}
            if not op:
                return {"contract": contract, "decision": "refused", "reason": {"type": PREFIX + "operation-not-declared", "detail": "the operation is not in the data map"}, "body": None}
            fields = [{"path": p, "category": c, "action": "removed" if (c or "").startswith("user.financial") else "sent",
                       "reason": "prohibited" if (c or "").startswith("user.financial") else "allowed", "count": 1} for p, c in op["fields"]]
            return {"contract": contract, "decision": "shared", "reason": None, "body": request.get("body"), "query": {},
                    "redactions": sum(1 for f in fields if f["action"] == "removed"), "fields": fields,
                    "records": {"received": 1, "sent": 1, "outcomes": [{"index": 0, "kept": True, "reason": None}]}}
        if path == "/v1/shares" and method == "GET":
            self.principal(AU)
            items = STATE.entries
            if query.get("vendor"):
                items = [e for e in items if e.get("vendor") == query["vendor"]]
            if query.get("decision"):
                items = [e for e in items if e.get("decision") == query["decision"]]
            if query.get("purpose"):
                items = [e for e in items if e.get("purpose") == query["purpose"]]
            if query.get("subject"):
                ref = STATE.refs.get(query["subject"], "unmapped")
                items = [e for e in items if ref in e.get("subjectRefs", [])]
            if query.get("since"):
                items = [e for e in items if e["time"] >= query["since"]]
            if query.get("until"):
                items = [e for e in items if e["time"] <= query["until"]]
            start = int(query.get("cursor") or 0)
            limit = int(query.get("limit") or 100)
            page = items[start:start + limit]
            return {"entries": page, "nextCursor": str(start + limit) if start + limit < len(items) else None}
        if len(segments) == 4 and segments[:2] == ["v1", "subjects"] and segments[3] == "consents" and method == "GET":
            self.principal(C)
            history = STATE.consents.get(segments[2], [])
            return {"subject": segments[2], "current": [dict(r, expired=False) for r in history[-1:]], "history": history}
        if len(segments) == 4 and segments[:2] == ["v1", "subjects"] and segments[3] == "disclosures" and method == "GET":
            self.principal(AU)
            ref = STATE.refs.get(segments[2])
            recipients = {}
            refused = 0
            for e in STATE.entries:
                if e["kind"] != "share" or ref not in e.get("subjectRefs", []):
                    continue
                if e["decision"] != "shared":
                    refused += 1
                    continue
                r = recipients.setdefault(e["vendor"], {"vendor": e["vendor"], "purposes": set(), "categories": set(), "firstShared": e["time"], "lastShared": e["time"], "shares": 0})
                r["purposes"].add(e["purpose"])
                r["categories"].update(f["category"] for f in e["fields"] if f["action"] != "removed")
                r["firstShared"] = min(r["firstShared"], e["time"])
                r["lastShared"] = max(r["lastShared"], e["time"])
                r["shares"] += 1
            out = [dict(r, purposes=sorted(r["purposes"]), categories=sorted(r["categories"])) for r in recipients.values()]
            return {"subject": segments[2], "recipients": out, "refusedRequests": refused}
        if len(segments) == 4 and segments[:2] == ["v1", "subjects"] and segments[3] == "requests" and method == "POST":
            self.principal(C)
            body = json.loads(self.body() or b"{}")
            ref = STATE.refs.get(segments[2])
            vendors = sorted({e["vendor"] for e in STATE.entries if e["kind"] == "share" and e["decision"] == "shared" and ref in e.get("subjectRefs", [])})
            respond = rfc3339(now() + datetime.timedelta(days=30))
            request = {"id": "rr_" + secrets.token_hex(6), "type": body.get("type"), "status": "open" if vendors else "done", "createdAt": rfc3339(now()),
                       "reference": body.get("reference"), "purposes": body.get("purposes", []), "categories": body.get("categories", []),
                       "createdBy": "cmp", "doneAt": None, "subjectRef": ref, "overdue": False,
                       "recipients": [{"vendor": v, "channel": "api" if v == "mailbird" else "manual", "status": "pending" if v == "mailbird" else "manual",
                                       "delivery": "pending" if v == "mailbird" else "manual", "respondBy": respond,
                                       "contact": None if v == "mailbird" else f"privacy@{v}.example", "attempts": 0, "upstreamStatus": None,
                                       "lastError": None, "notifiedAt": None, "nextAttemptAt": None, "confirmedAt": None, "confirmedBy": None, "note": None} for v in vendors]}
            STATE.requests.append(request)
            return (202, request)
        if path == "/v1/requests" and method == "GET":
            self.principal(C | AU)
            items = STATE.requests
            if query.get("status"):
                items = [r for r in items if r["status"] == query["status"]]
            if query.get("type"):
                items = [r for r in items if r["type"] == query["type"]]
            if query.get("overdue") == "true":
                items = [r for r in items if r.get("overdue")]
            return {"requests": items, "nextCursor": None}
        if len(segments) == 3 and segments[:2] == ["v1", "requests"] and method == "GET":
            self.principal(C | AU)
            return next((r for r in STATE.requests if r["id"] == segments[2]), None) or (_ for _ in ()).throw(Problem("not-found", "no such request"))
        if len(segments) == 6 and segments[:2] == ["v1", "requests"] and segments[5] == "confirm" and method == "POST":
            self.principal(C)
            request = next((r for r in STATE.requests if r["id"] == segments[2]), None)
            if not request:
                raise Problem("not-found", "no such request")
            body = json.loads(self.body() or b"{}")
            for r in request["recipients"]:
                if r["vendor"] == segments[4]:
                    r.update(status="confirmed", delivery="confirmed", note=body.get("note"), confirmedAt=rfc3339(now()), confirmedBy="cmp")
            if all(r["status"] in ("confirmed", "notified") for r in request["recipients"]):
                request["status"] = "done"
            return request
        if len(segments) == 4 and segments[:2] == ["v1", "subjects"] and segments[3] == "restriction" and method == "DELETE":
            self.principal(C)
            return {"lifted": True}
        if path == "/v1/incidents/impact" and method == "GET":
            self.principal(AU)
            if not query.get("vendor"):
                raise Problem("invalid-request", "`vendor` is required")
            items = [e for e in STATE.entries if e["kind"] == "share" and e["decision"] == "shared" and e["vendor"] == query["vendor"]]
            refs = {r for e in items for r in e["subjectRefs"]}
            cats = {}
            for e in items:
                for c in {f["category"] for f in e["fields"] if f["action"] != "removed"}:
                    cats[c] = cats.get(c, 0) + 1
            ids = sorted(s for s, r in STATE.refs.items() if r in refs)
            return {"vendor": query["vendor"], "since": query.get("since"), "until": query.get("until"), "shares": len(items), "subjects": len(refs),
                    "subjectIds": ids, "unmappableSubjects": len(refs) - len(ids), "categories": [{"category": c, "shares": n} for c, n in sorted(cats.items())]}
        if path == "/v1/log/checkpoint" and method == "GET":
            self.principal(AU)
            root = base64.b64encode(hashlib.sha256(str(len(STATE.entries)).encode()).digest()).decode()
            return (200, f"mock.example/gateway\n{len(STATE.entries)}\n{root}\n\n\u2014 mock.example/gateway AAAAAAAA\n", "text/plain; charset=utf-8")
        if path == "/v1/log/checkpoints" and method == "GET":
            self.principal(AU)
            return {"checkpoints": [{"origin": "mock.example/gateway", "treeSize": n, "rootHash": base64.b64encode(hashlib.sha256(str(n).encode()).digest()).decode(),
                                     "time": rfc3339(now() - datetime.timedelta(minutes=n)), "note": f"mock.example/gateway\n{n}\n...\n"} for n in (len(STATE.entries), 10, 5)]}
        if path == "/v1/log/verify" and method == "GET":
            self.principal(AU)
            return {"ok": True, "treeSize": len(STATE.entries), "checkpointSize": len(STATE.entries), "message": f"{len(STATE.entries)} entries rehashed; tree and checkpoint agree"}
        if path == "/v1/log/public-key" and method == "GET":
            self.principal(AU)
            return (200, "mock.example/gateway+00000000+AAAA\n", "text/plain; charset=utf-8")
        if path == "/v1/stats/shares" and method == "GET":
            self.principal(AU)
            days = {}
            for e in STATE.entries:
                if e["kind"] != "share":
                    continue
                day = days.setdefault(e["time"][:10], {"vendors": {}, "refusals": {}})
                v = day["vendors"].setdefault(e["vendor"], {"vendor": e["vendor"], "shared": 0, "refused": 0})
                v[e["decision"]] += 1
                if e["reason"]:
                    day["refusals"][e["reason"]] = day["refusals"].get(e["reason"], 0) + 1
            return {"since": query.get("since"), "until": query.get("until"),
                    "days": [{"day": d, "vendors": list(x["vendors"].values()), "refusals": [{"reason": r, "count": n} for r, n in x["refusals"].items()]} for d, x in sorted(days.items())]}
        raise Problem("not-found", "no such route")


def certificates(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress
    key = ec.generate_private_key(ec.SECP256R1())
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mock gateway CA")])
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])).issuer_name(ca_name)
              .public_key(key.public_key()).serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=30))
              .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server-key.pem")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as f:
        f.write(server.public_bytes(serialization.Encoding.PEM))
    with open(paths["server-key.pem"], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=9555)
    parser.add_argument("--dir", required=True, help="where certificates, agreements and the env file are written")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    paths = certificates(args.dir)
    subject = "u-1001 \u00fc?#&%"
    for role, name in (("procurement", "alice"), ("procurement", "bob"), ("consent", "cmp"), ("auditor", "audrey"), ("admin", "root")):
        STATE.tokens["gwt_" + secrets.token_urlsafe(32)] = {"role": role, "name": name}
    seed(subject)
    tokens = list(STATE.tokens)
    agreements = write_agreements(args.dir)
    environment = {
        "CONSOLE_URL": f"https://127.0.0.1:{args.port}/console/", "CONSOLE_CA": paths["ca.pem"], "CONSOLE_SERVER_CERT": paths["server.pem"],
        "TOKEN_PROCUREMENT_1": tokens[0], "TOKEN_PROCUREMENT_2": tokens[1], "TOKEN_CONSENT": tokens[2], "TOKEN_AUDITOR": tokens[3], "TOKEN_ADMIN": tokens[4],
        "DPA_VALID": agreements["valid"], "DPA_VALID_VENDOR": "consolevalid", "DPA_BAD": agreements["bad"], "DPA_XSS": agreements["xss"],
        "SUBJECT_WITH_SHARES": subject, "SCREENSHOT_DIR": os.path.join(args.dir, "screenshots"),
    }
    with open(os.path.join(args.dir, "env.json"), "w") as handle:
        json.dump(environment, handle, indent=2)
    print(json.dumps(environment, indent=2), flush=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["server.pem"], paths["server-key.pem"])
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.serve_forever()


def write_agreements(directory):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from agreements import write_console_agreements
    return write_console_agreements(directory, vendor_port=None)


if __name__ == "__main__":
    main()
