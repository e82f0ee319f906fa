#!/usr/bin/env bash
# Builds (once, then cached) a Debian bookworm root file system for the
# appliance tests: what Raspberry Pi OS Lite is, minus the Pi's firmware.
#   tests/appliance/image.sh ARCH CACHE_DIR      ARCH: amd64 or arm64
# Prints the directory of the root file system. Needs root (debootstrap,
# chroot) and the network to Debian's mirror (the one apt already uses).
set -euo pipefail
arch=$1 cache=$2
root="$cache/rootfs-$arch"
here=$(cd "$(dirname "$0")" && pwd)
# python3 and dmsetup: the crash-point replay (guest/replay-log).
# Rebuilt when this script changes. (The harness's own guest files are
# put into each run's copy by tests/appliance/run, so changing them does
# not cost a debootstrap.)
stamp=$(sha256sum <"$0" | cut -c1-16)
if [ -f "$root/.till-appliance-$stamp" ]; then
  echo "$root"
  exit 0
fi
rm -rf "$root"
mkdir -p "$cache"
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '/^deb .*debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
kernel=linux-image-$arch
pkgs=systemd,systemd-sysv,udev,$kernel,kmod,dbus,procps,libinput10,libgbm1,libegl1,libgles2,libxkbcommon0,libfontconfig1,fontconfig,libgl1-mesa-dri,libudev1,fonts-noto-cjk,busybox,overlayroot,initramfs-tools,ca-certificates,dmsetup,python3
echo "appliance: debootstrap bookworm $arch from $mirror into $root (a few minutes, once)" >&2
foreign=()
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  # The second stage runs arm64 binaries through qemu-user (binfmt_misc).
  "$here/../../.ci/qemu-binfmt" >/dev/null
  foreign=(--foreign)
fi
debootstrap --variant=minbase --arch="$arch" "${foreign[@]}" --include="$pkgs" bookworm "$root" "$mirror" >&2
if [ ${#foreign[@]} -gt 0 ]; then
  chroot "$root" /debootstrap/debootstrap --second-stage >&2
fi

# The journal also goes to the serial console (kept as serial-bootN.log),
# so a boot whose agent never answers still says what happened.
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nForwardToConsole=yes\nMaxLevelConsole=info\n' \
  >"$root/etc/systemd/journald.conf.d/till-appliance-console.conf"
# The persistent state partition on the second disk, as the README says.
mkdir -p "$root/var/lib/till-kiosk"
echo "/dev/vdb /var/lib/till-kiosk ext4 defaults,noatime,commit=5 0 2" >>"$root/etc/fstab"
echo till-appliance >"$root/etc/hostname"
# A sales program's user (allowed on the session API) and a stranger.
chroot "$root" groupadd --system till-sales 2>/dev/null || true
chroot "$root" useradd --create-home --groups till-sales sales
chroot "$root" useradd --create-home stranger
# No login prompt anywhere: the kiosk owns tty1, the harness its channel.
chroot "$root" systemctl mask serial-getty@ttyS0.service getty@tty2.service >&2 || true
# The initramfs must carry overlayroot's hook.
chroot "$root" update-initramfs -u -k all >&2
rm -rf "$root/var/cache/apt/archives"/*.deb
touch "$root/.till-appliance-$stamp"
echo "$root"
