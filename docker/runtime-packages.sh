#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY loads, one per line
# (e.g. libfmt9, libmariadb3, libssl3, libtomlplusplus3, libprometheus-cpp-pull1.0).
# docker/Dockerfile installs exactly these in the runtime image, so the list follows the
# binary's real link line instead of a hand-kept copy of CMake's dependencies.
# Fails if a library is missing or belongs to no package. ctest runs it on the built rwproxy.
#
#   docker/runtime-packages.sh BINARY
set -euo pipefail

die() { printf 'runtime-packages: %s\n' "$*" >&2; exit 1; }

(($# == 1)) || die "usage: $0 BINARY"
binary=$1
[[ -x $binary ]] || die "$binary: not an executable"
command -v ldd >/dev/null && command -v dpkg-query >/dev/null || die "needs ldd and dpkg-query (Debian)"

ldd_output=$(ldd "$binary") || die "ldd $binary failed"
if grep -q 'not found' <<<"$ldd_output"; then
  die "$binary: missing libraries:"$'\n'"$(grep 'not found' <<<"$ldd_output")"
fi

# "libx.so.1 => /path/libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"; not linux-vdso.
mapfile -t libraries < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$ldd_output")
((${#libraries[@]} > 0)) || die "$binary: ldd lists no shared libraries (static binary?)"

# dpkg records some paths under /lib and others under /usr/lib (usrmerge), and ldd may print a
# symlink: every spelling of each library is asked in one dpkg-query call (one call per path is slow).
spellings() {
  local path
  for path in "$1" "$(realpath "$1")"; do
    printf '%s\n' "/usr${path#/usr}" "${path#/usr}"
  done | sort -u
}
mapfile -t candidates < <(for library in "${libraries[@]}"; do spellings "$library"; done | sort -u)
declare -A owner_of=()
while IFS= read -r line; do  # "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3"
  owner_of[${line#*: }]=${line%%:*}
done < <(dpkg-query -S "${candidates[@]}" 2>/dev/null || true)

packages=()
for library in "${libraries[@]}"; do
  package=""
  while IFS= read -r spelling; do
    package=${owner_of[$spelling]:-}
    [[ -n $package ]] && break
  done < <(spellings "$library")
  [[ -n $package ]] || die "$library (needed by $binary) belongs to no Debian package"
  packages+=("$package")
done
printf '%s\n' "${packages[@]}" | sort -u
