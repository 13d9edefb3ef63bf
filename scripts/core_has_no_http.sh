#!/bin/sh
# Fails when the core crate's dependency tree holds an HTTP server framework
# or the OpenAPI generator: sso-core must never know HTTP (ARCHITECTURE.md).
set -eu
found=$(cargo tree -p sso-core -e normal,build --prefix none --format '{p}' | grep -E '^(actix|utoipa|awc|hyper-server|axum)' | sort -u || true)
if [ -n "$found" ]; then
    echo "sso-core depends on HTTP server crates it must never know:"
    echo "$found"
    exit 1
fi
