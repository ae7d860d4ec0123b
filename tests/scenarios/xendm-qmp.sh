#!/bin/sh
# xendm-qmp.sh - the monitor keys through Debian's xenstore-utils, then a
# QMP session over libxl's socket: greeting, qmp_capabilities,
# query-status, stop (state key "paused"), cont ("running"),
# human-monitor-command "info pci", xen-set-global-dirty-log with an IDE
# DMA into guest RAM reported through modified_memory, screendump to a
# PNG, unknown command and malformed JSON answered, quit → exit 0 and no
# outstanding mappings.
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
TOP=${TOP:-$(pwd)}
. "$TOP/tests/scenarios/xendm-lib.sh"

command -v xenstore-write >/dev/null && command -v xenstore-ls >/dev/null ||
    { echo "not ok - xenstore-utils (xenstore-write, xenstore-ls) not installed"; exit 1; }

xd_start_sim
dd if=/dev/urandom of="$XD_DIR/disk.img" bs=64k count=1 2>/dev/null
xd_start_dm -device VGA,vgamem_mb=16 \
    -drive "file=$XD_DIR/disk.img,if=ide,index=0,media=disk,format=raw"
ok "xendm running"

# ---- monitor keys with xenstore-utils ---------------------------------------
M="$XD_DM/monitor"
seq0=$(xenstore-read "$M/seq" 2>/dev/null || echo 0)
xenstore-write "$M/command" 'info pci'
n=$((100 * XD_SLOW))
while [ $n -gt 0 ] && [ "$(xenstore-read "$M/seq" 2>/dev/null || echo 0)" = "$seq0" ]; do
    sleep 0.05; n=$((n - 1))
done
[ $n -gt 0 ] && ok "xenstore-write command, seq bumped" || notok "seq did not change after a command"
[ "$(xenstore-read "$M/status")" = ok ] && ok "xenstore-read status = ok" ||
    notok "status '$(xenstore-read "$M/status")'"
res=$(xenstore-read -R "$M/result")
echo "$res" | grep -q 'id 5853:0001' && echo "$res" | grep -q 'id 1234:1111' &&
    ok "xenstore-read result: info pci lists VGA and xen-platform" || notok "result: $res"
[ -z "$(xenstore-read "$M/command" 2>/dev/null)" ] && ok "command key cleared" ||
    notok "command key still '$(xenstore-read "$M/command")'"

xd_mon 'frobnicate' >"$XD_DIR/out"
st=$(xenstore-read "$M/status")
case "$st" in
error:*) grep -q "unknown command: 'frobnicate'" "$XD_DIR/out" && ok "unknown command: $st" ||
    notok "unknown command result: $(cat "$XD_DIR/out")" ;;
*) notok "unknown command status '$st'" ;;
esac

xd_mon 'info mtree' >"$XD_DIR/mtree"
parts=$(xenstore-read "$M/result-parts")
grep -q 'address-space: memory' "$XD_DIR/mtree" && grep -q 'vga' "$XD_DIR/mtree" &&
    ok "info mtree through the keys ($parts part(s), $(wc -l <"$XD_DIR/mtree") lines)" ||
    notok "info mtree: $(head -5 "$XD_DIR/mtree")"
xd_mon 'help' | grep -q 'info mapcache' && ok "help lists info mapcache" || notok "help"
xd_mon 'info mapcache' | grep -q -i 'entries\|hits' && ok "info mapcache" || notok "info mapcache"

xd_exec 'in w 0x10 expect 0x49d2' 'in b 0x3fd' >/dev/null
xd_stat_wait ioreq/pio 2 2>/dev/null
xenstore-ls "$M" >"$XD_DIR/ls" 2>&1
for k in seq status result command stats ioreq pio copy pci-config invalidate \
    timeoffset buffered rejected mapcache hits misses locked-dma-warnings; do
    grep -q "^ *$k = " "$XD_DIR/ls" || { notok "xenstore-ls: no key '$k'"; cat "$XD_DIR/ls"; break; }
done
grep -q '^ *pio = "[1-9][0-9]*"' "$XD_DIR/ls" && ok "xenstore-ls shows the monitor tree and live stats" ||
    notok "xenstore-ls: pio not counted: $(grep pio "$XD_DIR/ls")"
[ "$(xenstore-read "$XD_DM/state")" = running ] && ok "state = running" || notok "state"

# ---- QMP ---------------------------------------------------------------------
cat >"$XD_DIR/dma.scn" <<'SCN'
pci write l 00:01.1 0x20 0xc001
pci write w 00:01.1 4 0x0005
ram write 0x8000 0x00 0x00 0x20 0x00 0x00 0x20 0x00 0x80
out l 0xc004 0x8000
out b 0xc002 0x06
out b 0x1f6 0xe0
out b 0x1f2 16
out b 0x1f3 0
out b 0x1f4 0
out b 0x1f5 0
out b 0x1f7 0xc8
out b 0xc000 0x09
SCN

python3 - "$XD_DIR" "$B" "$XD_SLOW" "$XD_DM" <<'PYEOF' || XD_FAILS=$((XD_FAILS + 1))
import json, os, socket, subprocess, sys, time, zlib

run, B, slow, dm = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
failed = 0

def check(cond, what):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed += 1

def xsread(key):
    r = subprocess.run(["xenstore-read", key], capture_output=True, text=True)
    return r.stdout.strip()

def guest(*lines):
    r = subprocess.run([B + "/xensim-guest", "-D", "1", "-t", str(5000 * slow),
                        "exec", *lines], capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr

def wait_key(key, value, secs=5):
    end = time.time() + secs * slow
    while time.time() < end:
        if xsread(key) == value:
            return True
        time.sleep(0.05)
    return False

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.path.join(run, "qmp-libxl-1"))
s.settimeout(10 * slow)
f = s.makefile("rb")

def recv():
    while True:
        line = f.readline()
        if not line:
            raise EOFError("QMP connection closed")
        m = json.loads(line)
        if "event" not in m:
            return m

def cmd(name, args=None):
    m = {"execute": name}
    if args is not None:
        m["arguments"] = args
    s.sendall(json.dumps(m).encode() + b"\n")
    return recv()

g = recv()
check("QMP" in g and "version" in g["QMP"] and "capabilities" in g["QMP"],
      "QMP greeting: %s" % json.dumps(g)[:80])
r = cmd("query-status")
check(r.get("error", {}).get("class") == "CommandNotFound",
      "commands before qmp_capabilities refused: %s" % r)
check(cmd("qmp_capabilities") == {"return": {}}, "qmp_capabilities")
r = cmd("query-status")
check(r.get("return", {}).get("status") == "running" and r["return"].get("running") is True,
      "query-status: running")
check(cmd("stop") == {"return": {}}, "stop")
check(cmd("query-status").get("return", {}).get("status") == "paused", "query-status: paused")
check(wait_key(dm + "/state", "paused"), "state key 'paused' while stopped")
check(cmd("cont") == {"return": {}}, "cont")
check(cmd("query-status").get("return", {}).get("status") == "running", "query-status: running again")
check(wait_key(dm + "/state", "running"), "state key 'running' after cont")

r = cmd("human-monitor-command", {"command-line": "info pci"})
out = r.get("return", "")
check("5853:0001" in out and "8086:7010" in out, "human-monitor-command 'info pci'")

r = cmd("no-such-command")
check(r.get("error", {}).get("class") == "CommandNotFound", "unknown command: CommandNotFound")
s.sendall(b'{"execute": }\n')
r = recv()
check("error" in r, "malformed JSON: an error reply")
check(cmd("query-status").get("return", {}).get("status") == "running",
      "connection usable after malformed JSON")

# Global dirty log: DM writes to guest RAM (IDE DMA, 8 KiB at 0x200000)
# are reported with modified_memory.
ok0, out0 = guest("expect modified calls 0")
check(ok0, "no modified_memory calls before dirty logging")
check(cmd("xen-set-global-dirty-log", {"enable": True}) == {"return": {}},
      "xen-set-global-dirty-log on")
r = subprocess.run([B + "/xensim-guest", "-D", "1", "-t", str(5000 * slow), "run",
                    os.path.join(run, "dma.scn")], capture_output=True, text=True)
check(r.returncode == 0, "IDE READ DMA started " + r.stderr.strip())
ok1, out1 = guest("expect modified pages 2 within %d" % (5000 * slow),
                  "in b 0xc002 expect 0x04 mask 0x05", "out b 0xc000 0")
check(ok1, "DMA into guest RAM reported: modified pages 2 " + out1.strip())
data = open(os.path.join(run, "disk.img"), "rb").read()[:8192]
ok2, out2 = guest("ram checksum 0x200000 8192 expect %#x" % zlib.crc32(data))
check(ok2, "DMA data correct " + out2.strip())
check(cmd("xen-set-global-dirty-log", {"enable": False}) == {"return": {}},
      "xen-set-global-dirty-log off")
r = subprocess.run([B + "/xensim-guest", "-D", "1", "-t", str(5000 * slow), "run",
                    os.path.join(run, "dma.scn")], capture_output=True, text=True)
ok3, out3 = guest("sleep %d" % (300 * slow), "in b 0xc002 expect 0x04 mask 0x05",
                  "out b 0xc000 0", "expect modified pages 2")
check(r.returncode == 0 and ok3, "not reported once dirty logging is off " + out3.strip())

png = os.path.join(run, "shot.png")
r = cmd("human-monitor-command", {"command-line": "screendump " + png})
ok4 = "return" in r and os.path.exists(png)
check(ok4 and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
      "screendump wrote a PNG: %s" % r)

check(cmd("quit") == {"return": {}}, "quit")
sys.exit(1 if failed else 0)
PYEOF
xd_wait_dm
if [ "$XD_RC" -eq 0 ] && grep -q '^dm exit status=0' "$XD_DIR/rundm.out"; then
    ok "QMP quit: exit 0, no outstanding mappings"
else
    notok "QMP quit: run-dm exit $XD_RC: $(cat "$XD_DIR/rundm.out")"
fi
xd_finish
