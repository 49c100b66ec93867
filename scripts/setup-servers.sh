#!/usr/bin/env bash
# Installs the real web servers the fix-snippet tests (tests/fixes/) run:
# Debian's nginx and apache2, and caddy when Debian's package installs here.
# Skips what is already installed. The tests start their own non-daemon server
# processes on loopback ports with configs in temporary folders, so the
# packages' system services must not keep running or hold ports 80/443: they
# are kept from starting during the install and stopped and disabled after it.
set -euo pipefail
# $sudo, DEBIAN_FRONTEND, missing_packages and apt_install.
source "$(dirname "$0")/setup-debian.sh"

mapfile -t missing < <(missing_packages nginx:/usr/sbin/nginx apache2:/usr/sbin/apache2)
want_caddy=0
[ -x /usr/bin/caddy ] || want_caddy=1

services=(nginx apache2 caddy)

# Keep maintainer scripts from starting services during the install
# (invoke-rc.d and deb-systemd-invoke honour policy-rc.d's exit code 101).
policy=/usr/sbin/policy-rc.d
own_policy=0
block_service_start() {
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from cors-lens scripts/setup-servers.sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy=1
  fi
}
restore_policy() {
  if [ "$own_policy" -eq 1 ]; then $sudo rm -f "$policy"; own_policy=0; fi
}
trap restore_policy EXIT

stop_services() {
  for svc in "${services[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1 && [ -e "/etc/init.d/$svc" ]; then
      $sudo service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
  # A service started some other way: end it by its own pid file.
  for pidfile in /run/nginx.pid /var/run/apache2/apache2.pid /run/apache2/apache2.pid; do
    if [ -s "$pidfile" ]; then
      pid="$(cat "$pidfile" 2>/dev/null || true)"
      if [ -n "$pid" ] && $sudo kill -0 "$pid" 2>/dev/null; then
        $sudo kill -TERM "$pid" 2>/dev/null || true
      fi
    fi
  done
}

if [ ${#missing[@]} -eq 0 ] && [ "$want_caddy" -eq 0 ]; then
  exit 0
fi

# Only caddy is missing, the package lists are there and have no caddy: this
# release does not ship it; do not refresh the lists on every run for that.
lists_present() { compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; }
if [ ${#missing[@]} -eq 0 ] && lists_present && ! apt-cache show caddy >/dev/null 2>&1; then
  echo "setup-servers: Debian's caddy package is not available here; the caddy fix tests will not run"
  exit 0
fi

block_service_start
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-servers: installing ${missing[*]}"
  apt_install --no-install-recommends "${missing[@]}"
else
  $sudo apt-get update -q
fi

if [ "$want_caddy" -eq 1 ]; then
  if apt-cache show caddy >/dev/null 2>&1 && $sudo apt-get install -y -q --no-install-recommends caddy; then
    echo "setup-servers: installed caddy"
  else
    echo "setup-servers: Debian's caddy package is not installable here; the caddy fix tests will not run"
  fi
fi

restore_policy
stop_services
