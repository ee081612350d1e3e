#!/usr/bin/env bash
# Installs what the browser tests (pytest -m browser) need from Debian: Chromium, its
# driver, and a font for Chinese and Japanese text (record pages show translations).
# Idempotent: does nothing when they are all there. Runs as root (CI and the sessions do);
# elsewhere it uses sudo when it can. Never fails the build: when apt-get cannot install,
# the browser tests skip and say why.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || packages+=(fonts-wqy-microhei)
if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo > /dev/null; then
    as_root=(sudo -n)
else
    echo "install-chromium: missing ${packages[*]} and this user cannot install them;" \
        "run: apt-get install -y ${packages[*]}" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq \
    && "${as_root[@]}" apt-get install -y -qq "${packages[@]}" > /dev/null; }; then
    echo "install-chromium: apt-get could not install ${packages[*]}; the browser tests" \
        "will be skipped with that reason" >&2
fi
