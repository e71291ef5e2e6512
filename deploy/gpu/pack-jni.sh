#!/usr/bin/env bash
# Puts DJL 0.36's JNI sources into .gpu/jni, for deploy/gpu/proof.sh JNI_BUILD=1 on a machine
# whose CUDA libtorch is not 2.7.1 (the JNI in Maven Central is built for 2.7.1 only). The legacy
# profiler (torchStartProfile/StopProfile), gone from newer libtorch, is left out.
#   deploy/gpu/pack-jni.sh PATH/TO/djl   (a clone of github.com/deepjavalibrary/djl)
set -euo pipefail
cd "$(dirname "$0")/../.."
R="$1"
D=.gpu/jni
rm -rf "$D" && mkdir -p "$D/src" "$D/include/djl" "$D/jni"
for f in $(git -C "$R" ls-tree --name-only v0.36.0 engines/pytorch/pytorch-native/src/main/native/); do
  git -C "$R" show "v0.36.0:$f" > "$D/src/$(basename "$f")"
done
git -C "$R" show v0.36.0:api/src/main/native/djl/utils.h > "$D/include/djl/utils.h"
python3 - "$D/src/ai_djl_pytorch_jni_PyTorchLibrary_system.cc" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("std::string ToString("))
stop = next(i for i, l in enumerate(lines) if "torchStopProfile" in l)
end = next(i for i in range(stop, len(lines)) if lines[i] == "}")
lines.insert(end + 1, "#endif  // legacy profiler")
lines.insert(start, "#if 0  // legacy profiler: not in newer libtorch")
open(p, "w").write("\n".join(lines))
PY
cp -r "$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")/include/." "$D/jni/"
tmp="$(mktemp -d)"
git -C "$R" show v0.36.0:engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java \
  > "$tmp/PyTorchLibrary.java"
javac -h "$D/include" -d "$tmp/classes" -cp "$(ls .gpu/lib/*.jar | tr '\n' ':')" "$tmp/PyTorchLibrary.java"
du -sh "$D"
