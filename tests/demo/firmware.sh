# firmware.sh - step 1 of the demo: the PCI set-up Xen's hvmloader does
# before the BIOS runs, played as a guest on xensim (sourced by demo.sh).
#
# Same order and checks as hvmloader's pci_setup():
#   1. PIIX3 PIRQ routes 0x60-0x63 <- ISA IRQs 5, 10, 11, 5 (the IRQs of
#      its mask 0x0c20 taken in turn);
#   2. every devfn 0..255: skip when the vendor ID reads 0xffff; 00:01.0
#      must be 8086:7000; class 0x0680 (PM) must be 8086:7113 and gets
#      PMBA 0xb001 (config 0x40) and PMREGMISC 1 (0x80); Intel IDE (class
#      0x0101) gets its decode enables 0x40/0x42 = 0x8000; each BAR (0x10-
#      0x24 and the ROM at 0x30; 32-bit only, the chipset has no 64-bit
#      BAR) is sized by writing all-ones, reading back and restoring it;
#      INTx goes to link ((pin - 1) + slot) & 3 and the route's IRQ into
#      INTERRUPT_LINE; bus mastering is enabled;
#   3. BARs placed largest first, memory from 0xf0000000, I/O from 0xc000,
#      each aligned to its size; decoding enabled per BAR; the VGA gets I/O
#      and memory decoding.
# The accesses are written as scenario files into $OUT (01-*.scn) so they
# can be read and replayed; the values read back come from the device
# model. Results: FW_LFB (VGA BAR0 address), FW_BMIBA (IDE bus master
# base), FW_PLATFORM and FW_VGA (their B:D.F). PMBA is 0xb000, as
# hvmloader's.

FW_ROUTES="5 10 11 5"

# fw_hex N [WIDTH]: 0x-prefixed hex.
fw_hex() { printf '0x%0*x' "${2:-1}" "$1"; }

fw_fail() { say "   FIRMWARE CHECK FAILED: $*"; return 1; }

fw_pci_setup() {
    scan=$OUT/01-pci-ids.scn setup=$OUT/01-pci-setup.scn place=$OUT/01-pci-place.scn
    # -- every devfn's vendor/device ID
    {
        echo "# hvmloader: read the vendor and device ID of every devfn"
        d=0
        while [ $d -lt 32 ]; do
            f=0
            while [ $f -lt 8 ]; do
                printf 'pci read l 00:%02x.%d 0\n' $d $f
                f=$((f + 1))
            done
            d=$((d + 1))
        done
    } >"$scan"
    "$B/xensim-guest" --domid 1 --timeout "${GT:-5000}" run "$scan" >"$OUT/01-pci-ids.out" || return 1
    awk '$NF != "0xffffffff" && / = 0x/ { print $4, $NF }' "$OUT/01-pci-ids.out" >"$OUT/01-functions"
    say "   functions found (vendor:device):"
    while read -r bdf id; do
        say "     $bdf  $(printf '%04x:%04x' $((id & 0xffff)) $((id >> 16)))"
    done <"$OUT/01-functions"
    grep -q "^00:01.0 0x70008086$" "$OUT/01-functions" ||
        { fw_fail "00:01.0 is not the PIIX3 ISA bridge 8086:7000"; return 1; }

    # -- what each function is: class, pin, command, BAR contents
    : >"$OUT/01-regs.scn"
    while read -r bdf id; do
        echo "pci read w $bdf 0x0a"
        echo "pci read b $bdf 0x3d"
        echo "pci read w $bdf 0x04"
        for r in 0x10 0x14 0x18 0x1c 0x20 0x24 0x30; do echo "pci read l $bdf $r"; done
    done <"$OUT/01-functions" >"$OUT/01-regs.scn"
    "$B/xensim-guest" --domid 1 --timeout "${GT:-5000}" run "$OUT/01-regs.scn" >"$OUT/01-regs.out" || return 1
    # reg BDF REG: a value read above
    reg() { awk -v k="$1" -v r="$2" '$4 == k && $5 == r { print $NF }' "$OUT/01-regs.out"; }

    # -- the set-up writes and the BAR sizing
    FW_VGA='' FW_PLATFORM=
    {
        echo "# hvmloader: PCI link routes PIRQA-D -> ISA IRQs ($FW_ROUTES)"
        l=0
        for irq in $FW_ROUTES; do
            echo "pci write b 00:01.0 $(fw_hex $((0x60 + l))) $irq"
            echo "expect link-route $l $irq"
            l=$((l + 1))
        done
        while read -r bdf id; do
            class=$(reg "$bdf" 0xa)
            slot=$(( 0x$(echo "$bdf" | cut -c4-5) ))
            echo "# $bdf: class $(fw_hex $((class)) 4)"
            case $((class)) in
            $((0x0680)))
                [ "$id" = 0x71138086 ] || { echo "FAIL PM function is $id" >&2; }
                echo "pci write w $bdf 0x20 0      # no SMBus I/O"
                echo "pci write w $bdf 0xd2 0"
                echo "pci write w $bdf 0x22 0"
                echo "pci write w $bdf 0x3c 9      # hard-coded SCI IRQ 9"
                # hvmloader's pci_writew(devfn, 0x3d, 1): its accessor puts a
                # word at 0xcfc + (reg & 2), i.e. register 0x3c
                echo "pci write w $bdf 0x3c 1"
                echo "pci write l $bdf 0x40 0xb001 # PMBA = 0xb000 (I/O)"
                echo "pci write b $bdf 0x80 1      # enable the PM I/O block"
                echo "pci read l $bdf 0x40 expect 0xb001"
                ;;
            $((0x0101)))
                if [ $((id & 0xffff)) -eq $((0x8086)) ]; then
                    echo "pci write w $bdf 0x40 0x8000 # IDE primary decode"
                    echo "pci write w $bdf 0x42 0x8000 # IDE secondary decode"
                fi
                ;;
            esac
            for r in 0x10 0x14 0x18 0x1c 0x20 0x24 0x30; do
                orig=$(reg "$bdf" "$r")
                echo "pci write l $bdf $r 0xffffffff"
                echo "pci read l $bdf $r"
                echo "pci write l $bdf $r $orig"
            done
            pin=$(reg "$bdf" 0x3d)
            if [ $((pin)) -ne 0 ]; then
                link=$(( ((pin - 1) + slot) & 3 ))
                irq=$(echo "$FW_ROUTES" | cut -d' ' -f$((link + 1)))
                echo "pci write b $bdf 0x3c $irq    # INT$(printf "\\$(printf %o $((64 + pin)))") -> link $link -> IRQ $irq"
            fi
            cmd=$(reg "$bdf" 0x4)
            echo "pci write w $bdf 0x04 $(fw_hex $((cmd | 4)))  # bus master"
        done <"$OUT/01-functions"
    } >"$setup"
    grep -q "^FAIL" "$setup" && { fw_fail "the PM function is not 8086:7113"; return 1; }
    grep -q "class 0x0680" "$setup" || { fw_fail "no PIIX4 PM function (class 0x0680)"; return 1; }
    "$B/xensim-guest" --domid 1 --timeout "${GT:-5000}" run "$setup" >"$OUT/01-pci-setup.out" || return 1
    say "   PIRQ routes programmed: PIRQA-D -> IRQ $FW_ROUTES (xensim saw set_pci_link_route)"
    say "   PM: PMBA 0xb000 enabled; IDE: legacy decode enabled; bus mastering on"

    # -- sizes, then placement (largest first, stable), then decoding
    grep -E "^pci read l .* 0x(10|14|18|1c|20|24|30) = " "$OUT/01-pci-setup.out" |
    while read -r _ _ _ bdf r _ v; do
        [ $((v)) -eq 0 ] && continue
        if [ "$r" != 0x30 ] && [ $((v & 1)) -eq 1 ]; then io=1 mask=0xfffffffc
        elif [ "$r" = 0x30 ]; then io=0 mask=0xfffff800
        else io=0 mask=0xfffffff0; fi
        s=$((v & mask))
        [ $s -eq 0 ] && continue
        echo "$bdf $r $((s & -s)) $io"
    done >"$OUT/01-bars"
    [ -s "$OUT/01-bars" ] || { fw_fail "no BARs found"; return 1; }
    sort -s -k3,3nr "$OUT/01-bars" >"$OUT/01-bars.sorted"
    mem=$((0xf0000000)) io=$((0xc000))
    : >"$OUT/01-placed"
    {
        echo "# hvmloader: place the BARs, largest first; enable decoding"
        while read -r bdf r sz isio; do
            orig=$(reg "$bdf" "$r")
            if [ "$isio" = 1 ]; then
                base=$(( (io + sz - 1) & ~(sz - 1) )); io=$((base + sz))
                val=$((base | (orig & 3))); bit=1
            else
                base=$(( (mem + sz - 1) & ~(sz - 1) )); mem=$((base + sz))
                val=$((base | (orig & 0xf))); bit=2
            fi
            echo "pci write l $bdf $r $(fw_hex $val 8)"
            echo "pci read l $bdf $r expect $(fw_hex $val 8)"
            echo "$bdf $r $sz $(fw_hex $val 8) $bit" >>"$OUT/01-placed"
        done <"$OUT/01-bars.sorted"
    } >"$place.tmp"
    # Decoding: COMMAND |= IO/MEMORY for each function with a placed BAR.
    while read -r bdf id; do
        bits=0
        for b in $(awk -v k="$bdf" '$1 == k { print $5 }' "$OUT/01-placed"); do
            bits=$((bits | b))
        done
        class=$(reg "$bdf" 0xa)
        [ $((class)) -eq $((0x0300)) ] && bits=3 && FW_VGA=$bdf
        [ $((id)) -eq $((0x00015853)) ] && FW_PLATFORM=$bdf
        [ "$bits" -eq 0 ] && continue
        cmd=$(( $(reg "$bdf" 0x4) | 4 | bits ))
        echo "pci write w $bdf 0x04 $(fw_hex $cmd)"
        echo "pci read w $bdf 0x04 expect $(fw_hex $cmd)"
    done <"$OUT/01-functions" >>"$place.tmp"
    mv "$place.tmp" "$place"
    "$B/xensim-guest" --domid 1 --timeout "${GT:-5000}" run "$place" >"$OUT/01-pci-place.out" || return 1
    say "   BARs (sized by writing all-ones and reading back; placed like hvmloader):"
    while read -r bdf r sz val bit; do
        say "     pci dev $bdf bar $r size $(printf '%9x' "$sz") -> $val"
    done <"$OUT/01-placed"
    FW_LFB=$(awk -v k="$FW_VGA" '$1 == k && $2 == "0x10" { print $4 }' "$OUT/01-placed")
    FW_BMIBA=$(awk '$1 == "00:01.1" && $2 == "0x20" { print $4 }' "$OUT/01-placed")
    FW_LFB=$(fw_hex $((FW_LFB & ~0xf)) 8)
    FW_BMIBA=$(fw_hex $((FW_BMIBA & ~3)))
    [ -n "$FW_VGA" ] && [ -n "$FW_PLATFORM" ] && [ "$FW_BMIBA" != 0x0 ] ||
        { fw_fail "VGA, xen-platform or the IDE bus master BAR missing"; return 1; }
    say "   VGA $FW_VGA: framebuffer (BAR0) at $FW_LFB; IDE bus master at $FW_BMIBA;" \
        "xen-platform at $FW_PLATFORM"
}
