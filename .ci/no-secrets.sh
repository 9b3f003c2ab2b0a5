#!/usr/bin/env bash
# Fails when a committed file holds a private key or a signed JWT. Every key and token the tests,
# the demo and the reference server use is made at run time (the server's under its data folder,
# which .gitignore keeps out); one committed by accident, as a server run from the repository's
# root once was, must not reach main.
set -euo pipefail
cd "$(dirname "$0")/.."

found="$(git ls-files -z | xargs -0 grep -lIE -e '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' \
  -e 'eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}' -- || true)"
if [[ -n "$found" ]]; then
  echo "ci: committed files hold a private key or a signed token (make them at run time instead):"
  echo "$found" | sed 's/^/  /'
  exit 1
fi
