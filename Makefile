# The two commands a newcomer needs: `make up` and `make test`. Both install what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DATA_DIR ?= .srdi
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: install chromium up test test-pg acceptance bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

up: install
	$(BIN)/srdi up --data-dir $(DATA_DIR)

# The portal's browser tests drive Debian's Chromium (with CJK fonts), and the deployment test
# validates docker-compose.yml with Debian's docker-compose (no daemon needed); installed when
# missing and possible (root), else those tests are skipped with the reason.
chromium:
	@{ [ -x /usr/bin/chromium ] && fc-list :lang=zh 2>/dev/null | grep -q . && \
	  { command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 ; } ; } || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk docker-compose >/dev/null ; } || \
	echo "chromium or docker-compose missing: browser and compose tests will be skipped"

test: install chromium
	$(BIN)/pytest -q

test-pg: install
	SRDI_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

# Every executable file in ../shared/acceptance is a check (its README); all must hold.
acceptance: install
	@for check in ../shared/acceptance/*; do \
		[ -f $$check ] && [ -x $$check ] || continue; echo "== $$check"; $(BIN)/python $$check || exit 1; done

bench: install
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/read_path.py
	$(BIN)/python bench/promotion_latency.py
	$(BIN)/python bench/stats_query.py
	$(BIN)/python bench/registry_import.py
	$(BIN)/python bench/awards_compute.py
	$(BIN)/python bench/consumer_batch.py
	$(BIN)/python bench/handler_cost.py
	$(BIN)/python bench/statement_cost.py
	$(BIN)/python bench/portal_pages.py
	SRDI_BENCH_DATABASE_URL=$(PG_URL) $(BIN)/python bench/stats_query.py
	SRDI_BENCH_DATABASE_URL=$(PG_URL) $(BIN)/python bench/registry_import.py

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache
