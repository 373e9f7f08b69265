#!/usr/bin/env bash
# Builds the Linux app-image and .deb of FundusLens into target/installer/ (jpackage of the JDK that ./jdk picks).
#   bash installer/build-linux.sh [--gpu]
# --gpu builds against onnxruntime_gpu (CUDA; see docs/installers.md) instead of the CPU ONNX Runtime.
set -euo pipefail
cd "$(dirname "$0")/.."

MVN_ARGS=(-B -q -DskipTests)
VARIANT=cpu
if [[ "${1:-}" == "--gpu" ]]; then
  MVN_ARGS+=(-Dort.artifactId=onnxruntime_gpu -Dort.version=1.22.0)
  VARIANT=gpu
fi
./jdk mvn "${MVN_ARGS[@]}" clean package

VERSION=$(sed -n 's:.*<version>\([0-9][^<]*\)</version>.*:\1:p' pom.xml | head -1)
OUT=target/installer
rm -rf "$OUT"
mkdir -p "$OUT/input" "$OUT/fxmods" "$OUT/content/models"

# JavaFX: the Linux jars are modules, linked into the runtime
cp target/lib/javafx-*-linux.jar "$OUT/fxmods/"
# everything else stays on the class path
for jar in target/lib/*.jar; do
  case "$(basename "$jar")" in javafx-*) continue ;; esac
  cp "$jar" "$OUT/input/"
done
cp target/funduslens.jar "$OUT/input/"

# other platforms' native libraries out of the Linux image
strip_jar() {   # jar, patterns...
  local jar=$1; shift
  zip -q -d "$jar" "$@" > /dev/null 2>&1 || true
}
strip_jar "$OUT"/input/onnxruntime*.jar 'ai/onnxruntime/native/osx-*' 'ai/onnxruntime/native/win-*' 'ai/onnxruntime/native/linux-aarch64/*'
strip_jar "$OUT"/input/sqlite-jdbc-*.jar 'org/sqlite/native/FreeBSD/*' 'org/sqlite/native/Linux-Musl/*' 'org/sqlite/native/Mac/*' \
  'org/sqlite/native/Windows/*' 'org/sqlite/native/Linux-Android/*' 'org/sqlite/native/Linux/aarch64/*' 'org/sqlite/native/Linux/arm*' \
  'org/sqlite/native/Linux/ppc64/*' 'org/sqlite/native/Linux/riscv64/*' 'org/sqlite/native/Linux/x86/*'
strip_jar "$OUT"/input/jna-*.jar 'com/sun/jna/aix-*' 'com/sun/jna/darwin-*' 'com/sun/jna/*bsd-*' 'com/sun/jna/win32-*' \
  'com/sun/jna/sunos-*' 'com/sun/jna/linux-a*' 'com/sun/jna/linux-arm*' 'com/sun/jna/linux-l*' 'com/sun/jna/linux-m*' \
  'com/sun/jna/linux-p*' 'com/sun/jna/linux-r*' 'com/sun/jna/linux-s*' 'com/sun/jna/linux-x86/*'

# the demo bundle ships inside the image; users' bundles and data stay in their data folder
cp -r models/demo "$OUT/content/models/"

./jdk bash -c 'exec "$JAVA_HOME/bin/jpackage" "$@"' jpackage --type app-image --dest "$OUT" --name FundusLens \
  --app-version "$VERSION" --vendor "FundusLens" --description "Retinal foundation models on fundus photographs, locally" \
  --input "$OUT/input" --main-jar funduslens.jar --main-class org.funduslens.Launcher \
  --module-path "$OUT/fxmods" \
  --add-modules java.base,java.desktop,java.logging,java.sql,java.naming,java.management,java.net.http,java.prefs,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,javafx.controls,javafx.swing \
  --jlink-options "--strip-debug --no-header-files --no-man-pages --compress=zip-6" \
  --java-options "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true --enable-native-access=javafx.graphics,ALL-UNNAMED -Xmx3g" \
  --app-content "$OUT/content/models" \
  --icon installer/linux/funduslens.png

./jdk bash -c 'exec "$JAVA_HOME/bin/jpackage" "$@"' jpackage --type deb --dest "$OUT" --app-image "$OUT/FundusLens" \
  --name funduslens --app-version "$VERSION" --vendor "FundusLens" \
  --description "Retinal foundation models on fundus photographs, locally" \
  --linux-package-name funduslens --linux-package-deps "libgtk-3-0" --linux-shortcut \
  --linux-menu-group "Graphics;MedicalSoftware" --linux-app-category science --icon installer/linux/funduslens.png

echo "variant:   $VARIANT"
echo "app-image: $OUT/FundusLens ($(du -sh "$OUT/FundusLens" | cut -f1))"
for deb in "$OUT"/*.deb; do echo "deb:       $deb ($(du -h "$deb" | cut -f1))"; done
