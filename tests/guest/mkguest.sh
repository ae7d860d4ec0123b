#!/bin/sh
# Host tools (Debian packages): apt, dpkg, cpio, gzip, e2fsprogs, gcc, libc6-dev, coreutils, mawk; xz-utils/zstd only if the kernel's modules are compressed.
#
# mkguest.sh OUTDIR — build the real Linux test guest of xendm from Debian
# packages: OUTDIR/vmlinuz, kernel-version, initrd.img (busybox, /init from
# init.sh, /bin/xpio from xpio.c, the disk/ext4/vga modules), disk.img (ext4,
# 64 MiB, no partition table) and disk.manifest.  Cached: does nothing when
# OUTDIR/stamp matches this script, its inputs and the packages' versions.
# Never installs a package on the host: apt-get download + dpkg-deb -x.
set -eu

MKGUEST_VERSION=1
PATH=$PATH:/usr/sbin:/sbin
export PATH
LC_ALL=C
export LC_ALL

say() { echo "mkguest: $*" >&2; }
die() { echo "mkguest: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: mkguest.sh OUTDIR"
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" || die "cannot create $1"
OUT=$(cd "$1" && pwd)
for f in init.sh xpio.c; do
    [ -r "$HERE/$f" ] || die "missing $HERE/$f"
done

# ---- host tools ---------------------------------------------------------
missing_pkgs=
missing_tools=
need() { # need TOOL PACKAGE
    if ! command -v "$1" >/dev/null 2>&1; then
        missing_tools="$missing_tools $1"
        case " $missing_pkgs " in *" $2 "*) ;; *) missing_pkgs="$missing_pkgs $2" ;; esac
    fi
}
need apt-get apt
need apt-cache apt
need dpkg-deb dpkg
need sha256sum coreutils
need awk mawk
need cpio cpio
need gzip gzip
need mke2fs e2fsprogs
need gcc gcc
if command -v gcc >/dev/null 2>&1; then
    case $(gcc -print-file-name=libc.a) in
    /*) ;;
    *) missing_tools="$missing_tools libc.a(static)"; missing_pkgs="$missing_pkgs libc6-dev" ;;
    esac
fi
[ -z "$missing_tools" ] ||
    die "missing host tools:$missing_tools; run: apt-get install -y$missing_pkgs"

# ---- which packages -----------------------------------------------------
APT_UPDATED=0
apt_update_once() {
    [ "$APT_UPDATED" = 0 ] || return 1
    APT_UPDATED=1
    say "apt-get update -q (package lists missing or stale)"
    apt-get update -q >"$OUT/apt-update.log" 2>&1 ||
        die "apt-get update failed (see $OUT/apt-update.log)"
}

# resolve: KPKG KVERS BBVERS from one apt-cache call.  linux-image-amd64
# depends on linux-image-6.1.0-N-amd64 (or ...-amd64-unsigned) (= VERSION).
resolve() {
    set -- $(apt-cache show --no-all-versions linux-image-amd64 busybox-static 2>/dev/null | awk '
        /^Package: / { p = $2 }
        /^Version: / && p == "busybox-static" { bb = $2 }
        /^Depends: / && p == "linux-image-amd64" && kp == "" {
            n = split(substr($0, 10), a, /[,|]/)
            for (i = 1; i <= n; i++) {
                s = a[i]; gsub(/^ +| +$/, "", s)
                if (s !~ /^linux-image-[0-9][0-9a-z.+~-]*-amd64(-unsigned)?( |$)/) continue
                split(s, w, " "); kp = w[1]
                if (s ~ /\(= /) { kv = s; sub(/.*\(= */, "", kv); sub(/\).*/, "", kv) }
                break
            }
        }
        END { print (kp == "" ? "-" : kp), (kv == "" ? "-" : kv), (bb == "" ? "-" : bb) }')
    KPKG=${1:--} KVERS=${2:--} BBVERS=${3:--}
    [ "$KPKG" != - ] || KPKG=
    [ "$BBVERS" != - ] || BBVERS=
    if [ "$KVERS" = - ]; then   # unversioned dependency: take apt's candidate
        KVERS=
        [ -z "$KPKG" ] || KVERS=$(apt-cache policy "$KPKG" 2>/dev/null |
            sed -n 's/^ *Candidate: *//p' | sed 's/^(none)$//')
    fi
}

SRC_HASH=$(cat "$HERE/mkguest.sh" "$HERE/init.sh" "$HERE/xpio.c" | sha256sum | cut -c1-16)
STAMP_FILE=$OUT/stamp
OUTPUTS="vmlinuz kernel-version initrd.img disk.img disk.manifest"

outputs_present() {
    for f in $OUTPUTS; do [ -s "$OUT/$f" ] || return 1; done
    [ -r "$STAMP_FILE" ]
}

resolve
if [ -n "$KVERS" ] && [ -n "$BBVERS" ]; then
    STAMP="mkguest $MKGUEST_VERSION $SRC_HASH $KPKG=$KVERS busybox-static=$BBVERS"
    if outputs_present && [ "$(cat "$STAMP_FILE")" = "$STAMP" ]; then
        say "$OUT is up to date ($KPKG $KVERS)"
        exit 0
    fi
elif outputs_present && [ "$(cut -d' ' -f1-3 "$STAMP_FILE")" = "mkguest $MKGUEST_VERSION $SRC_HASH" ]; then
    say "cannot ask apt which kernel is current (no package lists); keeping $OUT ($(cut -d' ' -f4 "$STAMP_FILE"))"
    exit 0
fi

# One builder at a time per OUTDIR (parallel test jobs may call us).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.lock"
    flock 9
fi

if [ -z "$KVERS" ] || [ -z "$BBVERS" ]; then
    apt_update_once || true
    resolve
    [ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 to a linux-image-6.1.0-*-amd64 package: run apt-get update (is bookworm main in the sources?)"
    [ -n "$KVERS" ] || die "no candidate version for $KPKG: run apt-get update"
    [ -n "$BBVERS" ] || die "no candidate version for busybox-static: run apt-get update"
fi
STAMP="mkguest $MKGUEST_VERSION $SRC_HASH $KPKG=$KVERS busybox-static=$BBVERS"
if outputs_present && [ "$(cat "$STAMP_FILE")" = "$STAMP" ]; then
    say "$OUT is up to date ($KPKG $KVERS)"   # another job just built it
    exit 0
fi
rm -f "$STAMP_FILE"
say "building the guest in $OUT ($KPKG $KVERS, busybox-static $BBVERS)"

# ---- download -----------------------------------------------------------
PKGS=$OUT/pkgs
mkdir -p "$PKGS"

deb_of() { # deb_of PKG VERSION: path of the downloaded .deb, or nothing
    for d in "$PKGS/$1"_*.deb; do
        [ -f "$d" ] || continue
        if [ "$(dpkg-deb -f "$d" Package 2>/dev/null)" = "$1" ] &&
           [ "$(dpkg-deb -f "$d" Version 2>/dev/null)" = "$2" ]; then
            echo "$d"
            return 0
        fi
    done
}

fetch() { # fetch PKG VERSION
    d=$(deb_of "$1" "$2")
    if [ -n "$d" ]; then
        say "have $(basename "$d")"
        return 0
    fi
    say "apt-get download $1=$2"
    rm -f "$PKGS/$1"_*.deb
    if ! (cd "$PKGS" && apt-get download -q "$1=$2") >"$OUT/apt-download.log" 2>&1; then
        apt_update_once ||
            die "cannot download $1=$2: run apt-get update (see $OUT/apt-download.log)"
        (cd "$PKGS" && apt-get download -q "$1=$2") >"$OUT/apt-download.log" 2>&1 ||
            die "cannot download $1=$2 even after apt-get update (see $OUT/apt-download.log)"
    fi
    [ -n "$(deb_of "$1" "$2")" ] || die "apt-get download $1=$2 left no .deb in $PKGS"
}

fetch "$KPKG" "$KVERS"
fetch busybox-static "$BBVERS"
KDEB=$(deb_of "$KPKG" "$KVERS")
BBDEB=$(deb_of busybox-static "$BBVERS")

# ---- unpack -------------------------------------------------------------
ROOTS=$OUT/root-pkgs
W=$OUT/work
rm -rf "$ROOTS" "$W"
mkdir -p "$ROOTS/kernel" "$ROOTS/busybox" "$W"
say "dpkg-deb -x $(basename "$KDEB")"
dpkg-deb -x "$KDEB" "$ROOTS/kernel"
say "dpkg-deb -x $(basename "$BBDEB")"
dpkg-deb -x "$BBDEB" "$ROOTS/busybox"

MODDIR=
for m in "$ROOTS"/kernel/lib/modules/* "$ROOTS"/kernel/usr/lib/modules/*; do
    [ -d "$m/kernel" ] && MODDIR=$m && break
done
[ -n "$MODDIR" ] || die "$KPKG has no lib/modules/*/kernel"
KVER=${MODDIR##*/}
VMLINUZ=$ROOTS/kernel/boot/vmlinuz-$KVER
[ -f "$VMLINUZ" ] || die "$KPKG has no boot/vmlinuz-$KVER"
BUSYBOX=$ROOTS/busybox/bin/busybox
[ -x "$BUSYBOX" ] || die "busybox-static has no bin/busybox"
say "kernel $KVER"

# ---- modules ------------------------------------------------------------
# Debian ships no modules.dep (its postinst runs depmod); make one with
# busybox's depmod (static, runs on the host) unless the package has it.
if [ ! -s "$MODDIR/modules.dep" ]; then
    say "depmod (busybox) for $KVER"
    "$BUSYBOX" depmod -b "${MODDIR%/lib/modules/$KVER}" "$KVER" ||
        die "busybox depmod failed on $MODDIR"
fi
[ -s "$MODDIR/modules.dep" ] || die "no modules.dep in $MODDIR"

# Roots of each group; a soft pre-dependency (crypto-crc32c of ext4/jbd2,
# crct10dif of crc-t10dif) is named first so it loads before its user.
DISK_MODS="crct10dif_generic ata_piix sd_mod"
EXT4_MODS="crc32c_generic ext4"
VGA_MODS="bochs"

# order_mods ROOTS...: "name relpath" lines, every module after its deps
order_mods() {
    awk -v roots="$*" '
    function modname(p,   b) {
        b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b)
        return b
    }
    function visit(n,   d, m, j) {
        if (n in done || n in busy) return
        if (!(n in path)) { print "MISSING " n; bad = 1; return }
        busy[n] = 1
        m = split(deps[n], d, " ")
        for (j = 1; j <= m; j++) visit(modname(d[j]))
        done[n] = 1
        print n, path[n]
    }
    { key = $1; sub(/:$/, "", key); n = modname(key); path[n] = key
      deps[n] = ""; for (i = 2; i <= NF; i++) deps[n] = deps[n] " " $i }
    END { k = split(roots, r, " "); for (i = 1; i <= k; i++) visit(r[i]); exit bad }
    ' "$MODDIR/modules.dep"
}

IR=$W/initrd
mkdir -p "$IR/lib/modules"
: >"$W/modules.txt"
for group in disk ext4 vga; do
    case $group in
    disk) roots=$DISK_MODS ;;
    ext4) roots=$EXT4_MODS ;;
    vga) roots=$VGA_MODS ;;
    esac
    order_mods $roots >"$W/$group.order" ||
        die "modules missing from $KPKG: $(sed -n 's/^MISSING //p' "$W/$group.order" | tr '\n' ' ')"
    : >"$IR/lib/modules/$group.list"
    names=
    while read -r name rel; do
        src=$MODDIR/$rel
        base=${rel##*/}
        case $base in
        *.ko) ko=$base; cp "$src" "$IR/lib/modules/$ko" ;;
        *.ko.xz)
            command -v xz >/dev/null 2>&1 || die "modules are .ko.xz: run apt-get install -y xz-utils"
            ko=${base%.xz}; xz -dc "$src" >"$IR/lib/modules/$ko" ;;
        *.ko.zst)
            command -v zstd >/dev/null 2>&1 || die "modules are .ko.zst: run apt-get install -y zstd"
            ko=${base%.zst}; zstd -qdc "$src" >"$IR/lib/modules/$ko" ;;
        *.ko.gz) ko=${base%.gz}; gzip -dc "$src" >"$IR/lib/modules/$ko" ;;
        *) die "unexpected module file $rel" ;;
        esac
        echo "$ko" >>"$IR/lib/modules/$group.list"
        names="$names $name"
    done <"$W/$group.order"
    echo "$group:$names" >>"$W/modules.txt"
    say "modules $group:$names"
done

# ---- initramfs ----------------------------------------------------------
say "initramfs: busybox, /init, xpio"
for d in bin sbin usr/bin usr/sbin dev proc sys mnt tmp root run etc; do
    mkdir -p "$IR/$d"
done
cp "$BUSYBOX" "$IR/bin/busybox"
"$BUSYBOX" --list-full | while read -r app; do
    [ -e "$IR/$app" ] || [ -L "$IR/$app" ] || ln -s /bin/busybox "$IR/$app"
done
cp "$HERE/init.sh" "$IR/init"
chmod 755 "$IR/init"
gcc -static -O2 -Wall -s -o "$IR/bin/xpio" "$HERE/xpio.c" 2>"$W/gcc.log" ||
    die "gcc -static xpio.c failed (need gcc and libc6-dev): $(cat "$W/gcc.log")"
echo "$KVER" >"$IR/etc/kernel-version"
if [ "$(id -u)" = 0 ]; then
    mknod -m 600 "$IR/dev/console" c 5 1
    mknod -m 666 "$IR/dev/null" c 1 3
fi  # else the kernel's built-in initramfs provides /dev/console
find "$IR" -exec touch -h -d @1700000000 {} +
(cd "$IR" && find . | sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$W/initrd.img"

# ---- disk ---------------------------------------------------------------
say "disk: big.bin (16 MiB, fixed seed), hello.txt, MANIFEST"
D=$W/disk
mkdir -p "$D"
# 69069x+1 mod 2^32 stays exact in awk's doubles; the top byte of each step
awk 'BEGIN { x = 20240601
    for (i = 0; i < 16777216; i++) {
        x = (x * 69069 + 1) % 4294967296
        printf "%c", int(x / 16777216)
    } }' >"$D/big.bin"
[ "$(wc -c <"$D/big.bin")" -eq 16777216 ] || die "awk made a big.bin of the wrong size"
echo "hello from the xendm test disk" >"$D/hello.txt"
(cd "$D" && sha256sum big.bin hello.txt) >"$W/disk.manifest"
cp "$W/disk.manifest" "$D/MANIFEST"
head -c 1048576 "$D/big.bin" | sha256sum | sed 's/-$/written.bin/' >"$W/written.manifest"
find "$D" -exec touch -d @1700000000 {} +
say "mke2fs -t ext4 -d (64 MiB, whole-disk filesystem)"
rm -f "$W/disk.img"
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext4 -b 4096 -L xendm-guest \
    -U 5e1f7e57-0000-4000-8000-00000000a11c \
    -E root_owner=0:0,hash_seed=5e1f7e57-0000-4000-8000-00000000b22d \
    -d "$D" "$W/disk.img" 64M >"$W/mke2fs.log" 2>&1 ||
    die "mke2fs -d failed: $(cat "$W/mke2fs.log")"

# ---- install ------------------------------------------------------------
cp "$VMLINUZ" "$W/vmlinuz"
echo "$KVER" >"$W/kernel-version"
for f in vmlinuz kernel-version initrd.img disk.img disk.manifest written.manifest modules.txt; do
    mv -f "$W/$f" "$OUT/$f"
done
rm -rf "$W" "$ROOTS"
echo "$STAMP" >"$STAMP_FILE"
say "done: $OUT/{vmlinuz,initrd.img,disk.img} for $KVER"
