#!/usr/bin/env bash
# Runs on the device machine (the device tool's `run`, from the repository root there) after
# scripts/device/prepare.sh built .cache/device-bundle and .gl here; carry both:
#   run(command="bash scripts/device/run.sh", carry=[".gl", ".cache/device-bundle"], timeout_s=540)
# Unpacks Node and the bundled check into /tmp, brings the Vulkan loader (device README recipe),
# prints the table (images/s on the GPU vs wasm on that machine's CPU; a full paper-preset
# training on the mollusk set with its held-out error and time) and leaves it in $OUT.
# BUDGET (seconds, default 420) bounds the check itself; unpacking takes ~10-20 s more.
# Nothing here needs the network.
set -uo pipefail
bundle=.cache/device-bundle
out="${OUT:-/tmp/landmarks-device-out}"
mkdir -p "$out"
[ -f "$bundle/bundle.tar.xz" ] || { echo "run.sh: $bundle/bundle.tar.xz missing: run scripts/device/prepare.sh here and carry it" >&2; exit 2; }

# Vulkan loader: the device README's recipe (its .deb files unpacked into /).
if ls .gl/*.deb >/dev/null 2>&1; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; fi
ldconfig -p | grep -q libvulkan.so.1 || echo "run.sh: warning: no libvulkan.so.1 after unpacking .gl" >&2

t0=$(date +%s)
dest=/tmp
if command -v xz >/dev/null; then
  xz -dc "$bundle/bundle.tar.xz" | tar -C "$dest" -xf -
else # python's lzma where xz-utils is absent
  python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$bundle/bundle.tar.xz" "$dest"
fi
app="$dest/landmarks-device"
echo "run.sh: unpacked in $(( $(date +%s) - t0 )) s; $("$app/node" --version); $(nvidia-smi -L 2>/dev/null | head -1)"

# BENCH_ARGS: more options for bench.js (e.g. --epochs 60, --skip-wasm); word-split on purpose
# shellcheck disable=SC2086
"$app/node" "$app/bench.js" --data "$bundle/mollusk" --budget "${BUDGET:-420}" --json "$out/device-check.json" ${BENCH_ARGS:-} 2>&1 | tee "$out/device-check.log"
exit "${PIPESTATUS[0]}"
