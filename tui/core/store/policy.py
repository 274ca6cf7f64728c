"""Who may write as whom: the login of the process and the database's write policy.

Every change is logged with the annotator name *and* the OS user that made it
(``events.os_user``). Writing under another annotator name than one's login
(``--annotator alice`` run by bob, a reviewer writing into ``gold``, a JSONL
record naming its own annotator) is allowed or refused by the policy stored in
the database's ``settings`` table:

- no ``settings`` table, or ``shared`` not ``"1"``: **open** — a database one
  person uses alone; any name may be written as (the default);
- ``shared`` = ``"1"``: **closed** — a login writes only as itself, unless it is
  listed in ``reviewers`` (OS user names, comma-separated), who may write as
  any annotator (``gold`` among them).

The policy guards against mistakes and casual impersonation among colleagues
who share a server; it is not a security boundary against someone who can
write the database file directly.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from typing import Any

from ..errors import PolicyError
from .settings import REVIEWERS, SHARED



def os_user() -> str:
    """The login of this process (effective uid), or the uid when it has no name."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry (containers): the number still tells people apart
        return str(uid)


@dataclass(frozen=True)
class Policy:
    """The write policy of one database, as read from its ``settings``."""

    shared: bool = False
    reviewers: frozenset[str] = frozenset()

    def allows(self, login: str, annotator: str) -> bool:
        return not self.shared or annotator == login or login in self.reviewers

    def check(self, login: str, annotator: str, *, what: str = "save") -> None:
        """Raise PolicyError when ``login`` may not write as ``annotator``."""
        if self.allows(login, annotator):
            return
        listed = ", ".join(sorted(self.reviewers)) or "nobody"
        raise PolicyError(
            f"cannot {what} as annotator {annotator!r}: you are logged in as {login!r}, and this shared "
            f"database lets a login write only as itself (reviewers, who may write as anyone: {listed})",
            hint=f"use --annotator {login} (or leave it out), or ask the database's administrator to add "
                 f"{login} to its reviewers")


def write_policy(store: Any) -> Policy:
    """The policy stored in ``store``'s settings (``Store.setting``); open when there is none."""
    values = store.settings_of(SHARED, REVIEWERS)
    reviewers = frozenset(n.strip() for n in (values.get(REVIEWERS) or "").split(",") if n.strip())
    return Policy(shared=(values.get(SHARED) or "").strip() == "1", reviewers=reviewers)

