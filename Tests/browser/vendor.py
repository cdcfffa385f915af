#!/usr/bin/python3
"""A local TLS vendor for the console test: answers every POST with 200 (202 for rights notices) and
records each request (method, path, headers, body) as one JSON line.

    python3 Tests/browser/vendor.py --port P --cert server.pem --key server-key.pem --record FILE
"""

import argparse
import http.server
import json
import ssl
import sys
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--record", required=True, help="JSON Lines file of the requests received")
    args = parser.parse_args()
    lock = threading.Lock()

    class Vendor(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            pass

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            record = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"},
                "authorization": "present" if self.headers.get("Authorization") else "absent",
                "body": body.decode("utf-8", "replace"),
            }
            with lock, open(args.record, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
            status = 202 if "/privacy/" in self.path else 200
            data = json.dumps({"ok": True}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = answer
        do_PUT = answer
        do_PATCH = answer
        do_GET = answer
        do_DELETE = answer

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Vendor)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"vendor listening on 127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
