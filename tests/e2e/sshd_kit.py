"""A throwaway OpenSSH server on 127.0.0.1 for end-to-end tests.

Everything lives in one temp directory: host key, client key, authorized_keys,
sshd_config, pid file and log. Only the user running the tests may log in, only
with the generated key. `make test` installs openssh-server/client (system-deps).
"""

from __future__ import annotations

import os
import pwd
import shlex
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tmux_kit import require

PRIVSEP_DIR = Path("/run/sshd")  # sshd refuses to start as root without it


@dataclass
class SshServer:
    root: Path
    port: int
    user: str
    client_key: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    def ssh_command(self, remote: str) -> str:
        """A shell command line that opens an interactive (`-tt`) session running `remote`."""
        args = [require("ssh"), "-tt", "-F", "/dev/null", "-i", str(self.client_key), "-p", str(self.port),
                "-l", self.user,
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10",
                "127.0.0.1", remote]
        return shlex.join(args)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path) -> Path:
    subprocess.run([require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "diptych-e2e", "-f", str(path)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return path


def write_config(root: Path, port: int, user: str) -> Path:
    config = root / "sshd_config"
    config.write_text("\n".join([
        "ListenAddress 127.0.0.1",
        f"Port {port}",
        f"HostKey {root / 'host_ed25519'}",
        f"AuthorizedKeysFile {root / 'authorized_keys'}",
        f"PidFile {root / 'sshd.pid'}",
        f"AllowUsers {user}",
        "AuthenticationMethods publickey",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        # Tests run as root in CI; the key above is the only way in.
        "PermitRootLogin yes",
        "StrictModes no",  # tmp dirs are not owned and moded as sshd would like
        "UsePAM no",
        "UseDNS no",
        "PrintMotd no",
        "PrintLastLog no",
        "X11Forwarding no",
        "AllowTcpForwarding no",
        "AcceptEnv LANG LC_*",
        "LogLevel VERBOSE",
        "",
    ]))
    return config


def start_sshd(root: Path) -> SshServer:
    """Start sshd in the foreground (-D, log to a file via -e) and wait until it listens."""
    sshd = require("sshd")
    root.mkdir(parents=True, exist_ok=True)
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    keygen(root / "host_ed25519")
    client_key = keygen(root / "client_ed25519")
    (root / "authorized_keys").write_text((root / "client_ed25519.pub").read_text())
    for _attempt in range(3):  # the free port may be taken before sshd binds it
        server = _launch(sshd, root, free_port(), user, client_key)
        if server is not None:
            return server
    pytest.fail(f"sshd could not bind a free port on 127.0.0.1; its log:\n{(root / 'sshd.log').read_text()}")


def _launch(sshd: str, root: Path, port: int, user: str, client_key: Path, timeout: float = 20.0) -> SshServer | None:
    config = write_config(root, port, user)
    log = root / "sshd.log"
    with log.open("wb") as out:
        # sshd re-executes itself, so it must be started by absolute path.
        proc = subprocess.Popen([os.path.abspath(sshd), "-D", "-e", "-f", str(config)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    server = SshServer(root=root, port=port, user=user, client_key=client_key, log=log, proc=proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = server.log_text()
            if "Address already in use" in text or "Cannot bind any address" in text:
                return None
            if os.getuid() != 0 and "privilege separation" in text.lower():
                pytest.skip(f"sshd cannot run without root here: {text.strip()}")
            pytest.fail(f"sshd exited with status {proc.returncode}; its log:\n{text}")
        if f"Server listening on 127.0.0.1 port {port}" in server.log_text():
            return server
        time.sleep(0.05)
    server.stop()
    pytest.fail(f"sshd did not listen on 127.0.0.1:{port} within {timeout}s; its log:\n{server.log_text()}")
