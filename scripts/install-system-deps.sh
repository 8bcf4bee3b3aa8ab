#!/usr/bin/env bash
# Debian packages tpclinic needs: Chromium for the browser tests, gettext for translations, fonts
# with Latin and Arabic glyphs for PDFs. Idempotent: installs only what is missing.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v msgfmt >/dev/null 2>&1 || needed+=(gettext)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/noto ] || needed+=(fonts-noto-core)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing Debian packages: ${needed[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
