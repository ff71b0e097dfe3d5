"""A real OpenID Connect provider for end-to-end login tests: panva/oidc-provider on the
machine's Node, installed with ``npm ci`` from the lock file next to this module into a
cache directory (keyed by the harness files' hash, so it is installed once per change).

Nothing is skipped silently: without Node the harness installs it with apt when running
as root, and otherwise fails with a message saying what to install. See ``provider.mjs``
for what the provider does and the test-only knobs it adds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import msgspec

__all__ = ["OidcProvider", "RegisteredClient", "install_provider", "running_oidc_provider"]

HARNESS_DIR = Path(__file__).parent
_HARNESS_FILES = ("package.json", "package-lock.json", "provider.mjs")
_MIN_NODE = (20, 19)
_STARTUP_TIMEOUT_S = 60.0


class HarnessError(RuntimeError):
    """The provider cannot be installed or started; the message says why."""


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class OidcProvider:
    issuer: str

    async def register_client(
        self, http: httpx.AsyncClient, *, redirect_uri: str
    ) -> RegisteredClient:
        """Register a confidential web client (RFC 7591 dynamic registration)."""
        response = await http.post(
            f"{self.issuer}/reg",
            json={
                "redirect_uris": [redirect_uri],
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                "token_endpoint_auth_method": "client_secret_basic",
            },
        )
        response.raise_for_status()
        body = response.json()
        return RegisteredClient(client_id=body["client_id"], client_secret=body["client_secret"])

    async def tamper_next_id_token(
        self,
        http: httpx.AsyncClient,
        *,
        client_id: str,
        claims: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        sign_with: Literal["provider", "foreign", "none"] = "provider",
    ) -> None:
        """Make the provider's next token response to ``client_id`` carry an ID token with
        ``claims`` replaced and ``remove`` dropped, signed with its own key, a foreign key
        under the same ``kid``, or not at all."""
        response = await http.post(
            f"{self.issuer}/__harness/next-id-token",
            json={
                "client_id": client_id,
                "claims": dict(claims or {}),
                "remove": list(remove),
                "sign_with": sign_with,
            },
        )
        response.raise_for_status()


def _node() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        if os.geteuid() != 0:
            raise HarnessError(
                "Node.js (>= 20.19) and npm are needed for the OIDC provider of the login "
                "tests; install them (e.g. apt-get install -y nodejs npm) and run again."
            )
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "nodejs", "npm"]):
            _run(command, cwd=HARNESS_DIR)
        node = shutil.which("node")
        if node is None:
            raise HarnessError("apt-get installed nodejs but `node` is still not on PATH")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    match = re.match(r"v(\d+)\.(\d+)", version)
    if match is None or (int(match[1]), int(match[2])) < _MIN_NODE:
        raise HarnessError(
            f"the OIDC provider needs Node.js >= {_MIN_NODE[0]}.{_MIN_NODE[1]}, found {version}"
        )
    return node


def _run(command: Sequence[str], *, cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HarnessError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def _cache_root() -> Path:
    configured = os.environ.get("LEADGATE_TEST_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leadgate-tests"


def install_provider() -> tuple[str, Path]:
    """Node's path and a directory holding the harness with its ``node_modules``.
    Installs with ``npm ci`` (exactly the lock file, no install scripts) when needed."""
    node = _node()
    digest = hashlib.sha256()
    for name in _HARNESS_FILES:
        digest.update((HARNESS_DIR / name).read_bytes())
    target = _cache_root() / "oidc-provider" / digest.hexdigest()[:16]
    marker = target / ".installed"
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".lock").open("w") as lock:
        # Several test processes may start at once; one installs, the others wait.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            for name in _HARNESS_FILES:
                shutil.copyfile(HARNESS_DIR / name, target / name)
            _run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                cwd=target,
            )
            marker.touch()
    return node, target


class _Ready(msgspec.Struct):
    issuer: str


@contextmanager
def running_oidc_provider(log_path: Path) -> Iterator[OidcProvider]:
    """Start the provider on a free loopback port; stop it when the block ends. Its
    diagnostics go to ``log_path``."""
    node, directory = install_provider()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "provider.mjs"],
            cwd=directory,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        try:
            yield OidcProvider(issuer=_wait_until_ready(process, log_path))
        finally:
            # Closing stdin is the provider's signal to exit.
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _wait_until_ready(process: subprocess.Popen[bytes], log_path: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], 0.5)
        if readable:
            line = process.stdout.readline()
            if line:
                return msgspec.json.decode(line, type=_Ready).issuer
        if process.poll() is not None:
            break
    process.kill()
    raise HarnessError(
        f"the OIDC provider did not start; its log:\n{log_path.read_text(errors='replace')}"
    )
