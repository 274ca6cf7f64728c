"""Whose spans an import writes: the annotator it runs as, unless the policy allows more.

An import runs as one annotator (``--annotator``, default the login). A record
may name its own (``_annotator_id`` / ``annotator``), e.g. a team's merged
export. Writing under a name other than the login is what the database's write
policy decides (see ``tui.core.store.policy``): refused with the file and line
when closed; when open it is allowed, and said in the file's warnings with the
counts, so nobody's name is written without the person importing seeing it.
"""

from __future__ import annotations

from ..errors import PolicyError
from ..store import Store, os_user, write_policy


class AnnotatorGuard:
    """Decides, record by record, the annotator an import writes as."""

    def __init__(self, store: Store, run_as: str, shown: str, *, login: str | None = None) -> None:
        self.policy = write_policy(store)
        self.run_as, self.shown = run_as, shown
        self.login = login or os_user()
        self.records: dict[str, int] = {}  # annotator named by records (not run_as) -> records

    def check_all(self, named: list[tuple[str | None, int]]) -> None:
        """Refuse the file before anything is written if any record may not be imported
        as the annotator it names: (named annotator or None, line) per record."""
        for who, line in named:
            annotator = who or self.run_as
            if not self.policy.allows(self.login, annotator):
                self.decide(who, line)  # raises with the file, line and what to do

    def decide(self, named: str | None, line: int) -> str:
        """The annotator of the record at ``line`` naming ``named`` (or None)."""
        annotator = named or self.run_as
        if not self.policy.allows(self.login, annotator):
            if annotator == self.run_as:
                raise PolicyError(
                    f"{self.shown}: cannot import as annotator {annotator!r}: you are logged in as "
                    f"{self.login!r}, and this shared database lets a login write only as itself",
                    hint=f"import with --annotator {self.login} (or leave it out), or have a reviewer "
                         f"({self._reviewers()}) import it; nothing of this file was saved")
            raise PolicyError(
                f"{self.shown}:{line}: the record names annotator {annotator!r}, but this import runs as "
                f"{self.run_as!r} (login {self.login!r}), and this shared database lets a login write "
                "only as itself",
                hint="remove _annotator_id/annotator from the records to import them as "
                     f"{self.run_as}, or have a reviewer ({self._reviewers()}) import the file; "
                     "nothing of this file was saved")
        if annotator != self.run_as:
            self.records[annotator] = self.records.get(annotator, 0) + 1
        return annotator

    def warnings(self, new_spans: dict[str, int]) -> list[str]:
        """One line per other annotator written as, with its record and new-span counts."""
        return [f"{self.shown}: {n} record(s) name annotator {who!r}, not {self.run_as!r} whom this import runs "
                f"as: {new_spans.get(who, 0)} new span(s) written as {who!r} (this database's policy allows it)"
                for who, n in sorted(self.records.items())]

    def _reviewers(self) -> str:
        return ", ".join(sorted(self.policy.reviewers)) or "none listed yet"
