"""Errors with stable codes and text that says what to do.

Every error the user can cause carries a code (``D0xx``) so that messages can be
searched for and tests can assert on them without matching prose.
"""

from __future__ import annotations


class DiptychError(Exception):
    """Base class: ``code`` is stable, ``str(err)`` is the full message."""

    code = "D000"

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        if self.hint:
            text += f"\n  What to do: {self.hint}"
        return text


class StoreError(DiptychError):
    code = "D010"


class NotADatabaseError(StoreError):
    code = "D011"


class CorruptDatabaseError(StoreError):
    code = "D012"


class NewerSchemaError(StoreError):
    code = "D013"


class ReadOnlyError(StoreError):
    code = "D014"


class BusyError(StoreError):
    code = "D015"


class WriteFailedError(StoreError):
    code = "D016"


class ConflictError(StoreError):
    """The row changed in another process since this one last saw it."""

    code = "D017"


class IngestError(DiptychError):
    """One input file cannot be imported; ``path`` and ``line`` say where."""

    code = "D020"

    def __init__(self, path: str, message: str, *, line: int | None = None, hint: str = "") -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}", hint=hint)


class SchemaError(DiptychError):
    """The label schema file is invalid."""

    code = "D030"


class SpanError(DiptychError):
    code = "D040"


class ModelError(DiptychError):
    code = "D050"


class TrainingError(ModelError):
    """``diptych train`` cannot train as asked (too few annotated documents, ...)."""

    code = "D051"


class ExportError(DiptychError):
    code = "D060"


class ReviewError(DiptychError):
    """Agreement or adjudication cannot run as asked."""

    code = "D080"


class PolicyError(DiptychError):
    """The database's write policy does not let this login write as that annotator."""

    code = "D090"
