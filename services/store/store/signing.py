"""Standard Webhooks v1 signatures: HMAC-SHA256 over `{id}.{timestamp}.{body}`."""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secrets_: str | list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers. During a secret rotation both secrets sign, space
    separated, so a receiver holding either verifies."""
    keys = [secrets_] if isinstance(secrets_, str) else secrets_
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(k, msg_id, timestamp, body) for k in keys),
        "content-type": "application/json",
    }
