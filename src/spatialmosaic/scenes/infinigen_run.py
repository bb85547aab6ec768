"""Infinigen's own environment, and one scene generated and exported in it.

Infinigen 1.15.5 pins Python 3.11, numpy < 2 and Blender's ``bpy`` 4.2, which the project's
environment cannot share, so it gets a virtual environment of its own
(``scenes.infinigen.venv``), made once from ``envs/infinigen-requirements.txt``. A scene is
then two subprocesses in it: Infinigen's indoor generator (``--task coarse``: the solved,
populated house as ``scene.blend``), then the exporter script
(:mod:`spatialmosaic.scenes.infinigen_export`) that writes the interchange files. Both run
under ``nice``; their output streams into the rule's log. Never run in tests or CI (about 13
minutes per scene on 2 cores, docs/infinigen.md).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

from spatialmosaic.io import ArtefactError, atomic_path, read_json, write_json

INFINIGEN_VERSION = "1.15.5"
REQUIREMENTS = Path("envs/infinigen-requirements.txt")  # relative to the working directory
PYTHON_VERSION = (3, 11)  # infinigen 1.15.5: Requires-Python ==3.11.*
STAMP_NAME = "spatialmosaic-env.json"
GENERATOR_MODULE = "infinigen_examples.generate_indoors"
EXPORT_SCRIPT = Path(__file__).with_name("infinigen_export.py")
VERSION_PROBE = "import sys; print(*sys.version_info[:2])"
ENV_PROBE = (
    "import importlib.metadata as m, json, bpy, infinigen; "
    "print(json.dumps({'infinigen': m.version('infinigen'), 'bpy': bpy.app.version_string, "
    "'root': str(infinigen.repo_root())}))"
)
TAIL_LINES = 15


def env_stamp(venv: Path) -> Path:
    """Written last by :func:`create_env`: the environment is complete."""
    return Path(venv) / STAMP_NAME


def venv_python(venv: Path) -> Path:
    return Path(venv) / "bin" / "python"


def python_version(python: str) -> tuple[int, int]:
    """The (major, minor) version of the interpreter ``python`` (a name on PATH or a path).

    Raises:
        ValueError: not found, or it does not run.
    """
    found = shutil.which(python)
    if found is None:
        raise ValueError(f"{python}: no such Python interpreter on PATH")
    result = subprocess.run([found, "-c", VERSION_PROBE], capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError(f"{python}: does not run ({result.stderr.strip()[-200:]})")
    major, minor = map(int, result.stdout.split())
    return major, minor


def env_problem(venv: Path, python: str, requirements: Path) -> str | None:
    """Why the environment can neither be used nor made, or None (checked before any rule
    runs; cheap: no install)."""
    if env_stamp(venv).is_file() and venv_python(venv).exists():
        return None
    if not Path(requirements).is_file():
        return f"{requirements}: the pinned requirements of Infinigen's environment are missing"
    try:
        version = python_version(python)
    except ValueError as error:
        return (
            f"{error}; Infinigen {INFINIGEN_VERSION} needs Python 3.11: install one (apt, pyenv) "
            "and name it in scenes.infinigen.python"
        )
    if version != PYTHON_VERSION:
        return (
            f"{python} is Python {version[0]}.{version[1]}; Infinigen {INFINIGEN_VERSION} "
            "needs Python 3.11 (set scenes.infinigen.python to a python3.11)"
        )
    return None


def create_env(venv: Path, requirements: Path, python: str, stamp: Path) -> dict[str, str]:
    """Make ``venv`` with ``python`` and install ``requirements`` into it, check that
    ``infinigen`` and ``bpy`` import, then write ``stamp`` (versions, Infinigen's root folder
    and the requirements).

    Raises:
        ArtefactError: a wrong or missing Python, or a failed step (its output's last lines).
    """
    problem = env_problem(Path(venv) / "not-made-yet", python, requirements)
    if problem is not None:
        raise ArtefactError(problem)
    venv = Path(venv)
    _run([shutil.which(python), "-m", "venv", str(venv)], None, "python -m venv")
    pip = [str(venv_python(venv)), "-m", "pip", "install", "--no-compile", "-r", str(requirements)]
    _run(pip, None, f"pip install -r {requirements}")
    probe = subprocess.run(
        [str(venv_python(venv)), "-c", ENV_PROBE], capture_output=True, text=True
    )
    if probe.returncode != 0:
        raise ArtefactError(f"{venv}: infinigen or bpy does not import: {probe.stderr[-500:]}")
    versions = json.loads(probe.stdout.strip().splitlines()[-1])
    if versions["infinigen"] != INFINIGEN_VERSION:
        raise ArtefactError(
            f"{requirements}: installs infinigen {versions['infinigen']}; the exporter and the "
            f"label table are for {INFINIGEN_VERSION}"
        )
    record = {**versions, "python": f"{PYTHON_VERSION[0]}.{PYTHON_VERSION[1]}",
              "requirements": Path(requirements).read_text()}  # fmt: skip
    write_json(stamp, record)
    return versions


def _run(command: list, timeout_s: float | None, what: str, cwd: Path | None = None) -> None:
    """Run ``command``, streaming its output to ours; kill its process group after
    ``timeout_s``.

    Raises:
        ArtefactError: it failed or timed out (with its last lines of output).
    """
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    process = subprocess.Popen(
        [str(part) for part in command], cwd=cwd, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True,
    )  # fmt: skip
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(timeout_s, kill) if timeout_s else None
    if timer is not None:
        timer.start()
    try:
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()  # the rule's log shows progress while a room is solved
            tail.append(line.rstrip())
        process.wait()
    finally:
        if timer is not None:
            timer.cancel()
    sys.stdout.flush()
    last = "\n  ".join(tail)
    if timed_out.is_set():
        raise ArtefactError(f"{what}: killed after {timeout_s:.0f} s; last output:\n  {last}")
    if process.returncode != 0:
        raise ArtefactError(f"{what}: exited {process.returncode}; last output:\n  {last}")


def generate_export(
    venv: Path,
    seed: int,
    configs: list[str],
    overrides: list[str],
    timeout_s: float,
    niceness: int,
    manifest_json: Path,
    meshes_npz: Path,
    keep_blend: bool = False,
) -> dict:
    """Generate one Infinigen scene (seed ``seed``, gin ``configs`` and ``overrides``) and
    export it to ``manifest_json`` + ``meshes_npz``.

    The ``scene.blend`` (about 370 MB) is made in ``<manifest folder>/work/``, removed after
    the export unless ``keep_blend``. Returns the manifest's ``generator`` record.

    Raises:
        ArtefactError: no environment, a failed or timed-out step, or an unreadable export.
    """
    from spatialmosaic.scenes.infinigen import read_export

    stamp = env_stamp(venv)
    if not stamp.is_file():
        raise ArtefactError(f"{stamp}: missing; make it with `spatialmosaic scenes infinigen-env`")
    versions = read_json(stamp)
    work = Path(manifest_json).absolute().parent / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    nice = ["nice", "-n", str(niceness)] if niceness else []
    python = venv_python(venv).absolute()
    command = [*nice, python, "-m", GENERATOR_MODULE, "--seed", seed, "--task", "coarse",
               "--output_folder", work / "coarse", "-g", *configs]  # fmt: skip
    if overrides:
        command += ["-p", *overrides]
    start = time.monotonic()
    # Infinigen's gin files include each other by paths relative to its repository root (the
    # venv's site-packages), so the generator runs there; it writes only to --output_folder.
    _run(command, timeout_s, f"{GENERATOR_MODULE} --seed {seed}", cwd=Path(versions["root"]))
    generator = {
        "infinigen": versions["infinigen"],
        "seed": seed,
        "task": "coarse",
        "configs": list(configs),
        "overrides": list(overrides),
        "generation_s": round(time.monotonic() - start, 1),
    }
    export = [*nice, python, EXPORT_SCRIPT, "--blend", work / "coarse" / "scene.blend",
              "--out-dir", work / "export", "--generator-json", json.dumps(generator)]  # fmt: skip
    _run(export, timeout_s, f"{EXPORT_SCRIPT.name}", cwd=work)
    read_export(work / "export" / "manifest.json", work / "export" / "meshes.npz")
    for made, dest in ((work / "export" / "meshes.npz", meshes_npz),
                       (work / "export" / "manifest.json", manifest_json)):  # fmt: skip
        with atomic_path(Path(dest)) as tmp:
            shutil.move(made, tmp)
    if not keep_blend:
        shutil.rmtree(work)
    return generator
