#!/usr/bin/env bash
# Makes the base layer of advrank's container images in OUT (default target/image-rootfs): a Java
# runtime made with jlink from this machine's JDK at /opt/java, the shared libraries it and
# libtorch need (their ldd closure: glibc, libstdc++, libgcc_s, zlib...) at their usual paths, a
# passwd entry for the non-root user 65532 and an empty /tmp. Jib adds it to the `scratch` base as
# an extra directory, so building the images pulls nothing from a registry (docs/deploy.md).
#
# Usage: deploy/images/rootfs.sh [OUT]   (run by `mvn -Pimages package`; reuses OUT when present)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/target/image-rootfs}"
if [[ -x "$OUT/opt/java/bin/java" && -f "$OUT.complete" ]]; then
  exit 0
fi
rm -rf "$OUT" "$OUT.complete" && mkdir -p "$OUT"/{opt,etc,tmp,lib64,lib/x86_64-linux-gnu}

# The modules the services use (jdeps over their runtime classpaths, plus what is reached by
# reflection or service loading: JMX for Kafka's metrics, the HTTP server for /metrics, SASL/GSS and
# EC crypto for Kafka clients on secured clusters, java.desktop for ImageIO photo decoding).
MODULES=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,\
java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,\
jdk.httpserver,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$OUT/opt/java"

# Shared libraries from this machine's glibc: what ldd finds for the JRE's binaries and libraries,
# and what libtorch's CPU natives need as DJL unpacks them (libstdc++, libgcc_s, libm, ...). Not
# the JRE's own libraries (already in place), nor those of the X11 toolkit, splash screen and
# sound: the services run headless (-Djava.awt.headless=true) and never load them.
LIBTORCH_NEEDS=(libstdc++.so.6 libgcc_s.so.1 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libc.so.6)
copy_lib() { # PATH: copies the library (resolving links) to its directory under OUT
  local src="$1" dst="$OUT$(dirname "$1")"
  mkdir -p "$dst" && cp -L "$src" "$dst/$(basename "$src")"
}
{
  find "$OUT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
    -not -name libawt_xawt.so -not -name libjawt.so -not -name libsplashscreen.so -not -name libjsound.so \
    -print0 \
    | xargs -0 ldd 2>/dev/null | awk '/=> \//{print $3} /^\s*\/lib/{print $1}'
  for lib in "${LIBTORCH_NEEDS[@]}"; do ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}'; done
} | sort -u | grep -v "^$OUT/" | while read -r lib; do copy_lib "$lib"; done
copy_lib /lib64/ld-linux-x86-64.so.2

printf 'root:x:0:0:root:/root:/sbin/nologin\nadvrank:x:65532:65532:advrank:/tmp:/sbin/nologin\n' > "$OUT/etc/passwd"
printf 'root:x:0:\nadvrank:x:65532:\n' > "$OUT/etc/group"
touch "$OUT/tmp/.keep" "$OUT.complete"
du -sh "$OUT" "$OUT/opt/java" "$OUT/lib" >&2
