#!/usr/bin/env bash
# The GPU proof: advrank's core on a CUDA device, beside the same attack written in PyTorch.
#
# Made for a GPU machine that has Python PyTorch with CUDA but no Java (the machines lent to this
# project): it expects, in .gpu/ at the repository root, a Java runtime (.gpu/jre, e.g. made with
# jlink) and core's runtime jars without libtorch's CPU natives (.gpu/lib); deploy/gpu/pack.sh
# makes both here. DJL then runs on the machine's own CUDA libtorch (PYTORCH_LIBRARY_PATH).
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
# from PYTORCH_LIBRARY_PATH. A libtorch of another release may lack symbols the JNI needs.
export PYTORCH_LIBRARY_PATH="$TORCH_LIB" PYTORCH_VERSION="${PYTORCH_VERSION:-2.7.1}"
export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}" DJL_CACHE_DIR=/tmp/djl DJL_OFFLINE=true
export OPT_OUT_TRACKING=true
echo "== advrank DeviceCheck on the GPU (libtorch from $TORCH_LIB)"
.gpu/jre/bin/java -Dai.djl.offline=true -cp ".gpu/lib/*" io.advrank.core.bench.DeviceCheck \
  /tmp/resnet18.pt gpu 3x224x224 "${BATCHES:-1,8,32}" 2000
echo "== rc $?"
echo "== the same CA+ in PyTorch on the GPU"
python3 deploy/gpu/torch_ca_plus.py 224 2000 "${BATCHES:-1,8,32}"
