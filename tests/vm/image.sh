#!/bin/bash
# Build the VM tier's guest: a stock Debian 12 cloud kernel, a small
# busybox initramfs that loads the virtio modules and switch_roots, and an
# ext4 root image of a debootstrap'd bookworm with systemd as PID 1.
#
#   tests/vm/image.sh OUTDIR KERNEL_PKG MIRROR PKG...
#
# Writes OUTDIR/vmlinuz, OUTDIR/initrd.img and OUTDIR/root.img, then
# OUTDIR/ready last (the cache is valid only with it). Nothing is mounted:
# the image is filled with `mkfs.ext4 -d`.
set -euo pipefail
out=$1 kpkg=$2 mirror=$3
shift 3
pkgs=("$@")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$out"
mkdir -p "$out/deb"
tmp=$out/tmp
mkdir -p "$tmp"

# The kernel, unpacked, never installed on this machine.
(cd "$out/deb" && apt-get download "$kpkg" >/dev/null 2>&1) ||
	{ echo "image: apt-get download $kpkg failed" >&2; exit 1; }
dpkg-deb -x "$out"/deb/"$kpkg"_*.deb "$tmp/kernel"
kver=${kpkg#linux-image-}
cp "$tmp/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
mods=$tmp/kernel/lib/modules/$kver

# initramfs: busybox + the virtio modules, in load order.
ird=$tmp/initrd
mkdir -p "$ird"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$ird/bin/busybox"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
	f=$(find "$mods" -name "$m.ko" | head -n1)
	[[ -n $f ]] || { echo "image: module $m not found in $kpkg" >&2; exit 1; }
	cp "$f" "$ird/lib/modules/"
done
cp "$here/initrd-init" "$ird/init"
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.img"
[[ $(stat -c %s "$out/initrd.img") -gt 100000 ]] || { echo "image: initramfs is empty (cpio?)" >&2; exit 1; }

# The root file system.
root=$tmp/root
# debootstrap mounts /proc and /sys in the target: keep them in a private
# mount namespace so they vanish with it.
if ! unshare --mount --propagation private -- debootstrap --variant=minbase \
	--include="$(IFS=,; echo "${pkgs[*]}")" bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1; then
	echo "image: debootstrap failed; last lines of $out/debootstrap.log:" >&2
	tail -n 20 "$out/debootstrap.log" >&2
	exit 1
fi
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

mkdir -p "$root/lib/modules"
cp -a "$mods" "$root/lib/modules/"
depmod -b "$root" "$kver"

echo rl-vm >"$root/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
mkdir -p "$root/rl"
# root without a password on the console (only reachable through --shell)
sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"
# udev's workers soft-lock under TCG now and then (machine.md); devtmpfs
# is all the tests need. Nothing else that is not needed starts either.
for u in systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
	systemd-udev-trigger.service systemd-udev-settle.service systemd-hwdb-update.service \
	getty.target serial-getty@ttyS0.service console-getty.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	systemd-timesyncd.service systemd-networkd.service systemd-resolved.service \
	systemd-random-seed.service man-db.timer dpkg-db-backup.timer \
	docker.service docker.socket containerd.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
cp "$here/rl-vmtest.service" "$root/etc/systemd/system/"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../rl-vmtest.service "$root/etc/systemd/system/multi-user.target.wants/rl-vmtest.service"
ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"

# Sparse image: its size is an upper bound, not what it takes on disk.
mkfs.ext4 -q -F -L rl-root -d "$root" "$out/root.img" 6G
rm -rf "$tmp" "$out/deb"
echo "$kver" >"$out/kernel-version"
touch "$out/ready"
