#!/usr/bin/env bash
# Builds FundusLens.app and a .dmg on macOS (run there; not built on the Linux development machines).
#   bash installer/build-macos.sh
# Signing and notarisation run when these are set: MACOS_SIGN_IDENTITY ("Developer ID Application: ..."),
# MACOS_NOTARY_PROFILE (a notarytool keychain profile). The ONNX Runtime CPU jar includes the CoreML provider on macOS.
set -euo pipefail
cd "$(dirname "$0")/.."
./jdk mvn -B -q -DskipTests clean package
VERSION=$(sed -n 's:.*<version>\([0-9][^<]*\)</version>.*:\1:p' pom.xml | head -1)
ARCH=$(uname -m)   # arm64 or x86_64
OUT=target/installer
rm -rf "$OUT"; mkdir -p "$OUT/input" "$OUT/fxmods" "$OUT/content/models"
cp target/lib/javafx-*-mac*.jar "$OUT/fxmods/" 2>/dev/null || {
  echo "build-macos: no macOS JavaFX jars in target/lib; Maven picks them by the build machine's OS" >&2; exit 1; }
for jar in target/lib/*.jar; do case "$(basename "$jar")" in javafx-*) continue ;; esac; cp "$jar" "$OUT/input/"; done
cp target/funduslens.jar "$OUT/input/"
cp -r models/demo "$OUT/content/models/"
SIGN=()
if [[ -n "${MACOS_SIGN_IDENTITY:-}" ]]; then SIGN=(--mac-sign --mac-signing-key-user-name "$MACOS_SIGN_IDENTITY"); fi
"$JAVA_HOME/bin/jpackage" --type dmg --dest "$OUT" --name FundusLens --app-version "$VERSION" --vendor FundusLens \
  --input "$OUT/input" --main-jar funduslens.jar --main-class org.funduslens.Launcher --module-path "$OUT/fxmods" \
  --add-modules java.base,java.desktop,java.logging,java.sql,java.naming,java.management,java.net.http,java.prefs,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,javafx.controls,javafx.swing \
  --jlink-options "--strip-debug --no-header-files --no-man-pages --compress=zip-6" \
  --java-options "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true --enable-native-access=javafx.graphics,ALL-UNNAMED -Xmx3g" \
  --app-content "$OUT/content/models" --mac-package-identifier org.funduslens.app "${SIGN[@]}"
if [[ -n "${MACOS_NOTARY_PROFILE:-}" ]]; then
  xcrun notarytool submit "$OUT"/FundusLens-*.dmg --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
  xcrun stapler staple "$OUT"/FundusLens-*.dmg
fi
echo "dmg ($ARCH): $(ls "$OUT"/*.dmg) ($(du -h "$OUT"/*.dmg | cut -f1))"
