"""Attribution and motive cues read off a spaCy Doc (see :mod:`.finder`)."""
