"""Fake Google OAuth 2.0 (accounts.google.com, oauth2.googleapis.com) and the YouTube Data API v3 calls onair makes
(www.googleapis.com/youtube/v3: channels, liveBroadcasts, videos, liveChat/messages).

Contracts followed:
  https://developers.google.com/identity/protocols/oauth2/web-server  (authorization code flow, access_type=offline,
      prompt=consent, refresh, revoke, error responses)   RFC 7636 (PKCE: S256 and plain)
  https://developers.google.com/youtube/v3/docs/channels/list
  https://developers.google.com/youtube/v3/live/docs/liveBroadcasts/list   (exactly one of broadcastStatus, id, mine)
  https://developers.google.com/youtube/v3/docs/videos/list  (liveStreamingDetails)
  https://developers.google.com/youtube/v3/live/docs/liveChatMessages/list  and .../liveChatMessages#resource
  https://developers.google.com/youtube/v3/docs/errors  (error envelope)
"""

import base64
import hashlib
import time

import signing
from core import json_response, redirect, text_response, with_query

YT = "https://www.googleapis.com/auth/"
YT_READ_SCOPES = {YT + "youtube", YT + "youtube.readonly", YT + "youtube.force-ssl"}
OTHER_SCOPES = {"openid", "email", "profile", YT + "userinfo.email", YT + "userinfo.profile"}

DEFAULT_CLIENT = {"client_id": "fake-google-client-id.apps.googleusercontent.com",
                  "client_secret": "fake-google-client-secret", "redirect_uris": []}
DEFAULT_CHANNELS = [
    {"id": "UC_x5XG1OV2P6uZZ5FSM9Ttw", "title": "Google for Developers", "description": "Fake channel",
     "customUrl": "@googledevelopers", "publishedAt": "2007-08-23T00:34:43Z", "country": "US"},
]
DEFAULT_AUTHOR = {"channel_id": "UCviewer0000000000000001", "display_name": "Viewer One"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3", "JPY": "\u00a5", "CAD": "CA$", "AUD": "A$"}

DEFAULT_SETTINGS = {
    "authorize_as": "UC_x5XG1OV2P6uZZ5FSM9Ttw",  # the channel whose owner approves the consent screen
    "force_deny": False,
    "token_lifetime_seconds": 3599,
    "code_lifetime_seconds": 600,
    "polling_interval_ms": 2000,               # pollingIntervalMillis in liveChat/messages answers
    "api_keys": ["fake-google-api-key"],       # accepted as ?key= on videos.list and liveChat/messages
    "require_state": True,                     # fake strictness: refuse an authorize request without state
}


def _yt_error(code, reason, message, status=None, location=None, location_type=None, domain="youtube.api"):
    err = {"message": message, "domain": domain, "reason": reason}
    if location:
        err["location"] = location
        err["locationType"] = location_type
    body = {"error": {"code": code, "message": message, "errors": [err]}}
    if status:
        body["error"]["status"] = status
    headers = []
    if code == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="invalid_token"'))
    return json_response(code, body, headers)


def _oauth_error(status, error, description):
    return json_response(status, {"error": error, "error_description": description})


def _error_page(status, error, detail):
    html = "<html><body><h1>Error %d: %s</h1><p>%s</p></body></html>" % (status, error, detail)
    return text_response(status, html, "text/html; charset=utf-8")


def _etag(*parts):
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:27]


def _page_token(n):
    return base64.urlsafe_b64encode(("p:%d" % n).encode()).decode().rstrip("=")


def _page_index(token):
    try:
        text = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode()
        if not text.startswith("p:"):
            return None
        return int(text[2:])
    except Exception:
        return None


class Google:
    def __init__(self, app):
        self.app = app
        self.reset()

    def reset(self):
        self.settings = dict(DEFAULT_SETTINGS)
        self.settings["api_keys"] = list(DEFAULT_SETTINGS["api_keys"])
        self.clients = {DEFAULT_CLIENT["client_id"]: dict(DEFAULT_CLIENT)}
        self.channels = {c["id"]: dict(c) for c in DEFAULT_CHANNELS}
        self.codes = {}
        self.tokens = {}          # access token -> {client_id, channel_id, scopes, expires_at, refresh_token}
        self.refresh_tokens = {}  # refresh token -> {client_id, channel_id, scopes}
        self.offline_granted = set()  # (client_id, channel_id) that already got a refresh token
        self.videos = {}          # video id -> video record (live broadcasts and plain uploads)
        self.chats = {}           # live chat id -> {video_id, messages: [...], offline_reported}

    def configure(self, cfg):
        for c in cfg.get("clients", []):
            self.clients[c["client_id"]] = {"client_id": c["client_id"], "client_secret": c.get("client_secret", ""),
                                            "redirect_uris": list(c.get("redirect_uris", []))}
        if cfg.get("replace_channels"):
            self.channels = {}
        for ch in cfg.get("channels", []):
            rec = dict(self.channels.get(ch["id"], {"description": "", "customUrl": "", "country": "US",
                                                    "publishedAt": "2020-01-01T00:00:00Z"}), **ch)
            rec.setdefault("title", ch["id"])
            self.channels[ch["id"]] = rec
        for k in DEFAULT_SETTINGS:
            if k in cfg:
                self.settings[k] = cfg[k]

    def dump(self):
        now = time.time()
        return {"settings": self.settings, "clients": list(self.clients.values()),
                "channels": list(self.channels.values()),
                "tokens": [dict(t, access_token=k, expired=t["expires_at"] <= now) for k, t in self.tokens.items()],
                "refresh_tokens": [dict(t, refresh_token=k) for k, t in self.refresh_tokens.items()],
                "videos": list(self.videos.values()),
                "chats": [{"live_chat_id": k, "video_id": c["video_id"], "messages": len(c["messages"]),
                           "offline_reported": c["offline_reported"]} for k, c in self.chats.items()]}

    def register(self, app):
        app.route("GET", "/o/oauth2/v2/auth", self.authorize)
        app.route("POST", "/token", self.token)
        app.route("POST", "/revoke", self.revoke)
        app.route("GET", "/youtube/v3/channels", self.channels_list)
        app.route("GET", "/youtube/v3/liveBroadcasts", self.broadcasts_list)
        app.route("GET", "/youtube/v3/videos", self.videos_list)
        app.route("GET", "/youtube/v3/liveChat/messages", self.chat_list)
        app.route("POST", "/_control/youtube/live", self.control_live)
        app.route("POST", "/_control/youtube/chat", self.control_chat)
        app.route("POST", "/_control/youtube/video", self.control_video)

    # ------------------------------------------------------------------ OAuth
    def authorize(self, req):
        a = req.arg
        with self.app.lock:
            client = self.clients.get(a("client_id") or "")
            if client is None:
                return _error_page(401, "invalid_client", "The OAuth client was not found.")
            redirect_uri = a("redirect_uri")
            if not redirect_uri:
                return _error_page(400, "invalid_request", "Missing required parameter: redirect_uri")
            if client["redirect_uris"] and redirect_uri not in client["redirect_uris"]:
                return _error_page(400, "redirect_uri_mismatch",
                                   "The redirect URI in the request, %s, does not match the ones authorized for the "
                                   "OAuth client." % redirect_uri)
            state = a("state")
            if a("response_type") != "code":
                return redirect(with_query(redirect_uri, [("error", "unsupported_response_type"), ("state", state)]))
            scope = a("scope")
            if not scope:
                return _error_page(400, "invalid_request", "Missing required parameter: scope")
            scopes = [s for s in scope.split(" ") if s]
            bad = [s for s in scopes if s not in OTHER_SCOPES and not s.startswith(YT)]
            if bad:
                return _error_page(400, "invalid_scope", "Some requested scopes were invalid: " + " ".join(bad))
            if self.settings["require_state"] and not state:
                return _error_page(400, "invalid_request", "Missing state (the fake requires it)")
            challenge, method = a("code_challenge"), a("code_challenge_method")
            if challenge is not None:
                method = method or "plain"
                if method not in ("S256", "plain"):
                    return _error_page(400, "invalid_request", "Invalid code_challenge_method value.")
                if not signing.PKCE_VERIFIER_RE.match(challenge):
                    return _error_page(400, "invalid_request", "Invalid code_challenge value.")
            elif method is not None:
                return _error_page(400, "invalid_request", "Missing code_challenge.")
            access_type = a("access_type", "online")
            if access_type not in ("online", "offline"):
                return _error_page(400, "invalid_request", "Invalid access_type: " + access_type)
            if self.settings["force_deny"]:
                return redirect(with_query(redirect_uri, [("error", "access_denied"), ("state", state)]))
            channel = self.settings["authorize_as"]
            if channel not in self.channels:
                return _error_page(400, "fake_misconfigured", "no channel %r to authorize as" % channel)
            prompt = (a("prompt") or "").split(" ")
            # A refresh token comes with access_type=offline, the first time the user consents to this client or
            # whenever prompt=consent forces the consent screen again.
            with_refresh = access_type == "offline" and (
                "consent" in prompt or (client["client_id"], channel) not in self.offline_granted)
            code = signing.google_code()
            self.codes[code] = {"client_id": client["client_id"], "channel_id": channel, "redirect_uri": redirect_uri,
                                "scopes": scopes, "challenge": challenge, "method": method,
                                "with_refresh": with_refresh,
                                "expires_at": time.time() + self.settings["code_lifetime_seconds"]}
        return redirect(with_query(redirect_uri, [("state", state), ("code", code), ("scope", " ".join(scopes))]))

    def _client_auth(self, req, p):
        client_id, secret = p.get("client_id"), p.get("client_secret")
        auth = req.header("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                raw = base64.b64decode(auth[6:].strip()).decode()
                client_id, secret = raw.split(":", 1)
            except Exception:
                return None, _oauth_error(401, "invalid_client", "Unauthorized")
        client = self.clients.get(client_id or "")
        if client is None:
            return None, _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if secret != client["client_secret"]:
            return None, _oauth_error(401, "invalid_client", "Unauthorized")
        return client, None

    def _issue(self, client_id, channel_id, scopes, refresh_token=None, new_refresh=False):
        access = signing.google_access_token()
        self.tokens[access] = {"client_id": client_id, "channel_id": channel_id, "scopes": list(scopes),
                               "expires_at": time.time() + self.settings["token_lifetime_seconds"],
                               "refresh_token": refresh_token}
        out = {"access_token": access, "expires_in": int(self.settings["token_lifetime_seconds"]),
               "scope": " ".join(scopes), "token_type": "Bearer"}
        if new_refresh:
            rt = signing.google_refresh_token()
            self.refresh_tokens[rt] = {"client_id": client_id, "channel_id": channel_id, "scopes": list(scopes)}
            self.tokens[access]["refresh_token"] = rt
            out["refresh_token"] = rt
        return out

    def issue_token(self, client_id, channel_id, scopes, expires_in=None, with_refresh=True):
        out = self._issue(client_id, channel_id, scopes, new_refresh=with_refresh)
        if expires_in is not None:
            self.tokens[out["access_token"]]["expires_at"] = time.time() + expires_in
            out["expires_in"] = int(expires_in)
        return out

    def token(self, req):
        if req.content_type() != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        p = req.form()
        with self.app.lock:
            grant = p.get("grant_type")
            if grant not in ("authorization_code", "refresh_token"):
                return _oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + (grant or ""))
            client, err = self._client_auth(req, p)
            if err:
                return err
            if grant == "authorization_code":
                if not p.get("code"):
                    return _oauth_error(400, "invalid_request", "Missing required parameter: code")
                code = self.codes.pop(p["code"], None)
                if code is None or code["client_id"] != client["client_id"] or code["expires_at"] < time.time():
                    return _oauth_error(400, "invalid_grant", "Bad Request")
                if p.get("redirect_uri") != code["redirect_uri"]:
                    return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
                if code["challenge"] is not None:
                    verifier = p.get("code_verifier")
                    if not verifier:
                        return _oauth_error(400, "invalid_grant", "Missing code verifier.")
                    if not signing.pkce_matches(code["challenge"], code["method"], verifier):
                        return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
                if code["with_refresh"]:
                    self.offline_granted.add((client["client_id"], code["channel_id"]))
                return json_response(200, self._issue(client["client_id"], code["channel_id"], code["scopes"],
                                                      new_refresh=code["with_refresh"]))
            rt = p.get("refresh_token")
            if not rt:
                return _oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
            rec = self.refresh_tokens.get(rt)
            if rec is None or rec["client_id"] != client["client_id"]:
                return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            return json_response(200, self._issue(client["client_id"], rec["channel_id"], rec["scopes"], rt))

    def revoke(self, req):
        p = req.form()
        token = p.get("token") or req.arg("token")
        with self.app.lock:
            if not token:
                return _oauth_error(400, "invalid_request", "Missing required parameter: token")
            if token in self.refresh_tokens:
                rt = token
            elif token in self.tokens:
                rt = self.tokens[token]["refresh_token"]
                del self.tokens[token]
            else:
                return _oauth_error(400, "invalid_token", "Token expired or revoked")
            # Revoking either token of a grant revokes the refresh token and every access token minted from it.
            if rt:
                rec = self.refresh_tokens.pop(rt, None)
                for t in [t for t, r in self.tokens.items() if r["refresh_token"] == rt]:
                    del self.tokens[t]
                if rec:
                    self.offline_granted.discard((rec["client_id"], rec["channel_id"]))
        return json_response(200, {})

    # ------------------------------------------------------------------ YouTube Data API
    def _auth(self, req, allow_key=False, need_oauth=True):
        """(token record or {} for an API key, None) or (None, error response)."""
        auth = req.header("Authorization") or ""
        if auth.lower().startswith("bearer "):
            rec = self.tokens.get(auth[7:].strip())
            if rec is None or rec["expires_at"] <= time.time():
                return None, _yt_error(401, "authError", "Request had invalid authentication credentials. Expected "
                                       "OAuth 2 access token, login cookie or other valid authentication credential.",
                                       "UNAUTHENTICATED", "Authorization", "header", "global")
            if not (set(rec["scopes"]) & YT_READ_SCOPES):
                return None, _yt_error(403, "insufficientPermissions", "Request had insufficient authentication "
                                       "scopes.", "PERMISSION_DENIED", domain="global")
            return rec, None
        key = req.arg("key")
        if allow_key and key is not None:
            if key in self.settings["api_keys"]:
                return {}, None
            return None, _yt_error(400, "badRequest", "API key not valid. Please pass a valid API key.",
                                   "INVALID_ARGUMENT", domain="global")
        if need_oauth and not allow_key:
            return None, _yt_error(401, "required", "Request is missing required authentication credential. Expected "
                                   "OAuth 2 access token, login cookie or other valid authentication credential.",
                                   "UNAUTHENTICATED", "Authorization", "header", "global")
        return None, _yt_error(403, "forbidden", "The request is missing a valid API key.", "PERMISSION_DENIED",
                               domain="global")

    @staticmethod
    def _parts(req, allowed):
        part = req.arg("part")
        if not part:
            return None, _yt_error(400, "required", "Required parameter: part", None, "part", "parameter", "global")
        parts = [p.strip() for p in part.split(",") if p.strip()]
        bad = [p for p in parts if p not in allowed]
        if bad:
            return None, _yt_error(400, "unknownPart", "'%s'" % bad[0], None, "part", "parameter")
        return set(parts), None

    def _channel_resource(self, ch, parts):
        item = {"kind": "youtube#channel", "etag": _etag(ch), "id": ch["id"]}
        if "snippet" in parts:
            item["snippet"] = {"title": ch["title"], "description": ch.get("description", ""),
                               "customUrl": ch.get("customUrl", ""), "publishedAt": ch.get("publishedAt"),
                               "thumbnails": {"default": {"url": "https://yt3.ggpht.example/%s=s88" % ch["id"],
                                                          "width": 88, "height": 88}},
                               "localized": {"title": ch["title"], "description": ch.get("description", "")},
                               "country": ch.get("country", "US")}
        if "contentDetails" in parts:
            item["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": "UU" + ch["id"][2:]}}
        if "statistics" in parts:
            item["statistics"] = {"viewCount": str(ch.get("viewCount", 0)),
                                  "subscriberCount": str(ch.get("subscriberCount", 0)),
                                  "hiddenSubscriberCount": False, "videoCount": str(ch.get("videoCount", 0))}
        return item

    def channels_list(self, req):
        with self.app.lock:
            parts, err = self._parts(req, {"id", "snippet", "contentDetails", "statistics", "brandingSettings",
                                           "status", "topicDetails", "localizations", "auditDetails",
                                           "contentOwnerDetails"})
            if err:
                return err
            filters = [f for f in ("mine", "id", "forHandle", "forUsername", "managedByMe") if req.arg(f) is not None]
            if len(filters) != 1:
                return _yt_error(400, "incompatibleParameters" if filters else "missingRequiredParameter",
                                 "Exactly one of mine, id, forHandle, forUsername or managedByMe must be given.")
            if req.arg("mine") is not None:
                rec, err = self._auth(req)
                if err:
                    return err
                if req.arg("mine") != "true":
                    chans = []
                else:
                    chans = [self.channels[rec["channel_id"]]] if rec["channel_id"] in self.channels else []
            else:
                rec, err = self._auth(req, allow_key=True)
                if err:
                    return err
                if req.arg("id") is not None:
                    ids = req.arg("id").split(",")
                    chans = [self.channels[i] for i in ids if i in self.channels]
                elif req.arg("forHandle") is not None:
                    h = req.arg("forHandle").lstrip("@").lower()
                    chans = [c for c in self.channels.values() if c.get("customUrl", "").lstrip("@").lower() == h]
                else:
                    chans = []
            items = [self._channel_resource(c, parts) for c in chans]
            return json_response(200, {"kind": "youtube#channelListResponse", "etag": _etag(items),
                                       "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                                       "items": items})

    def _broadcast_resource(self, v, parts):
        live = v["live"]
        item = {"kind": "youtube#liveBroadcast", "etag": _etag(v["id"], live["status"]), "id": v["id"]}
        if "snippet" in parts:
            sn = {"publishedAt": v["published_at"], "channelId": v["channel_id"], "title": v["title"],
                  "description": v.get("description", ""),
                  "thumbnails": {"default": {"url": "https://i.ytimg.com/vi/%s/default_live.jpg" % v["id"],
                                             "width": 120, "height": 90}},
                  "scheduledStartTime": live["scheduled_start"], "isDefaultBroadcast": live["type"] == "persistent",
                  "liveChatId": live["live_chat_id"]}
            if live.get("actual_start"):
                sn["actualStartTime"] = live["actual_start"]
            if live.get("actual_end"):
                sn["actualEndTime"] = live["actual_end"]
            item["snippet"] = sn
        if "status" in parts:
            item["status"] = {"lifeCycleStatus": live["status"], "privacyStatus": v.get("privacy", "public"),
                              "recordingStatus": "recording" if live["status"] == "live" else
                              ("recorded" if live["status"] == "complete" else "notRecording"),
                              "madeForKids": False, "selfDeclaredMadeForKids": False}
        if "contentDetails" in parts:
            item["contentDetails"] = {"boundStreamId": "fake-stream-" + v["id"], "enableAutoStart": True,
                                      "enableAutoStop": True, "enableDvr": True, "recordFromStart": True,
                                      "enableEmbed": True, "enableClosedCaptions": False, "startWithSlate": False,
                                      "latencyPreference": "normal", "projection": "rectangular",
                                      "monitorStream": {"enableMonitorStream": False}}
        if "statistics" in parts:
            chat = self.chats.get(live["live_chat_id"], {"messages": []})
            item["statistics"] = {"totalChatCount": str(len(chat["messages"]))}
        return item

    def broadcasts_list(self, req):
        with self.app.lock:
            parts, err = self._parts(req, {"id", "snippet", "contentDetails", "status", "statistics",
                                           "monetizationDetails"})
            if err:
                return err
            filters = [f for f in ("broadcastStatus", "id", "mine") if req.arg(f) is not None]
            if len(filters) != 1:
                # liveBroadcasts.list: "Filters (specify exactly one of the following parameters)".
                return _yt_error(400, "incompatibleParameters" if filters else "missingRequiredParameter",
                                 "Specify exactly one of the broadcastStatus, id or mine parameters (got %s)."
                                 % (", ".join(filters) or "none"))
            rec, err = self._auth(req)
            if err:
                return err
            btype = req.arg("broadcastType", "event")
            if btype not in ("all", "event", "persistent"):
                return _yt_error(400, "invalidValue", "Invalid value for broadcastType: " + btype)
            status = req.arg("broadcastStatus")
            if status is not None and status not in ("active", "all", "completed", "upcoming"):
                return _yt_error(400, "invalidValue", "Invalid value for broadcastStatus: " + status)
            ids = req.arg("id").split(",") if req.arg("id") is not None else None
            out = []
            for v in self.videos.values():
                live = v.get("live")
                if live is None or v["channel_id"] != rec["channel_id"]:
                    continue
                if ids is not None and v["id"] not in ids:
                    continue
                if ids is None and btype != "all" and live["type"] != btype:
                    continue
                if status == "active" and live["status"] != "live":
                    continue
                if status == "completed" and live["status"] != "complete":
                    continue
                if status == "upcoming" and live["status"] not in ("created", "ready", "upcoming"):
                    continue
                out.append(self._broadcast_resource(v, parts))
            return json_response(200, {"kind": "youtube#liveBroadcastListResponse", "etag": _etag(out),
                                       "pageInfo": {"totalResults": len(out), "resultsPerPage": 5}, "items": out})

    def _video_resource(self, v, parts):
        item = {"kind": "youtube#video", "etag": _etag(v["id"], v.get("live")), "id": v["id"]}
        live = v.get("live")
        if "snippet" in parts:
            ch = self.channels.get(v["channel_id"], {"title": v["channel_id"]})
            item["snippet"] = {"publishedAt": v["published_at"], "channelId": v["channel_id"], "title": v["title"],
                               "description": v.get("description", ""),
                               "thumbnails": {"default": {"url": "https://i.ytimg.com/vi/%s/default.jpg" % v["id"],
                                                          "width": 120, "height": 90}},
                               "channelTitle": ch["title"], "categoryId": "20",
                               "liveBroadcastContent": ("live" if live and live["status"] == "live" else
                                                        "upcoming" if live and live["status"] in ("created", "ready",
                                                                                                 "upcoming")
                                                        else "none")}
        if "liveStreamingDetails" in parts and live is not None:
            d = {"scheduledStartTime": live["scheduled_start"]}
            if live.get("actual_start"):
                d["actualStartTime"] = live["actual_start"]
            if live.get("actual_end"):
                d["actualEndTime"] = live["actual_end"]
            if live["status"] == "live":
                d["concurrentViewers"] = str(int(live.get("concurrent_viewers", 0)))
                if live.get("chat_enabled", True):
                    d["activeLiveChatId"] = live["live_chat_id"]
            item["liveStreamingDetails"] = d
        if "status" in parts:
            item["status"] = {"uploadStatus": "processed", "privacyStatus": v.get("privacy", "public"),
                              "license": "youtube", "embeddable": True, "publicStatsViewable": True,
                              "madeForKids": False}
        if "statistics" in parts:
            item["statistics"] = {"viewCount": str(v.get("view_count", 0)), "likeCount": "0",
                                  "favoriteCount": "0", "commentCount": "0"}
        return item

    def videos_list(self, req):
        with self.app.lock:
            parts, err = self._parts(req, {"id", "snippet", "contentDetails", "liveStreamingDetails", "status",
                                           "statistics", "player", "topicDetails", "recordingDetails",
                                           "localizations", "fileDetails", "processingDetails", "suggestions"})
            if err:
                return err
            if req.arg("id") is None and req.arg("chart") is None and req.arg("myRating") is None:
                return _yt_error(400, "missingRequiredParameter", "No filter selected. Expected one of: id, chart, "
                                 "myRating")
            rec, err = self._auth(req, allow_key=True)
            if err:
                return err
            ids = (req.arg("id") or "").split(",")
            items = [self._video_resource(self.videos[i], parts) for i in ids if i in self.videos]
            return json_response(200, {"kind": "youtube#videoListResponse", "etag": _etag(items),
                                       "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                                       "items": items})

    def _chat_item(self, m, parts):
        item = {"kind": "youtube#liveChatMessage", "etag": _etag(m["id"]), "id": m["id"]}
        if "snippet" in parts:
            item["snippet"] = m["snippet"]
        if "authorDetails" in parts:
            item["authorDetails"] = m["authorDetails"]
        return item

    def chat_list(self, req):
        with self.app.lock:
            chat_id = req.arg("liveChatId")
            if not chat_id:
                return _yt_error(400, "required", "Required parameter: liveChatId", None, "liveChatId", "parameter",
                                 "global")
            parts, err = self._parts(req, {"id", "snippet", "authorDetails"})
            if err:
                return err
            rec, err = self._auth(req, allow_key=True)
            if err:
                return err
            try:
                max_results = int(req.arg("maxResults", "500"))
            except ValueError:
                return _yt_error(400, "invalidValue", "Invalid value for maxResults")
            if not 200 <= max_results <= 2000:
                return _yt_error(400, "invalidValue", "maxResults must be between 200 and 2000")
            chat = self.chats.get(chat_id)
            if chat is None:
                return _yt_error(404, "liveChatNotFound", "The live chat that you are trying to retrieve cannot be "
                                 "found. Check the value of the requests liveChatId parameter to ensure that it is "
                                 "correct.", domain="youtube.liveChat")
            video = self.videos[chat["video_id"]]
            live = video["live"]
            if live["status"] == "complete" and chat["offline_reported"]:
                return _yt_error(403, "liveChatEnded", "The live chat is no longer live.",
                                 domain="youtube.liveChat")
            if not live.get("chat_enabled", True):
                return _yt_error(403, "liveChatDisabled", "Live chat is not enabled for the specified broadcast.",
                                 domain="youtube.liveChat")
            msgs = chat["messages"]
            token = req.arg("pageToken")
            if token:
                start = _page_index(token)
                if start is None or start > len(msgs):
                    return _yt_error(400, "pageTokenInvalid", "The page token is not valid.",
                                     domain="youtube.liveChat")
            else:
                # The first request returns some or all of the history, oldest first.
                start = max(0, len(msgs) - max_results)
            page = msgs[start:start + max_results]
            out = {"kind": "youtube#liveChatMessageListResponse", "etag": _etag(chat_id, start, len(page)),
                   "pollingIntervalMillis": int(self.settings["polling_interval_ms"]),
                   "pageInfo": {"totalResults": len(page), "resultsPerPage": len(page)},
                   "nextPageToken": _page_token(start + len(page)),
                   "items": [self._chat_item(m, parts) for m in page]}
            if live["status"] == "complete" and start + len(page) >= len(msgs):
                out["offlineAt"] = live["actual_end"]
                chat["offline_reported"] = True
            return json_response(200, out)

    # ------------------------------------------------------------------ control
    def _new_video(self, channel_id, title, video_id=None):
        vid = video_id or signing.short_id(11)
        v = {"id": vid, "channel_id": channel_id, "title": title, "description": "",
             "published_at": signing.rfc3339(None, 0)}
        self.videos[vid] = v
        return v

    def control_live(self, req):
        """{channel_id?, live: true|false, video_id?, title?, concurrent_viewers?, broadcast_type?: event|persistent,
        chat_enabled?} -> the video (id, live chat id). live=false ends the channel's (or video_id's) broadcast."""
        try:
            body = req.json()
        except ValueError:
            return json_response(400, {"error": "JSON body required"})
        with self.app.lock:
            channel = body.get("channel_id") or self.settings["authorize_as"]
            if channel not in self.channels:
                return json_response(404, {"error": "unknown channel %r" % channel})
            live_flag = body.get("live", True)
            vid = body.get("video_id")
            current = None
            if vid and vid in self.videos and self.videos[vid].get("live"):
                current = self.videos[vid]
            elif not vid:
                current = next((v for v in self.videos.values() if v["channel_id"] == channel and v.get("live")
                                and v["live"]["status"] == "live"), None)
            if live_flag:
                if current is None or current["live"]["status"] == "complete":
                    v = self._new_video(channel, body.get("title", "Live on the fake"), vid)
                    now = signing.rfc3339(None, 0)
                    chat_id = "Cg0KC" + signing.short_id(22)
                    v["live"] = {"status": "live", "type": body.get("broadcast_type", "event"),
                                 "scheduled_start": now, "actual_start": now, "actual_end": None,
                                 "live_chat_id": chat_id, "concurrent_viewers": 0, "chat_enabled": True}
                    self.chats[chat_id] = {"video_id": v["id"], "messages": [], "offline_reported": False}
                    current = v
                for k in ("concurrent_viewers", "chat_enabled"):
                    if k in body:
                        current["live"][k] = body[k]
                if "title" in body:
                    current["title"] = body["title"]
            else:
                if current is None or current["live"]["status"] != "live":
                    return json_response(404, {"error": "no live broadcast to end"})
                current["live"]["status"] = "complete"
                current["live"]["actual_end"] = signing.rfc3339(None, 0)
                if current["live"]["type"] == "event":
                    self._add_chat(current["live"]["live_chat_id"], {"type": "chatEndedEvent",
                                                                     "author": {"channel_id": channel,
                                                                                "owner": True}})
            return json_response(200, {"video_id": current["id"], "channel_id": channel,
                                       "live_chat_id": current["live"]["live_chat_id"],
                                       "status": current["live"]["status"],
                                       "concurrent_viewers": current["live"]["concurrent_viewers"]})

    def control_video(self, req):
        """{channel_id?, title?, video_id?} -> a plain (not live) upload, for WebSub feed deliveries."""
        try:
            body = req.json()
        except ValueError:
            body = {}
        with self.app.lock:
            channel = body.get("channel_id") or self.settings["authorize_as"]
            v = self._new_video(channel, body.get("title", "A new upload"), body.get("video_id"))
            return json_response(200, {"video_id": v["id"], "channel_id": channel})

    def _author(self, spec, chat_owner_channel):
        a = dict(DEFAULT_AUTHOR, **(spec or {}))
        cid = a["channel_id"]
        name = a.get("display_name") or (self.channels.get(cid, {}).get("title") or cid)
        return {"channelId": cid, "channelUrl": "http://www.youtube.com/channel/" + cid, "displayName": name,
                "profileImageUrl": "https://yt4.ggpht.example/%s/photo.jpg" % cid,
                "isVerified": bool(a.get("verified", False)),
                "isChatOwner": bool(a.get("owner", cid == chat_owner_channel)),
                "isChatSponsor": bool(a.get("sponsor", False)),
                "isChatModerator": bool(a.get("moderator", False))}

    @staticmethod
    def _money(spec):
        micros = int(spec.get("amount_micros", 5000000))
        currency = spec.get("currency", "USD")
        symbol = CURRENCY_SYMBOLS.get(currency)
        amount = "%.2f" % (micros / 1e6)
        return micros, currency, (symbol + amount) if symbol else (currency + " " + amount)

    def _add_chat(self, chat_id, spec):
        chat = self.chats[chat_id]
        video = self.videos[chat["video_id"]]
        author = self._author(spec.get("author"), video["channel_id"])
        mtype = spec.get("type", "textMessageEvent")
        text = spec.get("text", "")
        name = author["displayName"]
        sn = {"type": mtype, "liveChatId": chat_id, "authorChannelId": author["channelId"],
              "publishedAt": spec.get("published_at") or signing.rfc3339(None, 6), "hasDisplayContent": True,
              "displayMessage": text}
        if mtype == "textMessageEvent":
            sn["textMessageDetails"] = {"messageText": text}
        elif mtype == "superChatEvent":
            micros, currency, shown = self._money(spec)
            sn["superChatDetails"] = {"amountMicros": str(micros), "currency": currency,
                                      "amountDisplayString": shown, "userComment": text,
                                      "tier": int(spec.get("tier", 2))}
            sn["displayMessage"] = "%s from %s: \"%s\"" % (shown, name, text) if text else "%s from %s" % (shown, name)
        elif mtype == "superStickerEvent":
            micros, currency, shown = self._money(spec)
            sn["superStickerDetails"] = {"superStickerMetadata": {"stickerId": spec.get("sticker_id", "fake_sticker"),
                                                                  "altText": spec.get("alt_text", "Sticker"),
                                                                  "language": "en"},
                                         "amountMicros": str(micros), "currency": currency,
                                         "amountDisplayString": shown, "tier": int(spec.get("tier", 1))}
            sn["displayMessage"] = "Super Sticker of %s from %s" % (shown, name)
        elif mtype == "newSponsorEvent":
            level = spec.get("member_level", "Member")
            sn["newSponsorDetails"] = {"memberLevelName": level, "isUpgrade": bool(spec.get("is_upgrade", False))}
            sn["displayMessage"] = "Welcome to %s!" % level
        elif mtype == "memberMilestoneChatEvent":
            sn["memberMilestoneChatDetails"] = {"userComment": text, "memberMonth": int(spec.get("member_month", 6)),
                                                "memberLevelName": spec.get("member_level", "Member")}
            sn["hasDisplayContent"] = bool(text)
        elif mtype == "membershipGiftingEvent":
            sn["membershipGiftingDetails"] = {"giftMembershipsCount": int(spec.get("count", 5)),
                                              "giftMembershipsLevelName": spec.get("member_level", "Member")}
            sn["displayMessage"] = "%s gifted %d memberships" % (name, int(spec.get("count", 5)))
        elif mtype == "giftMembershipReceivedEvent":
            sn["giftMembershipReceivedDetails"] = {"memberLevelName": spec.get("member_level", "Member"),
                                                   "gifterChannelId": spec.get("gifter_channel_id", ""),
                                                   "associatedMembershipGiftingMessageId":
                                                       spec.get("gifting_message_id", "")}
        elif mtype in ("chatEndedEvent", "sponsorOnlyModeStartedEvent", "sponsorOnlyModeEndedEvent",
                       "tombstone"):
            sn["hasDisplayContent"] = False
            sn.pop("displayMessage")
        elif mtype == "messageDeletedEvent":
            sn["hasDisplayContent"] = False
            sn.pop("displayMessage")
            sn["messageDeletedDetails"] = {"deletedMessageId": spec.get("deleted_message_id", "")}
        sn.update(spec.get("snippet", {}))
        msg = {"id": spec.get("id") or "LCC." + signing.short_id(30), "snippet": sn, "authorDetails": author}
        chat["messages"].append(msg)
        return msg

    def control_chat(self, req):
        """{video_id? | live_chat_id? | channel_id?, messages: [{type?, text, author?: {channel_id, display_name,
        moderator, sponsor, owner, verified}, amount_micros?, currency?, tier?, member_level?, member_month?,
        is_upgrade?, count?}]} -> the created message ids."""
        try:
            body = req.json()
        except ValueError:
            return json_response(400, {"error": "JSON body required"})
        with self.app.lock:
            chat_id = body.get("live_chat_id")
            if not chat_id and body.get("video_id"):
                v = self.videos.get(body["video_id"])
                chat_id = v["live"]["live_chat_id"] if v and v.get("live") else None
            if not chat_id:
                channel = body.get("channel_id") or self.settings["authorize_as"]
                v = next((v for v in self.videos.values() if v["channel_id"] == channel and v.get("live")
                          and v["live"]["status"] == "live"), None)
                chat_id = v["live"]["live_chat_id"] if v else None
            if chat_id not in self.chats:
                return json_response(404, {"error": "no live chat found (go live first: POST /_control/youtube/live)"})
            msgs = body.get("messages")
            if msgs is None:
                msgs = [body]
            created = [self._add_chat(chat_id, m)["id"] for m in msgs]
            return json_response(200, {"live_chat_id": chat_id, "ids": created})

    def expire_tokens(self, body):
        n = 0
        now = time.time()
        for tok, rec in self.tokens.items():
            if body.get("access_token") and tok != body["access_token"]:
                continue
            if body.get("channel_id") and rec["channel_id"] != body["channel_id"]:
                continue
            rec["expires_at"] = now - 1
            n += 1
            if body.get("invalidate_refresh") and rec.get("refresh_token"):
                self.refresh_tokens.pop(rec["refresh_token"], None)
        if body.get("refresh_token") and self.refresh_tokens.pop(body["refresh_token"], None) is not None:
            n += 1
        return n
