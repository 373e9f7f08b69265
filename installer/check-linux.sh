#!/usr/bin/env bash
# Builds the Linux installers from this checkout, installs the .deb, runs the installed application's selftest,
# opens its window under Xvfb with a photograph and saves a screenshot, prints the sizes, then removes the package.
# Needs root (to install the package), xvfb-run, fakeroot and zip.   bash installer/check-linux.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash installer/build-linux.sh
DEB=$(ls target/installer/funduslens_*_amd64.deb)
if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
# xdg-desktop-menu (called by the package scripts) needs these in minimal systems
$SUDO mkdir -p /etc/xdg/menus /usr/share/desktop-directories
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$DEB" > target/installer/install.log 2>&1 \
  || { tail -20 target/installer/install.log; exit 1; }
trap 'DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq funduslens > /dev/null 2>&1 || true' EXIT

DATA=$(mktemp -d)
FUNDUSLENS_DATA_DIR="$DATA" /opt/funduslens/bin/FundusLens selftest

PHOTO=../shared/data/fundus/hrf/13_h.jpg
[[ -f "$PHOTO" ]] || PHOTO=""
SHOT=target/installer/installed-window.png
FUNDUSLENS_DATA_DIR="$DATA" timeout 180 xvfb-run -a -s "-screen 0 1400x900x24" \
  /opt/funduslens/bin/FundusLens --screenshot="$PWD/$SHOT" ${PHOTO:+"$PHOTO"} > target/installer/window.log 2>&1 \
  || { tail -20 target/installer/window.log; exit 1; }
[[ -s "$SHOT" ]] || { echo "check-linux: the installed window did not save $SHOT" >&2; exit 1; }

echo "installed: $(dpkg-query -W -f='${Package} ${Version}, Installed-Size ${Installed-Size} KiB' funduslens)"
echo "app-image: $(du -sh target/installer/FundusLens | cut -f1)   .deb: $(du -h "$DEB" | cut -f1)   screenshot: $SHOT"
rm -rf "$DATA"
