#!/usr/bin/env bash
# Packs what deploy/gpu/proof.sh needs on a GPU machine without Java into .gpu/: a small Java
# runtime made with jlink and the runtime jars of services/bench (DeviceCheck: core and libtorch, no
# Kafka), less libtorch's CPU natives (the machine brings its CUDA libtorch). Run from anywhere on
# a machine with a JDK 17+ and Maven.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -ntp -q -DskipTests install -pl services/bench -am
rm -rf .gpu && mkdir -p .gpu/lib
mvn -B -ntp -q dependency:copy-dependencies -pl services/bench -DincludeScope=runtime \
  -DexcludeArtifactIds=pytorch-native-cpu -DoutputDirectory="$PWD/.gpu/lib"
cp services/bench/target/advrank-bench-*.jar .gpu/lib/
jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output .gpu/jre
grep -qxF '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
du -sh .gpu .gpu/jre .gpu/lib
