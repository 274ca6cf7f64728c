"""The core: plain Python, no Textual, no Rich; everything the UI and the CLI call.

Packages by concern: ``store`` (the only code that talks to SQLite), ``ingest``
(files in), ``formats`` (exchange formats out, one module each), ``nlp``
(suggesters; the only code that imports spaCy for suggestions), ``align``
(cross-article alignment and the comparison report), ``review`` (queues,
adjudication, agreement). Shared by all: ``models``, ``errors``, ``schema``,
``text``, ``anchoring`` (quote selectors), ``outfiles``. On top: ``session``
(the one API the UI calls) and ``suggestions``
(the suggestion service that joins nlp to the store's cache).

Which package may import which is written in pyproject.toml as import-linter
contracts and checked by tests/unit/test_layering.py.
"""
