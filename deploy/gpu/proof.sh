#!/usr/bin/env bash
# The GPU proof: advrank's core on a CUDA device, beside the same attack written in PyTorch.
#
# Made for a GPU machine that has Python PyTorch with CUDA but no Java (the machines lent to this
# project): it expects, in .gpu/ at the repository root, a Java runtime (.gpu/jre, e.g. made with
# jlink) and services/bench's runtime jars (core, libtorch) without libtorch's CPU natives
# (.gpu/lib); deploy/gpu/pack.sh makes both here. DJL then runs on the machine's own CUDA libtorch (PYTORCH_LIBRARY_PATH).
#
#   deploy/gpu/pack.sh              # here: writes .gpu/ (about 40 MB)
#   deploy/gpu/proof.sh             # there: exports a ResNet-18, runs DeviceCheck and the loop
set -uo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi -L
TORCH_LIB="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
python3 -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda)'
python3 models/examples/export_resnet18.py /tmp/resnet18.pt 224

# DJL's JNI for libtorch 2.7.1 is in the jars (flavour cu128); the machine's libtorch is loaded
# from PYTORCH_LIBRARY_PATH. A libtorch of another release lacks symbols that JNI needs (2.11 did:
# it crashed), so with JNI_BUILD=1 the JNI is first compiled from DJL 0.36's sources against the
# machine's libtorch (deploy/gpu/pack-jni.sh puts them in .gpu/jni), under that release's name.
export DJL_CACHE_DIR=/tmp/djl DJL_OFFLINE=true
if [[ "${JNI_BUILD:-0}" == 1 ]]; then
  TORCH_DIR="$(dirname "$TORCH_LIB")"
  TORCH_VERSION="$(python3 -c 'import torch; print(torch.__version__.split("+")[0])')"
  CUDA_FLAVOR="cu$(python3 -c 'import torch; print(torch.version.cuda.replace(".", ""))')"
  JNI_DIR="/tmp/djl/pytorch/$TORCH_VERSION-$CUDA_FLAVOR-linux-x86_64"
  mkdir -p "$JNI_DIR" /tmp/jniobj
  t0=$(date +%s)
  (cd .gpu/jni/src && ls *.cc | xargs -P "$(nproc)" -I{} sh -c "g++ -std=c++17 -O2 -fPIC -w \
      -D_GLIBCXX_USE_CXX11_ABI=1 -I../include -I../jni -I../jni/linux -I$TORCH_DIR/include \
      -I$TORCH_DIR/include/torch/csrc/api/include -c {} -o /tmp/jniobj/{}.o || echo FAILED {}")
  g++ -shared -o "$JNI_DIR/0.36.0-libdjl_torch.so" /tmp/jniobj/*.o -L"$TORCH_LIB" -ltorch \
      -ltorch_cpu -lc10 -Wl,-rpath,"$TORCH_LIB" && echo "built the JNI in $(($(date +%s) - t0)) s"
  export PYTORCH_VERSION="$TORCH_VERSION" PYTORCH_FLAVOR="$CUDA_FLAVOR"
fi
export PYTORCH_LIBRARY_PATH="$TORCH_LIB" PYTORCH_VERSION="${PYTORCH_VERSION:-2.7.1}"
export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
export OPT_OUT_TRACKING=true
echo "== advrank DeviceCheck on the GPU (libtorch from $TORCH_LIB)"
.gpu/jre/bin/java -Dai.djl.offline=true -cp ".gpu/lib/*" io.advrank.bench.DeviceCheck \
  /tmp/resnet18.pt gpu 3x224x224 "${BATCHES:-1,8,32}" 2000
rc=$?
echo "== rc $rc"
if [[ $rc -ne 0 ]]; then
  # Which libtorch symbols the 2.7.1 JNI misses in this machine's libtorch, if any.
  for jni in /tmp/djl/pytorch/*/*libdjl_torch.so; do
    LD_LIBRARY_PATH="$TORCH_LIB" ldd -r "$jni" 2>&1 | grep -c 'undefined symbol' | sed 's/^/undefined symbols: /'
    LD_LIBRARY_PATH="$TORCH_LIB" ldd -r "$jni" 2>&1 | grep 'undefined symbol' | head -5
  done
fi
echo "== the same CA+ in PyTorch on the GPU"
python3 deploy/gpu/torch_ca_plus.py 224 2000 "${BATCHES:-1,8,32}"
