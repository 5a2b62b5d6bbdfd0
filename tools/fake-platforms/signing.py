"""Signatures, ids and timestamps the fakes put on the wire.

Twitch EventSub (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message):
    Twitch-Eventsub-Message-Signature: sha256=hex(HMAC-SHA256(secret, message_id + timestamp + raw_body))
WebSub (https://www.w3.org/TR/websub/#signing-content, PubSubHubbub 0.4):
    X-Hub-Signature: <method>=hex(HMAC-<method>(hub.secret, raw_body)); Google's hub uses sha1.
PKCE (RFC 7636 section 4.2):
    S256: code_challenge = BASE64URL-NOPAD(SHA256(ASCII(code_verifier))); plain: code_challenge = code_verifier.
"""

import base64
import datetime
import hashlib
import hmac
import re
import secrets
import string
import time
import uuid

_ALNUM = string.ascii_lowercase + string.digits
PKCE_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def hmac_hex(algorithm, key, data):
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hmac.new(key, data, getattr(hashlib, algorithm)).hexdigest()


def twitch_signature(secret, message_id, timestamp, body):
    """The value of Twitch-Eventsub-Message-Signature for these bytes."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return "sha256=" + hmac_hex("sha256", secret, message_id.encode("utf-8") + timestamp.encode("utf-8") + body)


def websub_signature(secret, body, algorithm="sha1"):
    """The value of X-Hub-Signature for these bytes."""
    return algorithm + "=" + hmac_hex(algorithm, secret, body)


def forge(signature):
    """A well-formed signature of the same length that does not verify (last hex digit changed)."""
    last = signature[-1]
    return signature[:-1] + ("0" if last != "0" else "1")


def pkce_s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_matches(challenge, method, verifier):
    if verifier is None or not PKCE_VERIFIER_RE.match(verifier):
        return False
    if method == "S256":
        expected = pkce_s256(verifier)
    else:  # "plain"
        expected = verifier
    return hmac.compare_digest(expected, challenge)


def rfc3339_nano(ts=None):
    """RFC 3339 UTC with nanoseconds, as Twitch writes it: 2019-11-16T10:11:12.634234626Z."""
    if ts is None:
        ns = time.time_ns()
    else:
        ns = int(ts * 1_000_000_000)
    seconds, frac = divmod(ns, 1_000_000_000)
    base = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return "%s.%09dZ" % (base, frac)


def rfc3339(ts=None, fraction_digits=0):
    """RFC 3339 UTC with the given number of fraction digits (Google writes 2015-03-06T21:40:57Z or with .sss)."""
    if ts is None:
        ts = time.time()
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction_digits:
        frac = ("%.9f" % (ts % 1))[2:2 + fraction_digits]
        base += "." + frac
    return base + "Z"


def twitch_token():
    """A Twitch-looking token: 30 lowercase alphanumerics."""
    return "".join(secrets.choice(_ALNUM) for _ in range(30))


def twitch_code():
    return "".join(secrets.choice(_ALNUM) for _ in range(30))


def google_access_token():
    return "ya29.fake-" + secrets.token_urlsafe(48)


def google_refresh_token():
    return "1//fake-" + secrets.token_urlsafe(40)


def google_code():
    return "4/0Afake" + secrets.token_urlsafe(40)


def uuid4():
    return str(uuid.uuid4())


def challenge():
    return secrets.token_urlsafe(24)


def short_id(n=11):
    """YouTube-ish id (video ids are 11 url-safe base64 characters)."""
    return secrets.token_urlsafe(16)[:n]
