"""SMS through an HTTP gateway (`SMS_GATEWAY_URL`, `SMS_GATEWAY_KEY`): one POST of JSON
`{"phone": "…", "text": "…"}` with `Authorization: Bearer KEY`. Anything but a 2xx answer, and
any timeout or refused connection, is a `SendFailed` that the outbox retries with back-off.

The message's own key goes along as `Idempotency-Key`, so a gateway that honours it drops the
second copy of a message whose first answer came too late to be heard.

The standard library's `urllib` is enough for one POST; no HTTP client dependency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from ..notify.outbox import SendFailed


class HttpSmsSender:
    def __init__(self, url: str, key: str, timeout: float = 10.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"SMS_GATEWAY_URL: use http(s)://…, not {url}")
        self.url = url
        self.key = key
        self.timeout = timeout

    def describe(self) -> str:
        return f"SMS gateway {self.url}"

    def send(self, phone: str, text: str, *, key: str) -> None:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.key}",
                "Idempotency-Key": key,
            },
        )
        try:
            # Only http(s) URLs reach here: the constructor refuses any other scheme.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec B310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SendFailed(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SendFailed(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SendFailed(f"gateway answered {status}")
