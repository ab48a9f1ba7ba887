"""A webhook receiver for iotops in Python 3, with nothing but the standard library:
    WEBHOOK_SECRET=whsec_... python3 receiver.py
It verifies the Standard Webhooks signature (https://www.standardwebhooks.com) on the raw body before trusting
anything, refuses stale timestamps (replays), answers 2xx quickly and deduplicates on webhook-id (a message is
delivered at least once: retries and redeliveries carry the same id). The `standardwebhooks` package on PyPI does
the same verification if you prefer a library.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 5 * 60


def verify_webhook(headers, raw_body: bytes, secret: str, now: float | None = None) -> bool:
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures or not re.fullmatch(r"\d+", timestamp):
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + raw_body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # During a secret rotation a message carries one signature per secret: any v1 match will do.
    for entry in signatures.split(" "):
        version, _, sig = entry.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return True
    return False


SEEN = set()  # use your database in production: the id is the idempotency key


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if not verify_webhook(self.headers, body, os.environ.get("WEBHOOK_SECRET", "")):
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(204)  # answer first, work after: a slow answer is retried as a failure
        self.end_headers()
        msg_id = self.headers["webhook-id"]
        if msg_id in SEEN:
            return
        SEEN.add(msg_id)
        message = json.loads(body)
        print(message["type"], json.dumps(message["data"]))


if __name__ == "__main__":
    HTTPServer(("", int(os.environ.get("PORT", "8787"))), Receiver).serve_forever()
