# Builds the FundusLens .msi on Windows (run there; not built on the Linux development machines).
#   powershell -File installer\build-windows.ps1 [-Gpu]
# Needs a JDK 21+ in JAVA_HOME, Maven, and the WiX Toolset 3 on PATH (jpackage uses it for .msi).
# -Gpu builds against onnxruntime_gpu (CUDA); see docs/installers.md. Signing runs when WINDOWS_SIGN_CERT
# (a .pfx path) and WINDOWS_SIGN_PASSWORD are set.
param([switch]$Gpu)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$mvnArgs = @("-B", "-q", "-DskipTests", "clean", "package")
if ($Gpu) { $mvnArgs += @("-Dort.artifactId=onnxruntime_gpu", "-Dort.version=1.22.0") }
& mvn @mvnArgs
$version = (Select-Xml -Path pom.xml -XPath "/*[local-name()='project']/*[local-name()='version']").Node.InnerText
$out = "target\installer"
Remove-Item -Recurse -Force $out -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force "$out\input", "$out\fxmods", "$out\content\models" | Out-Null
Copy-Item target\lib\javafx-*-win.jar "$out\fxmods\"
Get-ChildItem target\lib\*.jar | Where-Object { $_.Name -notlike "javafx-*" } | Copy-Item -Destination "$out\input\"
Copy-Item target\funduslens.jar "$out\input\"
Copy-Item -Recurse models\demo "$out\content\models\"
& "$env:JAVA_HOME\bin\jpackage.exe" --type msi --dest $out --name FundusLens --app-version $version --vendor FundusLens `
  --input "$out\input" --main-jar funduslens.jar --main-class org.funduslens.Launcher --module-path "$out\fxmods" `
  --add-modules "java.base,java.desktop,java.logging,java.sql,java.naming,java.management,java.net.http,java.prefs,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,javafx.controls,javafx.swing" `
  --jlink-options "--strip-debug --no-header-files --no-man-pages --compress=zip-6" `
  --java-options "-Dai.djl.offline=true -DOPT_OUT_TRACKING=true --enable-native-access=javafx.graphics,ALL-UNNAMED -Xmx3g" `
  --app-content "$out\content\models" --win-per-user-install --win-menu --win-menu-group FundusLens --win-shortcut `
  --win-upgrade-uuid 6f1c3d2a-8b1e-4c55-9f0a-2d5e7b9c4a11
if ($env:WINDOWS_SIGN_CERT) {
  & signtool sign /f $env:WINDOWS_SIGN_CERT /p $env:WINDOWS_SIGN_PASSWORD /tr http://timestamp.digicert.com /td sha256 /fd sha256 (Get-ChildItem "$out\*.msi").FullName
}
Get-ChildItem "$out\*.msi" | ForEach-Object { "msi: $($_.FullName) ($([math]::Round($_.Length / 1MB)) MB)" }
