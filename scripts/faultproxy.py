#!/usr/bin/env python3
"""An HTTP proxy in front of a test server that injects faults a healthy server never produces:
error statuses, dropped connections, slow answers. With --cert/--key it terminates TLS and
forwards over TLS (the API server); without them it listens and forwards plain HTTP (the S3
server). Requests are forwarded with their own Host header and bytes (S3 signatures cover them);
a chunked request body is passed on de-chunked with its length; `Expect: 100-continue` is answered
by the proxy only once the request is to be forwarded (a fault answers without taking the body).

Rules are read from a JSON file on every request (tests rewrite it), a list of objects:
  {"path": "<regex on the request path+query>", "method": "GET" (optional),
   "action": "status" | "drop" | "delay" | "respond",
   "body": "..."                           # for respond: a recorded answer, sent as is
   "status": 500, "seconds": 2.5,          # for status / delay
   "after": true,                          # for drop: forward the request, then drop the answer
   "times": 3}                             # optional: only the first N matching requests
The first matching rule applies; requests that match none are forwarded unchanged (protocol
upgrades such as exec are tunnelled). Counters reset
whenever the file changes. --error-body picks what a status fault answers: a Kubernetes Status
(kube) or an S3 error document (s3). Only loopback addresses are used. Standard library only.
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
# what is not passed on from a request: the hop's own headers, and the Expect the proxy answered
HOP_REQUEST = (HOP - {"host"}) | {"expect"}


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

    def parse_request(self):
        self.expecting = False
        return super().parse_request()

    def handle_expect_100(self):
        # answered when the request is forwarded (send_continue); a fault answers at once instead
        self.expecting = True
        return True

    def send_continue(self):
        if getattr(self, "expecting", False):
            self.expecting = False
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()

    def read_body(self):
        """The request's body (de-chunked), or None when it has none."""
        self.send_continue()
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):   # trailers
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle_any(self):
        rule = self.server.rules.match(self.command, self.path)
        if rule:
            action = rule.get("action", "status")
            self.log_message("fault %s on %s %s", action, self.command, self.path)
            if action == "drop":
                if rule.get("after"):
                    self.forward(answer=False)
                self.drop()
                return
            if action == "delay":
                time.sleep(float(rule.get("seconds", 1)))
            elif action in ("status", "respond"):
                if self.expecting:
                    # the client waits for 100 Continue before it sends the body: it never comes
                    self.close_connection = True
                else:
                    # the request's body is read first: on a kept-alive connection it would
                    # otherwise be taken for the next request
                    self.read_body()
                code = int(rule.get("status", 500 if action == "status" else 200))
                ctype = "application/json"
                if action == "respond":   # a recorded answer, replayed as it was
                    body = rule.get("body", "").encode()
                elif self.server.error_body == "s3":
                    ctype = "application/xml"
                    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
                            f'<Message>injected fault: HTTP {code}</Message></Error>').encode()
                else:
                    body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                       "message": f"injected fault: HTTP {code}", "reason": "InternalError",
                                       "code": code}).encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
        self.forward()

    def upstream(self, timeout):
        host, port = self.server.upstream
        sock = socket.create_connection((host, port), timeout=timeout)
        if self.server.tls:
            sock = ssl._create_unverified_context().wrap_socket(sock, server_hostname=host)
        return sock

    def tunnel(self):
        """Protocol upgrades (exec, attach: WebSocket / SPDY): replay the request upstream, then
        pipe raw bytes both ways until either side closes."""
        up = self.upstream(300)
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

    def forward(self, answer=True):
        if self.headers.get("Upgrade"):
            self.tunnel()
            return
        body = self.read_body()
        host, port = self.server.upstream
        conn = http.client.HTTPConnection(host, port, timeout=300)
        conn.sock = self.upstream(300)
        try:
            # the request as it came: its own Host (signed by S3 clients), no header added
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in HOP_REQUEST:
                    conn.putheader(k, v)
            if body is not None or self.command in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body or b"")))
            conn.endheaders(body)
            resp = conn.getresponse()
        except OSError as e:
            conn.close()
            if answer:
                self.send_error(502, f"upstream: {e}")
            return
        if not answer:
            conn.close()
            return
        # the server's own status line and headers (its Date and Server included, not ours)
        self.log_request(resp.status)
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        length = resp.getheader("Content-Length")
        bodiless = self.command == "HEAD" or resp.status in (204, 304)
        if bodiless or length is not None:
            # as the server said it (a HEAD's length is the object's)
            if length is not None:
                self.send_header("Content-Length", length)
            self.end_headers()
            try:
                while not bodiless:
                    chunk = resp.read1(65536)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
            except OSError:
                self.close_connection = True
            finally:
                conn.close()
            return
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
    ap.add_argument("--cert", help="TLS certificate (with --key: TLS on both sides; without: plain HTTP)")
    ap.add_argument("--key")
    ap.add_argument("--rules", required=True)
    ap.add_argument("--error-body", choices=("kube", "s3"), default="kube")
    a = ap.parse_args()
    if bool(a.cert) != bool(a.key):
        sys.exit("faultproxy: --cert and --key go together")
    lh, lp = a.listen.rsplit(":", 1)
    uh, up = a.upstream.rsplit(":", 1)
    for h in (lh, uh):
        if not h.startswith("127."):
            sys.exit("faultproxy: only loopback addresses are allowed")
    srv = http.server.ThreadingHTTPServer((lh, int(lp)), Handler)
    srv.daemon_threads = True
    srv.upstream = (uh, int(up))
    srv.rules = Rules(a.rules)
    srv.error_body = a.error_body
    srv.tls = bool(a.cert)
    if srv.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
