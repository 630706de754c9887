#!/bin/sh
# Regenerates common-passwords.txt.gz, the embedded password blocklist.
#
# Source: the npm package @zxcvbn-ts/language-common 4.1.3, file
# src/passwords.json: 49,233 common passwords ranked by frequency, taken by
# zxcvbn-ts from public leaked-password corpora (zxcvbn credits Mark
# Burnett's 10M password corpus).
# Licence: MIT, Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.,
# Copyright (c) 2021 @zxcvbn-ts.
#
# The entries are lower-cased (ASCII; the list is ASCII-only), de-duplicated
# and sorted in byte order, one a line, then gzipped without a name or time
# stamp so the output is reproducible. Needs npm, jq, sort and gzip; works in
# a temporary directory outside the repository.
set -eu

pkg='@zxcvbn-ts/language-common@4.1.3'
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
tar -xzf "$tmp"/zxcvbn-ts-language-common-4.1.3.tgz -C "$tmp"
jq -r '.[] | select(test("^[^\\s]+$")) | ascii_downcase' "$tmp/package/src/passwords.json" |
	LC_ALL=C sort -u | gzip -9n >"$here/common-passwords.txt.gz"
echo "wrote $(gzip -dc "$here/common-passwords.txt.gz" | wc -l) entries" >&2
