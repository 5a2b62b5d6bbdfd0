"""Self-test of tools/fake-platforms (the local fake of Twitch and YouTube): starts it on port 0 and runs the OAuth
flows (Twitch code / refresh / client credentials / validate / revoke, Google code with PKCE S256), Helix users and
streams, EventSub subscriptions against a local receiver that checks signatures the way a real one must (HMAC over
id + timestamp + raw body, 10-minute window, message-id dedup, challenge echoed as text/plain), notifications of every
preset (good, forged, stale, duplicate), revocations, the WebSub hub (verification of intent, signed deliveries) and
YouTube live chat polling. Run by CTest as fake_platforms.selftest; Python 3 standard library only."""

import base64
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FAKE = os.path.join(ROOT, "tools", "fake-platforms", "fake_platforms.py")

TWITCH_SECRET = "receiver-eventsub-secret-0123"
YT = "https://www.googleapis.com/auth/"


def http_call(base, method, path, headers=None, body=None, form=None, js=None):
    """(status, headers dict lowercased, body text); never follows redirects."""
    headers = dict(headers or {})
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if js is not None:
        body = json.dumps(js)
        headers.setdefault("Content-Type", "application/json")
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def parse_rfc3339(ts):
    # Twitch sends nanoseconds; datetime takes microseconds.
    main, _, frac = ts.rstrip("Z").partition(".")
    dt = datetime.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp() + (float("0." + frac) if frac else 0.0)


class Receiver:
    """What onair's webhook endpoints must do, written independently of the fake's signing code."""

    def __init__(self):
        self.lock = threading.Lock()
        self.twitch_events = []      # (message type, parsed body, headers)
        self.seen_ids = set()
        self.rejected = []
        self.websub_topics = {}      # topic -> secret (topics we asked for)
        self.websub_verifications = []
        self.websub_deliveries = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, text="", ctype="text/plain"):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                path = urllib.parse.urlsplit(self.path).path
                if path == "/twitch":
                    return receiver.on_twitch(self, body, good_challenge=True)
                if path == "/twitch-wrong":
                    return receiver.on_twitch(self, body, good_challenge=False)
                if path == "/websub":
                    return receiver.on_websub_post(self, body)
                self.reply(404)

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                if parts.path == "/websub":
                    return receiver.on_websub_get(self, urllib.parse.parse_qs(parts.query))
                self.reply(404)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def on_twitch(self, h, body, good_challenge):
        msg_id = h.headers.get("Twitch-Eventsub-Message-Id")
        ts = h.headers.get("Twitch-Eventsub-Message-Timestamp")
        sig = h.headers.get("Twitch-Eventsub-Message-Signature")
        mtype = h.headers.get("Twitch-Eventsub-Message-Type")
        if not (msg_id and ts and sig and mtype):
            with self.lock:
                self.rejected.append("missing headers")
            return h.reply(400)
        expected = "sha256=" + hmac.new(TWITCH_SECRET.encode(), msg_id.encode() + ts.encode() + body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, sig):
            with self.lock:
                self.rejected.append("signature")
            return h.reply(403)
        if abs(time.time() - parse_rfc3339(ts)) > 600:
            with self.lock:
                self.rejected.append("stale")
            return h.reply(403)
        with self.lock:
            if msg_id in self.seen_ids:
                return h.reply(204)
            self.seen_ids.add(msg_id)
            payload = json.loads(body)
            self.twitch_events.append((mtype, payload, dict(h.headers)))
        if mtype == "webhook_callback_verification":
            return h.reply(200, payload["challenge"] if good_challenge else "not-the-challenge")
        return h.reply(200 if mtype == "notification" else 204)

    def on_websub_get(self, h, q):
        topic = q.get("hub.topic", [""])[0]
        with self.lock:
            self.websub_verifications.append({k: v[0] for k, v in q.items()})
            known = topic in self.websub_topics
        if not known:
            return h.reply(404)
        h.reply(200, q["hub.challenge"][0])

    def on_websub_post(self, h, body):
        sig = h.headers.get("X-Hub-Signature", "")
        topic = None
        link = h.headers.get("Link", "")
        for part in link.split(","):
            if "rel=self" in part:
                topic = part.split(";")[0].strip().strip("<>")
        with self.lock:
            secret = self.websub_topics.get(topic)
        algo, _, digest = sig.partition("=")
        if secret is None or algo != "sha1" or not hmac.compare_digest(
                hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(), digest):
            with self.lock:
                self.rejected.append("websub signature")
            return h.reply(403)
        with self.lock:
            self.websub_deliveries.append(body.decode())
        h.reply(204)


class FakePlatformsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        first = cls.proc.stdout.readline()
        info = json.loads(first)
        cls.port = info["port"]
        cls.base = "http://127.0.0.1:%d" % cls.port
        assert info["base_url"] == cls.base
        cls.rx = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()
        cls.proc.terminate()
        try:
            cls.proc.wait(10)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
        cls.proc.stdout.close()
        cls.proc.stderr.close()

    def setUp(self):
        self.call("POST", "/_control/reset", js={
            "twitch": {"clients": [{"client_id": "cid", "client_secret": "csecret",
                                    "redirect_uris": ["http://onair.test/stream-link.html"]}],
                       "users": [{"id": "500", "login": "streamer", "display_name": "Streamer"}],
                       "authorize_as": "500"},
            "google": {"clients": [{"client_id": "gcid", "client_secret": "gsecret",
                                    "redirect_uris": ["http://onair.test/stream-link.html"]}],
                       "channels": [{"id": "UCstreamer00000000000001", "title": "Streamer TV"}],
                       "authorize_as": "UCstreamer00000000000001", "polling_interval_ms": 1500}})
        with self.rx.lock:
            self.rx.twitch_events.clear()
            self.rx.rejected.clear()
            self.rx.websub_topics.clear()
            self.rx.websub_deliveries.clear()
            self.rx.websub_verifications.clear()

    # ------------------------------------------------------------------ helpers
    def call(self, method, path, **kw):
        status, headers, body = http_call(self.base, method, path, **kw)
        if headers.get("content-type", "").startswith("application/json") and body:
            return status, headers, json.loads(body)
        return status, headers, body

    def twitch_authorize(self, scopes, state="st-1", redirect_uri="http://onair.test/stream-link.html"):
        q = urllib.parse.urlencode({"client_id": "cid", "redirect_uri": redirect_uri, "response_type": "code",
                                    "scope": " ".join(scopes), "state": state})
        status, headers, _ = self.call("GET", "/oauth2/authorize?" + q)
        self.assertEqual(status, 302)
        loc = urllib.parse.urlsplit(headers["location"])
        return {k: v[0] for k, v in urllib.parse.parse_qs(loc.query).items()}, loc

    def twitch_user_token(self, scopes):
        q, _ = self.twitch_authorize(scopes)
        status, _, tok = self.call("POST", "/oauth2/token", form={
            "client_id": "cid", "client_secret": "csecret", "code": q["code"], "grant_type": "authorization_code",
            "redirect_uri": "http://onair.test/stream-link.html"})
        self.assertEqual(status, 200, tok)
        return tok

    def app_token(self):
        status, _, tok = self.call("POST", "/oauth2/token", form={
            "client_id": "cid", "client_secret": "csecret", "grant_type": "client_credentials"})
        self.assertEqual(status, 200)
        return tok["access_token"]

    def helix(self, method, path, token, client_id="cid", **kw):
        headers = {"Authorization": "Bearer " + token}
        if client_id:
            headers["Client-Id"] = client_id
        return self.call(method, path, headers=headers, **kw)

    def subscribe(self, token, stype, condition, version="1", callback=None):
        return self.helix("POST", "/helix/eventsub/subscriptions", token, js={
            "type": stype, "version": version, "condition": condition,
            "transport": {"method": "webhook", "callback": callback or self.rx.base + "/twitch",
                          "secret": TWITCH_SECRET}})

    def wait_status(self, sub_id, want, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            _, _, subs = self.call("GET", "/_control/twitch/subscriptions")
            status = next(s["status"] for s in subs["data"] if s["id"] == sub_id)
            if status == want:
                return
            time.sleep(0.05)
        self.fail("subscription %s never reached %s (last %s)" % (sub_id, want, status))

    def events(self, mtype="notification"):
        with self.rx.lock:
            return [(p, h) for t, p, h in self.rx.twitch_events if t == mtype]

    # ------------------------------------------------------------------ Twitch OAuth
    def test_twitch_authorization_code_flow(self):
        q, loc = self.twitch_authorize(["user:read:chat", "channel:read:subscriptions"], state="xyz")
        self.assertEqual(loc.netloc + loc.path, "onair.test/stream-link.html")
        self.assertEqual(q["state"], "xyz")
        self.assertEqual(q["scope"], "user:read:chat channel:read:subscriptions")
        form = {"client_id": "cid", "client_secret": "csecret", "code": q["code"],
                "grant_type": "authorization_code", "redirect_uri": "http://onair.test/stream-link.html"}
        status, _, bad = self.call("POST", "/oauth2/token", form=dict(form, client_secret="nope"))
        self.assertEqual((status, bad["message"]), (403, "invalid client secret"))
        status, _, bad = self.call("POST", "/oauth2/token", form=dict(form, redirect_uri="http://evil.test/"))
        self.assertEqual(status, 400)
        q, _ = self.twitch_authorize(["user:read:chat", "channel:read:subscriptions"])
        form["code"] = q["code"]
        status, _, tok = self.call("POST", "/oauth2/token", form=form)
        self.assertEqual(status, 200)
        self.assertEqual(set(tok), {"access_token", "refresh_token", "expires_in", "scope", "token_type"})
        self.assertEqual(tok["scope"], ["user:read:chat", "channel:read:subscriptions"])
        self.assertEqual(tok["token_type"], "bearer")
        status, _, again = self.call("POST", "/oauth2/token", form=form)
        self.assertEqual((status, again["message"]), (400, "Invalid authorization code"))

        status, _, v = self.call("GET", "/oauth2/validate", headers={"Authorization": "OAuth " + tok["access_token"]})
        self.assertEqual(status, 200)
        self.assertEqual((v["client_id"], v["login"], v["user_id"]), ("cid", "streamer", "500"))
        self.assertEqual(v["scopes"], ["user:read:chat", "channel:read:subscriptions"])
        self.assertGreater(v["expires_in"], 0)
        status, _, _ = self.call("GET", "/oauth2/validate", headers={"Authorization": "OAuth nope"})
        self.assertEqual(status, 401)

        status, _, _ = self.call("POST", "/oauth2/revoke", form={"client_id": "cid", "token": tok["access_token"]})
        self.assertEqual(status, 200)
        status, _, _ = self.call("GET", "/oauth2/validate", headers={"Authorization": "OAuth " + tok["access_token"]})
        self.assertEqual(status, 401)
        status, _, _ = self.call("POST", "/oauth2/revoke", form={"client_id": "cid", "token": tok["access_token"]})
        self.assertEqual(status, 400)

    def test_twitch_authorize_errors_and_deny(self):
        base = {"client_id": "cid", "redirect_uri": "http://onair.test/stream-link.html", "response_type": "code",
                "scope": "user:read:chat", "state": "s"}
        for change in ({"client_id": "unknown"}, {"redirect_uri": "http://evil.test/cb"}, {"response_type": "token"},
                       {"state": ""}):
            status, _, _ = self.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(dict(base, **change)))
            self.assertEqual(status, 400, change)
        status, headers, _ = self.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(
            dict(base, scope="user:read:chat not:a:scope")))
        self.assertEqual(status, 302)
        self.assertIn("error=invalid_scope", headers["location"])
        self.call("POST", "/_control/config", js={"twitch": {"force_deny": True}})
        status, headers, _ = self.call("GET", "/oauth2/authorize?" + urllib.parse.urlencode(base))
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query)
        self.assertEqual((status, q["error"], q["state"]), (302, ["access_denied"], ["s"]))
        self.assertNotIn("code", q)

    def test_twitch_refresh_on_401(self):
        tok = self.twitch_user_token(["user:read:chat"])
        status, _, _ = self.helix("GET", "/helix/users", tok["access_token"])
        self.assertEqual(status, 200)
        status, _, n = self.call("POST", "/_control/tokens/expire", js={"platform": "twitch", "user_id": "500"})
        self.assertGreaterEqual(n["expired"], 1)
        status, headers, err = self.helix("GET", "/helix/users", tok["access_token"])
        self.assertEqual((status, err["status"]), (401, 401))
        self.assertIn("www-authenticate", headers)
        status, _, fresh = self.call("POST", "/oauth2/token", form={
            "client_id": "cid", "client_secret": "csecret", "grant_type": "refresh_token",
            "refresh_token": tok["refresh_token"]})
        self.assertEqual(status, 200)
        self.assertNotEqual(fresh["access_token"], tok["access_token"])
        self.assertEqual(fresh["scope"], ["user:read:chat"])
        status, _, _ = self.helix("GET", "/helix/users", fresh["access_token"])
        self.assertEqual(status, 200)
        status, _, bad = self.call("POST", "/oauth2/token", form={
            "client_id": "cid", "client_secret": "csecret", "grant_type": "refresh_token", "refresh_token": "nope"})
        self.assertEqual((status, bad["message"]), (400, "Invalid refresh token"))
        # Rotation: a refresh token becomes single use.
        self.call("POST", "/_control/config", js={"twitch": {"rotate_refresh_tokens": True}})
        form = {"client_id": "cid", "client_secret": "csecret", "grant_type": "refresh_token",
                "refresh_token": fresh["refresh_token"]}
        status, _, rotated = self.call("POST", "/oauth2/token", form=form)
        self.assertEqual(status, 200)
        self.assertNotEqual(rotated["refresh_token"], fresh["refresh_token"])
        self.assertEqual(self.call("POST", "/oauth2/token", form=form)[0], 400)

    # ------------------------------------------------------------------ Helix
    def test_helix_users_and_streams(self):
        tok = self.twitch_user_token(["user:read:email"])["access_token"]
        app = self.app_token()
        status, _, users = self.helix("GET", "/helix/users", tok)
        self.assertEqual(status, 200)
        me = users["data"][0]
        self.assertEqual((me["id"], me["login"], me["display_name"]), ("500", "streamer", "Streamer"))
        self.assertIn("email", me)
        status, _, err = self.helix("GET", "/helix/users", app)
        self.assertEqual(status, 400)
        status, _, users = self.helix("GET", "/helix/users?login=streamer&id=90000001", app)
        self.assertEqual(sorted(u["id"] for u in users["data"]), ["500", "90000001"])
        self.assertNotIn("email", users["data"][0])
        self.assertEqual(self.helix("GET", "/helix/users", tok, client_id=None)[0], 401)
        self.assertEqual(self.helix("GET", "/helix/users", tok, client_id="other")[0], 401)
        self.assertEqual(self.call("GET", "/helix/users", headers={"Client-Id": "cid"})[0], 401)
        self.assertEqual(self.call("GET", "/helix/users", headers={"Client-Id": "cid",
                                                                   "Authorization": "OAuth " + tok})[0], 401)

        status, _, streams = self.helix("GET", "/helix/streams?user_id=500", app)
        self.assertEqual((status, streams["data"]), (200, []))
        self.call("POST", "/_control/twitch/stream", js={"user_id": "500", "live": True, "viewer_count": 321,
                                                          "title": "Speedrun"})
        status, _, streams = self.helix("GET", "/helix/streams?user_id=500", tok)
        s = streams["data"][0]
        self.assertEqual((s["user_id"], s["user_login"], s["type"], s["viewer_count"], s["title"]),
                         ("500", "streamer", "live", 321, "Speedrun"))
        self.assertTrue(s["started_at"].endswith("Z"))
        self.call("POST", "/_control/twitch/stream", js={"user_id": "500", "live": False})
        self.assertEqual(self.helix("GET", "/helix/streams?user_id=500", app)[2]["data"], [])

    # ------------------------------------------------------------------ EventSub
    def test_eventsub_verification_notifications_and_security(self):
        app = self.app_token()
        user_tok = self.twitch_user_token(["user:read:chat", "user:bot"])["access_token"]
        status, _, created = self.subscribe(app, "stream.online", {"broadcaster_user_id": "500"})
        self.assertEqual(status, 202, created)
        sub = created["data"][0]
        self.assertEqual(sub["status"], "webhook_callback_verification_pending")
        self.assertEqual(sub["transport"], {"method": "webhook", "callback": self.rx.base + "/twitch"})
        self.assertNotIn("secret", sub["transport"])
        self.assertEqual(created["max_total_cost"], 10000)
        self.wait_status(sub["id"], "enabled")
        (payload, headers), = self.events("webhook_callback_verification")
        self.assertEqual(headers["Twitch-Eventsub-Subscription-Type"], "stream.online")
        self.assertEqual(headers["Twitch-Eventsub-Subscription-Version"], "1")
        self.assertEqual(headers["Twitch-Eventsub-Message-Retry"], "0")
        self.assertEqual(payload["subscription"]["id"], sub["id"])

        self.assertEqual(self.subscribe(app, "stream.online", {"broadcaster_user_id": "500"})[0], 409)
        self.assertEqual(self.subscribe(user_tok, "stream.offline", {"broadcaster_user_id": "500"})[0], 400)
        self.assertEqual(self.subscribe(app, "stream.online", {"user_id": "500"})[0], 400)
        self.assertEqual(self.subscribe(app, "channel.follow", {"broadcaster_user_id": "500",
                                                                "moderator_user_id": "500"}, version="1")[0], 400)
        self.assertEqual(self.subscribe(app, "channel.cheer", {"broadcaster_user_id": "500"})[0], 403)
        status, _, chat = self.subscribe(app, "channel.chat.message", {"broadcaster_user_id": "500", "user_id": "500"})
        self.assertEqual(status, 202, chat)
        chat_id = chat["data"][0]["id"]
        self.wait_status(chat_id, "enabled")

        status, _, out = self.call("POST", "/_control/twitch/notify", js={
            "subscription_type": "channel.chat.message", "user": "90000002",
            "text": "gg @streamer Kappa Cheer100 nice",
            "badges": [{"set_id": "subscriber", "id": "12", "info": "16"}]})
        self.assertEqual(status, 200, out)
        self.assertEqual([s["status"] for s in out["sent"]], [200])
        (payload, headers), = self.events()
        ev = payload["event"]
        self.assertEqual(payload["subscription"]["type"], "channel.chat.message")
        self.assertEqual(payload["subscription"]["status"], "enabled")
        self.assertEqual((ev["chatter_user_id"], ev["chatter_user_login"], ev["chatter_user_name"]),
                         ("90000002", "viewer_two", "Viewer_Two"))
        self.assertEqual((ev["broadcaster_user_id"], ev["broadcaster_user_login"]), ("500", "streamer"))
        self.assertEqual(ev["message"]["text"], "gg @streamer Kappa Cheer100 nice")
        self.assertEqual([f["type"] for f in ev["message"]["fragments"]],
                         ["text", "mention", "text", "emote", "text", "cheermote", "text"])
        self.assertEqual(ev["message"]["fragments"][3]["emote"]["id"], "25")
        self.assertEqual(ev["cheer"], {"bits": 100})
        self.assertEqual(ev["badges"][0]["set_id"], "subscriber")
        self.assertEqual(ev["message_type"], "text")
        self.assertIn("message_id", ev)

        # Forged signature, stale timestamp, duplicate id: the receiver refuses or acknowledges without effect.
        _, _, out = self.call("POST", "/_control/twitch/notify", js={"subscription_type": "stream.online",
                                                                       "forge_signature": True})
        self.assertEqual(out["sent"][0]["status"], 403)
        _, _, out = self.call("POST", "/_control/twitch/notify", js={"subscription_type": "stream.online",
                                                                       "timestamp_offset_seconds": -700})
        self.assertEqual(out["sent"][0]["status"], 403)
        self.assertEqual(self.rx.rejected, ["signature", "stale"])
        self.assertEqual(len(self.events()), 1)
        _, _, out = self.call("POST", "/_control/twitch/notify", js={"subscription_type": "stream.online",
                                                                       "repeat": 2})
        self.assertEqual([s["status"] for s in out["sent"]], [200, 204])
        self.assertEqual(out["sent"][0]["message_id"], out["sent"][1]["message_id"])
        self.assertEqual([s["retry"] for s in out["sent"]], [0, 1])
        online = self.events()[-1][0]["event"]
        self.assertEqual((online["type"], online["broadcaster_user_id"]), ("live", "500"))
        # stream.online made Helix agree.
        self.assertEqual(self.helix("GET", "/helix/streams?user_id=500", app)[2]["data"][0]["id"], online["id"])

        # Revocation, then list and delete.
        _, _, out = self.call("POST", "/_control/twitch/revoke", js={"subscription_id": chat_id,
                                                                       "status": "authorization_revoked"})
        self.assertEqual(out["sent"][0]["status"], 204)
        (rev, rev_headers), = self.events("revocation")
        self.assertEqual(rev["subscription"]["status"], "authorization_revoked")
        self.assertNotIn("event", rev)
        _, _, listed = self.helix("GET", "/helix/eventsub/subscriptions", app)
        self.assertEqual({s["id"]: s["status"] for s in listed["data"]},
                         {sub["id"]: "enabled", chat_id: "authorization_revoked"})
        _, _, enabled = self.helix("GET", "/helix/eventsub/subscriptions?status=enabled", app)
        self.assertEqual([s["id"] for s in enabled["data"]], [sub["id"]])
        self.assertEqual(self.helix("DELETE", "/helix/eventsub/subscriptions?id=" + sub["id"], app)[0], 204)
        self.assertEqual(self.helix("DELETE", "/helix/eventsub/subscriptions?id=" + sub["id"], app)[0], 404)

    def test_eventsub_callback_that_fails_the_challenge(self):
        app = self.app_token()
        status, _, created = self.subscribe(app, "stream.offline", {"broadcaster_user_id": "500"},
                                            callback=self.rx.base + "/twitch-wrong")
        self.assertEqual(status, 202)
        self.wait_status(created["data"][0]["id"], "webhook_callback_verification_failed")
        status, _, out = self.call("POST", "/_control/twitch/notify", js={"subscription_type": "stream.offline"})
        self.assertEqual(status, 404)

    def test_every_notification_preset(self):
        self.call("POST", "/_control/config", js={"twitch": {"grants": [
            {"client_id": "cid", "user_id": "500", "scopes": ["channel:read:subscriptions", "bits:read",
                                                            "moderator:read:followers"]}]}})
        app = self.app_token()
        subs = [("stream.online", "1", {"broadcaster_user_id": "500"}),
                ("stream.offline", "1", {"broadcaster_user_id": "500"}),
                ("channel.subscribe", "1", {"broadcaster_user_id": "500"}),
                ("channel.subscription.message", "1", {"broadcaster_user_id": "500"}),
                ("channel.subscription.gift", "1", {"broadcaster_user_id": "500"}),
                ("channel.cheer", "1", {"broadcaster_user_id": "500"}),
                ("channel.raid", "1", {"to_broadcaster_user_id": "500"}),
                ("channel.follow", "2", {"broadcaster_user_id": "500", "moderator_user_id": "500"})]
        for stype, version, cond in subs:
            status, _, created = self.subscribe(app, stype, cond, version)
            self.assertEqual(status, 202, (stype, created))
            self.wait_status(created["data"][0]["id"], "enabled")
        expect = {
            "stream.online": {"broadcaster_user_id", "broadcaster_user_login", "broadcaster_user_name", "id", "type",
                              "started_at"},
            "stream.offline": {"broadcaster_user_id", "broadcaster_user_login", "broadcaster_user_name"},
            "channel.subscribe": {"user_id", "user_login", "user_name", "broadcaster_user_id", "tier", "is_gift"},
            "channel.subscription.message": {"user_id", "tier", "message", "cumulative_months", "streak_months",
                                             "duration_months"},
            "channel.subscription.gift": {"user_id", "total", "tier", "cumulative_total", "is_anonymous"},
            "channel.cheer": {"is_anonymous", "user_id", "user_login", "user_name", "message", "bits"},
            "channel.raid": {"from_broadcaster_user_id", "from_broadcaster_user_login", "from_broadcaster_user_name",
                             "to_broadcaster_user_id", "to_broadcaster_user_login", "to_broadcaster_user_name",
                             "viewers"},
            "channel.follow": {"user_id", "user_login", "user_name", "broadcaster_user_id", "followed_at"},
        }
        extra = {"channel.cheer": {"bits": 500}, "channel.raid": {"viewers": 77},
                 "channel.subscription.message": {"months": 14, "text": "14 months Kappa"}}
        for stype, keys in expect.items():
            status, _, out = self.call("POST", "/_control/twitch/notify",
                                       js=dict({"subscription_type": stype}, **extra.get(stype, {})))
            self.assertEqual((status, [s["status"] for s in out["sent"]]), (200, [200]), stype)
            payload, headers = self.events()[-1]
            self.assertEqual(headers["Twitch-Eventsub-Subscription-Type"], stype)
            self.assertTrue(keys <= set(payload["event"]), (stype, keys - set(payload["event"])))
        evs = {h["Twitch-Eventsub-Subscription-Type"]: p["event"] for p, h in self.events()}
        self.assertEqual(evs["channel.cheer"]["bits"], 500)
        self.assertEqual((evs["channel.raid"]["viewers"], evs["channel.raid"]["to_broadcaster_user_id"]), (77, "500"))
        self.assertEqual(evs["channel.subscription.message"]["cumulative_months"], 14)
        self.assertEqual(evs["channel.subscription.message"]["message"]["emotes"],
                         [{"begin": 10, "end": 14, "id": "25"}])
        # Overrides win over the preset.
        _, _, out = self.call("POST", "/_control/twitch/notify", js={"subscription_type": "channel.subscribe",
                                                                       "event": {"tier": "3000", "is_gift": True}})
        self.assertEqual((self.events()[-1][0]["event"]["tier"], self.events()[-1][0]["event"]["is_gift"]),
                         ("3000", True))

    # ------------------------------------------------------------------ Google / YouTube
    def google_authorize(self, challenge=None, method="S256", prompt="consent", access_type="offline"):
        params = {"client_id": "gcid", "redirect_uri": "http://onair.test/stream-link.html",
                  "response_type": "code", "scope": YT + "youtube.readonly", "state": "g-state",
                  "access_type": access_type}
        if prompt:
            params["prompt"] = prompt
        if challenge:
            params.update(code_challenge=challenge, code_challenge_method=method)
        status, headers, _ = self.call("GET", "/o/oauth2/v2/auth?" + urllib.parse.urlencode(params))
        self.assertEqual(status, 302)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query)
        self.assertEqual(q["state"], ["g-state"])
        return q["code"][0]

    def google_exchange(self, code, verifier=None, secret="gsecret"):
        form = {"code": code, "client_id": "gcid", "client_secret": secret,
                "redirect_uri": "http://onair.test/stream-link.html", "grant_type": "authorization_code"}
        if verifier is not None:
            form["code_verifier"] = verifier
        return self.call("POST", "/token", form=form)

    def test_google_pkce_refresh_and_revoke(self):
        verifier = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        status, _, err = self.google_exchange(self.google_authorize(challenge))
        self.assertEqual((status, err["error"], err["error_description"]), (400, "invalid_grant",
                                                                            "Missing code verifier."))
        status, _, err = self.google_exchange(self.google_authorize(challenge), "x" * 50)
        self.assertEqual((status, err["error_description"]), (400, "Invalid code verifier."))
        status, _, err = self.google_exchange(self.google_authorize(challenge), verifier, secret="bad")
        self.assertEqual((status, err["error"]), (401, "invalid_client"))
        code = self.google_authorize(challenge)
        status, _, tok = self.google_exchange(code, verifier)
        self.assertEqual(status, 200, tok)
        self.assertEqual(tok["token_type"], "Bearer")
        self.assertEqual(tok["scope"], YT + "youtube.readonly")
        self.assertIn("refresh_token", tok)
        self.assertEqual(self.google_exchange(code, verifier)[0], 400)  # single use

        # Without prompt=consent a second consent gives no new refresh token; access_type=online never does.
        v2 = "v" * 43
        _, _, again = self.google_exchange(self.google_authorize(v2, "plain", prompt=None), v2)
        self.assertNotIn("refresh_token", again)
        _, _, online = self.google_exchange(self.google_authorize(prompt="consent", access_type="online"))
        self.assertNotIn("refresh_token", online)

        status, _, ch = self.call("GET", "/youtube/v3/channels?part=snippet&mine=true",
                                  headers={"Authorization": "Bearer " + tok["access_token"]})
        self.assertEqual(status, 200)
        self.assertEqual(ch["kind"], "youtube#channelListResponse")
        self.assertEqual((ch["items"][0]["id"], ch["items"][0]["snippet"]["title"]),
                         ("UCstreamer00000000000001", "Streamer TV"))
        self.assertEqual(self.call("GET", "/youtube/v3/channels?mine=true",
                                   headers={"Authorization": "Bearer " + tok["access_token"]})[0], 400)

        self.call("POST", "/_control/tokens/expire", js={"platform": "google"})
        status, _, err = self.call("GET", "/youtube/v3/channels?part=snippet&mine=true",
                                   headers={"Authorization": "Bearer " + tok["access_token"]})
        self.assertEqual((status, err["error"]["errors"][0]["reason"]), (401, "authError"))
        status, _, fresh = self.call("POST", "/token", form={"client_id": "gcid", "client_secret": "gsecret",
                                                            "grant_type": "refresh_token",
                                                            "refresh_token": tok["refresh_token"]})
        self.assertEqual(status, 200)
        self.assertNotIn("refresh_token", fresh)
        self.assertEqual(self.call("GET", "/youtube/v3/channels?part=id&mine=true",
                                   headers={"Authorization": "Bearer " + fresh["access_token"]})[0], 200)
        self.assertEqual(self.call("POST", "/revoke", form={"token": tok["refresh_token"]})[0], 200)
        status, _, err = self.call("POST", "/token", form={"client_id": "gcid", "client_secret": "gsecret",
                                                          "grant_type": "refresh_token",
                                                          "refresh_token": tok["refresh_token"]})
        self.assertEqual((status, err["error"]), (400, "invalid_grant"))
        self.assertEqual(self.call("GET", "/youtube/v3/channels?part=id&mine=true",
                                   headers={"Authorization": "Bearer " + fresh["access_token"]})[0], 401)

    def test_google_authorize_errors_and_deny(self):
        base = {"client_id": "gcid", "redirect_uri": "http://onair.test/stream-link.html", "response_type": "code",
                "scope": YT + "youtube.readonly", "state": "s"}
        self.assertEqual(self.call("GET", "/o/oauth2/v2/auth?" + urllib.parse.urlencode(
            dict(base, client_id="nope")))[0], 401)
        self.assertEqual(self.call("GET", "/o/oauth2/v2/auth?" + urllib.parse.urlencode(
            dict(base, redirect_uri="http://evil.test/")))[0], 400)
        self.assertEqual(self.call("GET", "/o/oauth2/v2/auth?" + urllib.parse.urlencode(
            dict(base, code_challenge="short", code_challenge_method="S256")))[0], 400)
        self.call("POST", "/_control/config", js={"google": {"force_deny": True}})
        status, headers, _ = self.call("GET", "/o/oauth2/v2/auth?" + urllib.parse.urlencode(base))
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query)
        self.assertEqual((status, q["error"], q["state"]), (302, ["access_denied"], ["s"]))

    def test_youtube_live_and_chat_polling(self):
        _, _, tok = self.call("POST", "/_control/tokens/issue", js={"platform": "google"})
        auth = {"Authorization": "Bearer " + tok["access_token"]}
        status, _, b = self.call("GET", "/youtube/v3/liveBroadcasts?part=snippet,status&broadcastStatus=active",
                                 headers=auth)
        self.assertEqual((status, b["items"]), (200, []))
        _, _, live = self.call("POST", "/_control/youtube/live", js={"live": True, "title": "Live now",
                                                                      "concurrent_viewers": 1234})
        status, _, b = self.call("GET", "/youtube/v3/liveBroadcasts?part=snippet,status&broadcastStatus=active",
                                 headers=auth)
        item = b["items"][0]
        self.assertEqual((item["id"], item["snippet"]["liveChatId"], item["status"]["lifeCycleStatus"]),
                         (live["video_id"], live["live_chat_id"], "live"))
        self.assertEqual(self.call("GET", "/youtube/v3/liveBroadcasts?part=snippet&mine=true&broadcastStatus=active",
                                   headers=auth)[0], 400)
        _, _, v = self.call("GET", "/youtube/v3/videos?part=liveStreamingDetails,snippet&id=" + live["video_id"],
                            headers=auth)
        d = v["items"][0]["liveStreamingDetails"]
        self.assertEqual((d["activeLiveChatId"], d["concurrentViewers"]), (live["live_chat_id"], "1234"))
        self.assertEqual(v["items"][0]["snippet"]["liveBroadcastContent"], "live")

        self.call("POST", "/_control/youtube/chat", js={"messages": [
            {"text": "hello :)"},
            {"type": "superChatEvent", "text": "great stream", "amount_micros": 5000000, "currency": "USD",
             "author": {"channel_id": "UCfan000000000000000000A", "display_name": "Fan", "sponsor": True}},
            {"type": "newSponsorEvent", "member_level": "Gold"},
            {"type": "memberMilestoneChatEvent", "text": "a year!", "member_month": 12,
             "author": {"channel_id": "UCmod000000000000000000B", "display_name": "Mod", "moderator": True}}]})
        path = "/youtube/v3/liveChat/messages?part=snippet,authorDetails&liveChatId=" + live["live_chat_id"]
        status, _, page = self.call("GET", path, headers=auth)
        self.assertEqual(status, 200)
        self.assertEqual(page["kind"], "youtube#liveChatMessageListResponse")
        self.assertEqual(page["pollingIntervalMillis"], 1500)
        self.assertEqual([i["snippet"]["type"] for i in page["items"]],
                         ["textMessageEvent", "superChatEvent", "newSponsorEvent", "memberMilestoneChatEvent"])
        text, sc, _, ms = page["items"]
        self.assertEqual((text["snippet"]["displayMessage"], text["snippet"]["textMessageDetails"]["messageText"]),
                         ("hello :)", "hello :)"))
        self.assertEqual(sc["snippet"]["superChatDetails"]["amountMicros"], "5000000")
        self.assertEqual(sc["snippet"]["superChatDetails"]["amountDisplayString"], "$5.00")
        self.assertTrue(sc["authorDetails"]["isChatSponsor"])
        self.assertEqual(ms["snippet"]["memberMilestoneChatDetails"]["memberMonth"], 12)
        self.assertTrue(ms["authorDetails"]["isChatModerator"])
        self.assertEqual(set(text["authorDetails"]), {"channelId", "channelUrl", "displayName", "profileImageUrl",
                                                      "isVerified", "isChatOwner", "isChatSponsor",
                                                      "isChatModerator"})
        status, _, page2 = self.call("GET", path + "&pageToken=" + page["nextPageToken"], headers=auth)
        self.assertEqual((status, page2["items"]), (200, []))
        self.call("POST", "/_control/youtube/chat", js={"text": "second LUL"})
        _, _, page3 = self.call("GET", path + "&pageToken=" + page2["nextPageToken"], headers=auth)
        self.assertEqual([i["snippet"]["displayMessage"] for i in page3["items"]], ["second LUL"])
        self.assertNotIn("offlineAt", page3)

        self.call("POST", "/_control/youtube/live", js={"live": False})
        _, _, last = self.call("GET", path + "&pageToken=" + page3["nextPageToken"], headers=auth)
        self.assertIn("offlineAt", last)
        self.assertEqual([i["snippet"]["type"] for i in last["items"]], ["chatEndedEvent"])
        status, _, err = self.call("GET", path + "&pageToken=" + last["nextPageToken"], headers=auth)
        self.assertEqual((status, err["error"]["errors"][0]["reason"]), (403, "liveChatEnded"))
        _, _, v = self.call("GET", "/youtube/v3/videos?part=liveStreamingDetails&id=" + live["video_id"],
                            headers=auth)
        d = v["items"][0]["liveStreamingDetails"]
        self.assertIn("actualEndTime", d)
        self.assertNotIn("activeLiveChatId", d)
        status, _, err = self.call("GET", "/youtube/v3/liveChat/messages?part=snippet&liveChatId=nope", headers=auth)
        self.assertEqual((status, err["error"]["errors"][0]["reason"]), (404, "liveChatNotFound"))

    # ------------------------------------------------------------------ WebSub
    def test_websub_subscribe_verify_publish(self):
        topic = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCstreamer00000000000001"
        secret = "per-topic-secret-123"
        with self.rx.lock:
            self.rx.websub_topics[topic] = secret
        form = {"hub.callback": self.rx.base + "/websub", "hub.mode": "subscribe", "hub.topic": topic,
                "hub.secret": secret, "hub.lease_seconds": "3600", "hub.verify": "async"}
        status, _, _ = self.call("POST", "/", form=form)
        self.assertEqual(status, 202)
        deadline = time.time() + 10
        while time.time() < deadline:
            _, _, subs = self.call("GET", "/_control/websub/subscriptions")
            if subs["data"] and subs["data"][0]["active"]:
                break
            time.sleep(0.05)
        self.assertTrue(subs["data"][0]["active"], subs)
        v = self.rx.websub_verifications[0]
        self.assertEqual((v["hub.mode"], v["hub.topic"], v["hub.lease_seconds"]), ("subscribe", topic, "3600"))

        _, _, live = self.call("POST", "/_control/youtube/live", js={"live": True})
        _, _, out = self.call("POST", "/_control/websub/publish", js={"channel_id": "UCstreamer00000000000001"})
        self.assertEqual(out["sent"][0]["status"], 204, out)
        self.assertTrue(out["sent"][0]["signature"].startswith("sha1="))
        feed = self.rx.websub_deliveries[0]
        self.assertIn("<yt:videoId>%s</yt:videoId>" % live["video_id"], feed)
        self.assertIn("<yt:channelId>UCstreamer00000000000001</yt:channelId>", feed)
        _, _, out = self.call("POST", "/_control/websub/publish", js={"topic": topic, "forge_signature": True})
        self.assertEqual(out["sent"][0]["status"], 403)
        self.assertEqual(len(self.rx.websub_deliveries), 1)

        # A topic the subscriber never asked for fails verification of intent (sync mode answers at once).
        other = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCother0000000000000000X"
        status, _, body = self.call("POST", "/subscribe", form=dict(form, **{"hub.topic": other,
                                                                             "hub.verify": "sync"}))
        self.assertEqual(status, 409, body)
        self.assertEqual(self.call("POST", "/_control/websub/publish", js={"topic": other})[0], 404)
        self.assertEqual(self.call("POST", "/", form=dict(form, **{"hub.mode": "bogus"}))[0], 400)
        self.assertEqual(self.call("POST", "/", form=dict(form, **{"hub.callback": "not a url"}))[0], 400)

        status, _, _ = self.call("POST", "/", form={"hub.callback": self.rx.base + "/websub",
                                                    "hub.mode": "unsubscribe", "hub.topic": topic,
                                                    "hub.verify": "sync"})
        self.assertEqual(status, 204)
        self.assertEqual(self.rx.websub_verifications[-1]["hub.mode"], "unsubscribe")
        self.assertNotIn("hub.lease_seconds", self.rx.websub_verifications[-1])
        self.assertEqual(self.call("POST", "/_control/websub/publish", js={"topic": topic})[0], 404)

    # ------------------------------------------------------------------ control API
    def test_request_log_and_deliveries(self):
        tok = self.twitch_user_token(["user:read:chat"])["access_token"]
        _, _, log0 = self.call("GET", "/_control/requests")
        since = log0["last_seq"]
        self.helix("GET", "/helix/users?login=streamer", tok)
        _, _, log = self.call("GET", "/_control/requests?since=%d&path_prefix=/helix" % since)
        (entry,) = log["requests"]
        self.assertEqual((entry["method"], entry["path"], entry["query"], entry["status"]),
                         ("GET", "/helix/users", "login=streamer", 200))
        headers = {k.lower(): v for k, v in entry["headers"]}
        self.assertEqual((headers["client-id"], headers["authorization"]), ("cid", "Bearer " + tok))
        _, _, all_log = self.call("GET", "/_control/requests")
        self.assertFalse(any(e["path"].startswith("/_control") for e in all_log["requests"]))
        _, _, token_calls = self.call("GET", "/_control/requests?path_prefix=/oauth2/token")
        self.assertIn("client_secret=csecret", token_calls["requests"][0]["body"])
        _, _, state = self.call("GET", "/_control/state")
        self.assertEqual(state["base_url"], self.base)
        self.assertIn("500", [u["id"] for u in state["twitch"]["users"]])
        _, _, d = self.call("GET", "/_control/deliveries")
        self.assertEqual(d["deliveries"], [])


if __name__ == "__main__":
    unittest.main()
