import json
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from store.signing import headers, new_secret


def test_signature_verifies_with_reference_library():
    secret = new_secret()
    body = json.dumps({"type": "publication.published", "timestamp": "2026-01-01T00:00:00Z", "data": {}}).encode()
    sent = headers(secret, "msg_0001", int(time.time()), body)
    assert Webhook(secret).verify(body, sent)["type"] == "publication.published"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, sent)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", sent)


def test_secret_shape():
    import base64

    secret = new_secret()
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64
