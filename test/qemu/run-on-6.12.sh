#!/bin/bash
# Runs compiled tests inside a Debian 6.12 kernel under qemu (TCG), where kprobes, kprobe_multi,
# fentry/fexit/fmod_ret and LSM load and attach — the project's 6.18 machines forbid those.
# The guest is an initramfs holding busybox, this machine's node and its libraries, dist/ and
# koffi; it mounts proc/sys/tracefs/bpffs, runs `node --test` on the given files and powers off.
#
#   npx tsc -p . && test/qemu/run-on-6.12.sh dist/test/kernel/kprobe.test.js dist/test/kernel/fentry.test.js
#
# Needs: apt-get install -y qemu-system-x86 busybox-static lz4 (and network for the kernel .deb).
# Tests that compile C at run time (gcc) cannot run in the guest.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${TSBPF_QEMU_CACHE:-/var/tmp/tsbpf-qemu}
[ $# -gt 0 ] || { echo "usage: $0 dist/test/kernel/X.test.js ..." >&2; exit 2; }
for t in "$@"; do [ -f "$ROOT/$t" ] || { echo "no such file: $t (build first: npx tsc -p .)" >&2; exit 2; }; done
for tool in qemu-system-x86_64 busybox lz4; do
  command -v $tool >/dev/null || { echo "missing $tool: apt-get install -y qemu-system-x86 busybox-static lz4" >&2; exit 2; }
done

mkdir -p "$CACHE"
KERNEL=$(ls "$CACHE"/vmlinuz-6.12* 2>/dev/null | tail -1 || true)
if [ -z "$KERNEL" ]; then
  pkg=$(apt-cache search --names-only '^linux-image-6\.12\..*-cloud-amd64-unsigned$' | cut -d' ' -f1 | sort -V | tail -1)
  [ -n "$pkg" ] || { echo "no linux-image-6.12 cloud kernel in apt (run apt-get update)" >&2; exit 2; }
  (cd "$CACHE" && apt-get download "$pkg" && dpkg-deb --fsys-tarfile "$pkg"_*.deb | tar -x --wildcards -O './boot/vmlinuz-*' > vmlinuz-6.12 && rm -f "$pkg"_*.deb)
  KERNEL=$CACHE/vmlinuz-6.12
fi

INITRD_DIR=$(mktemp -d)
trap 'rm -rf "$INITRD_DIR"' EXIT
R=$INITRD_DIR/root
mkdir -p "$R"/{bin,proc,sys,dev,tmp,usr/bin,lib64,lib/x86_64-linux-gnu,work}
cp /bin/busybox "$R/bin/busybox"
for applet in sh mount poweroff cat true; do ln -s busybox "$R/bin/$applet"; done
NODE=$(readlink -f "$(command -v node)")
cp "$NODE" "$R/usr/bin/node"
ldd "$NODE" | awk '/=> \// { print $3 } /^[ \t]*\/lib64/ { print $1 }' | while read -r lib; do cp -L "$lib" "$R$(dirname "$lib")/"; done
mkdir -p "$R/work/main/node_modules/@koromix"
cp -r "$ROOT/dist" "$ROOT/package.json" "$R/work/main/"
cp -r "$ROOT/node_modules/koffi" "$R/work/main/node_modules/"
cp -r "$ROOT"/node_modules/@koromix/koffi-linux-* "$R/work/main/node_modules/@koromix/"
printf '%s\n' "$@" > "$R/tests"
cat > "$R/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp; mount -t tracefs tracefs /sys/kernel/tracing; mount -t bpf bpf /sys/fs/bpf
echo "=== guest kernel $(cat /proc/sys/kernel/osrelease)"
cd /work/main && PATH=/bin:/usr/bin HOME=/tmp node --test --test-concurrency=1 $(cat /tests)
echo "=== guest exit $?"
poweroff -f
INIT
chmod +x "$R/init"
(cd "$R" && find . | busybox cpio -o -H newc 2>/dev/null | lz4 -l -q > "$INITRD_DIR/initrd.lz4")

LOG=$INITRD_DIR/console.log
timeout "${TSBPF_QEMU_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2048 -nographic -no-reboot \
  -kernel "$KERNEL" -initrd "$INITRD_DIR/initrd.lz4" -append "console=ttyS0 quiet panic=-1 rdinit=/init" > "$LOG" 2>&1 || true
sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$LOG" | sed -n '/=== guest kernel/,/=== guest exit/p'
grep -q "=== guest exit 0" "$LOG"
