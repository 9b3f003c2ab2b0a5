#!/usr/bin/env bash
# Sets up a fresh machine that has Node 20 and Java 17: pnpm 10, the workspace's dependencies
# (whose postinstall copies the generator JAR for offline use), and Chromium for the docs'
# browser test. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "bootstrap: $*" >&2; exit 1; }
command -v node >/dev/null || fail "Node.js 20 or newer is required (see .nvmrc)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || fail "Node.js $(node --version) is too old: 20 or newer is required"
command -v java >/dev/null || fail "Java 17 is required to run openapi-generator"

# corepack cannot verify pnpm's signatures on these machines, so install pnpm with npm.
if ! command -v pnpm >/dev/null || [[ "$(pnpm --version)" != 10.* ]]; then
  echo "bootstrap: installing pnpm 10"
  npm install --global pnpm@10 >/dev/null
fi

pnpm install --frozen-lockfile

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
    echo "bootstrap: installing Chromium for the docs browser test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
    echo "bootstrap: installing Chromium for the docs browser test (sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "bootstrap: no Chromium at $chromium; install it (or set CHROMIUM_PATH) before pnpm test" >&2
  fi
fi
echo "bootstrap: ready"
