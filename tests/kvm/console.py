#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""console.py - the host end of a real guest's serial line for KVM tests.

Connects to the device model's `-serial unix:PATH,server,nowait` socket,
copies everything the guest prints to LOG, and, when a line containing
--on TEXT appears, asks the device model for a screendump over QMP
(--qmp SOCK --png FILE) and then types --send TEXT on the guest's serial
input --exec-on TEXT runs --exec CMD (a shell command) when TEXT appears
(notes such as the QMP answer go to LOG.notes; --ready FILE is
created once connected, so nothing the guest prints is lost). Ends when the device model closes the socket or after --timeout
seconds (exit 1 then).
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time


def connect(path, deadline):
    while time.time() < deadline:
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
        time.sleep(0.05)
    return None


def qmp(path, cmd, args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile("rw")
    f.readline()  # greeting
    for c in ({"execute": "qmp_capabilities"}, {"execute": cmd, "arguments": args}):
        f.write(json.dumps(c) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                break
    s.close()
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sock")
    ap.add_argument("log")
    ap.add_argument("--on")
    ap.add_argument("--qmp")
    ap.add_argument("--png")
    ap.add_argument("--send", default="g")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--ready", help="file created once connected")
    ap.add_argument("--exec-on", help="run --exec when this text appears")
    ap.add_argument("--exec", dest="exec_cmd")
    a = ap.parse_args()
    deadline = time.time() + a.timeout
    s = connect(a.sock, deadline)
    if not s:
        print("console.py: cannot connect to %s" % a.sock, file=sys.stderr)
        return 1
    s.settimeout(0.2)
    if a.ready:
        open(a.ready, "w").close()
    buf = b""
    fired = False
    exec_fired = False
    with open(a.log, "ab", buffering=0) as log:
        while time.time() < deadline:
            try:
                data = s.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                return 0
            log.write(data)
            buf = (buf + data)[-65536:]
            if a.exec_on and not exec_fired and a.exec_on.encode() in buf:
                exec_fired = True
                rc = subprocess.call(a.exec_cmd, shell=True)
                with open(a.log + ".notes", "a") as notes:
                    notes.write("exec: %s -> %d\n" % (a.exec_cmd, rc))
            if a.on and not fired and a.on.encode() in buf:
                fired = True
                if a.qmp and a.png:
                    r = qmp(a.qmp, "screendump", {"filename": a.png})
                    with open(a.log + ".notes", "a") as notes:
                        notes.write("screendump: %s\n" % json.dumps(r))
                s.sendall(a.send.encode())
    print("console.py: timeout after %.0f s" % a.timeout, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
