#!/usr/bin/env bash
# Rebuild the OneAccount stylesheet from GOV.UK Frontend (see
# docs/decisions/0003-design-system.md).
#
# Needs Node.js and npm (the npm registry only). Writes, relative to the
# repository root:
#   internal/web/static/oneaccount.css   compiled, compressed CSS (committed)
#   internal/e2e/testdata/axe.min.js     axe-core, for accessibility tests (committed)
# Both outputs are committed, so building and testing the Go code needs Go alone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
css_out="$root/internal/web/static/oneaccount.css"
axe_out="$root/internal/e2e/testdata/axe.min.js"

cd "$here"

# Exact versions from package-lock.json. Install scripts are skipped: the only
# one is an optional file watcher of sass, which a one-off build does not use.
npm ci --ignore-scripts --no-audit --no-fund

mkdir -p "$(dirname "$css_out")" "$(dirname "$axe_out")"

npx --no-install sass --no-source-map --style=compressed --load-path=node_modules \
  src/oneaccount.scss "$css_out"

# No asset references must remain: OneAccount ships no GOV.UK Frontend images
# or fonts (src/_assets.scss already stops the build on any it is asked for).
if grep -o 'url([^)]*)' "$css_out"; then
  echo "build.sh: $css_out references the files above; ship them or remove the references" >&2
  exit 1
fi

cp node_modules/axe-core/axe.min.js "$axe_out"

raw=$(wc -c <"$css_out")
gz=$(gzip -9 -c "$css_out" | wc -c)
echo "oneaccount.css: $raw bytes raw, $gz bytes gzip -9 (${css_out#"$root"/})"
echo "axe.min.js: $(wc -c <"$axe_out") bytes (${axe_out#"$root"/})"
