#!/usr/bin/env python3
"""qemu_monitor.py SOCKET COMMAND...: runs QEMU human-monitor commands one after the
other on a Unix socket, waiting for each one's prompt ("quit" is not waited for).
After "quit" it waits for QEMU to close the connection: closing first can make
QEMU drop the command. Paths in commands must be relative (HMP reads "N /path"
as a division)."""
import socket
import sys
import time

PROMPT = b"(qemu) "


def main():
    s = socket.socket(socket.AF_UNIX)
    for _ in range(200):
        try:
            s.connect(sys.argv[1])
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("qemu_monitor: cannot connect to " + sys.argv[1])
    s.settimeout(30)

    def until_prompt():
        buf = b""
        while not buf.endswith(PROMPT):
            d = s.recv(4096)
            if not d:
                break
            buf += d
        return buf

    until_prompt()
    for cmd in sys.argv[2:]:
        s.sendall(cmd.encode() + b"\n")
        if cmd == "quit":
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
        else:
            reply = until_prompt()
            if b"Try \"help" in reply or b"rror" in reply:
                sys.exit("qemu_monitor: '%s' failed: %r" % (cmd, reply[-200:]))


if __name__ == "__main__":
    main()
