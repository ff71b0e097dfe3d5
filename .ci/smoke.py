"""CI smoke test: start the README's run command, wait for /readyz = 200, stop it with
Ctrl-C (SIGINT) and check it exits cleanly. Usage: python .ci/smoke.py -- COMMAND..."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    command = sys.argv[sys.argv.index("--") + 1 :]
    port = free_port()
    env = {**os.environ, "LEADGATE_PORT": str(port)}
    env.setdefault("LEADGATE_DATA_DIR", tempfile.mkdtemp(prefix="leadgate-smoke-"))
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
    url = f"http://127.0.0.1:{port}/readyz"
    ready_after = None
    try:
        while time.monotonic() - started < 180:
            if process.poll() is not None:
                print(f"smoke: {command} exited early with {process.returncode}", file=sys.stderr)
                return 1
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        ready_after = time.monotonic() - started
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        if ready_after is None:
            print("smoke: /readyz never answered 200 within 180 s", file=sys.stderr)
            return 1
        print(f"smoke: /readyz 200 after {ready_after:.2f} s", file=sys.stderr)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                print("smoke: did not stop within 60 s of SIGINT", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
