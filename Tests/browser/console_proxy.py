#!/usr/bin/python3
"""Serves console/ from the work tree under /console/ (with the console's security headers) and forwards
every other request to a running gateway's admin API: the console, edited on disk, against the real API,
without rebuilding gatewayd. A development aid (scripts/console-test.sh uses it when CONSOLE_FROM_DISK=1).

    python3 Tests/browser/console_proxy.py --port P --cert server.pem --key server-key.pem \
        --upstream https://127.0.0.1:9443 --ca ca.pem
"""

import argparse
import http.client
import http.server
import os
import ssl
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSOLE = os.path.join(ROOT, "console")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
HEADERS = {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
FORWARD_REQUEST = ("authorization", "content-type", "accept")
FORWARD_RESPONSE = ("content-type", "cache-control", "www-authenticate", "digest-sha256")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--ca", required=True)
    args = parser.parse_args()
    upstream = urllib.parse.urlsplit(args.upstream)
    client_context = ssl.create_default_context(cafile=args.ca)

    class Proxy(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            pass

        def reply(self, status, headers, body):
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def static(self):
            rel = urllib.parse.urlsplit(self.path).path[len("/console/"):] or "index.html"
            full = os.path.normpath(os.path.join(CONSOLE, rel))
            if not full.startswith(CONSOLE + os.sep) or not os.path.isfile(full):
                return self.reply(404, {"Content-Type": "text/plain"}, b"not found")
            with open(full, "rb") as handle:
                body = handle.read()
            self.reply(200, dict(HEADERS, **{"Content-Type": TYPES.get(os.path.splitext(full)[1], "application/octet-stream"), "Cache-Control": "no-cache"}), body)

        def forward(self):
            if self.command == "GET" and self.path.startswith("/console/"):
                return self.static()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            connection = http.client.HTTPSConnection(upstream.hostname, upstream.port, context=client_context, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() in FORWARD_REQUEST}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            out = {k: v for k, v in response.getheaders() if k.lower() in FORWARD_RESPONSE}
            connection.close()
            self.reply(response.status, out, data)

        do_GET = forward
        do_POST = forward
        do_PUT = forward
        do_DELETE = forward

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Proxy)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"console proxy on https://127.0.0.1:{args.port}/console/ -> {args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
