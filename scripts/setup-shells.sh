#!/usr/bin/env bash
# Installs Debian's zsh (and dash) when missing: crate/core/tests/curl_zsh.rs
# pastes the "Copy as curl" script into them, as a user would.
set -euo pipefail
missing=()
for pkg_bin in zsh:/usr/bin/zsh dash:/usr/bin/dash; do
  [ -x "${pkg_bin#*:}" ] || missing+=("${pkg_bin%%:*}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup-shells: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
