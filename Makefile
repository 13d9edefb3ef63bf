# The only commands a newcomer needs: `make run`, `make test`, `make bench`.
# Every install step checks first, so repeat runs do nothing extra.

SHELL := /bin/bash
.DEFAULT_GOAL := help
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := /tmp/.sso-apt-updated

.PHONY: help run build client test lint bench profile soak fuzz contract deps-build deps-test deps-bench deps-client deps-www deps-browser deps-wiki deps-fuzz deps-contract clean

# The browser bundle the server serves at /sso.js.
CLIENT_DIR := target/sso-client
CLIENT_WASM := target/wasm32-unknown-unknown/wasm-release/sso_client_wasm.wasm
# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;q;}' Cargo.lock)
# Called by its full path: cargo's bin folder need not be on PATH.
CARGO_ROOT := $(or $(CARGO_INSTALL_ROOT),$(CARGO_HOME),$(HOME)/.cargo)
WASM_BINDGEN := $(CARGO_ROOT)/bin/wasm-bindgen

help:
	@echo "make run    build everything, start the SSO server, the three demo sites and the wiki"
	@echo "make test   install what is missing, then run every test"
	@echo "make bench  run the benchmarks and print each figure beside its target"
	@echo "make build  build everything in release mode"
	@echo "make profile  a flame graph of /sso/check under load (target/profile/check.svg)"
	@echo "make fuzz   fuzz every parser of untrusted input (nightly; FUZZ_SECONDS per target)"
	@echo "make contract  schemathesis against the server's OpenAPI document (part of make test)"
	@echo "make soak   three instances on a local Redis Cluster under load, a master and an instance restarted (SOAK_SECONDS, 600)"

## Debian packages, installed only when their command is missing.
define apt_install # $(1) = command to look for, $(2) = package
	@command -v $(1) >/dev/null 2>&1 || { \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  echo "installing $(2)"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(2) >/dev/null; }
endef

## npm packages from a folder's lockfile, installed when the lockfile is newer.
define npm_ci # $(1) = folder
	@[ $(1)/node_modules/.package-lock.json -nt $(1)/package-lock.json ] || \
	  (cd $(1) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
endef

# Passkeys (webauthn-rs) build on OpenSSL: its headers and pkg-config.
deps-build:
	@pkg-config --exists openssl 2>/dev/null || { \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  echo "installing libssl-dev pkg-config"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libssl-dev pkg-config >/dev/null; }

deps-test: deps-build
	$(call apt_install,redis-server,redis-server)
	@cargo nextest --version >/dev/null 2>&1 || cargo install --locked cargo-nextest

# Not --locked: the CLI's own lockfile pins a webpki-roots release that the
# registry here no longer serves. --force: cargo's install records can say
# "installed" for a binary that has since been deleted, and then it would
# install nothing.
deps-client:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@[ "$$($(WASM_BINDGEN) --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || \
	  cargo install --force --root $(CARGO_ROOT) wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	$(call npm_ci,sso-client-wasm)

deps-www:
	$(call npm_ci,www)

deps-browser: deps-www deps-wiki
	$(call apt_install,chromium,chromium chromium-driver)

# The demo wiki: Apache httpd and Debian's mod_auth_openidc (a stock
# OpenID Connect relying party), installed when the module is missing.
OIDC_MODULE := /usr/lib/apache2/modules/mod_auth_openidc.so
deps-wiki:
	@[ -f $(OIDC_MODULE) ] && command -v apache2 >/dev/null 2>&1 || { \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  echo "installing apache2 libapache2-mod-auth-openidc"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends apache2 libapache2-mod-auth-openidc >/dev/null; }

APACHE := $(shell command -v apache2 2>/dev/null || echo /usr/sbin/apache2)

# Schemathesis and its dependencies, pinned, in a venv of their own;
# reinstalled only when the pins change.
CONTRACT_VENV := target/contract-venv
deps-contract:
	@[ $(CONTRACT_VENV)/.installed -nt contract/requirements.txt ] || { \
	  echo "installing schemathesis into $(CONTRACT_VENV)"; \
	  rm -rf $(CONTRACT_VENV) && python3 -m venv $(CONTRACT_VENV) && \
	  $(CONTRACT_VENV)/bin/pip install -q --disable-pip-version-check -r contract/requirements.txt && \
	  touch $(CONTRACT_VENV)/.installed; }

deps-bench: deps-test
	$(call apt_install,wrk,wrk)
	$(call npm_ci,bench/browser)
	$(call npm_ci,bench/peer)

client: deps-client
	cargo build --profile wasm-release --target wasm32-unknown-unknown -p sso-client-wasm
	WASM_BINDGEN=$(WASM_BINDGEN) sso-client-wasm/bundle.sh $(CLIENT_WASM) $(CLIENT_DIR)

build: deps-build client
	cargo build --release --workspace

run: build deps-wiki
	@echo
	@echo "  SSO server      http://sso.localhost:8080   (embedded in-process store)"
	@echo "  browser library http://sso.localhost:8080/sso.js"
	@echo "  demo sites      http://news.localhost:8081  http://sport.localhost:8082  (segments news, sport)"
	@echo "                  http://shop.localhost:8083  (segment shop)"
	@echo "  demo wiki       http://wiki.localhost:8084  (Apache httpd + mod_auth_openidc, news family)"
	@echo "  demo inbox      http://mail.localhost:8085  (the mails the server sent: verification, password reset)"
	@echo
	@echo "  Ctrl-C stops everything."
	@echo
	@dir=$$(mktemp -d /tmp/sso-wiki.XXXXXX) && \
	  www/wiki/render.sh $$dir 8084 http://sso.localhost:8080 http://wiki.localhost:8084 && \
	  { ./target/release/www >/dev/null & www=$$!; \
	  $(APACHE) -f $$dir/httpd.conf -DFOREGROUND & wiki=$$!; \
	  ./target/release/mail-sink --smtp 127.0.0.1:2525 --http 127.0.0.1:8085 & mail=$$!; \
	  trap 'kill $$www $$wiki $$mail 2>/dev/null; sleep 1; rm -rf $$dir' EXIT; \
	  ./target/release/sso-server --demo --assets-dir $(CLIENT_DIR); }

# The architecture's rules (ARCHITECTURE.md, "Crates"): no import cycle
# between the top-level modules of a crate, no source file over 400 lines,
# no HTTP in the core.
lint: deps-build deps-client deps-www
	python3 scripts/module_cycles.py --self-test $(wildcard */src)
	python3 scripts/long_files.py
	sh scripts/core_has_no_http.sh
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p sso-client-wasm --target wasm32-unknown-unknown -- -D warnings
	cd sso-client-wasm && node_modules/.bin/tsc -p tsconfig.json
	cd www && node_modules/.bin/tsc -p tsconfig.json

# Rust tests first (server, store, library logic), then schemathesis
# against the server's OpenAPI document, then, in headless Chromium against
# the debug builds, the library's tests and the demo sites end to end.
test: deps-test deps-browser deps-contract lint client
	cargo nextest run --workspace --no-fail-fast
	cargo build -p sso-server -p sso-www -p sso-fleet -p mail-sink
	cargo build -p sso-test-support --bin test-ca
	$(MAKE) --no-print-directory contract
	cd www && npx playwright test

# Schemathesis against a running server and its /openapi.json, on the
# in-process store and on a Redis of its own (contract/run.py).
contract: deps-contract deps-test
	cargo build -p sso-server
	python3 contract/run.py $(CONTRACT_VENV)/bin/schemathesis target/debug/sso-server --store memory
	python3 contract/run.py $(CONTRACT_VENV)/bin/schemathesis target/debug/sso-server --store redis

bench: deps-bench deps-browser build
	cargo run --release -q -p sso-bench
	cd www && npx playwright test -c playwright.bench.config.ts

# Where a check spends its time: the release server built with frame
# pointers (its own target folder), perf's samples while wrk loads
# /sso/check, inferno's flame graph (bench/src/profile.rs); the driver
# itself only sets up and waits, so it runs unoptimised.
PROFILE_SERVER := target/profile-build/release/sso-server
profile: deps-bench client
	$(call apt_install,perf,linux-perf)
	@command -v inferno-flamegraph >/dev/null 2>&1 || cargo install --locked inferno
	RUSTFLAGS="-C force-frame-pointers=yes" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
	  cargo build --release -p sso-server --target-dir target/profile-build
	SSO_BENCH_SERVER=$(PROFILE_SERVER) SSO_BENCH_ONLY=profile cargo run -q -p sso-bench

# Not part of make test: ten minutes by default (SOAK_SECONDS).
soak: deps-test build
	cargo run --release -q -p sso-fleet --bin soak

# The fuzzers need nightly (sanitizer flags); the project itself builds on
# stable. The saved corpus under fuzz/corpus is replayed on stable by
# `make test` (sso-server/tests/fuzz_corpus.rs).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/fuzz_targets/*.rs)))

deps-fuzz: deps-build
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo fuzz --version >/dev/null 2>&1 || cargo install --locked cargo-fuzz

# Each target in turn for FUZZ_SECONDS, then its corpus minimised. A crash
# stops the run and leaves its input under fuzz/artifacts/<target>/: fix it,
# then copy the input into fuzz/regressions/<target>/ (which minimising
# leaves alone) so `make test` replays it.
# The fuzz crate is a workspace of its own (nightly); it starts from the
# project's lockfile so it fuzzes the dependency versions `make test` runs.
fuzz: deps-fuzz
	@cp Cargo.lock fuzz/Cargo.lock
	@mkdir -p fuzz/target && cd fuzz && for t in $(FUZZ_TARGETS); do \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  log=target/$$t.log; \
	  cargo +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    -timeout=10 -print_final_stats=1 >$$log 2>&1 || { tail -40 $$log; exit 1; }; \
	  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' $$log; \
	  cargo +nightly fuzz cmin $$t >>$$log 2>&1 || { tail -20 $$log; exit 1; }; \
	  echo "   corpus after minimising: $$(ls corpus/$$t | wc -l) inputs"; \
	done

clean:
	cargo clean
