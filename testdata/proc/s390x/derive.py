#!/usr/bin/env python3
"""Derive the big-endian (s390x) fixtures from the x86_64 ones.

What the kernel prints with %08X of a __be32 (or of each s6_addr32 word) is
the host's reading of network-order bytes: on a little-endian host the
digits come out byte-reversed, on a big-endian host in natural order. So
the s390x text of such a column is the x86_64 text with the bytes of each
32-bit word reversed. Everything else is printed from ordinary integers and
reads the same on both: ports, queues, timers, counters, flags, and the
Local column of a VIFF_USE_IFINDEX vif (an int ifindex stored in the
address's place).

Usage: derive.py X86_NET_DIR S390X_NET_DIR
"""
import re
import sys


def swap(word):
    assert len(word) == 8, word
    return "".join(reversed([word[i:i + 2] for i in range(0, 8, 2)]))


def swap_words(hexstr):
    return "".join(swap(hexstr[i:i + 8]) for i in range(0, len(hexstr), 8))


def sockets(text):
    # ADDR:PORT endpoints; the address is 8 or 32 hex digits.
    return re.sub(r"\b([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})\b",
                  lambda m: swap_words(m.group(1)) + ":" + m.group(2), text)


def route(text):
    out = []
    for i, line in enumerate(text.split("\n")):
        f = line.split("\t")
        if i > 0 and len(f) >= 8:
            for j in (1, 2, 7):  # Destination, Gateway, Mask
                f[j] = swap(f[j])
        out.append("\t".join(f))
    return "\n".join(out)


def igmp(text):
    # Group lines are tab-indented; the group is their first word.
    return re.sub(r"(?m)^(\t+)([0-9A-F]{8})\b", lambda m: m.group(1) + swap(m.group(2)), text)


def mr_cache(text):
    return re.sub(r"(?m)^([0-9A-F]{8}) ([0-9A-F]{8}) ", lambda m: swap(m.group(1)) + " " + swap(m.group(2)) + " ", text)


def mr_vif(text):
    def row(m):
        flags = int(m.group(2), 16)
        local = m.group(3) if flags & 0x8 else swap(m.group(3))
        return m.group(1) + local + " " + swap(m.group(4))
    return re.sub(r"(?m)^(.* ([0-9A-F]{5}) )([0-9A-F]{8}) ([0-9A-F]{8})$", row, text)


FILES = {
    "tcp": sockets, "tcp6": sockets, "udp": sockets, "udp6": sockets,
    "raw": sockets, "raw6": sockets, "udplite": sockets, "udplite6": sockets,
    "route": route, "igmp": igmp, "ip_mr_cache": mr_cache, "ip_mr_vif": mr_vif,
}

src, dst = sys.argv[1], sys.argv[2]
for name, fn in FILES.items():
    with open(f"{src}/{name}") as f:
        text = f.read()
    with open(f"{dst}/{name}", "w") as f:
        f.write(fn(text))
