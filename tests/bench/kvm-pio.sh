#!/bin/sh
# kvm-pio.sh - a real guest's PIO round trips (tests/kvm/microguest.c,
# step "pio": 20,000 x out+in on the 16550 scratch register, timed by the
# guest with the PM timer) on KVM vCPUs, three ways in one run:
#   floor: the port answered inside the vCPU thread (xensim-kvm --echo-port),
#   xendm: an ioreq per access to xendm,
#   qemu:  the same to Debian's qemu-system-xen (when installed).
# Rounds interleave the three; prints min/median/max rates and the ratios
# of the medians (xendm / floor, xendm / qemu).
# Environment: B, TOP; ROUNDS (default 3).
. "${TOP:-.}/tests/scenarios/xensim-lib.sh"
KVM="$B/xensim-kvm"
MG="$B/tests/kvm/microguest.bin"
QEMU=/usr/libexec/xen-qemu-system-i386
if ! why=$("$KVM" --check 2>&1); then
    echo "SKIP: kvm-pio: no usable /dev/kvm ($why)"
    exit 0
fi
xsim_start
id=0
# one KIND DM [KVM-OPTS]: print the guest's round trips per second
one() {
    id=$((id + 1))
    "$B/xensim" create $id 64 1 > /dev/null
    # shellcheck disable=SC2046,SC2086
    LD_LIBRARY_PATH="$XSIM_LIBS" "$B/xensim" run-dm -t 120 $id -- $2 \
        $("$B/xensim" qemu-args $id 64) > "$XSIM_DIR/b$id.dm" 2>&1 &
    rd=$!
    # shellcheck disable=SC2086
    "$KVM" --flat "$MG" --append "pio poweroff" $3 $id > "$XSIM_DIR/b$id.kvm" 2>&1
    wait $rd
    awk '/MG pio round-trips=/ { split($3, n, "="); split($4, t, "=");
         if (t[2] > 0) printf "%.0f\n", n[2] * 3579545 / t[2] }' "$XSIM_DIR/serial-$id.log"
}
stats() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%d %d %d\n", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
: > "$XSIM_DIR/floor"; : > "$XSIM_DIR/xendm"; : > "$XSIM_DIR/qemu"
for _ in $(seq 1 "${ROUNDS:-3}"); do
    one floor "$B/xendm" "--echo-port 0x3ff" >> "$XSIM_DIR/floor"
    one xendm "$B/xendm" "" >> "$XSIM_DIR/xendm"
    [ -x "$QEMU" ] && one qemu "$QEMU" "" >> "$XSIM_DIR/qemu"
done
for k in floor xendm qemu; do
    s=$(stats < "$XSIM_DIR/$k")
    [ -n "$s" ] && echo "kvm_pio_${k}_min_med_max $s round-trips/s"
done
f=$(stats < "$XSIM_DIR/floor" | cut -d' ' -f2)
x=$(stats < "$XSIM_DIR/xendm" | cut -d' ' -f2)
q=$(stats < "$XSIM_DIR/qemu" | cut -d' ' -f2)
[ -n "$f" ] && [ -n "$x" ] && awk -v x="$x" -v f="$f" 'BEGIN { printf "kvm_pio_xendm_over_floor %.3f ratio (target >= 0.8)\n", x / f }'
[ -n "$q" ] && [ -n "$x" ] && awk -v x="$x" -v q="$q" 'BEGIN { printf "kvm_pio_xendm_over_qemu %.3f ratio (target >= 2)\n", x / q }'
exit 0
