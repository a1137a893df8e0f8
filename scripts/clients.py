"""``make clients``: generate, build and use clients from the served OpenAPI document.

1. Tools (versions pinned in ``clients/requirements.txt`` and ``clients/package-lock.json``)
   are installed once under ``.tools/clients/`` and reused while the pins do not change.
2. A throwaway database is created and migrated on the test PostgreSQL (``tests/pg.py``: the
   ``TEST_DATABASE_URL``, 127.0.0.1:5432 or an embedded server), and the API is started on
   127.0.0.1 at a random port.
3. ``/openapi.json`` is fetched from it (gzip asked for) and must equal the committed file.
4. Spectral (``spectral:oas``) must report no error and no warning.
5. openapi-python-client, openapi-generator (``python``, ``typescript-fetch``) and
   @hey-api/openapi-ts generate clients; any warning other than the known notices below fails.
6. The Python clients are installed (``uv pip install``), the TypeScript ones compiled with
   ``tsc --strict``, and ``clients/roundtrip.py`` runs through both Python clients.

``python -m scripts.clients [--keep]`` (``--keep`` leaves the output in .tools/clients/out).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from app.auth.tokens import mint_dev_token
from app.config import Settings
from app.reference.loader import load_regions
from app.reference.seed import load_reference_data
from tests import pg
from tests.conftest import alembic_config, create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "clients"
TOOLS = ROOT / ".tools" / "clients"
OUT = TOOLS / "out"
PY = TOOLS / "py"
NODE_BIN = TOOLS / "node_modules" / ".bin"
RUN = TOOLS / "run"  # the venv the generated Python clients are installed into
UV = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
DEV_SECRET = "clients-check-secret-for-hs256-dev-tokens"  # noqa: S105
# openapi-generator notices that are not about the document: 3.1 support is "beta", a null
# type in anyOf is logged as a schema without a name, and a `from` query parameter is renamed.
KNOWN_NOTICES = (
    "OpenAPI 3.1 support is still in beta",
    "Failed to get the schema name: null",
    "(reserved word) cannot be used as model name",
)
TSC = ("--strict", "--noEmit", "--skipLibCheck", "--target", "es2022", "--module", "esnext")
TSC_REST = ("--moduleResolution", "bundler", "--lib", "es2022,dom,dom.iterable")


def say(message: str) -> None:
    print(f"[clients] {message}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"[clients] FAILED: {message}")


def run(*args: str | Path, cwd: Path = ROOT, log: Path | None = None, timeout: int = 600) -> str:
    result = subprocess.run(  # noqa: S603
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if log:
        log.write_text(output)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, args[:3]))}… exited {result.returncode}:\n{output[-3000:]}")
    return output


def _stamp(target: Path, *sources: Path) -> bool:
    """True when ``target`` was installed from these exact source files."""
    digest = hashlib.sha256(b"".join(s.read_bytes() for s in sources)).hexdigest()
    stamp = target / ".installed-from"
    if stamp.exists() and stamp.read_text() == digest:
        return True
    stamp.parent.mkdir(parents=True, exist_ok=True)
    return False


def _write_stamp(target: Path, *sources: Path) -> None:
    digest = hashlib.sha256(b"".join(s.read_bytes() for s in sources)).hexdigest()
    (target / ".installed-from").write_text(digest)


def install_tools() -> None:
    requirements = SPEC / "requirements.txt"
    if not _stamp(PY, requirements):
        say("installing openapi-python-client and openapi-generator-cli into .tools/clients/py")
        run(UV, "venv", "-q", "--allow-existing", "--python", "3.11", PY)
        run(UV, "pip", "install", "-q", "--python", PY / "bin" / "python", "-r", requirements)
        _write_stamp(PY, requirements)
    package, lock = SPEC / "package.json", SPEC / "package-lock.json"
    if not _stamp(TOOLS / "node_modules", package, lock):
        say("installing @hey-api/openapi-ts, typescript and spectral into .tools/clients")
        shutil.copy(package, TOOLS / "package.json")
        shutil.copy(lock, TOOLS / "package-lock.json")
        run("npm", "ci", "--no-audit", "--no-fund", cwd=TOOLS)
        _write_stamp(TOOLS / "node_modules", package, lock)
    if not shutil.which("java"):
        fail("openapi-generator needs Java: apt-get install default-jre-headless")


async def _database() -> tuple[str, str]:
    server = pg.server_url()
    url = Settings(database_url=await create_database(server, f"anjian_clients_{os.getpid()}"))
    await asyncio.to_thread(command.upgrade, alembic_config(url.database_url), "head")
    engine = create_async_engine(url.database_url)
    async with engine.begin() as conn:
        await load_regions(conn)
        await load_reference_data(conn)
    await engine.dispose()
    return server, url.database_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ANJIAN_DATABASE_URL": database_url,
        "ANJIAN_ENVIRONMENT": "test",
        "ANJIAN_DEV_JWT_SECRET": DEV_SECRET,
        "ANJIAN_ATTACHMENT_DIR": str(OUT / "attachments"),
        "ANJIAN_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + 180  # a loaded 2-core machine starts slowly
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                fail("the API did not start")
            time.sleep(0.3)
    proc.terminate()
    fail("the API did not answer /healthz within 180 s")
    raise AssertionError  # unreachable


def fetch_document(base: str) -> Path:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/openapi.json", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
        raw = response.read()
        encoding = response.headers.get("Content-Encoding")
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    say(f"served /openapi.json: {len(body):,} bytes, {len(raw):,} sent ({encoding or 'identity'})")
    if encoding != "gzip":
        fail("/openapi.json was not gzipped although gzip was accepted")
    committed = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    if json.loads(body) != committed:
        fail("the served document differs from openapi.json: run `make openapi`")
    path = OUT / "openapi.json"
    path.write_bytes(body)
    return path


def spectral(document: Path) -> subprocess.Popen[str]:
    args = [NODE_BIN / "spectral", "lint", "-q", "-f", "json", "-o", OUT / "spectral.json"]
    args += ["-r", SPEC / "spectral.yaml", "--fail-severity", "hint", document]
    return subprocess.Popen([str(a) for a in args], cwd=ROOT, text=True)  # noqa: S603


def generators(document: Path) -> dict[str, subprocess.Popen[str]]:
    opg = [str(PY / "bin" / "openapi-generator-cli"), "generate", "-i", str(document)]
    jobs = {
        "opc": [
            str(PY / "bin" / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--meta",
            "setup",
            "--output-path",
            str(OUT / "opc"),
            "--overwrite",
            "--config",
            str(SPEC / "openapi-python-client.yaml"),
        ],
        "ogpy": [*opg, "-g", "python", "-o", str(OUT / "ogpy"), "--package-name", "anjian_api"],
        "ogts": [*opg, "-g", "typescript-fetch", "-o", str(OUT / "ogts")],
        "heyapi": [str(NODE_BIN / "openapi-ts"), "-i", str(document), "-o", str(OUT / "heyapi")],
    }
    procs = {}
    for name, args in jobs.items():
        log = (OUT / f"{name}.log").open("w")
        procs[name] = subprocess.Popen(  # noqa: S603
            args, cwd=OUT, stdout=log, stderr=subprocess.STDOUT, text=True
        )
    return procs


def warnings_of(name: str, output: str) -> list[str]:
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    if name == "opc":
        return [line for line in plain.splitlines() if "warning" in line.lower()]
    if name.startswith("og"):
        return [
            line
            for line in plain.splitlines()
            if (" WARN " in line or " ERROR " in line) and not any(n in line for n in KNOWN_NOTICES)
        ]
    return [line for line in plain.splitlines() if re.search(r"warn|error|⚠", line, re.I)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep .tools/clients/out")
    args = parser.parse_args()
    started = time.monotonic()
    install_tools()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    server, database_url = asyncio.run(_database())
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    api: subprocess.Popen[bytes] | None = None
    try:
        api = start_server(database_url, port)
        document = fetch_document(base)
        lint = spectral(document)
        procs = generators(document)
        problems: list[str] = []
        for name, proc in procs.items():
            code = proc.wait(timeout=600)
            output = (OUT / f"{name}.log").read_text()
            if code != 0:
                fail(f"{name} exited {code}:\n{output[-3000:]}")
            problems += [f"{name}: {w}" for w in warnings_of(name, output)]
            say(f"{name}: generated")
        if problems:
            fail("generator warnings:\n" + "\n".join(problems[:40]))
        build_and_use(base)
        lint.wait(timeout=600)
        results = json.loads((OUT / "spectral.json").read_text() or "[]")
        if results:
            fail(
                "spectral:\n"
                + "\n".join(f"{r['code']}: {r['message']} {r['path']}" for r in results[:40])
            )
        say("spectral (spectral:oas): 0 errors, 0 warnings")
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=30)
        asyncio.run(_drop(server, database_url))
        if not args.keep:
            shutil.rmtree(OUT, ignore_errors=True)
    say(f"all clients generated, built and used in {time.monotonic() - started:.0f} s")
    # 4 generators, 2 compilations, 2 installs, 2 round trips, the served document, Spectral
    print("clients: 12 passed, 0 failed")
    return 0


def build_and_use(base: str) -> None:
    tsc = NODE_BIN / "tsc"
    compile_ts = {
        name: subprocess.Popen(  # noqa: S603
            [str(tsc), *TSC, *TSC_REST, str(OUT / name / "index.ts")],
            cwd=OUT,
            stdout=(OUT / f"{name}-tsc.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name in ("ogts", "heyapi")
    }
    run(UV, "venv", "-q", "--allow-existing", "--python", "3.11", RUN)
    python = RUN / "bin" / "python"
    run(UV, "pip", "install", "-q", "--reinstall", "--python", python, OUT / "opc", OUT / "ogpy")
    say("Python clients installed (openapi-python-client, openapi-generator python)")
    settings = Settings(dev_jwt_secret=DEV_SECRET)
    token = mint_dev_token(settings, {"sub": "clients-check", "role": "admin"})
    for flavour in ("opc", "ogpy"):
        print(run(python, SPEC / "roundtrip.py", flavour, base, token), end="")
    for name, proc in compile_ts.items():
        if proc.wait(timeout=600) != 0:
            fail(f"tsc --strict {name}:\n{(OUT / f'{name}-tsc.log').read_text()[-3000:]}")
        say(f"{name}: tsc --strict passed")


async def _drop(server: str, database_url: str) -> None:
    await drop_database(server, database_url.rsplit("/", 1)[-1].split("?")[0])


if __name__ == "__main__":
    sys.exit(main())
