"""The Store: one database file, assembled from the store's parts."""

from __future__ import annotations

from .annotations import AnnotationQueries
from .bulk import BulkWrites
from .connection import Connection
from .events import EventLog
from .queries import DocumentQueries
from .settings import Settings
from .state import Caches, ReviewState


class Store(Connection, DocumentQueries, AnnotationQueries, EventLog, BulkWrites, ReviewState, Caches,
            Settings):
    """One connection to one database file. Safe to share between threads."""
