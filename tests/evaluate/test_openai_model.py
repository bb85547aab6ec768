"""An OpenAI-compatible endpoint: a real `transformers serve` process on loopback serving the
tiny LLaVA, queried with frames as JPEG data URLs; it must answer what the local model does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_hf_model import records, write_frames

from spatialmosaic import cli
from spatialmosaic.evaluate import openai_model
from spatialmosaic.evaluate.models import ModelError, Query, build_model
from spatialmosaic.evaluate.run import evaluate_model
from spatialmosaic.io import read_json

pytest.importorskip("fastapi")
STARTUP_TIMEOUT_S = 600  # imports of torch + transformers on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_llava_dir, tmp_path_factory):
    """`transformers serve` with the model preloaded: /health answers once it is loaded."""
    executable = Path(sys.executable).with_name("transformers")
    if not executable.exists():
        executable = Path(shutil.which("transformers") or "transformers")
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    command = [
        str(executable),
        "serve",
        str(tiny_llava_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        "cpu",
        "--dtype",
        "float32",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"transformers serve exited: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"transformers serve not ready: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield f"{base}/v1"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


@pytest.mark.slow  # starts a real `transformers serve` (about 2 minutes)
def test_served_model_answers_like_the_local_one(server, tiny_llava_dir, tmp_path):
    write_frames(tmp_path, records())
    served = build_model("openai", 0, endpoint=server, api_model=str(tiny_llava_dir))
    local = build_model("hf", 0, path=tiny_llava_dir)
    served_rows = evaluate_model(served, records(), tmp_path)
    local_rows = evaluate_model(local, records(), tmp_path)
    assert [r["reply"] for r in served_rows] == [r["reply"] for r in local_rows]
    assert any(r["reply"] for r in served_rows)


@pytest.mark.slow  # starts a real `transformers serve` (about 2 minutes)
def test_cli_scores_a_served_model(server, tiny_llava_dir, tmp_path):
    write_frames(tmp_path / "images", records())
    (tmp_path / "bench.json").write_text(json.dumps([r.to_json() for r in records()]))
    code = cli.main(
        [
            "evaluate",
            "run",
            "--model",
            "openai",
            "--label",
            "served",
            "--endpoint",
            server,
            "--api-model",
            str(tiny_llava_dir),
            "--images",
            str(tmp_path / "images"),
            "--benchmark",
            str(tmp_path / "bench.json"),
            "--seed",
            "0",
            "--predictions",
            str(tmp_path / "p.jsonl"),
            "--metrics",
            str(tmp_path / "m.json"),
        ]
    )
    assert code == 0
    metrics = read_json(tmp_path / "m.json", kind="spatialmosaic.metrics")
    assert metrics["model"] == "served"
    assert metrics["meta"]["params"]["endpoint"] == server
    assert set(metrics["per_type"]) == {"obj_count_occ", "obj_localization_occ_na"}


def test_request_carries_frames_as_data_urls_before_the_prompt(tmp_path):
    record = records()[0]
    write_frames(tmp_path, [record])
    model = build_model("openai", 7, endpoint="http://127.0.0.1:9/v1", api_model="m")
    paths = tuple(sorted((tmp_path / record.scene_name / "images").glob("*.jpg")))
    body = model.request_body(Query(record, "the prompt", paths))
    content = body["messages"][0]["content"]
    assert [item["type"] for item in content] == ["image_url", "image_url", "text"]
    assert content[0]["image_url"]["url"].startswith("data:image/jpeg;base64,/9j/")
    assert body | {"messages": None} == {
        "model": "m",
        "messages": None,
        "max_tokens": 16,
        "temperature": 0,
        "seed": 7,
    }


def test_unreachable_endpoint_and_missing_key_say_so(monkeypatch):
    monkeypatch.setattr(openai_model, "BACKOFF_S", 0.0)
    model = build_model("openai", 0, endpoint=f"http://127.0.0.1:{free_port()}/v1", api_model="m")
    with pytest.raises(ModelError, match="chat/completions unreachable"):
        model.reply(Query(records()[0], "p", ()))
    monkeypatch.delenv("SPATIALMOSAIC_TEST_KEY", raising=False)
    with pytest.raises(ModelError, match="SPATIALMOSAIC_TEST_KEY .* is not set"):
        build_model(
            "openai", 0, endpoint="http://x/v1", api_model="m", api_key_env="SPATIALMOSAIC_TEST_KEY"
        )
