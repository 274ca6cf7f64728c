"""A spaCy 3.8 training config for the exported DocBin's spans (``spancat``).

spaCy's default spancat suggester proposes n-grams of 1-3 tokens; our CLAIM spans
run to dozens of tokens, so with the default a model never even sees most of them.
``spancat_config`` writes a self-contained config (blank English, a small tok2vec,
so it trains in minutes on a CPU) whose suggester, ``spacy.ngram_range_suggester.v1``,
proposes every length from 1 to the longest exported span. ``longest_span_tokens``
measures that length in an exported DocBin; ``write_config`` puts ``<name>.cfg`` next
to a ``<name>.spacy``. Train with::

    python -m spacy train NAME.cfg --paths.train NAME.spacy --paths.dev NAME.spacy

Each candidate length costs compute (a text of n tokens has about n * max_size
candidates), so very long spans make training slower; the trade-off is the user's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..outfiles import write_atomically

SPANS_KEY = "sc"

_TEMPLATE = """\
# spaCy {spacy_version} training config for Diptych's span export (spancat).
# Longest exported span: {max_size} tokens; the suggester proposes 1..{max_size}.
# python -m spacy train THIS.cfg --paths.train X.spacy --paths.dev X.spacy
[paths]
train = null
dev = null
vectors = null
init_tok2vec = null

[system]
gpu_allocator = null
seed = 0

[nlp]
lang = "en"
pipeline = ["tok2vec","spancat"]
batch_size = 64
disabled = []
before_creation = null
after_creation = null
after_pipeline_creation = null

[nlp.tokenizer]
@tokenizers = "spacy.Tokenizer.v1"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = ${{components.tok2vec.model.encode.width}}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,1000,2500,2500]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = 2
window_size = 1
maxout_pieces = 3

[components.spancat]
factory = "spancat"
max_positive = null
spans_key = {spans_key}
threshold = 0.5

[components.spancat.model]
@architectures = "spacy.SpanCategorizer.v1"

[components.spancat.model.reducer]
@layers = "spacy.mean_max_reducer.v1"
hidden_size = {hidden}

[components.spancat.model.scorer]
@layers = "spacy.LinearLogistic.v1"
nO = null
nI = null

[components.spancat.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${{components.tok2vec.model.encode.width}}
upstream = "*"

[components.spancat.suggester]
@misc = "spacy.ngram_range_suggester.v1"
min_size = 1
max_size = {max_size}

[components.spancat.scorer]
@scorers = "spacy.spancat_scorer.v1"

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = 1600
max_epochs = 0
max_steps = {max_steps}
eval_frequency = 200
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = false
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
spans_{spans_key_bare}_f = 1.0
spans_{spans_key_bare}_p = 0.0
spans_{spans_key_bare}_r = 0.0

[pretraining]

[initialize]
vectors = ${{paths.vectors}}
init_tok2vec = ${{paths.init_tok2vec}}
vocab_data = null
lookups = null
before_init = null
after_init = null

[initialize.components]

[initialize.components.spancat]
labels = {labels}

[initialize.tokenizer]
"""


def spancat_config(max_span_tokens: int, labels: Iterable[str], spans_key: str = SPANS_KEY, *,
                   width: int = 96, hidden_size: int = 128, max_steps: int = 20000) -> str:
    """A spaCy training config (text) whose spancat suggester reaches spans of ``max_span_tokens``.

    ``labels`` are written into ``[initialize.components.spancat]`` so the model has them even
    when a label has no example in the training data.
    """
    if max_span_tokens < 1:
        raise ValueError("max_span_tokens must be at least 1")
    if not spans_key.replace("_", "").isalnum():
        raise ValueError(f"spans_key {spans_key!r}: use letters, digits and underscores")
    return _TEMPLATE.format(spacy_version="3.8", max_size=int(max_span_tokens), width=int(width),
                            hidden=int(hidden_size), max_steps=int(max_steps),
                            spans_key=json.dumps(spans_key), spans_key_bare=spans_key,
                            labels=json.dumps(sorted(set(labels)), separators=(",", ":")))


def longest_span_tokens(docs: Iterable[Any], spans_key: str = SPANS_KEY) -> tuple[int, list[str]]:
    """(length in tokens of the longest span in ``doc.spans[spans_key]``, sorted labels) over ``docs``."""
    longest, labels = 0, set()
    for doc in docs:
        if spans_key in doc.spans:
            for span in doc.spans[spans_key]:
                longest = max(longest, len(span))
                labels.add(span.label_)
    return longest, sorted(labels)


def docbin_config(docbin: Any, schema_labels: Iterable[str] = (), spans_key: str = SPANS_KEY, **kwargs: Any) -> str:
    """The config for an exported DocBin (e.g. for ``diptych export -f spacy --config``)."""
    import spacy  # lazy

    longest, labels = longest_span_tokens(docbin.get_docs(spacy.blank("en").vocab), spans_key)
    return spancat_config(max(longest, 1), [*labels, *schema_labels], spans_key, **kwargs)


def write_config(spacy_path: str | os.PathLike, schema_labels: Iterable[str] = (), **kwargs: Any) -> Path:
    """Write ``<name>.cfg`` next to the exported ``<name>.spacy`` and return its path."""
    from spacy.tokens import DocBin  # lazy

    spacy_path = Path(spacy_path)
    docbin = DocBin().from_disk(spacy_path)
    out = spacy_path.with_suffix(".cfg")
    text = docbin_config(docbin, schema_labels, **kwargs)
    write_atomically(out, lambda fh: fh.write(text.encode("utf-8")))
    return out
