#!/usr/bin/env bash
# Fetches a software Vulkan driver (Mesa >= 25 lavapipe from bookworm-backports) and the Vulkan
# loader into a cache folder, without touching the system: a private sources list and private
# apt lists, `apt-get download`, `dpkg -x` into the cache. Debian 12's own Mesa 22.3 lavapipe is
# rejected by Dawn (shaderUniform*ArrayDynamicIndexing), hence backports.
#
# Usage: bash scripts/webgpu/lavapipe.sh      prints `export ...` lines for VK_ICD_FILENAMES and
#        eval "$(bash scripts/webgpu/lavapipe.sh)"      LD_LIBRARY_PATH on stdout (logs on stderr)
# Env:   LANDMARKS_WEBGPU_CACHE   cache folder (default ~/.cache/landmarks-webgpu)
#        LANDMARKS_DEBIAN_MIRROR  mirror URI (default: the one the machine's own sources use)
# Needs: Debian 12 (bookworm) or a derivative with apt-get and dpkg; network to the mirror the
# first time only. Runs as any user (no root: nothing is installed).
set -euo pipefail

log() { echo "lavapipe: $*" >&2; }
cache="${LANDMARKS_WEBGPU_CACHE:-$HOME/.cache/landmarks-webgpu}"
root="$cache/mesa25"
icd="$root/lvp_icd.json"

emit() {
  echo "export VK_ICD_FILENAMES='$icd'"
  echo "export VK_DRIVER_FILES='$icd'"
  echo "export LD_LIBRARY_PATH='$root/usr/lib/x86_64-linux-gnu'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
}

if [ -f "$root/ready" ] && [ -f "$icd" ]; then
  log "cached in $root"
  emit
  exit 0
fi

[ "$(uname -m)" = x86_64 ] || { log "error: only x86_64 is scripted here (got $(uname -m))"; exit 1; }
command -v apt-get >/dev/null && command -v dpkg >/dev/null || { log "error: needs apt-get and dpkg (Debian/Ubuntu)"; exit 1; }

# The mirror the machine already uses (deb822 .sources or one-line .list), else deb.debian.org.
mirror="${LANDMARKS_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$( (grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'; \
              grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}') \
            | grep -v security | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
cat > "$tmp/sources.list" <<SRC
deb ${signed}$mirror bookworm main
deb ${signed}$mirror bookworm-backports main
SRC
# Private sources, lists and cache; the system's dpkg status tells apt what is already there,
# so only what is missing (or too old) is fetched. Nothing under /etc or /var is written.
apt_opts=(
  -o "Dir::Etc::sourcelist=$tmp/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$tmp/lists"
  -o "Dir::Cache=$tmp/cache"
  -o "Dir::Cache::archives=$tmp/archives"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
  -o "APT::Get::List-Cleanup=0"
  -o "APT::Architecture=amd64"
  -o "APT::Architectures=amd64"
)
log "apt lists from $mirror (bookworm + bookworm-backports) into a temp folder"
apt-get "${apt_opts[@]}" -qq update >&2

# Which packages the driver needs beyond what is installed: simulate an install.
pkgs="$(apt-get "${apt_opts[@]}" -s -t bookworm-backports install --no-install-recommends \
          mesa-vulkan-drivers libvulkan1 2>/dev/null | awk '/^Inst /{print $2}')"
[ -n "$pkgs" ] || pkgs="mesa-vulkan-drivers libvulkan1"
log "downloading: $(echo $pkgs | tr '\n' ' ')"
versioned=()
for p in $pkgs; do
  v="$(apt-cache "${apt_opts[@]}" policy -t bookworm-backports "$p" 2>/dev/null | awk '/Candidate:/{print $2}')"
  versioned+=("$p${v:+=$v}")
done
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" -qq download "${versioned[@]}" >&2)

rm -rf "$root.partial"
mkdir -p "$root.partial"
for f in "$tmp/debs"/*.deb; do dpkg -x "$f" "$root.partial"; done
mesa="$(dpkg-deb -f "$tmp"/debs/mesa-vulkan-drivers_*.deb Version 2>/dev/null || echo unknown)"
major="${mesa%%.*}"; major="${major#*:}"
if ! [ "$major" -ge 25 ] 2>/dev/null; then
  log "error: got Mesa $mesa; Dawn needs Mesa >= 25 lavapipe (bookworm-backports)"; exit 1
fi
lib="$(find "$root.partial" -name 'libvulkan_lvp.so' | head -n1)"
[ -n "$lib" ] || { log "error: libvulkan_lvp.so not in the downloaded mesa-vulkan-drivers"; exit 1; }
# The packaged ICD names the driver by its system path: point it at the unpacked copy (by its
# final path, after the rename below).
final_lib="$root${lib#"$root.partial"}"
cat > "$root.partial/lvp_icd.json" <<JSON
{ "file_format_version": "1.0.1", "ICD": { "library_path": "$final_lib", "api_version": "1.4.0" } }
JSON
echo "$mesa" > "$root.partial/ready"
rm -rf "$root"
mv "$root.partial" "$root"
log "Mesa $mesa lavapipe unpacked into $root"
emit
