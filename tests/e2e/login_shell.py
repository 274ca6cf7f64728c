"""Stand-in for an interactive login shell, for the SSH tests (stdlib only).

    python login_shell.py STATUS_FILE PROGRAM [ARGS...]

Runs PROGRAM in the foreground of this terminal. When the connection drops, the kernel
sends SIGHUP to the session leader (this process), and, like bash, it passes SIGHUP on to
its job. Unlike bash it then waits and writes the job's exit status to STATUS_FILE
("0", or "-N" if signal N killed it), which nothing else could observe once the
connection is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def main(argv: list[str]) -> int:
    status_file, command = argv[0], argv[1:]
    children: list[subprocess.Popen] = []

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            child.send_signal(signum)

    # Handlers first, so a drop during start-up is not lost; exec resets them in the child.
    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, forward)
    children.append(subprocess.Popen(command))
    rc = children[0].wait()  # interrupted by a forwarded signal, waitpid is retried (PEP 475)
    tmp = status_file + ".tmp"
    with open(tmp, "w") as out:
        out.write(f"{rc}\n")
    os.replace(tmp, status_file)  # the test never reads a half-written file
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
