"""The database's policy, in the ``settings`` table (key -> text value).

``shared`` is set by `diptych init --shared`: the file belongs to a team of Unix
users, so `diptych doctor` holds its folder and side files to group rules.
A database of an older schema (opened read-only, not yet migrated) has no
table: every setting then reads as unset.
"""

from __future__ import annotations

from ..errors import StoreError

SHARED = "shared"
# Comma-separated OS logins who may write as any annotator in a shared database.
REVIEWERS = "reviewers"


class Settings:
    """Mixin for the Store: reads and writes of ``settings``."""

    def setting(self, key: str) -> str | None:
        return self.settings_of(key).get(key)

    def settings_of(self, *keys: str) -> dict[str, str]:
        """The values of those of ``keys`` that are set, in one read (the write
        policy is read on every save)."""
        try:
            rows = self._query(f"SELECT key, value FROM settings WHERE key IN ({','.join('?' * len(keys))})",
                               list(keys))
        except StoreError as exc:
            if "no such table: settings" in str(exc):
                return {}  # an older schema, opened read-only before its upgrade
            raise
        return {r["key"]: r["value"] for r in rows}

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    @property
    def shared(self) -> bool:
        """Made for a team by `diptych init --shared`."""
        return self.setting(SHARED) == "1"


__all__ = ["REVIEWERS", "SHARED", "Settings"]
