#!/usr/bin/env bash
# Tries the README's quick start as a new user would, on a fresh Debian of the given release:
# debootstrap a minimal system into a folder, copy this repository into it (tracked files only),
# and run the README's two commands inside it with chroot. CPU-heavy (it builds every program and
# the book and runs the whole test suite): an hour or more on two cores.
# Usage (as root): scripts/try-fresh-debian.sh RELEASE [DIR]     e.g. bookworm, trixie, 12, 13
#   DIR defaults to /var/tmp/book-<release>; it is reused if it already holds a system.
# Needs: debootstrap (apt-get install debootstrap) and network access to a Debian mirror
#        (MIRROR, default http://deb.debian.org/debian).
set -euo pipefail
release=${1:?usage: $0 RELEASE [DIR]   (bookworm, trixie, 12 or 13)}
case "$release" in
  12) release=bookworm ;;
  13) release=trixie ;;
esac
dir=${2:-/var/tmp/book-$release}
mirror=${MIRROR:-http://deb.debian.org/debian}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf 'try-fresh-debian: %s\n' "$*"; }

[[ $(id -u) -eq 0 ]] || { say "run as root (debootstrap and chroot need it)" >&2; exit 2; }
command -v debootstrap >/dev/null || { say "install debootstrap first: apt-get install debootstrap" >&2; exit 2; }

if [[ ! -x "$dir/bin/bash" ]]; then
  say "debootstrap --variant=minbase $release $dir"
  debootstrap --variant=minbase "$release" "$dir" "$mirror"
fi
# The repository as a fresh clone would have it: the tracked files, nothing built.
rm -rf "$dir/root/book"
mkdir -p "$dir/root/book"
git -C "$root" archive --format=tar HEAD | tar -x -C "$dir/root/book"

mounts=(proc sys dev)
cleanup() { for m in "${mounts[@]}"; do umount -l "$dir/$m" 2>/dev/null || true; done; }
trap cleanup EXIT
mount -t proc proc "$dir/proc"
mount --rbind /sys "$dir/sys"
mount --rbind /dev "$dir/dev"
cp /etc/resolv.conf "$dir/etc/resolv.conf"

# The README's quick start, word for word, in the repository root.
say "running the README's two commands in $dir/root/book"
chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 /bin/bash -euo pipefail -c '
    cd /root/book
    bash scripts/quickstart.sh
    cmake --workflow --preset default'
say "both commands succeeded on Debian $release"
