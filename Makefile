# The two commands of the README. Both install what they need and are safe to run twice.
.PHONY: run test setup bench binary

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

# The whole suite: engine, storage (SQLite and PostgreSQL), effects, API, crash tests, then the
# browser tests in their own pytest process (one app harness per process).
test: setup
	@bash scripts/test.sh

bench: setup
	@.venv/bin/python -m bench.run_all

# A single executable (PyInstaller) that runs `journeys serve` with no Python and no Node.
binary: setup
	@JOURNEYS_SKIP_SETUP=1 bash scripts/build_binary.sh
