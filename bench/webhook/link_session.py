#!/usr/bin/env python3
"""Links a Twitch channel the way a streamer does and starts its platform session, for bench/webhook/run.sh.

onair /stream/platform/link -> the fake's /oauth2/authorize (it approves as its `authorize_as` user and redirects
with code + state) -> onair /stream/platform/callback (code exchange and /helix/users at the fake) -> the stream set
live at the fake -> onair /stream/session/start (or the session stream.online already started).

    link_session.py ONAIR_URL FAKE_URL TOKEN
Prints "<platformSessionId> <channelId>". Exits non-zero with onair's answer on any failure.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def call(base, path, body, token):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def must(status, answer, what):
    if status != 200:
        sys.exit("link_session: %s answered %d: %s" % (what, status, json.dumps(answer)))
    return answer


def main():
    onair, fake, token = sys.argv[1:4]
    link = must(*call(onair, "/stream/platform/link", {"platform": "twitch"}, token), "/stream/platform/link")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(link["authorizeUrl"], timeout=30)
        sys.exit("link_session: the fake's authorize page did not redirect")
    except urllib.error.HTTPError as e:
        if e.code != 302:
            sys.exit("link_session: authorize answered %d" % e.code)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(e.headers["Location"]).query)
    if "code" not in query:
        sys.exit("link_session: authorize refused: %s" % query.get("error"))
    detail = must(*call(onair, "/stream/platform/callback", {"state": query["state"][0], "code": query["code"][0]},
                        token), "/stream/platform/callback")
    channel = detail["platformChannelId"]
    # Live at the fake (Helix /streams answers it; stream.online goes to any EventSub subscription onair made).
    req = urllib.request.Request(fake + "/_control/twitch/stream", method="POST",
                                 data=json.dumps({"user_id": channel, "live": True, "viewer_count": 1200,
                                                  "notify": True}).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=30).read()
    except urllib.error.HTTPError as e:
        if e.code != 404:  # 404: no subscription to notify yet, the stream is live anyway
            sys.exit("link_session: the fake refused to go live: %d" % e.code)
    status, answer = call(onair, "/stream/session/start", {"linkId": detail["linkId"]}, token)
    if status == 409:  # stream.online already started a detected session
        status, answer = call(onair, "/stream/session/status", {"linkId": detail["linkId"]}, token)
    session = must(status, answer, "/stream/session/start")
    print(session["platformSessionId"], channel)


if __name__ == "__main__":
    main()
