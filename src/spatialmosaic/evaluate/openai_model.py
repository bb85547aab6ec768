"""Any OpenAI-compatible chat-completions endpoint (vLLM, SGLang, ``transformers serve``,
llama.cpp's server, hosted APIs): frames go as JPEG data URLs before the prompt, greedy, 16
new tokens (SPEC §5).

Standard library only (``urllib``), so evaluating a served model needs no extra package.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

from spatialmosaic.evaluate.models import ModelError, Query

MAX_NEW_TOKENS = 16
RETRIES = 3
RETRY_STATUS = {429, 500, 502, 503, 504}
BACKOFF_S = 2.0


def image_data_url(path: Path) -> str:
    try:
        payload = path.read_bytes()
    except OSError as error:
        raise ModelError(f"frame image {path}: {error.strerror or error}") from None
    return "data:image/jpeg;base64," + base64.b64encode(payload).decode("ascii")


def chat_messages(query: Query) -> list[dict]:
    """One user turn: the frames in record order, then the official prompt."""
    content: list[dict] = [
        {"type": "image_url", "image_url": {"url": image_data_url(path)}} for path in query.images
    ]
    content.append({"type": "text", "text": query.prompt})
    return [{"role": "user", "content": content}]


class ChatCompletionsModel:
    """``endpoint`` is the API base (``http://host:port/v1``); the key, when the server needs
    one, is read from the environment variable ``api_key_env``, never from config."""

    def __init__(
        self,
        seed: int,
        endpoint: str,
        api_model: str,
        api_key_env: str | None = None,
        timeout_s: float = 120.0,
    ) -> None:
        self.url = endpoint.rstrip("/") + "/chat/completions"
        self.api_model = api_model
        self.seed = seed
        self.timeout_s = timeout_s
        self.headers = {"Content-Type": "application/json"}
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise ModelError(f"environment variable {api_key_env} (the API key) is not set")
            self.headers["Authorization"] = f"Bearer {key}"

    def request_body(self, query: Query) -> dict:
        return {
            "model": self.api_model,
            "messages": chat_messages(query),
            "max_tokens": MAX_NEW_TOKENS,
            "temperature": 0,
            "seed": self.seed,
        }

    def reply(self, query: Query) -> str:
        body = json.dumps(self.request_body(query)).encode("utf-8")
        for attempt in range(RETRIES):
            request = urllib.request.Request(self.url, body, self.headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    payload = json.loads(response.read().decode("utf-8"))
                break
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace")[:300]
                if error.code not in RETRY_STATUS or attempt == RETRIES - 1:
                    raise ModelError(
                        f"{self.url} answered HTTP {error.code} for record {query.record.id}: "
                        f"{detail}"
                    ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == RETRIES - 1:
                    reason = getattr(error, "reason", error)
                    raise ModelError(f"{self.url} unreachable: {reason}") from None
            except json.JSONDecodeError:
                raise ModelError(f"{self.url} answered with something that is not JSON") from None
            time.sleep(BACKOFF_S * 2**attempt)
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ModelError(
                f"{self.url}: no choices[0].message.content in the reply: {str(payload)[:300]}"
            ) from None
        # lmms-eval's model wrappers strip generations before scoring; so do we.
        return (content or "").strip()
