#!/bin/sh
# qemu-compare.sh - what a guest reads from Debian's QEMU 7.2 and from
# xendm, side by side: both are started on xensim with the same libxl
# command line (`xensim qemu-args` + -device VGA,vgamem_mb=16 + an IDE
# -drive on the same image) and play the same guest scenario (reads, and
# the BAR sizing writes of a firmware, which are restored): PCI IDs, class
# and revision, header type, subsystem IDs, interrupt pin, COMMAND/STATUS,
# BAR sizes of 00:00.0, 00:01.0, 00:01.1, 00:01.3, the VGA and
# xen-platform (found by their IDs, wherever they sit), xen-platform
# magic/version, the UART registers IER IIR LCR MCR LSR MSR, the VBE
# dispi ID, and the IDE disk's IDENTIFY (capacity, model, serial, firmware).
#
# Prints a table. Every value must agree, except the differences listed in
# docs/chipset.md ("Compared with QEMU 7.2", a table of key, QEMU value,
# xendm value, reason): those must be exactly as documented (a documented
# difference that disappears fails too, so the page stays true).
# Skipped (exit 0) when the QEMU binary is not installed.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix for xendm,
# or empty), XENSIM_QEMU (the QEMU binary).
set -u
TOP=${TOP:-$(pwd)}
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
QEMU=${XENSIM_QEMU:-/usr/libexec/xen-qemu-system-i386}
if [ ! -x "$QEMU" ]; then
    echo "SKIP: $QEMU not installed (make check-qemu installs qemu-system-xen as root)"
    exit 0
fi
B=$(cd "$B" && pwd) || exit 1
. "$TOP/tests/demo/lib.sh"
W=$(mktemp -d /tmp/qemu-compare.XXXXXX)
trap 'dm_env_stop; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
head -c 4194304 /dev/urandom >"$W/disk.img"

FUNCS="00:00.0 00:01.0 00:01.1 00:01.3"
REGS="0x10 0x14 0x18 0x1c 0x20 0x24 0x30"

# collect PEER PROG: start PROG, play the scenario, write $W/PEER.vals
# ("key value" lines).
collect() {
    peer=$1; shift
    prog="$*"                      # the program, after a VALGRIND prefix
    dm_env_start 128 1 || return 1
    # shellcheck disable=SC2046
    set -- $("$B/xensim" qemu-args 1 128) -device VGA,vgamem_mb=16 \
        -drive "file=$W/disk.img,if=ide,index=0,media=disk,format=raw"
    # shellcheck disable=SC2086
    dm_start "$W/$peer.log" 60 $prog "$@" || { cat "$W/$peer.log"; return 1; }
    # 1. who is where
    d=0
    while [ $d -lt 32 ]; do printf 'pci read l 00:%02x.0 0\n' $d; d=$((d + 1)); done >"$W/ids.scn"
    "$B/xensim-guest" --domid 1 run "$W/ids.scn" >"$W/$peer.ids" || return 1
    vga=$(awk '$NF == "0x11111234" { print $4 }' "$W/$peer.ids")
    plat=$(awk '$NF == "0x15853" || $NF == "0x00015853" { print $4 }' "$W/$peer.ids")
    {
        echo "vga-location ${vga:-absent}"
        echo "platform-location ${plat:-absent}"
    } >"$W/$peer.vals"
    [ -n "$vga" ] && [ -n "$plat" ] || { echo "$peer: VGA or xen-platform not found"; return 1; }
    # 2. configuration registers, BAR contents
    {
        for f in $FUNCS "$vga" "$plat"; do
            for r in 0x00 0x04 0x08 0x0c 0x2c; do echo "pci read l $f $r"; done
            echo "pci read b $f 0x0e"
            echo "pci read b $f 0x3d"
            for r in $REGS; do echo "pci read l $f $r"; done
        done
        # chipset registers a firmware reads or writes
        echo "pci read l 00:00.0 0x58"              # PAM0-PAM2
        echo "pci read l 00:00.0 0x5c"              # PAM3-PAM6
        echo "pci read l 00:00.0 0x70"              # SMRAM at 0x72
        echo "pci read l 00:01.0 0x60"              # PIRQ routes
        echo "pci read l 00:01.0 0x4c"              # IORT, XBCS
        echo "pci read l 00:01.0 0x68"              # 0x69: TOM
        echo "pci read l 00:01.3 0x40"              # PMBA
        echo "pci read l 00:01.3 0x80"              # PMREGMISC
        echo "pci read l 00:01.1 0x40"              # IDE timing (decode enables)
        echo "pci read l 00:01.1 0x3c"              # IDE line/pin
    } >"$W/regs.scn"
    "$B/xensim-guest" --domid 1 run "$W/regs.scn" >"$W/$peer.regs" || return 1
    # 3. BAR sizing as firmware does it (restoring each BAR), then ports
    {
        for f in $FUNCS "$vga" "$plat"; do
            for r in $REGS; do
                orig=$(awk -v k="$f" -v r="$r" '$4 == k && $5 == r { print $NF }' "$W/$peer.regs")
                echo "pci write l $f $r 0xffffffff"
                echo "pci read l $f $r"
                echo "pci write l $f $r $orig"
            done
        done
        cat <<'EOF'
echo "@K platform-magic"
in w 0x10
echo "@K platform-version"
in b 0x12
echo "@K uart-IER"
in b 0x3f9
echo "@K uart-IIR"
in b 0x3fa
echo "@K uart-LCR"
in b 0x3fb
echo "@K uart-MCR"
in b 0x3fc
echo "@K uart-LSR"
in b 0x3fd
echo "@K uart-MSR"
in b 0x3fe
echo "@K vga-dispi-id"
out w 0x1ce 0
in w 0x1cf
echo "@K ide-status"
out b 0x1f6 0xa0
in b 0x1f7
out b 0x1f7 0xec
sleep 50
echo "@K ide-identify-status"
in b 0x1f7
echo "@W"
repeat 256
    in w 0x1f0
end
echo "@K ide-status-after"
in b 0x1f7
EOF
    } >"$W/size.scn"
    "$B/xensim-guest" --domid 1 run "$W/size.scn" >"$W/$peer.size" || return 1
    dm_env_stop
    # name the values: function by role, so that moved devices compare
    for f in $FUNCS "$vga" "$plat"; do
        case $f in
        "$vga") n=vga ;; "$plat") n=platform ;; *) n=$f ;;
        esac
        for src in regs size; do
            awk -v k="$f" -v n="$n" -v src=$src '$1 == "pci" && $2 == "read" && $4 == k {
                r = $5; v = $NF
                if (src == "regs") {
                    if (r == "0x0") print n, "ids", v
                    else if (r == "0x4") print n, "command/status", v
                    else if (r == "0x8") print n, "class/revision", v
                    else if (r == "0x2c") print n, "subsystem", v
                    else if (r == "0x3c") print n, "interrupt-line/pin", v
                    else if (r == "0xc") print n, "bist/header/latency/cacheline", v
                    else if (r ~ /^0x[4-9a-f][0-9a-f]$/) print n, "config@" r, v
                    else if (r == "0xe") print n, "header-type", v
                    else if (r == "0x3d") print n, "interrupt-pin", v
                    else print n, "bar@" r, v
                } else print n, "bar-sizing@" r, v
            }' "$W/$peer.$src" | sed 's/ /:/' >>"$W/$peer.vals"
        done
    done
    awk '/^@K / { k = $2; next }
         /^@W/ { w = 0; words = 1; next }
         words && / = 0x/ { word[w++] = $NF; if (w == 256) words = 0; next }
         k != "" && / = 0x/ { print k, $NF; k = "" }
         END {
             # IDENTIFY: strings are big-endian byte pairs per word
             printf "ide-capacity-sectors %s,%s\n", word[60], word[61]
             printf "ide-capabilities(w49) %s\n", word[49]
             printf "ide-model \"%s\"\n", ata_str(27, 46)
             printf "ide-serial \"%s\"\n", ata_str(10, 19)
             printf "ide-firmware \"%s\"\n", ata_str(23, 26)
         }
         function hexv(s,    i, c, v) {
             v = 0; s = tolower(s); sub(/^0x/, "", s)
             for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
             return v
         }
         function ata_str(a, b,    i, v, s) {
             s = ""
             for (i = a; i <= b; i++) {
                 v = hexv(word[i]); s = s sprintf("%c%c", int(v / 256), v % 256)
             }
             sub(/ +$/, "", s); sub(/^ +/, "", s)
             return s
         }' "$W/$peer.size" >>"$W/$peer.vals"
}

echo "== QEMU 7.2 ($QEMU)"
collect qemu "$QEMU" || { echo "FAIL: QEMU pass"; exit 1; }
echo "== xendm ($B/xendm)"
# shellcheck disable=SC2086
collect xendm ${VALGRIND:-} "$B/xendm" || { echo "FAIL: xendm pass"; exit 1; }
grep -q "^dm exit status=0" "$W/xendm.log" && ! grep -q "^LEAK" "$W/xendm.log" ||
    { cat "$W/xendm.log"; echo "FAIL: xendm did not exit cleanly after QMP quit"; exit 1; }

# The documented differences: | `key` | `qemu` | `xendm` | why |
sed -n '/^## Compared with QEMU 7.2/,/^## /p' "$TOP/docs/chipset.md" |
    sed -n 's/^| `\([^`]*\)` | `\([^`]*\)` | `\([^`]*\)` |.*/\1\t\2\t\3/p' |
    sed "s/<VERSION>/$(cat "$TOP/VERSION")/" >"$W/documented"

fails=0
printf '%-38s %-22s %-22s %s\n' "value" "QEMU 7.2" "xendm" "verdict"
while read -r key qv; do
    xv=$(awk -v k="$key" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$W/xendm.vals")
    doc=$(awk -F '\t' -v k="$key" '$1 == k { print $2 "\t" $3; exit }' "$W/documented")
    if [ "$qv" = "$xv" ]; then
        if [ -n "$doc" ]; then verdict="FAIL: same, but documented as different"; fails=$((fails + 1))
        else verdict="same"; fi
    elif [ -n "$doc" ]; then
        if [ "$doc" = "$(printf '%s\t%s' "$qv" "$xv")" ]; then verdict="documented difference"
        else verdict="FAIL: documented as $(echo "$doc" | tr '\t' '/')"; fails=$((fails + 1)); fi
    else
        verdict="FAIL: differs"; fails=$((fails + 1))
    fi
    printf '%-38s %-22s %-22s %s\n' "$key" "$qv" "$xv" "$verdict"
done <"$W/qemu.vals"
# Every documented key must have been compared.
while IFS="$(printf '\t')" read -r key _; do
    awk -v k="$key" '$1 == k { f = 1 } END { exit !f }' "$W/qemu.vals" ||
        { echo "FAIL: docs/chipset.md documents '$key', which this script does not compare"; fails=$((fails + 1)); }
done <"$W/documented"
n=$(wc -l <"$W/qemu.vals")
if [ $fails -eq 0 ]; then
    echo "qemu-compare: $n values compared; all agree or differ exactly as docs/chipset.md says"
else
    echo "qemu-compare: $fails of $n values disagree (see above)"
fi
[ $fails -eq 0 ]
