#!/bin/sh
# /init of the xendm test guest (busybox sh).  Runs the steps named by
# xtest=step1,step2,... on the kernel command line, each ending with
# "XTEST <step> ok" or "XTEST <step> FAIL <reason>", then prints XTEST-DONE
# and powers off (xend=reboot|halt|shell change that).  See README.md.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp /mnt
mount -t devpts devpts /dev/pts 2>/dev/null
[ -e /proc/self/fd/0 ] && [ -e /proc/self/fd/1 ] ||
    exec </dev/console >/dev/console 2>&1

XTEST_STEPS=
XEND=poweroff
XTAG=none
XPIO=200000
KLOG_QUIET=1
set -f
for w in $(cat /proc/cmdline); do
    case $w in
    xtest=*) XTEST_STEPS=${w#xtest=} ;;
    xend=*) XEND=${w#xend=} ;;
    xtag=*) XTAG=${w#xtag=} ;;
    xpio=*) XPIO=${w#xpio=} ;;
    loglevel=* | debug | ignore_loglevel | xklog=keep) KLOG_QUIET=0 ;;
    esac
done
set +f

# Kernel messages on the serial console would split XTEST lines; keep them
# in the ring buffer (the dmesg step) unless the command line asked for them.
[ "$KLOG_QUIET" = 1 ] && echo 1 >/proc/sys/kernel/printk

STEP=init
FAILMSG=

say() { echo "XTEST $STEP $*"; }
fail() { FAILMSG="$*"; }
prefix() { while IFS= read -r l; do echo "XTEST $STEP $l"; done; }

# now: seconds (monotonic, microseconds from xpio; else /proc/uptime)
now() {
    if [ -x /bin/xpio ]; then
        /bin/xpio now
    else
        read -r u _ </proc/uptime
        echo "$u"
    fi
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

drop_caches() {
    sync
    echo 3 >/proc/sys/vm/drop_caches
}

# wait_for PATH SECONDS: 0 as soon as PATH exists, 1 after SECONDS
wait_for() {
    n=$(($2 * 10))
    while [ "$n" -gt 0 ]; do
        [ -e "$1" ] && return 0
        usleep 100000
        n=$((n - 1))
    done
    [ -e "$1" ]
}

# load_group GROUP: insmod /lib/modules/GROUP.list's modules in order
load_group() {
    list=/lib/modules/$1.list
    [ -r "$list" ] || { fail "no $list in the initramfs"; return 1; }
    while read -r f; do
        [ -n "$f" ] || continue
        n=$(echo "${f%.ko}" | tr - _)
        if [ -d "/sys/module/$n" ]; then
            say "module $n already loaded"
            continue
        fi
        if insmod "/lib/modules/$f" >/tmp/insmod.out 2>&1 </dev/null; then
            say "insmod $n"
        else
            prefix </tmp/insmod.out
            fail "insmod $n"
            return 1
        fi
    done <"$list"
}

# need_disk / need_ext4: what read, write and dd rely on (loaded if missing)
need_disk() {
    if [ ! -e /dev/sda ]; then
        [ -d /sys/module/ata_piix ] || { say "loading the disk modules"; load_group disk || return 1; }
        wait_for /dev/sda 30 || { fail "no /dev/sda after 30 s"; return 1; }
    fi
}
need_ext4() {
    need_disk || return 1
    if ! grep -qw ext4 /proc/filesystems; then
        say "loading the ext4 modules"
        load_group ext4 || return 1
        grep -qw ext4 /proc/filesystems || { fail "ext4 not registered"; return 1; }
    fi
}

step_modules_disk() {
    t0=$(now)
    load_group disk || return 1
    wait_for /dev/sda 30 || { fail "no /dev/sda after 30 s"; return 1; }
    t1=$(now)
    say "/dev/sda after $(elapsed "$t0" "$t1") s, $(cat /sys/block/sda/size) sectors," \
        "model '$(cat /sys/block/sda/device/model 2>/dev/null)'"
}

step_modules_ext4() {
    load_group ext4 || return 1
    grep -qw ext4 /proc/filesystems || { fail "ext4 not registered"; return 1; }
}

step_modules_vga() {
    t0=$(now)
    load_group vga || return 1
    wait_for /dev/fb0 30 || { fail "no /dev/fb0 after 30 s"; return 1; }
    t1=$(now)
    g=/sys/class/graphics/fb0
    say "fb0 $(cat $g/name)"
    say "fb0 mode $(cat $g/virtual_size 2>/dev/null) bpp $(cat $g/bits_per_pixel 2>/dev/null) after $(elapsed "$t0" "$t1") s"
}

step_pci() {
    n=0
    for d in /sys/bus/pci/devices/*; do
        [ -e "$d/vendor" ] || continue
        v=$(cat "$d/vendor") dv=$(cat "$d/device")
        say "${d##*/} ${v#0x}:${dv#0x} class=$(cat "$d/class") irq=$(cat "$d/irq")"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || { fail "no PCI devices"; return 1; }
}

step_interrupts() {
    prefix </proc/interrupts
}

step_dmesg() {
    dmesg >/tmp/dmesg.out 2>&1
    sed -e 's/^\[ *[0-9.]*\] //' /tmp/dmesg.out |
        grep -E 'ata|scsi|sd |pci 0000|serial|ttyS|bochs|fb|ACPI:' | prefix
}

step_read() {
    need_ext4 || return 1
    mount -t ext4 -o ro /dev/sda /mnt 2>/tmp/mount.out ||
        { prefix </tmp/mount.out; fail "mount -o ro /dev/sda"; return 1; }
    rc=0
    (cd /mnt && sha256sum -c MANIFEST) >/tmp/sum.out 2>&1 || rc=1
    prefix </tmp/sum.out
    h=$(sha256sum /mnt/big.bin) || rc=1
    say "big.bin sha256 ${h%% *}"
    size=$(wc -c </mnt/big.bin)
    drop_caches
    t0=$(now)
    cat /mnt/big.bin >/dev/null || rc=1
    t1=$(now)
    say "bytes=$size seconds=$(elapsed "$t0" "$t1")"
    umount /mnt || { fail "umount"; return 1; }
    [ "$rc" = 0 ] || { fail "sha256sum -c MANIFEST or reading big.bin failed"; return 1; }
}

step_write() {
    need_ext4 || return 1
    mount -t ext4 /dev/sda /mnt 2>/tmp/mount.out ||
        { prefix </tmp/mount.out; fail "mount /dev/sda read-write"; return 1; }
    rc=0
    echo "written by the guest $XTAG" >/mnt/written.txt || rc=1
    dd if=/mnt/big.bin of=/mnt/written.bin bs=1048576 count=1 2>/tmp/dd.out || rc=1
    want=$(head -c 1048576 /mnt/big.bin | sha256sum)
    sync
    umount /mnt || { fail "umount after writing"; return 1; }
    [ "$rc" = 0 ] || { prefix </tmp/dd.out; fail "writing written.txt or written.bin"; return 1; }
    # read it back from the disk, not from the page cache of that mount
    mount -t ext4 -o ro /dev/sda /mnt || { fail "remount -o ro"; return 1; }
    h=$(sha256sum /mnt/written.bin)
    say "written.txt $(cat /mnt/written.txt)"
    umount /mnt
    say "written.bin sha256 ${h%% *}"
    [ "${h%% *}" = "${want%% *}" ] || { fail "written.bin is not the first MiB of big.bin"; return 1; }
}

step_dd() {
    need_disk || return 1
    drop_caches
    t0=$(now)
    dd if=/dev/sda of=/dev/null bs=1048576 count=64 >/tmp/dd.out 2>&1
    rc=$?
    t1=$(now)
    # busybox dd (Debian's static build) prints only "F+P records in/out"
    bytes=$(sed -n 's/^\([0-9][0-9]*\) bytes .*/\1/p' /tmp/dd.out)
    if [ -z "$bytes" ]; then
        rec=$(sed -n 's/^\([0-9][0-9]*\)+0 records out$/\1/p' /tmp/dd.out)
        [ -z "$rec" ] || bytes=$((rec * 1048576))
    fi
    say "bytes=${bytes:-0} seconds=$(elapsed "$t0" "$t1")"
    prefix </tmp/dd.out
    [ "$rc" = 0 ] && [ "$bytes" = 67108864 ] || { fail "dd read ${bytes:-nothing}, rc $rc"; return 1; }
}

step_pio() {
    /bin/xpio "$XPIO" >/tmp/xpio.out 2>&1
    rc=$?
    prefix </tmp/xpio.out
    [ "$rc" = 0 ] || { fail "xpio exit $rc"; return 1; }
}

step_screen() {
    [ -e /dev/tty1 ] || { fail "no /dev/tty1"; return 1; }
    {
        printf '\033[2J\033[H'
        i=1
        while [ $i -le 10 ]; do
            echo "XENDM REAL GUEST CONSOLE $i"
            i=$((i + 1))
        done
        uname -a
    } >/dev/tty1 2>&1
    say "ready"
    line=
    if read -t 300 -r line; then
        line=$(printf '%s' "$line" | tr -d '\r')
        say "got $line"
    else
        fail "no line on the console within 300 s"
        return 1
    fi
}

step_shell_prompt() {
    echo "XTEST-PROMPT"
}

run_step() {
    STEP=$1
    FAILMSG=
    case $STEP in
    modules-disk) step_modules_disk ;;
    modules-ext4) step_modules_ext4 ;;
    modules-vga) step_modules_vga ;;
    pci) step_pci ;;
    interrupts) step_interrupts ;;
    dmesg) step_dmesg ;;
    read) step_read ;;
    write) step_write ;;
    dd) step_dd ;;
    pio) step_pio ;;
    screen) step_screen ;;
    shell-prompt) step_shell_prompt ;;
    *) fail "unknown step"; false ;;
    esac
    if [ $? = 0 ]; then
        echo "XTEST $STEP ok"
    else
        echo "XTEST $STEP FAIL ${FAILMSG:-failed}"
    fi
}

read -r up _ </proc/uptime
echo   # whatever the firmware left on the line, XTEST-BOOTED starts a new one
echo "XTEST-BOOTED $up"

IFS_SAVE=$IFS
IFS=,
set -f
set -- $XTEST_STEPS
set +f
IFS=$IFS_SAVE
for s in "$@"; do
    [ -n "$s" ] && run_step "$s"
done

echo "XTEST-DONE"
sync
case $XEND in
reboot) reboot -f ;;
halt) halt -f ;;
shell)
    while :; do
        setsid cttyhack sh || sh
    done
    ;;
*) poweroff -f ;;
esac
sleep 10
echo "XTEST-END $XEND did not happen; halting"
halt -f
