#!/usr/bin/env bash
# Installs the Debian packages a make target needs when they are missing,
# asking nothing (a fresh machine, CI):
#
#   scripts/setup-debian.sh WHAT PACKAGE:FILE...
#
# installs each PACKAGE whose FILE (a program it installs, or a directory for
# a package without one: firefox-esr-l10n-fr's doc directory) is not there; WHAT
# names the target in the message. The Makefile's setup-browsers and
# setup-shells run it with their package lists; setup-servers.sh sources it
# for the same steps around its own handling of the servers' services.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Prints, one a line, the PACKAGE of each PACKAGE:FILE argument whose FILE is
# not an executable (nor a directory: `-x` holds for one).
missing_packages() {
  local pkg_file
  for pkg_file in "$@"; do
    [ -x "${pkg_file#*:}" ] || echo "${pkg_file%%:*}"
  done
}

# Refreshes the package lists (empty on a fresh machine), then installs the
# packages; extra apt-get options may come first (--no-install-recommends).
apt_install() {
  $sudo apt-get update -q
  $sudo apt-get install -y -q "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  [ $# -ge 2 ] || { echo "usage: $0 WHAT PACKAGE:FILE..." >&2; exit 2; }
  what=$1
  shift
  mapfile -t missing < <(missing_packages "$@")
  [ ${#missing[@]} -eq 0 ] && exit 0
  echo "setup-$what: installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
