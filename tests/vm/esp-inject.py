#!/usr/bin/python3
# Sends an ESP packet taken from a capture again, as it was or altered, on a device:
# what a replaying or tampering attacker on the wire does.
#
#   esp-inject.py PCAP DEV [--index N] [--seq-add N] [--flip-from-end N] [--fragment N]
#                 [--next-header N --auth-key HEX]
#
# PCAP is a tcpdump capture (Ethernet, microsecond or nanosecond); the Nth ESP packet in it
# (IPv4 or IPv6 without extension headers) is sent on DEV through an AF_PACKET socket.
# --seq-add adds to its sequence number (to get past the replay window); --flip-from-end
# flips the low bit of the byte N bytes before the end (1: the ICV's last byte).
# --fragment sends it as two fragments (IPv6: with a fragment header), the first carrying
# N bytes of the ESP packet (a multiple of 8; 8 is the ESP header alone), as an attacker on
# the path may, or as a sender does when ESP does not fit the path (IPv6 fragments only at
# the source).
# --next-header rewrites the trailer's next header of an SA with NULL encryption and
# HMAC-SHA-256-128 (its payload is in clear) and signs it again with --auth-key, as a peer
# holding the keys would: 59 makes a dummy packet (RFC 4303 2.6).
import argparse
import hashlib
import hmac
import socket
import struct
import sys


def esp_frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit(f'{path}: not a little-endian pcap file')
    if struct.unpack('<I', data[20:24])[0] != 1:
        sys.exit(f'{path}: not an Ethernet capture')
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack('<I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ethertype = struct.unpack('!H', frame[12:14])[0]
        if ethertype == 0x0800 and frame[14 + 9] == 50:
            yield frame, 14 + (frame[14] & 0x0f) * 4
        elif ethertype == 0x86dd and frame[14 + 6] == 50:
            yield frame, 14 + 40


def checksum(hdr):
    total = sum(struct.unpack(f'!{len(hdr) // 2}H', hdr))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def fragments(frame, esp, first):
    """The IP packet of FRAME as two fragments, FIRST payload bytes in the first."""
    if first % 8 or first <= 0 or first >= len(frame) - esp:
        sys.exit(f'--fragment {first}: a multiple of 8 within the payload')
    eth, ip, payload = frame[:14], frame[14:esp], frame[esp:]
    out = []
    parts = ((0, payload[:first], True), (first, payload[first:], False))
    if struct.unpack('!H', frame[12:14])[0] == 0x86dd:
        ident = 0x6e667363
        for off, part, more in parts:
            hdr = bytearray(ip)
            hdr[4:6] = struct.pack('!H', 8 + len(part))
            hdr[6] = 44
            frag = struct.pack('!BBHI', 50, 0, off | more, ident)
            out.append(bytes(eth + hdr + frag + part))
        return out
    for off, part, more in parts:
        hdr = bytearray(ip)
        hdr[2:4] = struct.pack('!H', len(hdr) + len(part))
        hdr[6:8] = struct.pack('!H', (0x2000 if more else 0) | off // 8)
        hdr[10:12] = b'\0\0'
        hdr[10:12] = struct.pack('!H', checksum(bytes(hdr)))
        out.append(bytes(eth + hdr + part))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument('pcap')
    p.add_argument('dev')
    p.add_argument('--index', type=int, default=0)
    p.add_argument('--seq-add', type=int, default=0)
    p.add_argument('--flip-from-end', type=int, default=0)
    p.add_argument('--fragment', type=int, default=0)
    p.add_argument('--next-header', type=int)
    p.add_argument('--auth-key', default='')
    a = p.parse_args()

    frames = list(esp_frames(a.pcap))
    if a.index >= len(frames):
        sys.exit(f'{a.pcap}: {len(frames)} ESP packets, no number {a.index}')
    frame, esp = frames[a.index]
    frame = bytearray(frame)
    if a.seq_add:
        seq = struct.unpack('!I', frame[esp + 4:esp + 8])[0]
        frame[esp + 4:esp + 8] = struct.pack('!I', (seq + a.seq_add) & 0xffffffff)
    if a.next_header is not None:
        icv = len(frame) - 16
        frame[icv - 1] = a.next_header
        key = bytes.fromhex(a.auth_key)
        frame[icv:] = hmac.new(key, bytes(frame[esp:icv]), hashlib.sha256).digest()[:16]
    if a.flip_from_end:
        frame[len(frame) - a.flip_from_end] ^= 1
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    if a.fragment:
        for f in fragments(frame, esp, a.fragment):
            s.send(f)
    else:
        s.send(bytes(frame))
    spi, seq = struct.unpack('!II', frame[esp:esp + 8])
    print(f'sent ESP spi {spi:#x} seq {seq} ({len(frame)} bytes) on {a.dev}')


if __name__ == '__main__':
    main()
