#!/usr/bin/env python3
"""Local fake of the Twitch and YouTube endpoints onair calls (test tooling, not part of the server).

    python3 tools/fake-platforms/fake_platforms.py --port 0 [--host 127.0.0.1] [--config cfg.json] [--verbose]

The first line on stdout is JSON: {"port": N, "base_url": "http://127.0.0.1:N"}. One port serves every host:
point STREAM_TWITCH_AUTH_BASE_URL, STREAM_TWITCH_API_BASE_URL, STREAM_YOUTUBE_AUTH_BASE_URL,
STREAM_YOUTUBE_TOKEN_BASE_URL, STREAM_YOUTUBE_API_BASE_URL and STREAM_WEBSUB_HUB_URL at base_url.
The control API lives under /_control (see README.md). Python 3 standard library only.
"""

import argparse
import json
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from core import App, Server, json_response  # noqa: E402
from google import Google  # noqa: E402
from twitch import Twitch  # noqa: E402
from websub import WebSub  # noqa: E402


class FakePlatforms:
    def __init__(self, verbose=False):
        self.app = App(verbose)
        self.twitch = Twitch(self.app)
        self.google = Google(self.app)
        self.websub = WebSub(self.app, self.google)
        self.twitch.register(self.app)
        self.google.register(self.app)
        self.websub.register(self.app)
        r = self.app.route
        r("GET", "/_control/health", lambda req: json_response(200, {"ok": True}))
        r("GET", "/_control/state", self.control_state)
        r("POST", "/_control/reset", self.control_reset)
        r("POST", "/_control/config", self.control_config)
        r("GET", "/_control/requests", self.control_requests)
        r("DELETE", "/_control/requests", self.control_clear_requests)
        r("GET", "/_control/deliveries", self.control_deliveries)
        r("POST", "/_control/tokens/expire", self.control_expire)
        r("POST", "/_control/tokens/issue", self.control_issue)

    def configure(self, cfg):
        with self.app.lock:
            self.twitch.configure(cfg.get("twitch", {}))
            self.google.configure(cfg.get("google", {}))
            self.websub.configure(cfg.get("websub", {}))

    @staticmethod
    def _body(req):
        try:
            body = req.json()
            return body if isinstance(body, dict) else None
        except ValueError:
            return {} if not req.body else None

    def control_state(self, req):
        with self.app.lock:
            return json_response(200, {"base_url": self.app.base_url, "twitch": self.twitch.dump(),
                                       "google": self.google.dump(), "websub": self.websub.dump()})

    def control_reset(self, req):
        body = self._body(req)
        if body is None:
            return json_response(400, {"error": "JSON object body required"})
        with self.app.lock:
            self.twitch.reset()
            self.google.reset()
            self.websub.reset()
            self.app.requests.clear()
            self.app.deliveries.clear()
            self.configure(body)
        return json_response(200, {"ok": True})

    def control_config(self, req):
        body = self._body(req)
        if body is None:
            return json_response(400, {"error": "JSON object body required"})
        try:
            self.configure(body)
        except (KeyError, TypeError, ValueError) as exc:
            return json_response(400, {"error": "bad configuration: %r" % (exc,)})
        return json_response(200, {"ok": True})

    def control_requests(self, req):
        since = int(req.arg("since", "0"))
        return json_response(200, {"last_seq": self.app.requests.last_seq(),
                                   "requests": self.app.requests.list(since, req.arg("path_prefix"),
                                                                      req.arg("method"))})

    def control_clear_requests(self, req):
        self.app.requests.clear()
        return json_response(200, {"ok": True})

    def control_deliveries(self, req):
        since = int(req.arg("since", "0"))
        items = self.app.deliveries.list(since)
        kind = req.arg("kind")
        if kind:
            items = [d for d in items if d["kind"].startswith(kind)]
        return json_response(200, {"last_seq": self.app.deliveries.last_seq(), "deliveries": items})

    def control_expire(self, req):
        """{platform: twitch|google|all (default all), access_token?, refresh_token?, user_id? (twitch),
        channel_id? (google), app_only? (twitch), invalidate_refresh?} -> {expired: n}. No filter: every token."""
        body = self._body(req) or {}
        platform = body.get("platform", "all")
        n = 0
        with self.app.lock:
            if platform in ("twitch", "all"):
                n += self.twitch.expire_tokens(body)
            if platform in ("google", "youtube", "all"):
                n += self.google.expire_tokens(body)
        return json_response(200, {"expired": n})

    def control_issue(self, req):
        """Mint a token without the OAuth dance. twitch: {platform, client_id?, user_id? (absent: app token),
        scopes?, expires_in?}; google: {platform, client_id?, channel_id?, scopes?, expires_in?}."""
        body = self._body(req) or {}
        with self.app.lock:
            if body.get("platform") == "twitch":
                client_id = body.get("client_id") or next(iter(self.twitch.clients))
                out = self.twitch.issue_token(client_id, body.get("user_id"), body.get("scopes", []),
                                              body.get("expires_in"))
            elif body.get("platform") in ("google", "youtube"):
                client_id = body.get("client_id") or next(iter(self.google.clients))
                out = self.google.issue_token(client_id, body.get("channel_id") or self.google.settings["authorize_as"],
                                              body.get("scopes", ["https://www.googleapis.com/auth/youtube.readonly"]),
                                              body.get("expires_in"))
            else:
                return json_response(400, {"error": "platform must be twitch or google"})
        return json_response(200, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout's first line)")
    ap.add_argument("--config", help="JSON file applied like POST /_control/config")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = ap.parse_args(argv)

    fake = FakePlatforms(args.verbose)
    if args.config:
        with open(args.config, encoding="utf-8") as fh:
            fake.configure(json.load(fh))
    server = Server((args.host, args.port), fake.app)
    port = server.server_address[1]
    host = args.host if ":" not in args.host else "[%s]" % args.host
    fake.app.base_url = "http://%s:%d" % (host, port)
    sys.stdout.write(json.dumps({"port": port, "base_url": fake.app.base_url}) + "\n")
    sys.stdout.flush()

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
