#!/usr/bin/env bash
# Builds the bench's third dataset, ../shared/data/mouse-reaching/, from DeepLabCut's
# Reaching-Mackenzie example (labelled video frames, 5 keypoints) with our own `convert` command.
#
#   bash scripts/data/reaching-mackenzie.sh DEEPLABCUT [DEST]
#
# DEEPLABCUT: a checkout of github.com/DeepLabCut/DeepLabCut, or a bare git directory of it (the
# frames are read from its HEAD); DEST defaults to ../shared/data/mouse-reaching. Needs `npm run
# build` first (dist/cli.js). The data stays out of this repository: its licence is DeepLabCut's.
set -euo pipefail
src=${1:?usage: reaching-mackenzie.sh DEEPLABCUT [DEST]}
here=$(cd "$(dirname "$0")/../.." && pwd)
dest=${2:-$here/../shared/data/mouse-reaching}
example=examples/Reaching-Mackenzie-2018-08-30/labeled-data/reachingvideo1
[ -f "$here/dist/cli.js" ] || { echo "reaching-mackenzie: run npm run build first (no dist/cli.js)" >&2; exit 2; }
mkdir -p "$dest/images"
if [ -d "$src/$example" ]; then
  cp "$src/$example"/*.png "$dest/images/"
  cp "$src/$example/CollectedData_Mackenzie.csv" "$dest/"
  commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
else
  commit=$(git --git-dir="$src" rev-parse HEAD)
  git --git-dir="$src" ls-tree --name-only HEAD "$example/" | while read -r f; do
    case "$f" in
      *.png) git --git-dir="$src" show "HEAD:$f" > "$dest/images/$(basename "$f")" ;;
      *.csv) git --git-dir="$src" show "HEAD:$f" > "$dest/$(basename "$f")" ;;
    esac
  done
fi
node "$here/dist/cli.js" convert "$dest/CollectedData_Mackenzie.csv" --from dlc --to tps \
  --images "$dest/images" --out "$dest/landmarks.tps" --overwrite
cat > "$dest/SOURCE.txt" <<TXT
DeepLabCut Reaching-Mackenzie-2018-08-30 labelled frames (reachingvideo1), github.com/DeepLabCut/DeepLabCut
commit $commit, path $example; licence: DeepLabCut's (LGPL-3.0).
landmarks.tps made by scripts/data/reaching-mackenzie.sh (our convert: DeepLabCut CSV -> TPS, y flipped
with each frame's height; frames with a missing keypoint keep it as -1 -1).
TXT
echo "reaching-mackenzie: $(ls "$dest/images" | wc -l) frames -> $dest/landmarks.tps"
