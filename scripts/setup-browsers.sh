#!/usr/bin/env bash
# Installs Debian's Chromium, ChromeDriver and Firefox ESR when missing, and
# openssl (tests/e2e/lna.test.mjs makes its https certificate with it).
set -euo pipefail
missing=()
for pkg_bin in chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver firefox-esr:/usr/bin/firefox-esr openssl:/usr/bin/openssl; do
  [ -x "${pkg_bin#*:}" ] || missing+=("${pkg_bin%%:*}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup-browsers: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
