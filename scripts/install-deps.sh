#!/usr/bin/env bash
# Installs the Debian 12 packages rwproxy needs to build, test and benchmark.
# Idempotent: silent and quick when everything is already installed.
# Must run as root. Never leaves a system MariaDB/HAProxy/Prometheus service running:
# rwproxy's topology starts its own servers on its own ports (scripts/topology.sh).
set -euo pipefail

readonly PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config
  libboost-dev libboost-system-dev libfmt-dev libtomlplusplus-dev prometheus-cpp-dev
  default-libmysqlclient-dev libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  mariadb-server mariadb-client sysbench haproxy prometheus python3-yaml python3 python3-pymysql curl procps
  util-linux iproute2
  php-cli php-mysql python3-mysqldb libmariadb-java
  golang-go golang-github-go-sql-driver-mysql-dev
  clang libclang-rt-14-dev
)

# Services that Debian's maintainer scripts would start on install.
readonly SERVICES=(mariadb haproxy prometheus prometheus-node-exporter)

log() { printf 'install-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
  [[ $status == installed ]]
}

# Commands the driver matrix needs, with the Debian package that provides each; installed only
# when the command is missing (a machine may already have Node or a JDK from elsewhere, e.g.
# NodeSource's nodejs, which bundles npm and conflicts with Debian's npm package).
readonly COMMAND_PACKAGES=(node:nodejs npm:npm java:default-jdk-headless)

missing_packages() {
  local pkg entry
  for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || printf '%s\n' "$pkg"
  done
  for entry in "${COMMAND_PACKAGES[@]}"; do
    command -v "${entry%%:*}" >/dev/null || is_installed "${entry#*:}" || printf '%s\n' "${entry#*:}"
  done
}

# Forbid service starts during apt-get install (invoke-rc.d honours policy-rc.d).
# An existing policy-rc.d (Docker images ship one) is kept and restored afterwards.
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
block_service_starts() {
  if [[ -e $POLICY ]]; then
    POLICY_BACKUP=$(mktemp)
    cp -p "$POLICY" "$POLICY_BACKUP"
  fi
  printf '#!/bin/sh\n# written by rwproxy scripts/install-deps.sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
}

restore_service_policy() {
  if [[ -n $POLICY_BACKUP ]]; then
    cp -p "$POLICY_BACKUP" "$POLICY"
    rm -f "$POLICY_BACKUP"
  else
    rm -f "$POLICY"
  fi
}

# Belt and braces: if a service got started anyway (e.g. an older policy allowed it),
# stop it so it cannot hold ports or the default socket.
stop_system_services() {
  local svc
  for svc in "${SERVICES[@]}"; do
    [[ -x /etc/init.d/$svc ]] || continue
    if /etc/init.d/"$svc" status >/dev/null 2>&1; then
      log "stopping system service $svc"
      /etc/init.d/"$svc" stop >/dev/null 2>&1 || log "warning: could not stop $svc"
    fi
  done
}

main() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  command -v dpkg-query >/dev/null || die "dpkg-query not found (Debian 12 expected)"

  local -a missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0

  log "installing: ${missing[*]}"
  block_service_starts
  trap restore_service_policy EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  restore_service_policy
  trap - EXIT
  stop_system_services

  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}"
  log "done"
}

main "$@"
