#!/usr/bin/env bash
# Sets up a machine that has Node 20+ and Java 17+: the exact pnpm that package.json's
# `packageManager` pins, the workspace's dependencies (whose postinstall copies the generator JAR
# for offline use), Chromium for the docs' browser test, and PostgreSQL for the server's tests on
# it. A second run only checks.
#
# Why npm and not corepack or pnpm's self-switch: on machines that reach only the npm registry,
# corepack's and pnpm's signature checks of a pnpm download fail. npm installs the pinned version
# by name, and pnpm-workspace.yaml sets managePackageManagerVersions: false so that no pnpm ever
# tries to download another one.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bootstrap: $*"; }
fail() {
  echo "bootstrap: error: $1" >&2
  shift
  for hint in "$@"; do echo "bootstrap:   $hint" >&2; done
  exit 1
}

# --- Node.js ---------------------------------------------------------------------------------
command -v node >/dev/null \
  || fail "Node.js not found." "Install Node.js 20 (see .nvmrc), e.g. with nvm: nvm install 20"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) \
  || fail "Node.js $(node --version) is too old: 20 or newer is required." "Install Node.js 20 (see .nvmrc), e.g. with nvm: nvm install 20"
command -v npm >/dev/null || fail "npm not found beside Node.js $(node --version)." "Reinstall Node.js 20 with its npm."
say "Node.js $(node --version) ok"

# --- Java (openapi-generator runs on it) -------------------------------------------------------
command -v java >/dev/null \
  || fail "Java 17 not found: openapi-generator needs it." \
    "Debian/Ubuntu: apt-get install openjdk-17-jre-headless" "Other systems: any JRE 17 or newer on PATH."
java_major="$(java -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p')"
[[ "$java_major" =~ ^[0-9]+$ ]] && ((java_major >= 17)) \
  || fail "Java ${java_major:-?} found at $(command -v java): 17 or newer is required." \
    "Debian/Ubuntu: apt-get install openjdk-17-jre-headless" "Other systems: any JRE 17 or newer on PATH."
say "Java $java_major ok"

# --- pnpm: exactly the version package.json pins ------------------------------------------------
pinned="$(node scripts/pinned-pnpm.mjs)" || fail "cannot tell which pnpm to install (see above)."

current=""
if command -v pnpm >/dev/null; then
  # pnpm-workspace.yaml turns the self-switch off, so this prints the version that is installed.
  current="$(pnpm --version 2>/dev/null || true)"
fi
if [[ "$current" == "$pinned" ]]; then
  say "pnpm $pinned ok ($(command -v pnpm))"
else
  if [[ -z "$current" ]]; then
    say "pnpm not found: installing pnpm@$pinned with npm (the version package.json pins)"
  else
    say "pnpm $current found at $(command -v pnpm), package.json pins $pinned: installing pnpm@$pinned with npm"
  fi
  npm install --global --no-audit --no-fund "pnpm@$pinned" >/dev/null \
    || fail "npm could not install pnpm@$pinned into $(npm config get prefix)." \
      "Run as a user who can write there, or set a user prefix: npm config set prefix ~/.local (and put ~/.local/bin on PATH)."
  hash -r
  current="$(pnpm --version 2>/dev/null || true)"
  if [[ "$current" != "$pinned" ]]; then
    npm_bin="$(npm config get prefix)/bin"
    # Another pnpm earlier on PATH: it still works (no self-switch, frozen lockfile), but say so.
    say "warning: pnpm@$pinned is in $npm_bin, but 'pnpm' on PATH is ${current:-missing} ($(command -v pnpm || echo none))."
    say "warning: put $npm_bin first on PATH to use the pinned version."
    [[ -n "$current" ]] || fail "no pnpm on PATH after installing it." "Add $npm_bin to PATH and run this again."
  else
    say "pnpm $pinned installed ($(command -v pnpm))"
  fi
fi

# --- the workspace's dependencies ---------------------------------------------------------------
# --frozen-lockfile: the lockfile decides every version; a second run finds nothing to do.
say "installing the workspace's dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile \
  || fail "pnpm install failed (see above)." \
    "better-sqlite3 compiles from source: it needs python3, make and g++ (apt-get install python3 make g++)."

# --- Debian packages that tests need ----------------------------------------------------------------
apt_updated=""
# True when Debian's apt-get can install packages here (as root, or through sudo).
can_apt() { command -v apt-get >/dev/null && { [[ "$(id -u)" == 0 ]] || command -v sudo >/dev/null; }; }
# apt_install PACKAGE...: installs Debian packages, or fails naming them.
apt_install() {
  local sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  if [[ -z "$apt_updated" ]]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null \
    || fail "apt-get could not install $*." "Install them yourself: apt-get install $*"
}

# Chromium for the docs' browser test.
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$chromium" ]]; then
  say "Chromium ok ($chromium)"
elif can_apt; then
  say "Chromium not found: installing Debian's chromium for the docs' browser test"
  apt_install chromium
  say "Chromium installed ($chromium)"
else
  say "warning: no Chromium at $chromium: the docs' browser test will fail."
  say "warning: install Debian's chromium or set CHROMIUM_PATH, then run pnpm test."
fi

# PostgreSQL for the reference server's tests on its second engine: the tests start a throwaway
# cluster of their own from these programs (packages/server/src/testing/postgres.ts), on a free
# loopback port, as the postgres user when run as root. Debian's package, like Chromium: the npm
# packages that ship PostgreSQL download their binaries from elsewhere at install time.
postgres_bin="${USAGEBUDGET_POSTGRES_BIN:-}"
if [[ -z "$postgres_bin" ]]; then
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/postgres" && -x "$dir/psql" ]]; then
      postgres_bin="$dir"
      break
    fi
  done
fi
if [[ -n "$postgres_bin" && -x "$postgres_bin/initdb" ]]; then
  say "PostgreSQL ok ($postgres_bin)"
elif can_apt; then
  say "PostgreSQL not found: installing Debian's postgresql for the server's tests on PostgreSQL"
  apt_install postgresql
  say "PostgreSQL installed ($(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -n 1))"
else
  say "warning: no PostgreSQL (initdb, postgres, psql): the server's tests on PostgreSQL will fail."
  say "warning: install Debian's postgresql, or set USAGEBUDGET_POSTGRES_BIN to the folder of its programs."
fi

# The generator tests (tests/generators) compile openapi-generator's Java client with a JDK and run
# its Python client, whose package imports these modules (a python3 on PATH or Debian's will do).
if command -v javac >/dev/null; then
  say "javac ok ($(command -v javac))"
elif can_apt; then
  say "javac not found: installing Debian's openjdk-17-jdk-headless for the generator tests"
  apt_install openjdk-17-jdk-headless
  say "javac installed"
else
  say "warning: no javac: the generator tests will fail. Install a JDK 17 (apt-get install openjdk-17-jdk-headless)."
fi
python_modules="import urllib3, six, dateutil, certifi"
if python3 -c "$python_modules" 2>/dev/null || /usr/bin/python3 -c "$python_modules" 2>/dev/null; then
  say "Python modules of the generated client ok"
elif can_apt; then
  say "installing Debian's python3-urllib3, -six, -dateutil and -certifi for the generator tests"
  apt_install python3 python3-urllib3 python3-six python3-dateutil python3-certifi
  say "Python modules of the generated client installed"
else
  say "warning: no python3 imports urllib3, six, dateutil and certifi: the generator tests will fail."
fi
say "ready"
