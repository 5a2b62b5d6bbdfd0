"""HTTP plumbing shared by the fakes: request/response objects, the router, the request and delivery logs,
and the outgoing HTTP client the fakes use to call onair back (EventSub, WebSub)."""

import http.client
import http.server
import json
import socketserver
import ssl
import sys
import threading
import time
import traceback
import urllib.parse


class Request:
    def __init__(self, method, target, headers, body, client):
        self.method = method
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path or "/"
        self.raw_query = parts.query
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers  # email.message.Message: case-insensitive get()
        self.body = body
        self.client = client

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name):
        return list(self.query.get(name, []))

    def form(self):
        """application/x-www-form-urlencoded body as {name: first value}."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return {k: v[0] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}

    def json(self):
        """The body as JSON, or raises ValueError."""
        if not self.body:
            raise ValueError("empty body")
        return json.loads(self.body.decode("utf-8"))

    def content_type(self):
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


class Response:
    def __init__(self, status, body=b"", headers=None, after=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = list(headers or [])
        self.after = after  # callable run on a new thread once the response is written


def json_response(status, obj, headers=None, after=None):
    body = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json; charset=utf-8")] + list(headers or []), after)


def text_response(status, text, content_type="text/plain; charset=utf-8", headers=None):
    return Response(status, text, [("Content-Type", content_type)] + list(headers or []))


def redirect(location):
    body = '<a href="%s">Found</a>.\n' % location.replace("&", "&amp;").replace('"', "&quot;")
    return Response(302, body, [("Location", location), ("Content-Type", "text/html; charset=utf-8")])


def with_query(url, params):
    """url with params appended to its query string (keeps the query the client registered)."""
    encoded = urllib.parse.urlencode([(k, v) for k, v in params if v is not None])
    if not encoded:
        return url
    return url + ("&" if "?" in url else "?") + encoded


class Log:
    """Append-only log with sequence numbers (the request log and the delivery log)."""

    def __init__(self, limit=20000):
        self._lock = threading.Lock()
        self._items = []
        self._seq = 0
        self._limit = limit

    def add(self, entry):
        with self._lock:
            self._seq += 1
            entry = dict(entry, seq=self._seq)
            self._items.append(entry)
            if len(self._items) > self._limit:
                del self._items[: len(self._items) - self._limit]
            return entry

    def update(self, entry, **fields):
        with self._lock:
            entry.update(fields)

    def list(self, since=0, prefix=None, method=None):
        with self._lock:
            return [dict(e) for e in self._items
                    if e["seq"] > since
                    and (prefix is None or e.get("path", e.get("url", "")).startswith(prefix))
                    and (method is None or e.get("method") == method)]

    def clear(self):
        with self._lock:
            self._items.clear()

    def last_seq(self):
        with self._lock:
            return self._seq


def decode_body(body):
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


class Outgoing:
    """The HTTP client the fakes call back with; every call lands in the delivery log."""

    def __init__(self, log, timeout=10.0):
        self.log = log
        self.timeout = timeout

    def send(self, kind, method, url, headers, body=b"", meta=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        entry = self.log.add({"kind": kind, "time": time.time(), "method": method, "url": url,
                              "headers": [[k, v] for k, v in headers], "body": decode_body(body),
                              "meta": meta or {}})
        result = {"status": None, "headers": {}, "body": "", "content_type": "", "error": None}
        parts = urllib.parse.urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            if parts.scheme == "https":
                conn = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=self.timeout,
                                                   context=ssl.create_default_context())
            elif parts.scheme == "http":
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=self.timeout)
            else:
                raise ValueError("unsupported callback scheme: %r" % parts.scheme)
            try:
                conn.putrequest(method, target, skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                if method in ("POST", "PUT") or body:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body if body else None)
                resp = conn.getresponse()
                data = resp.read()
                result["status"] = resp.status
                result["headers"] = {k.lower(): v for k, v in resp.getheaders()}
                result["body"] = decode_body(data)
                result["content_type"] = resp.getheader("Content-Type", "")
            finally:
                conn.close()
        except Exception as exc:  # connection refused, timeout, bad URL: reported, never raised
            result["error"] = "%s: %s" % (type(exc).__name__, exc)
        self.log.update(entry, response=result)
        return dict(result, delivery_seq=entry["seq"])


class App:
    """Routes requests to handlers: exact (method, path) matches; control routes under /_control."""

    def __init__(self, verbose=False):
        self.routes = {}
        self.requests = Log()
        self.deliveries = Log()
        self.outgoing = Outgoing(self.deliveries)
        self.base_url = ""
        self.verbose = verbose
        self.lock = threading.RLock()

    def route(self, method, path, handler):
        self.routes[(method, path)] = handler

    def handle(self, req):
        control = req.path.startswith("/_control")
        entry = None
        if not control:
            entry = self.requests.add({
                "time": time.time(), "method": req.method, "path": req.path, "query": req.raw_query,
                "headers": [[k, v] for k, v in req.headers.items()], "body": decode_body(req.body)})
        handler = self.routes.get((req.method, req.path))
        if handler is None:
            if any(p == req.path for (_m, p) in self.routes):
                resp = json_response(405, {"error": "Method Not Allowed", "status": 405,
                                           "message": "%s not allowed on %s" % (req.method, req.path)})
            else:
                resp = json_response(404, {"error": "Not Found", "status": 404,
                                           "message": "no fake endpoint at %s" % req.path})
        else:
            try:
                resp = handler(req)
            except Exception:  # a bug in the fake: say so loudly rather than hang the test
                traceback.print_exc(file=sys.stderr)
                resp = json_response(500, {"error": "fake_platforms internal error",
                                           "trace": traceback.format_exc()})
        if entry is not None:
            self.requests.update(entry, status=resp.status)
        return resp


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-platforms/1"

    def _serve(self):
        length = self.headers.get("Content-Length")
        body = b""
        if length:
            body = self.rfile.read(int(length))
        elif (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(chunks)
        req = Request(self.command, self.path, self.headers, body, self.client_address)
        resp = self.server.app.handle(req)
        self.send_response(resp.status)
        names = set()
        for k, v in resp.headers:
            self.send_header(k, v)
            names.add(k.lower())
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)
        self.wfile.flush()
        if resp.after is not None:
            threading.Thread(target=self._run_after, args=(resp.after,), daemon=True).start()

    @staticmethod
    def _run_after(fn):
        try:
            fn()
        except Exception:
            traceback.print_exc(file=sys.stderr)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            sys.stderr.write("fake-platforms: " + (fmt % args) + "\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, app):
        self.app = app
        super().__init__(address, _Handler)
