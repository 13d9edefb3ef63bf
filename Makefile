# The only commands a newcomer needs: `make run`, `make test`, `make bench`.
# Every install step checks first, so repeat runs do nothing extra.

SHELL := /bin/bash
.DEFAULT_GOAL := help
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := /tmp/.sso-apt-updated

.PHONY: help run build test lint bench deps-test deps-bench clean

help:
	@echo "make run    build everything and start the SSO server on the demo configuration"
	@echo "make test   install what is missing, then run every test"
	@echo "make bench  run the benchmarks and print each figure beside its target"
	@echo "make build  build everything in release mode"

## Debian packages, installed only when their command is missing.
define apt_install # $(1) = command to look for, $(2) = package
	@command -v $(1) >/dev/null 2>&1 || { \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  echo "installing $(2)"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(2) >/dev/null; }
endef

deps-test:
	$(call apt_install,redis-server,redis-server)
	@cargo nextest --version >/dev/null 2>&1 || cargo install --locked cargo-nextest

deps-bench: deps-test
	$(call apt_install,wrk,wrk)

build:
	cargo build --release --workspace

run: build
	@echo
	@echo "  SSO server      http://sso.localhost:8080   (embedded in-process store)"
	@echo "  health          http://sso.localhost:8080/healthz"
	@echo "  metrics         http://sso.localhost:8080/metrics"
	@echo
	@echo "  Ctrl-C stops it."
	@echo
	./target/release/sso-server

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

test: deps-test lint
	cargo nextest run --workspace --no-fail-fast

bench: deps-bench build
	cargo run --release -q -p sso-bench

clean:
	cargo clean
