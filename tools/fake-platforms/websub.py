"""Fake WebSub hub (what https://pubsubhubbub.appspot.com does for YouTube channel feeds).

Contracts followed:
  https://www.w3.org/TR/websub/  (5.1 subscriber sends subscription request, 5.3 hub verifies intent,
      7 content distribution, 8 authenticated content distribution: X-Hub-Signature)
  https://pubsubhubbub.github.io/PubSubHubbub/pubsubhubbub-core-0.4.html  (the protocol Google's hub implements;
      hub.verify=sync|async from 0.3 is accepted)
  https://developers.google.com/youtube/v3/guides/push_notifications  (topic URL and Atom payload for YouTube)

Subscribe: POST / (or /subscribe) with form fields hub.callback, hub.mode=subscribe|unsubscribe, hub.topic,
hub.lease_seconds, hub.secret -> 202, then a GET to the callback with hub.mode, hub.topic, hub.challenge
(and hub.lease_seconds for subscribe); the intent is verified when the callback answers 2xx with exactly the
challenge as its body. Deliveries carry X-Hub-Signature: sha1=HMAC-SHA1(hub.secret, body) like Google's hub.
"""

import time
import urllib.parse
from xml.sax.saxutils import escape

import signing
from core import json_response, text_response, Response, with_query

YOUTUBE_TOPIC = "https://www.youtube.com/xml/feeds/videos.xml?channel_id="

DEFAULT_SETTINGS = {
    "default_lease_seconds": 432000,  # Google's hub: 5 days when hub.lease_seconds is absent
    "max_lease_seconds": 828000,
    "verification_delay_ms": 0,
    "signature_algorithm": "sha1",
}


def feed_xml(channel_id, channel_title, video_id, title, published, updated, hub_url, deleted=False):
    topic = YOUTUBE_TOPIC + channel_id
    if deleted:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom">'
                '<at:deleted-entry ref="yt:video:%s" when="%s">'
                '<link href="https://www.youtube.com/watch?v=%s"/>'
                '<at:by><name>%s</name><uri>https://www.youtube.com/channel/%s</uri></at:by>'
                '</at:deleted-entry></feed>\n'
                % (escape(video_id), updated, escape(video_id), escape(channel_title), escape(channel_id)))
    return ('<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n'
            '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">\n'
            ' <link rel="hub" href="%s"/>\n'
            ' <link rel="self" href="%s"/>\n'
            ' <title>YouTube video feed</title>\n'
            ' <updated>%s</updated>\n'
            ' <entry>\n'
            '  <id>yt:video:%s</id>\n'
            '  <yt:videoId>%s</yt:videoId>\n'
            '  <yt:channelId>%s</yt:channelId>\n'
            '  <title>%s</title>\n'
            '  <link rel="alternate" href="https://www.youtube.com/watch?v=%s"/>\n'
            '  <author>\n'
            '   <name>%s</name>\n'
            '   <uri>https://www.youtube.com/channel/%s</uri>\n'
            '  </author>\n'
            '  <published>%s</published>\n'
            '  <updated>%s</updated>\n'
            ' </entry>\n'
            '</feed>\n'
            % (escape(hub_url, {'"': "&quot;"}), escape(topic, {'"': "&quot;"}), updated, escape(video_id),
               escape(video_id), escape(channel_id), escape(title), escape(video_id), escape(channel_title),
               escape(channel_id), published, updated))


class WebSub:
    def __init__(self, app, google):
        self.app = app
        self.google = google
        self.reset()

    def reset(self):
        self.settings = dict(DEFAULT_SETTINGS)
        self.subs = {}  # (callback, topic) -> {callback, topic, secret, lease_seconds, expires_at, state, ...}

    def configure(self, cfg):
        for k in DEFAULT_SETTINGS:
            if k in cfg:
                self.settings[k] = cfg[k]

    def _view(self, s):
        now = time.time()
        v = dict(s)
        v["active"] = s["state"] == "verified" and s["expires_at"] > now
        return v

    def dump(self):
        return {"settings": self.settings, "subscriptions": [self._view(s) for s in self.subs.values()]}

    def register(self, app):
        app.route("POST", "/", self.hub)
        app.route("POST", "/subscribe", self.hub)
        app.route("GET", "/_control/websub/subscriptions", self.control_list)
        app.route("POST", "/_control/websub/publish", self.control_publish)
        app.route("POST", "/_control/websub/expire", self.control_expire)

    def hub(self, req):
        if req.content_type() != "application/x-www-form-urlencoded":
            return text_response(400, "Invalid request: expected application/x-www-form-urlencoded\n")
        p = req.form()
        mode, topic, callback = p.get("hub.mode"), p.get("hub.topic"), p.get("hub.callback")
        if mode not in ("subscribe", "unsubscribe"):
            return text_response(400, "Invalid value for hub.mode: %s\n" % (mode or ""))
        for name, value in (("hub.callback", callback), ("hub.topic", topic)):
            parts = urllib.parse.urlsplit(value or "")
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
                return text_response(400, "Invalid parameter: %s\n" % name)
        secret = p.get("hub.secret")
        if secret is not None and len(secret.encode("utf-8")) >= 200:
            return text_response(400, "Invalid parameter: hub.secret (must be less than 200 bytes)\n")
        lease = p.get("hub.lease_seconds")
        if lease is not None and lease != "":
            try:
                lease = int(lease)
                if lease <= 0:
                    raise ValueError
            except ValueError:
                return text_response(400, "Invalid parameter: hub.lease_seconds\n")
        else:
            lease = self.settings["default_lease_seconds"]
        lease = min(lease, self.settings["max_lease_seconds"])
        verify = p.get("hub.verify", "async")
        if verify not in ("sync", "async"):
            return text_response(400, "Invalid value for hub.verify: %s\n" % verify)
        request = {"mode": mode, "callback": callback, "topic": topic, "secret": secret, "lease_seconds": lease,
                   "verify_token": p.get("hub.verify_token")}
        if verify == "sync":
            result = self.verify_intent(request)
            if result["verified"]:
                return Response(204, b"")
            return text_response(409, "Verification of intent failed: %s\n" % (result["reason"],))
        delay = self.settings["verification_delay_ms"] / 1000.0

        def later():
            if delay:
                time.sleep(delay)
            self.verify_intent(request)

        return Response(202, b"", after=later)

    def verify_intent(self, request):
        challenge = signing.challenge()
        params = [("hub.mode", request["mode"]), ("hub.topic", request["topic"]), ("hub.challenge", challenge)]
        if request["mode"] == "subscribe":
            params.append(("hub.lease_seconds", str(request["lease_seconds"])))
        if request.get("verify_token"):
            params.append(("hub.verify_token", request["verify_token"]))
        url = with_query(request["callback"], params)
        r = self.app.outgoing.send("websub.verify", "GET", url, [("User-Agent", "FakeHub/1 (WebSub)")], b"",
                                   {"topic": request["topic"], "mode": request["mode"]})
        ok = r["status"] is not None and 200 <= r["status"] < 300 and r["body"] == challenge
        reason = None if ok else (r["error"] or "status %s, body %r" % (r["status"], r["body"][:100]))
        key = (request["callback"], request["topic"])
        with self.app.lock:
            if ok and request["mode"] == "subscribe":
                self.subs[key] = {"callback": request["callback"], "topic": request["topic"],
                                  "secret": request["secret"], "lease_seconds": request["lease_seconds"],
                                  "expires_at": time.time() + request["lease_seconds"], "state": "verified",
                                  "verified_at": time.time()}
            elif ok:
                self.subs.pop(key, None)
            elif key not in self.subs:
                self.subs[key] = {"callback": request["callback"], "topic": request["topic"],
                                  "secret": request["secret"], "lease_seconds": request["lease_seconds"],
                                  "expires_at": 0, "state": "verification_failed", "reason": reason}
        return {"verified": ok, "reason": reason, "challenge": challenge, "status": r["status"], "url": url}

    # ------------------------------------------------------------------ control
    def control_list(self, req):
        with self.app.lock:
            return json_response(200, {"data": [self._view(s) for s in self.subs.values()]})

    def control_expire(self, req):
        try:
            body = req.json()
        except ValueError:
            body = {}
        n = 0
        with self.app.lock:
            for s in self.subs.values():
                if body.get("topic") and s["topic"] != body["topic"]:
                    continue
                if body.get("callback") and s["callback"] != body["callback"]:
                    continue
                s["expires_at"] = time.time() - 1
                n += 1
        return json_response(200, {"expired": n})

    def control_publish(self, req):
        """{channel_id? | topic?, video_id?, title?, deleted?, body?, content_type?, forge_signature?,
        omit_signature?, secret?, algorithm?} -> what was delivered to each active subscriber of the topic."""
        try:
            body = req.json()
        except ValueError:
            body = {}
        with self.app.lock:
            channel_id = body.get("channel_id") or self.google.settings["authorize_as"]
            topic = body.get("topic") or (YOUTUBE_TOPIC + channel_id)
            if topic.startswith(YOUTUBE_TOPIC):
                channel_id = urllib.parse.parse_qs(urllib.parse.urlsplit(topic).query).get("channel_id",
                                                                                           [channel_id])[0]
            vid = body.get("video_id")
            if not vid:
                live = next((v for v in self.google.videos.values() if v["channel_id"] == channel_id
                             and v.get("live") and v["live"]["status"] == "live"), None)
                vid = live["id"] if live else self.google._new_video(channel_id, body.get("title", "A new upload"))["id"]
            video = self.google.videos.get(vid, {"title": body.get("title", "A video"),
                                                 "published_at": signing.rfc3339()})
            ch = self.google.channels.get(channel_id, {"title": channel_id})
            now = signing.rfc3339(None, 9).replace("Z", "+00:00")
            payload = body.get("body")
            if payload is None:
                payload = feed_xml(channel_id, ch["title"], vid, body.get("title", video["title"]),
                                   video["published_at"].replace("Z", "+00:00"), now, self.app.base_url + "/",
                                   deleted=bool(body.get("deleted")))
            targets = [dict(s) for s in self.subs.values()
                       if s["topic"] == topic and s["state"] == "verified" and s["expires_at"] > time.time()]
            algorithm = body.get("algorithm", self.settings["signature_algorithm"])
        if not targets:
            return json_response(404, {"error": "no active subscription for topic", "topic": topic})
        data = payload.encode("utf-8")
        sent = []
        for s in targets:
            headers = [("Content-Type", body.get("content_type", "application/atom+xml")),
                       ("Link", '<%s/>; rel=hub, <%s>; rel=self' % (self.app.base_url, topic)),
                       ("User-Agent", "FakeHub/1 (WebSub)")]
            secret = body.get("secret") or s["secret"]
            signature = None
            if secret and not body.get("omit_signature"):
                signature = signing.websub_signature(secret, data, algorithm)
                if body.get("forge_signature"):
                    signature = signing.forge(signature)
                headers.append(("X-Hub-Signature", signature))
            r = self.app.outgoing.send("websub.publish", "POST", s["callback"], headers, data, {"topic": topic})
            sent.append({"callback": s["callback"], "topic": topic, "video_id": vid, "signature": signature,
                         "body": payload, "status": r["status"], "response_body": r["body"], "error": r["error"]})
        return json_response(200, {"sent": sent})
