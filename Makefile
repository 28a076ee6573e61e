# sellscope: `make demo` sets everything up and runs the main job; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup models demo test test-fast lint bench-extract bench-recovery bench-conversion bench-voices asr-lines serve bento bench-http clean

# Debian packages: espeak-ng speaks the synthetic videos; Noto fonts draw CJK / Thai captions.
APT_PKGS := espeak-ng fonts-noto-core fonts-noto-cjk chromium
SYSTEM_STAMP := $(VENV)/.system

$(SYSTEM_STAMP):
	@mkdir -p $(VENV)
	@if command -v espeak-ng >/dev/null && command -v chromium >/dev/null \
	    && [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc ] \
	    && [ -f /usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(APT_PKGS)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS) >/dev/null; \
	else echo "please install the Debian packages: $(APT_PKGS)"; exit 1; fi
	touch $(SYSTEM_STAMP)

$(STAMP): pyproject.toml $(SYSTEM_STAMP)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "sellscope needs Python 3.11 (torch==2.13.0 CPU wheel)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

models: setup  ## import the base models into the BentoML model store (idempotent)
	$(VENV)/bin/sellscope models import

demo: models  ## the main job on the embedded sample video
	$(VENV)/bin/sellscope demo --out out/demo

test: models  ## the whole suite (unit + integration on the real packaged models)
	$(PY) -m pytest -q

test-fast: setup  ## unit tests only
	$(PY) -m pytest -q -m "not integration"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench-extract: models  ## 60 s 720x1280 video: per-stage seconds, RTF, peak RSS, ratio to Whisper alone
	$(PY) tests/benchmarks/bench_extract.py

bench-recovery: models  ## synthetic test-split videos: scores vs planted truth, per language
	$(PY) tests/benchmarks/bench_recovery.py

bench-conversion: models  ## synthetic test-split videos: CVR ranking vs oracle, coverage, diagnosis
	$(PY) tests/benchmarks/bench_conversion.py

bench-voices: models  ## synthetic speech: how much of each language's espeak-ng voice Whisper hears
	$(PY) tests/benchmarks/bench_voices.py

asr-lines: models  ## rebuild datasets/asr: every seed line spoken and transcribed (train ~32 min, test ~8 min)
	$(PY) -m training.asr_lines --split train
	$(PY) -m training.asr_lines --split test

serve: models  ## HTTP API + web page on http://127.0.0.1:3000/ui (SELLSCOPE_API_TOKEN to require a token)
	$(VENV)/bin/sellscope serve

bento: models  ## build the Bento offline (service/http/DEPLOY.md)
	$(VENV)/bin/bentoml build .

bench-http: models  ## 20 concurrent uploads: throughput, p50/p95, peak RSS, ratio to in-process
	$(PY) tests/benchmarks/bench_http.py

clean:
	rm -rf out .pytest_cache .ruff_cache
