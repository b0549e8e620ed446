#!/usr/bin/env bash
# Debian packages the project needs at run and test time, installed when missing:
#  - espeak-ng: French speech synthesis (TTS for prompts, and real French audio in the speech tests)
#  - chromium: the browser the portal's tests (test/portal, playwright-core) and scripts/ui-screenshots.ts drive;
#    fonts-dejavu-core gives it readable glyphs for French text in screenshots
# Needs root (or passwordless sudo) and apt; on other systems it says what to install and carries on.
set -euo pipefail
packages=()
command -v espeak-ng >/dev/null 2>&1 || packages+=(espeak-ng)
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -d /usr/share/fonts/truetype/dejavu ] || packages+=(fonts-dejavu-core)
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[install-system] please install: ${packages[*]} (no apt-get here)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "[install-system] please install as root: apt-get install -y ${packages[*]}" >&2
    exit 0
  fi
fi
echo "[install-system] installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
