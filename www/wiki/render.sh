#!/bin/sh
# Prepares the demo wiki's httpd in RUN_DIR (which must exist): a copy of
# its pages and httpd.conf.in rendered beside them. httpd's workers run as
# www-data, and the checkout may sit in a folder only its owner can enter
# (`mktemp -d` makes one), so nothing is served from the checkout itself.
# Used by `make run` and the browser tests (www/tests/support/wiki.ts).
set -eu
[ $# -eq 4 ] || { echo "usage: $0 RUN_DIR PORT SSO_ORIGIN WIKI_ORIGIN" >&2; exit 2; }
dir=$1 port=$2 sso=$3 wiki=$4
here=$(dirname "$0")
chmod 0755 "$dir"
cp -R "$here/htdocs" "$dir/"
passphrase=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
sed -e "s#@PORT@#$port#g" -e "s#@RUN_DIR@#$dir#g" -e "s#@HTDOCS@#$dir/htdocs#g" \
  -e "s#@SSO@#$sso#g" -e "s#@WIKI@#$wiki#g" -e "s#@PASSPHRASE@#$passphrase#g" \
  "$here/httpd.conf.in" > "$dir/httpd.conf"
