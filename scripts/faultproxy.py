#!/usr/bin/env python3
"""A TLS-terminating HTTP proxy in front of the test API server that injects faults a healthy
server never produces: error statuses, dropped connections, slow answers.

Rules are read from a JSON file on every request (tests rewrite it), a list of objects:
  {"path": "<regex on the request path+query>", "method": "GET" (optional),
   "action": "status" | "drop" | "delay" | "respond",
   "body": "..."                           # for respond: a recorded answer, sent as is
   "status": 500, "seconds": 2.5,          # for status / delay
   "times": 3}                             # optional: only the first N matching requests
The first matching rule applies; requests that match none are forwarded unchanged (protocol
upgrades such as exec are tunnelled). Counters reset
whenever the file changes. Only loopback addresses are used. Standard library only.
"""
import argparse
import http.client
import http.server
import json
import os
import re
import socket
import ssl
import sys
import threading
import time

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
       "content-length"}


class Rules:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.stamp = None
        self.rules = []
        self.used = {}

    def match(self, method, path):
        with self.lock:
            try:
                st = os.stat(self.path)
                stamp = (st.st_mtime_ns, st.st_size)
                if stamp != self.stamp:
                    with open(self.path) as f:
                        self.rules = json.load(f) or []
                    self.stamp, self.used = stamp, {}
            except (OSError, ValueError) as e:
                sys.stderr.write(f"faultproxy: cannot read rules: {e}\n")
                self.rules = []
            for i, r in enumerate(self.rules):
                if r.get("method") and r["method"].upper() != method:
                    continue
                if not re.search(r.get("path", ""), path):
                    continue
                times = r.get("times")
                if times is not None and self.used.get(i, 0) >= times:
                    continue
                self.used[i] = self.used.get(i, 0) + 1
                return r
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("faultproxy: " + (fmt % args) + "\n")

    def handle_any(self):
        rule = self.server.rules.match(self.command, self.path)
        if rule:
            action = rule.get("action", "status")
            self.log_message("fault %s on %s %s", action, self.command, self.path)
            if action == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if action == "delay":
                time.sleep(float(rule.get("seconds", 1)))
            elif action in ("status", "respond"):
                # the request's body is read first: on a kept-alive connection it would otherwise
                # be taken for the next request
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                code = int(rule.get("status", 500 if action == "status" else 200))
                if action == "respond":   # a recorded answer, replayed as it was
                    body = rule.get("body", "").encode()
                else:
                    body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                       "message": f"injected fault: HTTP {code}", "reason": "InternalError",
                                       "code": code}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.forward()

    def tunnel(self):
        """Protocol upgrades (exec, attach: WebSocket / SPDY): replay the request upstream, then
        pipe raw bytes both ways until either side closes."""
        ctx = ssl._create_unverified_context()
        up = ctx.wrap_socket(socket.create_connection(self.server.upstream, timeout=300),
                             server_hostname=self.server.upstream[0])
        head = f"{self.command} {self.path} {self.request_version}\r\n"
        for k, v in self.headers.items():
            head += f"{k}: {v}\r\n"
        up.sendall(head.encode() + b"\r\n")
        down = self.connection
        self.close_connection = True

        def pipe(src, dst):
            try:
                while True:
                    b = src.recv(65536)
                    if not b:
                        break
                    dst.sendall(b)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        t = threading.Thread(target=pipe, args=(up, down), daemon=True)
        t.start()
        pipe(down, up)
        t.join()

    def forward(self):
        if self.headers.get("Upgrade"):
            self.tunnel()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        ctx = ssl._create_unverified_context()
        host, port = self.server.upstream
        conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=300)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
        except OSError as e:
            self.send_error(502, f"upstream: {e}")
            return
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        # stream the body (watches included), chunked towards the client
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
        finally:
            conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--rules", required=True)
    a = ap.parse_args()
    lh, lp = a.listen.rsplit(":", 1)
    uh, up = a.upstream.rsplit(":", 1)
    for h in (lh, uh):
        if not h.startswith("127."):
            sys.exit("faultproxy: only loopback addresses are allowed")
    srv = http.server.ThreadingHTTPServer((lh, int(lp)), Handler)
    srv.daemon_threads = True
    srv.upstream = (uh, int(up))
    srv.rules = Rules(a.rules)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
