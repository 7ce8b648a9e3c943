#!/usr/bin/env python3
"""Sits between gdb and Bochs' COM2 socket for the GDB stub test (run.sh,
case_bochs_gdb). Connects to Bochs (retrying until it listens), first feeds
the stub bad input itself and checks its answers (a bad checksum gets '-',
a malformed packet E01, '-' makes it send its last packet again, an unknown
packet the empty reply, an overlong packet '-'), checks that the vCPU
stopped at the kernel's entry point, resumes it and stops it again with
Ctrl-C (the guest spins until gdb lets it go), printing one
"PROXY <check> ok|FAIL ..." line each, then listens on a local port and
relays bytes between gdb and the stub until either side closes.
Usage: gdb_proxy.py BOCHS_PORT LISTEN_PORT ENTRY_HEX"""
import select
import socket
import sys
import time


def frame(payload):
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) & 0xFF)


def quickack(s):
    # Bochs' replies otherwise wait for our delayed ACK (Nagle on its side)
    if hasattr(socket, "TCP_QUICKACK"):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def connect(port):
    deadline = time.time() + 600
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


class Stub:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def read(self, n, timeout=120):
        end = time.time() + timeout
        while len(self.buf) < n and time.time() < end:
            quickack(self.s)
            r, _, _ = select.select([self.s], [], [], 1)
            if r:
                d = self.s.recv(4096)
                if not d:
                    break
                self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def packet(self):
        """The next $...#cs from the stub (acks before it are dropped)."""
        out = b""
        while not out.startswith(b"$"):
            c = self.read(1)
            if not c:
                return None
            if c == b"$" or out:
                out += c
        while b"#" not in out:
            c = self.read(1)
            if not c:
                return None
            out += c
        return out + self.read(2)


def check(name, ok, detail=""):
    print("PROXY %s %s %s" % (name, "ok" if ok else "FAIL", detail), flush=True)


def main():
    bochs_port, listen_port, entry = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3], 16)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(1)
    stub = Stub(connect(bochs_port))
    print("PROXY connected", flush=True)

    stub.s.sendall(b"$g#00")
    got = stub.read(1)
    check("bad-checksum", got == b"-", repr(got))

    stub.s.sendall(frame(b"m0,zz"))
    ack, pkt = stub.read(1), stub.packet()
    check("malformed", ack == b"+" and pkt == frame(b"E01"), repr((ack, pkt)))

    stub.s.sendall(frame(b"?"))
    ack, first = stub.read(1), stub.packet()
    stub.s.sendall(b"-")
    again = stub.packet()
    check("retransmit", ack == b"+" and first is not None and first.startswith(b"$T05")
          and again == first, repr((ack, first, again)))
    stub.s.sendall(b"+")

    stub.s.sendall(frame(b"qTStatus"))
    ack, pkt = stub.read(1), stub.packet()
    check("unsupported", ack == b"+" and pkt == frame(b""), repr((ack, pkt)))

    stub.s.sendall(frame(b"m" + b"0" * 5000 + b",4"))
    got = stub.read(1)
    check("overlong", got == b"-", repr(got))

    stub.s.sendall(frame(b"Z0,ffffffff0,1"))
    ack, pkt = stub.read(1), stub.packet()
    check("bad-address", ack == b"+" and pkt is not None and pkt.startswith(b"$E"),
          repr((ack, pkt)))

    # i386 layout: EIP is register 8, little-endian hex at characters 64-71
    stub.s.sendall(frame(b"g"))
    ack, pkt = stub.read(1), stub.packet()
    eip = int.from_bytes(bytes.fromhex(pkt[65:73].decode()), "little") if pkt else -1
    check("first-instruction", ack == b"+" and eip == entry, "eip=%x entry=%x" % (eip, entry))

    stub.s.sendall(frame(b"c"))
    ack = stub.read(1)
    time.sleep(2)
    stub.s.sendall(b"\x03")
    pkt = stub.packet()
    check("ctrl-c", ack == b"+" and pkt is not None and pkt.startswith(b"$T02"), repr((ack, pkt)))
    stub.s.sendall(b"+")

    print("PROXY relaying", flush=True)
    gdb, _ = listener.accept()
    gdb.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if stub.buf:
        gdb.sendall(stub.buf)
    peers = {gdb: stub.s, stub.s: gdb}
    while True:
        quickack(stub.s)
        r, _, _ = select.select(list(peers), [], [], 1)
        for s in r:
            d = s.recv(65536)
            if not d:
                print("PROXY closed by %s" % ("gdb" if s is gdb else "bochs"), flush=True)
                return
            peers[s].sendall(d)


if __name__ == "__main__":
    main()
