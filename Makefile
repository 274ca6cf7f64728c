# Everything a fresh machine with Python 3.11+ needs: `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# doccano itself, in a venv of its own (it pins Django, pandas 1.x and numpy<2):
# the doccano export is checked with doccano's own import code.
DOCCANO_VENV  := .venv-doccano
DOCCANO_STAMP := $(DOCCANO_VENV)/.installed
DB     ?= annotations/diptych.db
STORY  ?= Ex-Afghan forces join Islamic State

.PHONY: run test bench system-deps seed lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[model,test]'
	touch $(STAMP)

$(DOCCANO_STAMP):
	$(PYTHON) -m venv $(DOCCANO_VENV)
	$(DOCCANO_VENV)/bin/python -m pip install --quiet doccano==1.8.4 'marshmallow<3.20' 'numpy<2'
	touch $(DOCCANO_STAMP)

# Terminal and SSH tools that the end-to-end tests drive (Debian packages).
system-deps:
	@missing=""; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v ssh >/dev/null || missing="$$missing openssh-client"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

seed: $(STAMP)
	$(BIN)/diptych import seeds/ --story "$(STORY)" --db $(DB)

run: seed
	$(BIN)/diptych --db $(DB) --story "$(STORY)"

test: $(STAMP) $(DOCCANO_STAMP) system-deps
	$(BIN)/diptych import seeds/ --story "$(STORY)" --db $(DB) >/dev/null
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(DOCCANO_VENV) .pytest_cache
