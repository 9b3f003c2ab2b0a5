#!/usr/bin/env bash
# Runs the README's first command (./scripts/bootstrap.sh && pnpm demo), then bootstrap once more,
# on a fresh clone of this repository under each machine state named on the command line:
#   none    no pnpm at all, and a new user's home (empty pnpm store and caches)
#   pinned  the pnpm that package.json's packageManager pins
#   older   the newest pnpm 10.x older than the pin
#   newer   the newest pnpm 10.x newer than the pin (skipped, saying so, when none is published)
# Each state gets a throwaway npm prefix and a PATH that hides the machine's own pnpm, pnpx and
# corepack (corepack must stay unused), so the machine's tools are left as they were; the script
# checks that they were. A failure names the state.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
states=("$@")
((${#states[@]})) || states=(none pinned older newer)

log() { echo "setup-states: $*"; }
pinned="$(node "$repo/scripts/pinned-pnpm.mjs")"

# The pnpm 10.x versions next to the pin, from the registry's list.
neighbour() {
  npm view pnpm versions --json | node -e '
    const [pin, side] = process.argv.slice(1);
    const key = (v) => v.split(".").map(Number);
    const cmp = (a, b) => { const x = key(a), y = key(b); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0; };
    const all = JSON.parse(require("fs").readFileSync(0, "utf8")).filter((v) => /^10\.\d+\.\d+$/.test(v));
    const pick = all.filter((v) => (side === "older" ? cmp(v, pin) < 0 : cmp(v, pin) > 0)).sort(cmp);
    process.stdout.write(pick.at(-1) ?? "");
  ' "$pinned" "$1"
}

# What "the machine's own tools" look like from outside; compared after every state.
machine_tools() {
  echo "pnpm=$(command -v pnpm || echo none) $(pnpm --version 2>/dev/null || true)"
  echo "corepack=$(command -v corepack || echo none)"
  ls "$(npm prefix --global)/lib/node_modules" 2>/dev/null | tr '\n' ' '
}
before="$(cd / && machine_tools)"

work="$(mktemp -d /tmp/setup-states.XXXXXX)"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# A bin folder that links every program on PATH except pnpm, pnpx and corepack.
shim="$work/shim"
mkdir -p "$shim"
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [[ -d "$dir" ]] || continue
  for program in "$dir"/*; do
    name="${program##*/}"
    case "$name" in pnpm | pnpx | corepack) continue ;; esac
    [[ -x "$program" && ! -d "$program" && ! -e "$shim/$name" ]] && ln -s "$program" "$shim/$name"
  done
done

results=()
for state in "${states[@]}"; do
  case "$state" in
    none) preinstalled="" ;;
    pinned) preinstalled="$pinned" ;;
    older | newer) preinstalled="$(neighbour "$state")" ;;
    *) log "unknown state '$state' (none, pinned, older, newer)"; exit 2 ;;
  esac
  if [[ "$state" != none && -z "$preinstalled" ]]; then
    log "state '$state': no pnpm 10.x $state than $pinned is published; skipped"
    results+=("$state: skipped (no pnpm 10.x $state than $pinned)")
    continue
  fi

  dir="$work/$state"
  mkdir -p "$dir/prefix/bin" "$dir/home"
  state_env=(env "PATH=$dir/prefix/bin:$shim" "NPM_CONFIG_PREFIX=$dir/prefix")
  if [[ "$state" == none ]]; then
    # A new user: empty home (so an empty pnpm store and caches) with the machine's npm settings
    # (nodedir, which better-sqlite3's source build needs offline).
    [[ -f "$HOME/.npmrc" ]] && cp "$HOME/.npmrc" "$dir/home/.npmrc"
    state_env+=("HOME=$dir/home")
  fi

  if [[ -n "$preinstalled" ]]; then
    log "state '$state': pnpm $preinstalled preinstalled in a throwaway npm prefix"
  else
    log "state '$state': no pnpm on PATH, a new user's empty home"
  fi
  if [[ -n "$preinstalled" ]]; then
    "${state_env[@]}" npm install --global --no-audit --no-fund "pnpm@$preinstalled" >/dev/null
    got="$(cd / && "${state_env[@]}" pnpm --version)"
    [[ "$got" == "$preinstalled" ]] || { log "FAILED in state '$state': preinstalled pnpm reports $got"; exit 1; }
  elif (cd / && "${state_env[@]}" bash -c 'command -v pnpm' >/dev/null); then
    log "FAILED in state '$state': a pnpm is still visible on the isolated PATH"
    exit 1
  fi

  git clone --quiet "$repo" "$dir/clone"
  start=$SECONDS
  if ! (cd "$dir/clone" && "${state_env[@]}" bash -c './scripts/bootstrap.sh && pnpm demo') >"$dir/first.log" 2>&1; then
    tail -n 40 "$dir/first.log"
    log "FAILED in state '$state': ./scripts/bootstrap.sh && pnpm demo (log above)"
    exit 1
  fi
  first=$((SECONDS - start))
  grep -E '^bootstrap:|^All [0-9]+ steps' "$dir/first.log" | sed 's/^/  /'

  start=$SECONDS
  if ! (cd "$dir/clone" && "${state_env[@]}" ./scripts/bootstrap.sh) >"$dir/second.log" 2>&1; then
    cat "$dir/second.log"
    log "FAILED in state '$state': second ./scripts/bootstrap.sh"
    exit 1
  fi
  second=$((SECONDS - start))
  # A second run only checks: the pinned pnpm is already there and pnpm finds nothing to install.
  if ! grep -q "pnpm $pinned ok" "$dir/second.log" || ! grep -q 'Already up to date' "$dir/second.log"; then
    cat "$dir/second.log"
    log "FAILED in state '$state': the second bootstrap did more than check"
    exit 1
  fi
  used="$(cd "$dir/clone" && "${state_env[@]}" pnpm --version)"
  [[ "$used" == "$pinned" ]] || { log "FAILED in state '$state': pnpm on PATH is $used after bootstrap, not $pinned"; exit 1; }

  after="$(cd / && machine_tools)"
  [[ "$after" == "$before" ]] || {
    log "FAILED in state '$state': the machine's own tools changed"
    diff <(echo "$before") <(echo "$after") || true
    exit 1
  }
  results+=("$state: ok (pnpm ${preinstalled:-none} before, $pinned after; first run ${first}s incl. demo, second run ${second}s)")
  rm -rf "$dir"
done

log "summary"
printf '  %s\n' "${results[@]}"
