#!/bin/sh
# xendm-cli.sh - the xendm program as libxl meets it: --help, --version,
# option errors (exit 1, option named), xenfv without Xen, libxl's
# QMP probe over a path socket and over an inherited fd (greeting,
# qmp_capabilities, query-command-line-options, query-status, quit → exit
# 0), and SIGTERM / SIGINT teardown (exit 0).
# Environment: B (build dir), TOP (repo root), VALGRIND (prefix or empty).
set -u
B=${B:-build}
TOP=${TOP:-$(pwd)}
XENDM="$TOP/$B/xendm"
case "$B" in /*) XENDM="$B/xendm" ;; esac
fails=0
tmp=$(mktemp -d /tmp/xendm-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# expect_exit CODE NEEDLE DESCRIPTION -- ARGS...: run, check status and stderr.
expect_exit() {
    code=$1; needle=$2; what=$3; shift 4
    # shellcheck disable=SC2086
    ${VALGRIND:-} "$XENDM" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$code" ]; then
        bad "$what: exit $rc, wanted $code ($(head -c 300 "$tmp/err"))"
    elif [ -n "$needle" ] && ! grep -q -e "$needle" "$tmp/err" "$tmp/out"; then
        bad "$what: output lacks '$needle' ($(head -c 300 "$tmp/err"))"
    else
        ok "$what"
    fi
}

[ -x "$XENDM" ] || { echo "FAIL - $XENDM not built"; exit 1; }

expect_exit 0 "-chardev" "--help lists options" -- --help
for opt in -xen-domid -xen-domid-restrict -run-with -machine -mon -serial -drive -incoming --log-level; do
    grep -q -e " $opt" "$tmp/out" || bad "--help lacks $opt"
done
# The man page documents every option --help lists.
for opt in $(sed -n 's/^  \(--*[A-Za-z][-A-Za-z]*\).*/\1/p' "$tmp/out"); do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -q -E "(^|[ \"])$esc([^-a-zA-Z]|\$)" "$TOP/docs/xendm.1" ||
        bad "docs/xendm.1 does not document $opt"
done
expect_exit 0 "xendm $(cat "$TOP/VERSION")" "--version" -- --version
expect_exit 1 "-frobnicate: unknown option" "unknown option named" -- -S -frobnicate
expect_exit 1 "-m: missing value" "missing value named" -- -machine none -m
expect_exit 1 "-xen-domid: bad domain id 'abc'" "bad number named" -- -xen-domid abc
expect_exit 1 "unknown parameter 'bogus'" "bad key named" -- -machine none,bogus=1
expect_exit 1 "-incoming: incoming migration and restore are not supported yet" \
    "-incoming refused" -- -machine none -incoming fd:3
expect_exit 1 "cannot open xenctrl" "xenfv without Xen fails clearly" -- \
    -xen-domid 3 -machine xenfv,suppress-vmdesc=on -nodefaults -display none
expect_exit 1 "-device e1000: not supported" "unsupported device named" -- \
    -xen-domid 3 -machine xenfv -device e1000,netdev=n0
expect_exit 1 "chardev 'libxl-cmd': socket '/nonexistent/dir/s'" "socket error names chardev" -- \
    -machine none -chardev socket,id=libxl-cmd,path=/nonexistent/dir/s,server=on,wait=off

python3 - "$XENDM" "$tmp" "${VALGRIND:-}" <<'PYEOF' || fails=$((fails + 1))
import json, os, shlex, signal, socket, subprocess, sys, time

xendm, tmp, valgrind = sys.argv[1], sys.argv[2], sys.argv[3]
prefix = shlex.split(valgrind) if valgrind else []
timeout = 60 if prefix else 10
failed = 0

def check(cond, what):
    global failed
    print(("ok   - " if cond else "FAIL - ") + what)
    if not cond:
        failed += 1

class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.f = sock.makefile("rb")
    def recv(self):
        line = self.f.readline()
        if not line:
            raise EOFError("connection closed")
        return json.loads(line)
    def cmd(self, name, args=None, id=None):
        msg = {"execute": name}
        if args is not None: msg["arguments"] = args
        if id is not None: msg["id"] = id
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv()
            if "event" not in r:
                return r
    def close(self):
        self.f.close(); self.sock.close()

def connect(path, proc):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("xendm exited early: %s" % proc.stderr.read().decode())
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close(); time.sleep(0.05)
    raise RuntimeError("no QMP socket at " + path)

def probe_session(q, proc, label):
    g = q.recv()
    check("QMP" in g and g["QMP"]["capabilities"] == [] and
          g["QMP"]["version"]["qemu"]["major"] >= 7, label + ": greeting")
    r = q.cmd("query-status", id=0)
    check(r.get("error", {}).get("class") == "CommandNotFound", label + ": commands need negotiation")
    check(q.cmd("qmp_capabilities") == {"return": {}}, label + ": qmp_capabilities")
    r = q.cmd("query-command-line-options", id="probe-1")
    opts = {o["option"]: [p["name"] for p in o["parameters"]] for o in r.get("return", [])}
    check(r.get("id") == "probe-1", label + ": id echoed")
    check("user" in opts.get("run-with", []) and "chroot" in opts.get("run-with", []),
          label + ": query-command-line-options has run-with user/chroot")
    check("chardev" in opts and "machine" in opts and "incoming" not in opts,
          label + ": option table")
    r = q.cmd("query-status")
    check(r.get("return", {}).get("status") == "prelaunch", label + ": prelaunch with -S")
    r = q.cmd("query-chardev")
    labels = [c["label"] for c in r.get("return", [])]
    check(labels == ["libxl-cmd"], label + ": query-chardev " + str(labels))
    check(q.cmd("quit", id=99) == {"return": {}, "id": 99}, label + ": quit answered")
    ev = q.recv()
    check(ev.get("event") == "SHUTDOWN", label + ": SHUTDOWN event")
    rc = proc.wait(timeout=timeout)
    err = proc.stderr.read().decode()
    check(rc == 0, label + ": exit status 0 after quit (got %d) %s" % (rc, err[-500:] if rc else ""))

probe = ["-S", "-no-user-config", "-nodefaults", "-nographic", "-machine", "none,accel=xen"]
mon = ["-mon", "chardev=libxl-cmd,mode=control"]

# 1. libxl's probe with a path socket.
path = os.path.join(tmp, "qmp-libxl-probe")
proc = subprocess.Popen(prefix + [xendm] + probe + [
    "-chardev", "socket,id=libxl-cmd,path=%s,server=on,wait=off" % path] + mon,
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
try:
    q = Qmp(connect(path, proc))
    probe_session(q, proc, "probe/path")
    q.close()
    check(not os.path.exists(path), "probe/path: socket removed at exit")
except Exception as e:
    check(False, "probe/path: %r" % e); proc.kill(); proc.wait()

# 2. The same over an inherited listening fd (newer libxl).
lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
lpath = os.path.join(tmp, "qmp-libxl-fd")
lsock.bind(lpath); lsock.listen(1)
fd = lsock.fileno()
proc = subprocess.Popen(prefix + [xendm] + probe + [
    "-chardev", "socket,id=libxl-cmd,fd=%d,server=on,wait=off" % fd] + mon,
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(fd,))
lsock.close()
try:
    q = Qmp(connect(lpath, proc))
    probe_session(q, proc, "probe/fd")
    q.close()
except Exception as e:
    check(False, "probe/fd: %r" % e); proc.kill(); proc.wait()

# 3. SIGTERM and SIGINT end the process cleanly, also with a client attached.
for sig in (signal.SIGTERM, signal.SIGINT):
    name = signal.Signals(sig).name
    path = os.path.join(tmp, "qmp-%s" % name)
    proc = subprocess.Popen(prefix + [xendm, "-machine", "none", "-chardev",
        "socket,id=m,path=%s,server=on,wait=off" % path, "-mon", "chardev=m,mode=control",
        "-serial", "null"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        q = Qmp(connect(path, proc))
        q.recv()
        q.cmd("qmp_capabilities")
        r = q.cmd("query-status")
        check(r.get("return", {}).get("status") == "running", name + ": running without -S")
        proc.send_signal(sig)
        ev = q.recv()
        check(ev.get("event") == "SHUTDOWN" and ev["data"]["reason"] == "host-signal",
              name + ": SHUTDOWN host-signal event")
        rc = proc.wait(timeout=timeout)
        err = proc.stderr.read().decode()
        check(rc == 0, name + ": exit status 0 (got %d) %s" % (rc, err[-500:] if rc else ""))
        q.close()
    except Exception as e:
        check(False, name + ": %r" % e); proc.kill(); proc.wait()

sys.exit(1 if failed else 0)
PYEOF

if [ "$fails" -ne 0 ]; then
    echo "xendm-cli: $fails failure(s)"
    exit 1
fi
echo "xendm-cli: all passed"
