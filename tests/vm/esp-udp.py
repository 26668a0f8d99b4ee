#!/usr/bin/python3
# Helpers of 65-esp-udp.sh, run in a namespace:
#
#   esp-udp.py encap-socket PORT       a UDP socket on PORT that XFRM takes ESP in UDP on
#                                      (UDP_ENCAP_ESPINUDP), held until killed
#   esp-udp.py udp DST PORT HEX        one datagram of the bytes HEX to DST:PORT
#   esp-udp.py esp DST HEX             one plain ESP packet (IP protocol 50) of HEX to DST
import socket
import sys
import time

UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2


def main():
    cmd = sys.argv[1]
    if cmd == "encap-socket":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(sys.argv[2])))
        s.setsockopt(socket.IPPROTO_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
        print("ready", flush=True)
        while True:
            time.sleep(3600)
    elif cmd == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(bytes.fromhex(sys.argv[4]), (sys.argv[2], int(sys.argv[3])))
    elif cmd == "esp":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
        s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[2], 0))
    else:
        sys.exit("unknown command " + cmd)


main()
