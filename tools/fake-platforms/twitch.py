"""Fake Twitch: OAuth (id.twitch.tv), Helix users / streams / EventSub subscriptions (api.twitch.tv), and the
EventSub webhook transport (callback verification, notifications, revocations) driven by the control API.

Contracts followed:
  https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/  (authorization code and client credentials flows)
  https://dev.twitch.tv/docs/authentication/refresh-tokens/
  https://dev.twitch.tv/docs/authentication/validate-tokens/  https://dev.twitch.tv/docs/authentication/revoke-tokens/
  https://dev.twitch.tv/docs/api/reference/#get-users  #get-streams  #create-eventsub-subscription
  #get-eventsub-subscriptions  #delete-eventsub-subscription
  https://dev.twitch.tv/docs/eventsub/handling-webhook-events/  (headers, signature, challenge, revocation)
  https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/  https://dev.twitch.tv/docs/eventsub/eventsub-reference/
"""

import base64
import copy
import json
import re
import time

import signing
from core import json_response, redirect, Response, with_query

# Scopes Twitch knows (https://dev.twitch.tv/docs/authentication/scopes/); an unknown one is refused at authorize.
KNOWN_SCOPES = set("""
analytics:read:extensions analytics:read:games bits:read channel:bot channel:edit:commercial channel:manage:ads
channel:manage:broadcast channel:manage:clips channel:manage:extensions channel:manage:guest_star
channel:manage:moderators channel:manage:polls channel:manage:predictions channel:manage:raids
channel:manage:redemptions channel:manage:schedule channel:manage:videos channel:manage:vips channel:moderate
channel:read:ads channel:read:charity channel:read:editors channel:read:goals channel:read:guest_star
channel:read:hype_train channel:read:polls channel:read:predictions channel:read:redemptions channel:read:stream_key
channel:read:subscriptions channel:read:vips chat:edit chat:read clips:edit editor:manage:clips moderation:read
moderator:manage:announcements moderator:manage:automod moderator:manage:automod_settings
moderator:manage:banned_users moderator:manage:blocked_terms moderator:manage:chat_messages
moderator:manage:chat_settings moderator:manage:guest_star moderator:manage:shield_mode moderator:manage:shoutouts
moderator:manage:unban_requests moderator:manage:warnings moderator:read:automod_settings moderator:read:banned_users
moderator:read:blocked_terms moderator:read:chat_messages moderator:read:chat_settings moderator:read:chatters
moderator:read:followers moderator:read:guest_star moderator:read:moderators moderator:read:shield_mode
moderator:read:shoutouts moderator:read:suspicious_users moderator:read:unban_requests moderator:read:vips
moderator:read:warnings user:bot user:edit user:edit:broadcast user:edit:follows user:manage:blocked_users
user:manage:chat_color user:manage:whispers user:read:blocked_users user:read:broadcast user:read:chat
user:read:email user:read:emotes user:read:follows user:read:moderated_channels user:read:subscriptions
user:write:chat whispers:edit whispers:read
""".split())

# (type, version) -> required condition keys, and the authorization Twitch checks for webhook subscriptions
# (which condition user must have granted this client which of these scopes). "chat" is channel.chat.message's rule.
SUBSCRIPTION_TYPES = {
    ("stream.online", "1"): (["broadcaster_user_id"], None),
    ("stream.offline", "1"): (["broadcaster_user_id"], None),
    ("channel.update", "2"): (["broadcaster_user_id"], None),
    ("channel.raid", "1"): (["from_broadcaster_user_id|to_broadcaster_user_id"], None),
    ("channel.follow", "2"): (["broadcaster_user_id", "moderator_user_id"],
                              ("moderator_user_id", ["moderator:read:followers"])),
    ("channel.subscribe", "1"): (["broadcaster_user_id"], ("broadcaster_user_id", ["channel:read:subscriptions"])),
    ("channel.subscription.end", "1"): (["broadcaster_user_id"],
                                        ("broadcaster_user_id", ["channel:read:subscriptions"])),
    ("channel.subscription.gift", "1"): (["broadcaster_user_id"],
                                         ("broadcaster_user_id", ["channel:read:subscriptions"])),
    ("channel.subscription.message", "1"): (["broadcaster_user_id"],
                                            ("broadcaster_user_id", ["channel:read:subscriptions"])),
    ("channel.cheer", "1"): (["broadcaster_user_id"], ("broadcaster_user_id", ["bits:read"])),
    ("channel.chat.message", "1"): (["broadcaster_user_id", "user_id"], "chat"),
    ("channel.chat.notification", "1"): (["broadcaster_user_id", "user_id"], "chat"),
    ("user.authorization.revoke", "1"): (["client_id"], None),
    ("user.authorization.grant", "1"): (["client_id"], None),
}

# Global emotes recognised in chat text (name -> emote id), for channel.chat.message fragments.
GLOBAL_EMOTES = {
    "Kappa": "25", "Kreygasm": "41", "BibleThump": "86", "DansGame": "33", "ResidentSleeper": "245",
    "4Head": "354", "FailFish": "360", "HeyGuys": "30259", "WutFace": "28087", "NotLikeThis": "58765",
    "SeemsGood": "64138", "VoHiYo": "81274", "Jebaited": "114836", "TriHard": "120232",
    "CoolStoryBob": "123171", "LUL": "425618", "PogChamp": "305954156", "KomodoHype": "81273",
    "BabyRage": "22639", "SMOrc": "52", "PJSalt": "36", "MrDestructoid": "28", "TwitchUnity": "196892",
}
CHEERMOTE_RE = re.compile(r"^(cheer|biblethump|cheerwhal|corgo|uni|showlove|party|seemsgood|pride|kappa|frankerz|"
                          r"heyguys|dansgame|elegiggle|trihard|kreygasm|4head|swiftrage|notlikethis|failfish|vohiyo|"
                          r"pjsalt|mrdestructoid|bday|ripcheer|shamrock)(\d+)$", re.IGNORECASE)

DEFAULT_USERS = [
    {"id": "141981764", "login": "twitchdev", "display_name": "TwitchDev", "type": "", "broadcaster_type": "partner",
     "description": "Supporting third-party developers building Twitch integrations from chatbots to game integrations.",
     "profile_image_url": "https://static-cdn.jtvnw.net/jtv_user_pictures/twitchdev-profile_image-300x300.png",
     "offline_image_url": "https://static-cdn.jtvnw.net/jtv_user_pictures/twitchdev-channel_offline_image-1920x1080.png",
     "view_count": 0, "email": "twitchdev@example.com", "created_at": "2016-12-14T20:32:28Z"},
    {"id": "90000001", "login": "viewer_one", "display_name": "Viewer_One", "type": "", "broadcaster_type": "",
     "description": "", "profile_image_url": "", "offline_image_url": "", "view_count": 0,
     "email": "viewer_one@example.com", "created_at": "2019-03-01T12:00:00Z"},
    {"id": "90000002", "login": "viewer_two", "display_name": "Viewer_Two", "type": "", "broadcaster_type": "",
     "description": "", "profile_image_url": "", "offline_image_url": "", "view_count": 0,
     "email": "viewer_two@example.com", "created_at": "2020-07-15T08:30:00Z"},
    {"id": "90000003", "login": "raider_channel", "display_name": "RaiderChannel", "type": "",
     "broadcaster_type": "affiliate", "description": "", "profile_image_url": "", "offline_image_url": "",
     "view_count": 0, "email": "raider@example.com", "created_at": "2018-01-20T18:00:00Z"},
]
DEFAULT_CLIENT = {"client_id": "fake-twitch-client-id", "client_secret": "fake-twitch-client-secret",
                  "redirect_uris": []}

DEFAULT_SETTINGS = {
    "authorize_as": "141981764",       # the user who "approves" the consent page
    "force_deny": False,               # the user clicks Cancel: redirect with error=access_denied
    "require_state": True,             # fake strictness: refuse an authorize request without state
    "token_lifetime_seconds": 14400,   # user access tokens (Twitch issues roughly 4 hours)
    "app_token_lifetime_seconds": 5184000,
    "code_lifetime_seconds": 600,
    "rotate_refresh_tokens": False,    # True: a refresh token is single use and each refresh returns a new one
    "check_authorization": True,       # EventSub: 403 unless the condition's user granted the needed scopes
    "require_text_plain_challenge": True,
    "verification_delay_ms": 0,        # wait before POSTing the challenge (0: right after the 202 is written)
    "chat_color": "#9ACD32",
}

NOTIFY_TYPES = ["stream.online", "stream.offline", "channel.chat.message", "channel.subscribe",
                "channel.subscription.message", "channel.subscription.gift", "channel.cheer", "channel.raid",
                "channel.follow"]


def _twitch_error(status, message, headers=None):
    names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
             429: "Too Many Requests"}
    return json_response(status, {"error": names.get(status, "Error"), "status": status, "message": message},
                         headers)


def _oauth_error(status, message):
    return json_response(status, {"status": status, "message": message})


class Twitch:
    def __init__(self, app):
        self.app = app
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        self.settings = dict(DEFAULT_SETTINGS)
        self.clients = {DEFAULT_CLIENT["client_id"]: dict(DEFAULT_CLIENT)}
        self.users = {u["id"]: dict(u) for u in DEFAULT_USERS}
        self.grants = {}          # (client_id, user_id) -> set of scopes the user approved
        self.codes = {}           # code -> {client_id, user_id, redirect_uri, scopes, expires_at}
        self.tokens = {}          # access token -> {client_id, user_id|None, scopes, expires_at, refresh_token}
        self.refresh_tokens = {}  # refresh token -> {client_id, user_id, scopes}
        self.streams = {}         # user_id -> stream record
        self.subscriptions = {}   # id -> {public fields..., secret, client_id}
        self.sub_order = []

    def configure(self, cfg):
        for c in cfg.get("clients", []):
            self.clients[c["client_id"]] = {"client_id": c["client_id"], "client_secret": c.get("client_secret", ""),
                                            "redirect_uris": list(c.get("redirect_uris", []))}
        if cfg.get("replace_users"):
            self.users = {}
        for u in cfg.get("users", []):
            base = self.users.get(str(u["id"]), {
                "type": "", "broadcaster_type": "", "description": "", "profile_image_url": "",
                "offline_image_url": "", "view_count": 0, "created_at": "2021-01-01T00:00:00Z"})
            rec = dict(base, **u)
            rec["id"] = str(u["id"])
            rec.setdefault("login", rec["id"])
            rec["login"] = rec["login"].lower()
            rec.setdefault("display_name", u.get("login", rec["id"]))
            rec.setdefault("email", rec["login"] + "@example.com")
            self.users[rec["id"]] = rec
        for g in cfg.get("grants", []):
            self.grants.setdefault((g["client_id"], str(g["user_id"])), set()).update(g.get("scopes", []))
        for k in DEFAULT_SETTINGS:
            if k in cfg:
                self.settings[k] = cfg[k]

    def dump(self):
        now = time.time()
        return {
            "settings": self.settings,
            "clients": list(self.clients.values()),
            "users": list(self.users.values()),
            "grants": [{"client_id": c, "user_id": u, "scopes": sorted(s)} for (c, u), s in self.grants.items()],
            "tokens": [dict(t, access_token=k, expired=t["expires_at"] <= now) for k, t in self.tokens.items()],
            "refresh_tokens": [dict(t, refresh_token=k) for k, t in self.refresh_tokens.items()],
            "streams": list(self.streams.values()),
            "subscriptions": [self._sub_control_view(self.subscriptions[i]) for i in self.sub_order],
        }

    def user(self, key):
        if key is None:
            return None
        key = str(key)
        if key in self.users:
            return self.users[key]
        for u in self.users.values():
            if u["login"] == key.lower():
                return u
        return None

    # ------------------------------------------------------------------ routes
    def register(self, app):
        app.route("GET", "/oauth2/authorize", self.authorize)
        app.route("POST", "/oauth2/token", self.token)
        app.route("GET", "/oauth2/validate", self.validate)
        app.route("POST", "/oauth2/revoke", self.revoke)
        app.route("GET", "/helix/users", self.helix_users)
        app.route("GET", "/helix/streams", self.helix_streams)
        app.route("POST", "/helix/eventsub/subscriptions", self.eventsub_create)
        app.route("GET", "/helix/eventsub/subscriptions", self.eventsub_list)
        app.route("DELETE", "/helix/eventsub/subscriptions", self.eventsub_delete)
        app.route("POST", "/_control/twitch/notify", self.control_notify)
        app.route("POST", "/_control/twitch/revoke", self.control_revoke)
        app.route("POST", "/_control/twitch/stream", self.control_stream)
        app.route("POST", "/_control/twitch/verify", self.control_verify)
        app.route("POST", "/_control/twitch/disconnect_user", self.control_disconnect_user)
        app.route("GET", "/_control/twitch/subscriptions", self.control_subscriptions)

    # ------------------------------------------------------------------ OAuth
    def authorize(self, req):
        client_id = req.arg("client_id")
        redirect_uri = req.arg("redirect_uri")
        response_type = req.arg("response_type")
        scope = req.arg("scope", "")
        state = req.arg("state")
        with self.app.lock:
            client = self.clients.get(client_id or "")
            if client is None:
                return _oauth_error(400, "invalid client")
            if not redirect_uri:
                return _oauth_error(400, "missing redirect_uri")
            if client["redirect_uris"] and redirect_uri not in client["redirect_uris"]:
                return _oauth_error(400, "Parameter redirect_uri does not match registered URI")
            if response_type != "code":
                # The implicit (token) flow exists on Twitch but onair uses the code flow; anything else is an error.
                return _oauth_error(400, "unsupported response_type %r (the fake serves the code flow)"
                                    % response_type)
            if self.settings["require_state"] and not state:
                return _oauth_error(400, "missing state (the fake requires it; set require_state false to allow)")
            scopes = [s for s in scope.split(" ") if s]
            unknown = [s for s in scopes if s not in KNOWN_SCOPES]
            if unknown:
                return redirect(with_query(redirect_uri, [("error", "invalid_scope"),
                                                          ("error_description", "Invalid scope: " + " ".join(unknown)),
                                                          ("state", state)]))
            if self.settings["force_deny"]:
                return redirect(with_query(redirect_uri, [("error", "access_denied"),
                                                          ("error_description", "The user denied you access"),
                                                          ("state", state)]))
            user = self.user(self.settings["authorize_as"])
            if user is None:
                return _oauth_error(400, "the fake has no user %r to authorize as" % self.settings["authorize_as"])
            code = signing.twitch_code()
            self.codes[code] = {"client_id": client_id, "user_id": user["id"], "redirect_uri": redirect_uri,
                                "scopes": scopes, "expires_at": time.time() + self.settings["code_lifetime_seconds"]}
            self.grants.setdefault((client_id, user["id"]), set()).update(scopes)
        return redirect(with_query(redirect_uri, [("code", code), ("scope", " ".join(scopes)), ("state", state)]))

    def _params(self, req):
        params = {k: v[0] for k, v in req.query.items()}
        params.update(req.form())
        return params

    def _issue_user_token(self, client_id, user_id, scopes, refresh_token=None):
        access = signing.twitch_token()
        if refresh_token is None:
            refresh_token = signing.twitch_token() + signing.twitch_token()[:20]
            self.refresh_tokens[refresh_token] = {"client_id": client_id, "user_id": user_id, "scopes": list(scopes)}
        self.tokens[access] = {"client_id": client_id, "user_id": user_id, "scopes": list(scopes),
                               "expires_at": time.time() + self.settings["token_lifetime_seconds"],
                               "refresh_token": refresh_token, "issued_at": time.time()}
        return {"access_token": access, "expires_in": int(self.settings["token_lifetime_seconds"]),
                "refresh_token": refresh_token, "scope": list(scopes), "token_type": "bearer"}

    def issue_token(self, client_id, user_id=None, scopes=(), expires_in=None):
        """Control helper: mint a token without the OAuth dance (user token, or app token when user_id is None)."""
        if user_id is None:
            access = signing.twitch_token()
            life = expires_in if expires_in is not None else self.settings["app_token_lifetime_seconds"]
            self.tokens[access] = {"client_id": client_id, "user_id": None, "scopes": [], "expires_at": time.time() + life,
                                   "refresh_token": None, "issued_at": time.time()}
            return {"access_token": access, "expires_in": int(life), "token_type": "bearer"}
        self.grants.setdefault((client_id, str(user_id)), set()).update(scopes)
        out = self._issue_user_token(client_id, str(user_id), scopes)
        if expires_in is not None:
            self.tokens[out["access_token"]]["expires_at"] = time.time() + expires_in
            out["expires_in"] = int(expires_in)
        return out

    def token(self, req):
        p = self._params(req)
        with self.app.lock:
            client_id = p.get("client_id")
            if not client_id:
                return _oauth_error(400, "missing client id")
            client = self.clients.get(client_id)
            if client is None:
                return _oauth_error(400, "invalid client")
            if "client_secret" not in p:
                return _oauth_error(400, "missing client secret")
            if p["client_secret"] != client["client_secret"]:
                return _oauth_error(403, "invalid client secret")
            grant = p.get("grant_type")
            if grant == "authorization_code":
                code = self.codes.pop(p.get("code", ""), None)
                if code is None or code["client_id"] != client_id or code["expires_at"] < time.time():
                    return _oauth_error(400, "Invalid authorization code")
                if p.get("redirect_uri") != code["redirect_uri"]:
                    return _oauth_error(400, "Parameter redirect_uri does not match registered URI")
                return json_response(200, self._issue_user_token(client_id, code["user_id"], code["scopes"]))
            if grant == "refresh_token":
                rt = p.get("refresh_token", "")
                rec = self.refresh_tokens.get(rt)
                if rec is None or rec["client_id"] != client_id:
                    return json_response(400, {"error": "Bad Request", "status": 400,
                                               "message": "Invalid refresh token"})
                if self.settings["rotate_refresh_tokens"]:
                    del self.refresh_tokens[rt]
                    return json_response(200, self._issue_user_token(client_id, rec["user_id"], rec["scopes"]))
                return json_response(200, self._issue_user_token(client_id, rec["user_id"], rec["scopes"], rt))
            if grant == "client_credentials":
                out = self.issue_token(client_id)
                return json_response(200, out)
            if not grant:
                return _oauth_error(400, "missing grant type")
            return _oauth_error(400, "unsupported grant type")

    def _token_from(self, req, prefixes):
        auth = req.header("Authorization") or ""
        for prefix in prefixes:
            if auth[:len(prefix) + 1].lower() == prefix.lower() + " ":
                return auth[len(prefix) + 1:].strip()
        return None

    def _live_token(self, token):
        rec = self.tokens.get(token or "")
        if rec is None or rec["expires_at"] <= time.time():
            return None
        return rec

    def validate(self, req):
        # The documented form is "Authorization: OAuth <token>"; Twitch also accepts Bearer here.
        token = self._token_from(req, ["OAuth", "Bearer"])
        with self.app.lock:
            if token is None:
                return _oauth_error(401, "missing authorization token")
            rec = self._live_token(token)
            if rec is None:
                return _oauth_error(401, "invalid access token")
            out = {"client_id": rec["client_id"], "scopes": rec["scopes"],
                   "expires_in": max(0, int(rec["expires_at"] - time.time()))}
            if rec["user_id"] is not None:
                user = self.users.get(rec["user_id"], {"login": ""})
                out = {"client_id": rec["client_id"], "login": user["login"], "scopes": rec["scopes"],
                       "user_id": rec["user_id"], "expires_in": out["expires_in"]}
            return json_response(200, out)

    def revoke(self, req):
        p = self._params(req)
        with self.app.lock:
            client_id = p.get("client_id")
            if not client_id or client_id not in self.clients:
                return _oauth_error(404, "client does not exist")
            token = p.get("token", "")
            rec = self.tokens.get(token)
            if rec is None or rec["client_id"] != client_id:
                return _oauth_error(400, "Invalid token")
            del self.tokens[token]
            # A revoked user token takes its refresh token with it.
            if rec.get("refresh_token"):
                self.refresh_tokens.pop(rec["refresh_token"], None)
        return Response(200, b"")

    # ------------------------------------------------------------------ Helix
    RATE_HEADERS = [("Ratelimit-Limit", "800"), ("Ratelimit-Remaining", "799")]

    def _helix_auth(self, req):
        """(token record, None) or (None, 401 response)."""
        token = self._token_from(req, ["Bearer"])
        www = [("WWW-Authenticate", 'OAuth realm="TwitchTV", error="invalid_token"')]
        if token is None:
            return None, _twitch_error(401, "OAuth token is missing", www)
        client_id = req.header("Client-Id")
        rec = self._live_token(token)
        if rec is None:
            return None, _twitch_error(401, "Invalid OAuth token", www)
        if not client_id:
            return None, _twitch_error(401, "Client ID is missing")
        if client_id != rec["client_id"]:
            return None, _twitch_error(401, "Client ID and OAuth token do not match")
        return rec, None

    def _public_user(self, user, rec):
        out = {k: user.get(k) for k in ("id", "login", "display_name", "type", "broadcaster_type", "description",
                                         "profile_image_url", "offline_image_url", "view_count", "created_at")}
        if rec["user_id"] == user["id"] and "user:read:email" in rec["scopes"]:
            out["email"] = user.get("email")
        return out

    def helix_users(self, req):
        with self.app.lock:
            rec, err = self._helix_auth(req)
            if err:
                return err
            ids, logins = req.args("id"), req.args("login")
            if len(ids) + len(logins) > 100:
                return _twitch_error(400, "The sum of the id and login parameters may not exceed 100")
            if not ids and not logins:
                if rec["user_id"] is None:
                    return _twitch_error(400, "Must provide an ID, Login or OAuth Token")
                ids = [rec["user_id"]]
            found, seen = [], set()
            for key in ids:
                u = self.users.get(key)
                if u and u["id"] not in seen:
                    found.append(u)
                    seen.add(u["id"])
            for key in logins:
                u = next((x for x in self.users.values() if x["login"] == key.lower()), None)
                if u and u["id"] not in seen:
                    found.append(u)
                    seen.add(u["id"])
            return json_response(200, {"data": [self._public_user(u, rec) for u in found]}, self.RATE_HEADERS)

    def _public_stream(self, s):
        u = self.users.get(s["user_id"], {"login": s["user_id"], "display_name": s["user_id"]})
        return {"id": s["id"], "user_id": s["user_id"], "user_login": u["login"], "user_name": u["display_name"],
                "game_id": s.get("game_id", "509658"), "game_name": s.get("game_name", "Just Chatting"),
                "type": "live", "title": s.get("title", ""), "tags": s.get("tags", []),
                "viewer_count": int(s.get("viewer_count", 0)), "started_at": s["started_at"],
                "language": s.get("language", "en"),
                "thumbnail_url": "https://static-cdn.jtvnw.net/previews-ttv/live_user_%s-{width}x{height}.jpg"
                                 % u["login"],
                "tag_ids": [], "is_mature": bool(s.get("is_mature", False))}

    def helix_streams(self, req):
        with self.app.lock:
            rec, err = self._helix_auth(req)
            if err:
                return err
            ids, logins = req.args("user_id"), [x.lower() for x in req.args("user_login")]
            if len(ids) > 100 or len(logins) > 100:
                return _twitch_error(400, "The maximum number of user_id and user_login values is 100")
            try:
                first = int(req.arg("first", "20"))
            except ValueError:
                return _twitch_error(400, "Invalid value for first")
            if not 1 <= first <= 100:
                return _twitch_error(400, "first must be between 1 and 100")
            streams = []
            for s in self.streams.values():
                u = self.users.get(s["user_id"], {"login": ""})
                if (ids or logins) and s["user_id"] not in ids and u["login"] not in logins:
                    continue
                streams.append(self._public_stream(s))
            streams.sort(key=lambda x: -x["viewer_count"])
            start = 0
            after = req.arg("after")
            if after:
                try:
                    start = int(base64.urlsafe_b64decode(after.encode()).decode())
                except Exception:
                    return _twitch_error(400, "Invalid cursor")
            page = streams[start:start + first]
            pagination = {}
            if start + first < len(streams):
                pagination["cursor"] = base64.urlsafe_b64encode(str(start + first).encode()).decode()
            return json_response(200, {"data": page, "pagination": pagination}, self.RATE_HEADERS)

    # ------------------------------------------------------------------ EventSub subscriptions
    def _public_sub(self, sub, status=None):
        return {"id": sub["id"], "status": status or sub["status"], "type": sub["type"], "version": sub["version"],
                "condition": sub["condition"], "created_at": sub["created_at"],
                "transport": {"method": "webhook", "callback": sub["callback"]}, "cost": sub["cost"]}

    def _sub_control_view(self, sub):
        return dict(self._public_sub(sub), secret=sub["secret"], client_id=sub["client_id"],
                    verification=sub.get("verification"))

    def _authorized(self, client_id, user_id, scopes_any):
        granted = self.grants.get((client_id, user_id), set())
        return any(s in granted for s in scopes_any)

    def _check_authorization(self, client_id, rule, condition):
        if rule is None:
            return True
        if rule == "chat":
            chatter, broadcaster = condition["user_id"], condition["broadcaster_user_id"]
            granted = self.grants.get((client_id, chatter), set())
            if "user:read:chat" not in granted or "user:bot" not in granted:
                return False
            # The chatting user also needs channel:bot from the broadcaster (or moderator status) unless it is the
            # broadcaster's own account.
            return chatter == broadcaster or self._authorized(client_id, broadcaster, ["channel:bot"]) or \
                chatter in self.users.get(broadcaster, {}).get("moderators", [])
        key, scopes = rule
        return self._authorized(client_id, condition[key], scopes)

    def _totals(self, client_id):
        subs = [s for s in self.subscriptions.values() if s["client_id"] == client_id]
        return len(subs), sum(s["cost"] for s in subs if s["status"] in
                              ("enabled", "webhook_callback_verification_pending"))

    def eventsub_create(self, req):
        with self.app.lock:
            rec, err = self._helix_auth(req)
            if err:
                return err
            try:
                body = req.json()
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                return _twitch_error(400, "Invalid JSON body")
            stype, version = body.get("type"), body.get("version")
            condition, transport = body.get("condition"), body.get("transport")
            if not isinstance(stype, str) or not isinstance(version, str):
                return _twitch_error(400, "type and version are required strings")
            if not isinstance(condition, dict) or not isinstance(transport, dict):
                return _twitch_error(400, "condition and transport are required objects")
            spec = SUBSCRIPTION_TYPES.get((stype, version))
            if spec is None:
                known = any(t == stype for (t, _v) in SUBSCRIPTION_TYPES)
                return _twitch_error(400, "unsupported subscription version" if known
                                     else "unsupported subscription type")
            required, rule = spec
            for key in required:
                options = key.split("|")
                present = [o for o in options if condition.get(o)]
                if len(present) != 1:
                    return _twitch_error(400, "invalid condition: %s is required" % " or ".join(options))
            allowed = {o for key in required for o in key.split("|")}
            extra = [k for k in condition if k not in allowed]
            if extra:
                return _twitch_error(400, "invalid condition: unknown field(s) %s" % ", ".join(sorted(extra)))
            if any(not isinstance(v, str) for v in condition.values()):
                return _twitch_error(400, "invalid condition: values must be strings")
            method = transport.get("method")
            if method != "webhook":
                return _twitch_error(400, "the fake serves the webhook transport only (got %r)" % method)
            if rec["user_id"] is not None:
                return _twitch_error(400, "invalid transport and auth combination")
            callback, secret = transport.get("callback"), transport.get("secret")
            if not isinstance(callback, str) or not re.match(r"^https?://", callback or ""):
                # Twitch requires https on port 443; the fake also takes http so a loopback onair can be reached.
                return _twitch_error(400, "invalid transport: callback must be an https URL")
            if not isinstance(secret, str) or not 10 <= len(secret) <= 100 or not secret.isascii():
                return _twitch_error(400, "invalid transport: secret must be between 10 and 100 ASCII characters")
            for s in self.subscriptions.values():
                if s["client_id"] == rec["client_id"] and s["type"] == stype and s["version"] == version and \
                        s["condition"] == condition and s["callback"] == callback and \
                        s["status"] in ("enabled", "webhook_callback_verification_pending"):
                    return _twitch_error(409, "subscription already exists")
            if self.settings["check_authorization"] and not self._check_authorization(rec["client_id"], rule,
                                                                                      condition):
                return _twitch_error(403, "subscription missing proper authorization")
            sub = {"id": signing.uuid4(), "status": "webhook_callback_verification_pending", "type": stype,
                   "version": version, "condition": dict(condition), "created_at": signing.rfc3339_nano(),
                   "callback": callback, "secret": secret, "client_id": rec["client_id"],
                   "cost": 0 if rule is not None else 1, "verification": None}
            self.subscriptions[sub["id"]] = sub
            self.sub_order.append(sub["id"])
            total, total_cost = self._totals(rec["client_id"])
            out = {"data": [self._public_sub(sub)], "total": total, "total_cost": total_cost,
                   "max_total_cost": 10000}
            delay = self.settings["verification_delay_ms"] / 1000.0
        sub_id = sub["id"]

        def verify_later():
            if delay:
                time.sleep(delay)
            self.verify(sub_id)

        return json_response(202, out, self.RATE_HEADERS, after=verify_later)

    def eventsub_list(self, req):
        with self.app.lock:
            rec, err = self._helix_auth(req)
            if err:
                return err
            if rec["user_id"] is not None:
                # A user token lists WebSocket subscriptions, which the fake does not serve.
                return json_response(200, {"data": [], "total": 0, "total_cost": 0, "max_total_cost": 10000,
                                           "pagination": {}})
            status, stype = req.arg("status"), req.arg("type")
            user_id, sub_id = req.arg("user_id"), req.arg("subscription_id")
            if sum(1 for x in (status, stype, user_id, sub_id) if x) > 1:
                return _twitch_error(400, "only one of status, type, user_id or subscription_id may be given")
            data = []
            for i in self.sub_order:
                s = self.subscriptions[i]
                if s["client_id"] != rec["client_id"]:
                    continue
                if status and s["status"] != status:
                    continue
                if stype and s["type"] != stype:
                    continue
                if sub_id and s["id"] != sub_id:
                    continue
                if user_id and user_id not in s["condition"].values():
                    continue
                data.append(self._public_sub(s))
            total, total_cost = self._totals(rec["client_id"])
            return json_response(200, {"data": data, "total": total, "total_cost": total_cost,
                                       "max_total_cost": 10000, "pagination": {}}, self.RATE_HEADERS)

    def eventsub_delete(self, req):
        with self.app.lock:
            rec, err = self._helix_auth(req)
            if err:
                return err
            sub_id = req.arg("id")
            if not sub_id:
                return _twitch_error(400, "Missing required parameter \"id\"")
            sub = self.subscriptions.get(sub_id)
            if sub is None or sub["client_id"] != rec["client_id"]:
                return _twitch_error(404, "subscription not found")
            del self.subscriptions[sub_id]
            self.sub_order.remove(sub_id)
        return Response(204, b"", self.RATE_HEADERS)

    # ------------------------------------------------------------------ the webhook transport
    def _deliver(self, sub, message_type, payload, opts=None):
        """Sign and POST one EventSub message; returns what was sent and what came back."""
        opts = opts or {}
        body = opts.get("body")
        if body is None:
            body = json.dumps(payload, separators=(",", ":"))
        body_bytes = body.encode("utf-8") if isinstance(body, str) else body
        message_id = opts.get("message_id") or signing.uuid4()
        if opts.get("timestamp"):
            timestamp = opts["timestamp"]
        else:
            timestamp = signing.rfc3339_nano(time.time() + float(opts.get("timestamp_offset_seconds", 0)))
        secret = opts.get("secret") or sub["secret"]
        signature = signing.twitch_signature(secret, message_id, timestamp, body_bytes)
        if opts.get("forge_signature"):
            signature = signing.forge(signature)
        results = []
        for attempt in range(int(opts.get("repeat", 1))):
            headers = [("Content-Type", "application/json"),
                       ("Twitch-Eventsub-Message-Id", message_id),
                       ("Twitch-Eventsub-Message-Retry", str(attempt)),
                       ("Twitch-Eventsub-Message-Type", message_type),
                       ("Twitch-Eventsub-Message-Signature", signature),
                       ("Twitch-Eventsub-Message-Timestamp", timestamp),
                       ("Twitch-Eventsub-Subscription-Type", sub["type"]),
                       ("Twitch-Eventsub-Subscription-Version", sub["version"]),
                       ("User-Agent", "Twitch-Eventsub-Webhook-Fake/1")]
            omit = {h.lower() for h in opts.get("omit_headers", [])}
            headers = [(k, v) for k, v in headers if k.lower() not in omit]
            r = self.app.outgoing.send("twitch." + message_type, "POST", sub["callback"], headers, body_bytes,
                                       {"subscription_id": sub["id"]})
            results.append({"subscription_id": sub["id"], "callback": sub["callback"], "message_type": message_type,
                            "message_id": message_id, "timestamp": timestamp, "signature": signature,
                            "retry": attempt, "body": body_bytes.decode("utf-8", "replace"),
                            "status": r["status"], "response_body": r["body"],
                            "response_content_type": r["content_type"], "error": r["error"]})
        return results

    def verify(self, sub_id, opts=None):
        """POST webhook_callback_verification; enable the subscription when the challenge comes back."""
        with self.app.lock:
            sub = self.subscriptions.get(sub_id)
            if sub is None:
                return None
            sub = copy.deepcopy(sub)
            strict_type = self.settings["require_text_plain_challenge"]
        challenge = signing.challenge()
        payload = {"challenge": challenge,
                   "subscription": self._public_sub(sub, "webhook_callback_verification_pending")}
        result = self._deliver(sub, "webhook_callback_verification", payload, opts)[0]
        ok = result["status"] == 200 and result["response_body"] == challenge
        if ok and strict_type:
            ok = result["response_content_type"].split(";")[0].strip().lower() == "text/plain"
        result["challenge"] = challenge
        result["verified"] = ok
        with self.app.lock:
            live = self.subscriptions.get(sub_id)
            if live is not None and live["status"] in ("webhook_callback_verification_pending",
                                                       "webhook_callback_verification_failed", "enabled"):
                live["status"] = "enabled" if ok else "webhook_callback_verification_failed"
                live["verification"] = {"status": result["status"], "response_body": result["response_body"][:200],
                                        "content_type": result["response_content_type"], "error": result["error"],
                                        "verified": ok}
        return result

    def _event_user(self, key, default_id):
        u = self.user(key if key is not None else default_id)
        if u is None:
            u = {"id": str(key), "login": str(key).lower(), "display_name": str(key)}
        return u

    @staticmethod
    def _triple(prefix, u):
        if u is None:
            return {prefix + "_id": None, prefix + "_login": None, prefix + "_name": None}
        return {prefix + "_id": u["id"], prefix + "_login": u["login"], prefix + "_name": u["display_name"]}

    def chat_fragments(self, text):
        """channel.chat.message message.fragments for a line: emotes, cheermotes and @mentions split out."""
        fragments, bits = [], 0
        buf = ""

        def flush():
            nonlocal buf
            if buf:
                fragments.append({"type": "text", "text": buf, "cheermote": None, "emote": None, "mention": None})
                buf = ""

        words = re.split(r"( )", text)
        for w in words:
            m = CHEERMOTE_RE.match(w)
            if w in GLOBAL_EMOTES:
                flush()
                fragments.append({"type": "emote", "text": w, "cheermote": None, "mention": None,
                                  "emote": {"id": GLOBAL_EMOTES[w], "emote_set_id": "0", "owner_id": "0",
                                            "format": ["static"]}})
            elif m:
                flush()
                amount = int(m.group(2))
                bits += amount
                tier = max(t for t in (1, 100, 1000, 5000, 10000, 100000) if t <= max(amount, 1))
                fragments.append({"type": "cheermote", "text": w, "emote": None, "mention": None,
                                  "cheermote": {"prefix": m.group(1).lower(), "bits": amount, "tier": tier}})
            elif w.startswith("@") and self.user(w[1:]) is not None:
                flush()
                u = self.user(w[1:])
                fragments.append({"type": "mention", "text": w, "cheermote": None, "emote": None,
                                  "mention": {"user_id": u["id"], "user_name": u["display_name"],
                                              "user_login": u["login"]}})
            else:
                buf += w
        flush()
        return fragments, bits

    def build_event(self, stype, condition, spec):
        """A realistic event for this subscription type; spec holds shorthands (user, text, bits, tier, months,
        viewers, anonymous, badges) and `event` overrides merged last."""
        bid = condition.get("broadcaster_user_id") or condition.get("to_broadcaster_user_id") or \
            condition.get("from_broadcaster_user_id")
        broadcaster = self._event_user(bid, bid)
        b = self._triple("broadcaster_user", broadcaster)
        user = self._event_user(spec.get("user"), "90000001")
        now = signing.rfc3339(None, 6)
        tier = str(spec.get("tier", "1000"))
        text = spec.get("text")
        if stype == "stream.online":
            stream = self.streams.get(broadcaster["id"])
            event = dict(b, id=stream["id"] if stream else str(40000000000 + int(time.time()) % 1000000000),
                         type="live", started_at=stream["started_at"] if stream else now)
        elif stype == "stream.offline":
            event = dict(b)
        elif stype in ("channel.chat.message",):
            text = text if text is not None else "hello chat Kappa"
            fragments, bits = self.chat_fragments(text)
            badges = spec.get("badges", [])
            event = dict(b, **self._triple("chatter_user", user))
            event.update({"message_id": signing.uuid4(), "message": {"text": text, "fragments": fragments},
                          "message_type": "text", "badges": badges,
                          "cheer": {"bits": bits} if bits else None, "color": self.settings["chat_color"],
                          "reply": None, "channel_points_custom_reward_id": None,
                          "channel_points_animation_id": None, "source_broadcaster_user_id": None,
                          "source_broadcaster_user_login": None, "source_broadcaster_user_name": None,
                          "source_message_id": None, "source_badges": None, "is_source_only": None})
        elif stype == "channel.subscribe":
            event = dict(self._triple("user", user), **b)
            event.update({"tier": tier, "is_gift": bool(spec.get("is_gift", False))})
        elif stype == "channel.subscription.message":
            text = text if text is not None else "Love the stream! Kappa"
            emotes = []
            pos = 0
            for w in text.split(" "):
                if w in GLOBAL_EMOTES:
                    emotes.append({"begin": pos, "end": pos + len(w) - 1, "id": GLOBAL_EMOTES[w]})
                pos += len(w) + 1
            months = int(spec.get("months", 6))
            event = dict(self._triple("user", user), **b)
            event.update({"tier": tier, "message": {"text": text, "emotes": emotes},
                          "cumulative_months": months, "streak_months": spec.get("streak_months"),
                          "duration_months": int(spec.get("duration_months", 1))})
        elif stype == "channel.subscription.gift":
            anonymous = bool(spec.get("anonymous", False))
            total = int(spec.get("total", 5))
            event = dict(self._triple("user", None if anonymous else user), **b)
            event.update({"total": total, "tier": tier,
                          "cumulative_total": None if anonymous else int(spec.get("cumulative_total", total)),
                          "is_anonymous": anonymous})
        elif stype == "channel.cheer":
            anonymous = bool(spec.get("anonymous", False))
            bits = int(spec.get("bits", 100))
            event = {"is_anonymous": anonymous}
            event.update(self._triple("user", None if anonymous else user))
            event.update(b)
            event.update({"message": text if text is not None else "Cheer%d great play" % bits, "bits": bits})
        elif stype == "channel.raid":
            if condition.get("to_broadcaster_user_id"):
                to_u, from_u = broadcaster, self._event_user(spec.get("from", spec.get("user")), "90000003")
            else:
                from_u, to_u = broadcaster, self._event_user(spec.get("to", spec.get("user")), "90000003")
            event = dict(self._triple("from_broadcaster_user", from_u), **self._triple("to_broadcaster_user", to_u))
            event["viewers"] = int(spec.get("viewers", 42))
        elif stype == "channel.follow":
            event = dict(self._triple("user", user), **b)
            event["followed_at"] = now
        else:
            event = dict(b)
        event.update(spec.get("event", {}))
        return event

    def _matching_subs(self, body, enabled_only=True):
        sub_id = body.get("subscription_id")
        stype = body.get("subscription_type") or body.get("type")
        version = body.get("version")
        bid = body.get("broadcaster_user_id")
        out = []
        for i in self.sub_order:
            s = self.subscriptions[i]
            if sub_id and s["id"] != sub_id:
                continue
            if stype and s["type"] != stype:
                continue
            if version and s["version"] != version:
                continue
            if bid and bid not in s["condition"].values():
                continue
            if enabled_only and s["status"] != "enabled":
                continue
            out.append(copy.deepcopy(s))
        return out

    # ------------------------------------------------------------------ control
    def control_notify(self, req):
        try:
            body = req.json()
        except ValueError:
            return json_response(400, {"error": "JSON body required"})
        stype = body.get("subscription_type") or body.get("type")
        if not stype and not body.get("subscription_id"):
            return json_response(400, {"error": "subscription_type (or subscription_id) is required",
                                       "presets": NOTIFY_TYPES})
        with self.app.lock:
            subs = self._matching_subs(body, enabled_only=not body.get("include_pending"))
            if not subs:
                return json_response(404, {"error": "no enabled subscription matches",
                                           "subscriptions": [self._public_sub(s) for s in self.subscriptions.values()]})
            messages = []
            for sub in subs:
                event = body["raw_event"] if "raw_event" in body else self.build_event(sub["type"], sub["condition"],
                                                                                      body)
                if body.get("update_state", True):
                    self._apply_to_state(sub["type"], event)
                messages.append((sub, {"subscription": self._public_sub(sub), "event": event}))
        sent = []
        for sub, payload in messages:
            sent += self._deliver(sub, body.get("message_type", "notification"), payload, body)
        return json_response(200, {"sent": sent})

    def _apply_to_state(self, stype, event):
        """Keep Helix consistent with what was announced: stream.online makes the stream live, offline ends it."""
        bid = event.get("broadcaster_user_id")
        if stype == "stream.online" and bid and bid not in self.streams:
            self.streams[bid] = {"id": event.get("id") or str(int(time.time())), "user_id": bid,
                                 "started_at": event.get("started_at") or signing.rfc3339(), "viewer_count": 0,
                                 "title": "Live on the fake"}
        elif stype == "stream.offline" and bid:
            self.streams.pop(bid, None)

    def control_revoke(self, req):
        try:
            body = req.json()
        except ValueError:
            body = {}
        reason = body.get("status", "authorization_revoked")
        with self.app.lock:
            subs = self._matching_subs(body, enabled_only=False)
            if not subs:
                return json_response(404, {"error": "no subscription matches"})
            for s in subs:
                self.subscriptions[s["id"]]["status"] = reason
                s["status"] = reason
        sent = []
        for s in subs:
            sent += self._deliver(s, "revocation", {"subscription": self._public_sub(s)}, body)
        return json_response(200, {"sent": sent})

    def control_verify(self, req):
        try:
            body = req.json()
        except ValueError:
            body = {}
        sub_id = body.get("subscription_id")
        result = self.verify(sub_id, body)
        if result is None:
            return json_response(404, {"error": "no such subscription"})
        return json_response(200, result)

    def control_stream(self, req):
        """{user_id, live: bool, viewer_count, title, game_name, notify: bool} -> the stream record (and what was
        sent to stream.online/offline subscribers when notify is true)."""
        try:
            body = req.json()
        except ValueError:
            return json_response(400, {"error": "JSON body required"})
        with self.app.lock:
            user = self.user(body.get("user_id") or body.get("user_login") or self.settings["authorize_as"])
            if user is None:
                return json_response(404, {"error": "unknown user"})
            uid = user["id"]
            live = body.get("live", True)
            if live:
                s = self.streams.setdefault(uid, {"id": str(40000000000 + int(time.time() * 1000) % 1000000000),
                                                  "user_id": uid, "started_at": signing.rfc3339(),
                                                  "viewer_count": 0, "title": "Live on the fake"})
                for k in ("viewer_count", "title", "game_id", "game_name", "language", "tags", "is_mature",
                          "started_at"):
                    if k in body:
                        s[k] = body[k]
                stream = dict(s)
            else:
                stream = self.streams.pop(uid, None)
        out = {"live": bool(live), "stream": stream}
        if body.get("notify"):
            notify_body = {"subscription_type": "stream.online" if live else "stream.offline",
                           "broadcaster_user_id": uid}
            with self.app.lock:
                subs = self._matching_subs(notify_body)
                messages = [(s, {"subscription": self._public_sub(s),
                                 "event": self.build_event(s["type"], s["condition"], {})}) for s in subs]
            out["sent"] = []
            for s, payload in messages:
                out["sent"] += self._deliver(s, "notification", payload)
        return json_response(200, out)

    def control_disconnect_user(self, req):
        """The user disconnects the app in their Twitch settings: grants and tokens go, subscriptions that
        needed the user's authorization are revoked (authorization_revoked) and a revocation is sent."""
        try:
            body = req.json()
        except ValueError:
            return json_response(400, {"error": "JSON body required"})
        uid = str(body.get("user_id"))
        with self.app.lock:
            client_id = body.get("client_id")
            for key in [k for k in self.grants if k[1] == uid and (client_id is None or k[0] == client_id)]:
                del self.grants[key]
            for t in [t for t, r in self.tokens.items() if r["user_id"] == uid]:
                del self.tokens[t]
            for t in [t for t, r in self.refresh_tokens.items() if r["user_id"] == uid]:
                del self.refresh_tokens[t]
            victims = []
            for s in self.subscriptions.values():
                rule = SUBSCRIPTION_TYPES.get((s["type"], s["version"]), (None, None))[1]
                if rule is not None and uid in s["condition"].values() and s["status"] == "enabled":
                    s["status"] = "authorization_revoked"
                    victims.append(copy.deepcopy(s))
        sent = []
        for s in victims:
            sent += self._deliver(s, "revocation", {"subscription": self._public_sub(s)})
        return json_response(200, {"sent": sent})

    def control_subscriptions(self, req):
        with self.app.lock:
            return json_response(200, {"data": [self._sub_control_view(self.subscriptions[i])
                                                 for i in self.sub_order]})

    def expire_tokens(self, body):
        """Control helper: expire access tokens (and drop refresh tokens with invalidate_refresh)."""
        n = 0
        now = time.time()
        for tok, rec in self.tokens.items():
            if body.get("access_token") and tok != body["access_token"]:
                continue
            if body.get("user_id") and rec["user_id"] != str(body["user_id"]):
                continue
            if body.get("app_only") and rec["user_id"] is not None:
                continue
            rec["expires_at"] = now - 1
            n += 1
            if body.get("invalidate_refresh") and rec.get("refresh_token"):
                self.refresh_tokens.pop(rec["refresh_token"], None)
        if body.get("refresh_token"):
            if self.refresh_tokens.pop(body["refresh_token"], None) is not None:
                n += 1
        return n
