#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12's packages.
# Idempotent; skipped quickly when everything is already present.
set -euo pipefail
packages=(
  # build
  cmake ninja-build g++ pkg-config
  libmnl-dev libssl-dev libsodium-dev libyaml-cpp-dev libfmt-dev libsystemd-dev catch2
  nlohmann-json3-dev
  # sanitizers and libFuzzer
  clang libclang-rt-14-dev
  # kernel lab: UML kernel with ESP, modprobe, namespaces, a real peer
  # (strongSwan's openssl plugin, which the lab and export_swanctl_load
  # load, is in libstrongswan-standard-plugins)
  user-mode-linux kmod iproute2 iputils-ping procps
  strongswan-charon strongswan-swanctl libstrongswan-standard-plugins jq
  # package stage: build the .deb, lintian, a clean Debian 12 root, the
  # service check (strace, systemd-analyze)
  dpkg-dev debhelper fakeroot lintian debootstrap ccache strace systemd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The strongswan packages start a system charon where systemd runs; the lab
# runs its own per namespace, so make sure no system one holds UDP 500.
if command -v systemctl >/dev/null && systemctl is-active -q strongswan-starter 2>/dev/null; then
  systemctl stop strongswan-starter || true
fi
echo "deps: ok"
