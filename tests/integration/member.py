"""A team member's process for test_team_server.py, run as a real Unix user.

    python tests/integration/member.py DB NAME

Reads one JSON command a line from stdin and answers one JSON line, flushed, so
the test drives several members' sessions in a fixed order without sleeping:
``open`` (AnnotationSession.open as NAME), ``tag`` (a CLAIM at start..end of the
first document), ``count`` (annotations of everyone), ``close``.
A Diptych error is answered as {"error": code, "message": text}.
"""

from __future__ import annotations

import json
import sys

from tui.core.errors import DiptychError
from tui.core.session import AnnotationSession


def main() -> None:
    db, name = sys.argv[1], sys.argv[2]
    session = None
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "open":
                session = AnnotationSession.open(db, annotator=name)
                out = {"readonly": session.readonly}
            elif op == "tag":
                doc = session.store.documents()[0]
                session.tag(doc.id, cmd["start"], cmd["end"], "CLAIM")
                out = {"saved": True}
            elif op == "count":
                out = {"annotations": len(session.store.annotations())}
            elif op == "close":
                session.close()
                session = None
                out = {"closed": True}
            else:
                out = {"error": "unknown op"}
        except DiptychError as err:
            out = {"error": err.code, "message": str(err)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
