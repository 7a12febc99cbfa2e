# Waitwell: two commands matter.
#   make run   installs what is missing, builds, and serves on 127.0.0.1:8080
#   make test  installs what tests need and runs every test
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Tools installed by scripts/tools.sh: cargo-installed binaries and binaryen's
# wasm-opt from npm (trunk runs them from PATH, offline).
export PATH := $(CURDIR)/scripts/build-tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# wasm-bindgen-test-runner drives this ChromeDriver (Debian's package).
export CHROMEDRIVER ?= /usr/bin/chromedriver

LISTEN ?= 127.0.0.1:8080
DB ?= data/waitwell.db
SERVER := target/release/waitwell-server

.PHONY: help run run-fhir conformance test tools test-tools app server test-native test-wasm test-e2e size lint openapi bench bench-soak bench-web bench-waits bench-index sqlx-prepare

help:
	@echo "make run    build everything and serve Waitwell on http://$(LISTEN)/"
	@echo "make run-fhir  the same, with the schedule from a local FHIR R4 server"
	@echo "make test   run every test (native, in-browser, end-to-end)"
	@echo "make size   first-load size of each surface vs its budget (scripts/size-budgets.json)"
	@echo "make lint   cargo fmt --check and clippy -D warnings"
	@echo "make conformance BASE=URL  check a backend against the Waitwell contract"
	@echo "make bench  requests per second of the release server (wrk)"
	@echo "make bench-soak  the release server under requests cut off part-way (fails if it breaks)"
	@echo "make bench-waits  how often wait ranges hold, on simulated clinic days"
	@echo "make bench-index  an offline lookup on the kiosk at 4x CPU throttle (Chromium)"
	@echo "make bench-web  first loads vs static pages, board update, tap->ticket, reception->board (Chromium)"
	@echo "make openapi  regenerate server/openapi.json from the code"
	@echo "make sqlx-prepare  regenerate server/.sqlx after changing SQL"

run: app server
	$(SERVER) --listen $(LISTEN) --db $(DB) --dist dist --demo

# The same, with the schedule read from a FHIR R4 server on this machine
# (tests/fhir, Medplum's engine, holding the demo clinic's appointments);
# its own database, so the imported demo's rows stay apart.
FHIR_DB ?= data/waitwell-fhir.db
run-fhir: app server
	@scripts/tools.sh fhir
	scripts/run-fhir.sh $(SERVER) $(LISTEN) $(FHIR_DB)

test: test-tools lint test-native test-wasm test-e2e

tools:
	@scripts/tools.sh build

test-tools:
	@scripts/tools.sh test

# The release build of the app's pages into dist/ (index.html, board.html,
# staff.html, insights.html, tablets.html, phone.html: one bundle each).
app: tools
	@echo "==> scripts/build-app.sh (trunk build --release, per page)"
	scripts/build-app.sh

server:
	@echo "==> cargo build --release -p waitwell-server"
	cargo build --release -p waitwell-server

test-native:
	@echo "==> native tests (core, server, app logic)"
	cargo test --workspace

test-wasm: test-tools
	@echo "==> in-browser tests (wasm-bindgen-test, headless Chromium)"
	cargo test -p waitwell --target wasm32-unknown-unknown

test-e2e: test-tools app server
	@echo "==> end-to-end tests (Chromium against the release server and build)"
	cd tests/e2e && npm test

size: app
	@node scripts/size.mjs dist

lint:
	cargo fmt --all -- --check
	scripts/sqlx-prepare.sh --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p waitwell --target wasm32-unknown-unknown --all-targets -- -D warnings

# The adapter conformance suite against any backend speaking the Waitwell
# contract (make test runs it against this server with both schedules):
#   make conformance BASE=https://… STAFF_NAME=… STAFF_PASSPHRASE=… \
#     PATIENT_FAMILY=… PATIENT_BIRTH=YYYY-MM-DD
conformance:
	BASE="$(BASE)" STAFF_NAME="$(STAFF_NAME)" STAFF_PASSPHRASE="$(STAFF_PASSPHRASE)" \
	  PATIENT_FAMILY="$(PATIENT_FAMILY)" PATIENT_BIRTH="$(PATIENT_BIRTH)" \
	  node tests/conformance/run.mjs

# Regenerate server/.sqlx, the compile-time query metadata (make lint checks it).
sqlx-prepare:
	scripts/sqlx-prepare.sh

# Regenerate server/openapi.json from the code (a test checks it is current).
openapi:
	WAITWELL_UPDATE_OPENAPI=1 cargo test -p waitwell-server --test openapi

# The wait estimator against simulated clinic days (sim/): DAYS per
# scenario, from SEED; deterministic.
DAYS ?= 200
SEED ?= 1
bench-waits:
	cargo run --release -q -p waitwell-sim -- $(DAYS) $(SEED)

# An offline lookup on the kiosk (argon2id) at 4x CPU throttle, in Chromium.
bench-index: app server test-tools
	cd tests/e2e && node bench/index-lookup.mjs

# The app in Chromium at 4x CPU throttle: first loads against static pages,
# the board's 500-ticket update, tap -> ticket, reception -> board.
bench-web: app server test-tools
	cd tests/e2e && node bench/web.mjs

# Requests per second of the release server (wrk over loopback).
bench: app server
	@scripts/bench/run.sh

# The release server while check-ins and leases are cut off part-way and
# pairings write alongside (SOAK_SECONDS, CLIENTS): figures, and exit 1 if
# anything broke (a 500, a refused pairing, a number on disk twice).
bench-soak: app server
	@node scripts/bench/cancel-soak.mjs
