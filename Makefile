# newsarchive: every target depends on `install`, which builds .venv and the ES launcher.
PY      := .venv/bin/python
VENV    := .venv/.installed
REPLAY  := .venv-replay/.installed
WHEELS  := .wheelhouse/.built
export NEWSARCHIVE_HOME ?= $(CURDIR)/data

.PHONY: install launcher demo test test-reliability lint format bench-extract bench-boilerplate bench-crawl bench-index bench-search bench-politics bench-replay bench-stories bench-scale bench-scale-redis bench-edits es-start es-stop clean

install: $(VENV) launcher $(REPLAY) $(WHEELS)

$(VENV): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# pywb and py-wacz, apart from .venv (see replay-requirements.txt for why).
$(REPLAY): replay-requirements.txt
	python3 -m venv .venv-replay
	.venv-replay/bin/python -m pip install --quiet --upgrade pip
	.venv-replay/bin/python -m pip install --quiet -r replay-requirements.txt
	touch $@

# Wheels of every dependency (and of the build backend), so the packaging test can build
# and install newsarchive into a fresh venv without the network.
$(WHEELS): pyproject.toml
	$(PY) -m pip wheel --quiet -w .wheelhouse . "setuptools>=77" wheel
	rm -f .wheelhouse/newsarchive-*.whl
	touch $@

# The local Elasticsearch launcher (Java, built with Maven into a cache folder named by
# its sources; a no-op once built).
launcher: $(VENV)
	@$(PY) -m newsarchive.localnode build > /dev/null

demo: install
	$(PY) scripts/demo.py

test: install
	$(PY) -m pytest -q

# The fault-injection suite at full strength (10 seeded repetitions, 10,000 fuzzed pages);
# `make test` runs it reduced (2 repetitions). Refreshes the table of docs/reliability.md.
test-reliability: install
	rm -f $(NEWSARCHIVE_HOME)/reliability-results.json
	RELIABILITY_REPEAT=10 RELIABILITY_REPORT=$(NEWSARCHIVE_HOME)/reliability-results.json \
		$(PY) -m pytest -q -m reliability tests/reliability -p no:logging; \
	status=$$?; \
	$(PY) -m tests.reliability.report $(NEWSARCHIVE_HOME)/reliability-results.json --doc docs/reliability.md; \
	exit $$status

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: install
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench-extract: install
	$(PY) benchmarks/bench_extract.py

bench-boilerplate: install
	$(PY) benchmarks/bench_boilerplate.py
	$(PY) benchmarks/bench_boilerplate.py --crawl

bench-search: install
	$(PY) benchmarks/bench_search.py

# BENCH_ARTICLES=20000 checks the memory goal; BENCH_ARGS=--no-newsplease skips the peer.
bench-crawl: install
	$(PY) benchmarks/bench_crawl.py --articles $(or $(BENCH_ARTICLES),5000) $(BENCH_ARGS)

bench-index: install
	$(PY) benchmarks/bench_index.py

# BENCH_RECORDS sets the synthetic records of the throughput figure (default 100,000).
bench-politics: install
	$(PY) benchmarks/bench_politics.py --records $(or $(BENCH_RECORDS),100000)

# BENCH_ARTICLES=100 by default: replay time to first byte, WACZ size.
bench-replay: install
	$(PY) benchmarks/bench_replay.py --articles $(or $(BENCH_ARTICLES),100)

# 2,000 articles over 14 simulated days, a crawl every hour; BENCH_ARGS=--smoke for seconds.
bench-edits: install
	$(PY) benchmarks/bench_edits.py --articles $(or $(BENCH_ARTICLES),2000) --recheck-interval 1h $(BENCH_ARGS)

# BENCH_DOCS=100000 records (default); BENCH_ARGS=--smoke for seconds, --compare for the peers.
bench-stories: install
	$(PY) benchmarks/bench_stories.py --compare $(BENCH_ARGS)

# BENCH_OUTLETS=1000 loopback outlets (default); BENCH_ARGS=--smoke for seconds.
bench-scale: install
	$(PY) benchmarks/bench_scale.py --outlets $(or $(BENCH_OUTLETS),1000) $(BENCH_ARGS)

# 1 vs 2 crawl workers sharing a Redis frontier (Debian's redis-server); BENCH_OUTLETS=200
# loopback outlets of 20 new articles by default; BENCH_ARGS=--smoke for seconds.
bench-scale-redis: install
	$(PY) benchmarks/bench_scale_redis.py --outlets $(or $(BENCH_OUTLETS),200) $(BENCH_ARGS)

es-start: install
	.venv/bin/newsarchive es start

es-stop: install
	.venv/bin/newsarchive es stop

clean:
	rm -rf .venv .venv-replay .wheelhouse
