"""Run inside a private mount namespace whose MOUNT folder is a tiny tmpfs (see
test_hostile_db.py): copy a database onto it, import a file too big for the
space left with the real `diptych` program, and report what changed, as JSON.

    python fs_probe.py TEMPLATE_DB MOUNT ARTICLE DIPTYCH
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hostile_kit import snapshot


def main(template: str, mount: str, article: str, diptych: str) -> None:
    db = Path(mount) / "on-a-small-disk.db"
    shutil.copy(template, db)
    before = snapshot(db)
    proc = subprocess.run([diptych, "import", article, "--db", str(db), "--max-size", "20MB"],
                          capture_output=True, text=True, timeout=120)
    free = shutil.disk_usage(mount).free
    after = snapshot(db)
    print(json.dumps({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "free": free,
                      "unchanged": before == after, "db": str(db)}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
