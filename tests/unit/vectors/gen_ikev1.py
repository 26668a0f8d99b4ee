#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Independent reference values for the parts of RFC 2409 without published vectors.

Written from the RFC text with nothing but Python's hmac and hashlib, to check
userspace/iked/ikecrypto.c against a second implementation (these are not published
vectors). It prints the C header test_ikecrypto.c includes:

    python3 tests/unit/vectors/gen_ikev1.py > tests/unit/vectors/ikev1_ref.h

Inputs are fixed byte patterns, so the output is reproducible.
"""

import hashlib
import hmac
import struct
import textwrap

HASHES = {
    "IKE_HASH_SHA1": hashlib.sha1,
    "IKE_HASH_SHA2_256": hashlib.sha256,
    "IKE_HASH_SHA2_384": hashlib.sha384,
    "IKE_HASH_SHA2_512": hashlib.sha512,
}
ESP, AH = 3, 2


def pattern(n, seed):
    """n bytes that differ per seed."""
    return bytes((seed * 37 + i * 11) & 0xFF for i in range(n))


def prf(alg, key, *parts):
    return hmac.new(key, b"".join(parts), HASHES[alg]).digest()


def hash_(alg, *parts):
    return HASHES[alg](b"".join(parts)).digest()


def be32(v):
    return struct.pack(">I", v)


def appendix_b(alg, skeyid_e, key_len):
    """RFC 2409 appendix B: SKEYID_e itself if long enough, else K1 | K2 | ..."""
    if len(skeyid_e) >= key_len:
        return skeyid_e[:key_len]
    out, k = b"", b"\x00"
    while len(out) < key_len:
        k = prf(alg, skeyid_e, k)
        out += k
    return out[:key_len]


def keymat(alg, skeyid_d, gqm_xy, protocol, spi, ni_b, nr_b, length):
    """RFC 2409 5.5: K1 = prf(SKEYID_d, seed), K(n+1) = prf(SKEYID_d, Kn | seed)."""
    seed = gqm_xy + bytes([protocol]) + be32(spi) + ni_b + nr_b
    out, k = b"", b""
    while len(out) < length:
        k = prf(alg, skeyid_d, k, seed)
        out += k
    return out[:length]


def cstr(name, value):
    h = value.hex()
    if len(h) <= 64:
        return '\t\t.%s = "%s",\n' % (name, h)
    lines = textwrap.wrap(h, 64)
    body = "".join('\t\t\t"%s"\n' % line for line in lines)
    return "\t\t.%s =\n%s" % (name, body[:-1] + ",\n")


def cnum(name, value, fmt="%d"):
    return ("\t\t.%s = " + fmt + ",\n") % (name, value)


def table(ctype, name, entries):
    out = "static const struct %s %s[] = {\n" % (ctype, name)
    for fields in entries:
        out += "\t{\n" + "".join(fields) + "\t},\n"
    return out + "};\n\n"


def enc_keys():
    cases = [
        ("IKE_HASH_SHA1", 20, 32, 1),      # expansion: K1 | K2 truncated
        ("IKE_HASH_SHA1", 20, 24, 2),      # expansion
        ("IKE_HASH_SHA1", 20, 16, 3),      # truncation only
        ("IKE_HASH_SHA2_256", 32, 32, 4),  # SKEYID_e as is
        ("IKE_HASH_SHA2_256", 32, 16, 5),
    ]
    for alg, elen, klen, seed in cases:
        e = pattern(elen, seed)
        yield [cnum("alg", alg, "%s"), cstr("skeyid_e", e), cnum("key_len", klen),
               cstr("key", appendix_b(alg, e, klen))]


def keymats():
    cases = [
        # alg, g(qm)^xy length (0: no PFS), protocol, SPI, Ni/Nr lengths, KEYMAT length
        ("IKE_HASH_SHA1", 0, ESP, 0x12345678, 16, 36, 36, 10),     # K1 | K2
        ("IKE_HASH_SHA1", 256, ESP, 0xC0FFEE01, 20, 20, 20, 11),   # PFS, one block
        ("IKE_HASH_SHA2_256", 32, AH, 0x00000100, 32, 16, 64, 12),  # PFS, two blocks
        ("IKE_HASH_SHA2_256", 0, ESP, 0xFFFFFFFF, 24, 24, 36, 13),  # AES-256-GCM + salt
        ("IKE_HASH_SHA2_512", 133, ESP, 0x0A0B0C0D, 32, 32, 100, 14),  # PFS, K1 | K2
    ]
    for alg, glen, proto, spi, nlen_i, nlen_r, length, seed in cases:
        d = pattern(len(hash_(alg)), seed)
        g = pattern(glen, seed + 1)
        ni, nr = pattern(nlen_i, seed + 2), pattern(nlen_r, seed + 3)
        yield [cnum("alg", alg, "%s"), cstr("skeyid_d", d), cstr("gqm_xy", g),
               cnum("protocol", proto), cnum("spi", spi, "0x%08x"), cstr("ni_b", ni),
               cstr("nr_b", nr), cnum("len", length),
               cstr("keymat", keymat(alg, d, g, proto, spi, ni, nr, length))]


def qm_hashes():
    for alg, mid, seed in (("IKE_HASH_SHA1", 0x01020304, 20),
                           ("IKE_HASH_SHA2_256", 0xDEADBEEF, 21)):
        a = pattern(len(hash_(alg)), seed)
        ni, nr = pattern(16, seed + 1), pattern(32, seed + 2)
        rest = pattern(100, seed + 3)
        mid_n = be32(mid)
        yield [cnum("alg", alg, "%s"), cstr("skeyid_a", a), cnum("mid", mid, "0x%08x"),
               cstr("ni_b", ni), cstr("nr_b", nr), cstr("rest", rest),
               cstr("hash1", prf(alg, a, mid_n, rest)),
               cstr("hash2", prf(alg, a, mid_n, ni, rest)),
               cstr("hash3", prf(alg, a, b"\x00", mid_n, ni, nr))]


def auth_hashes():
    for alg, glen, seed in (("IKE_HASH_SHA1", 128, 30), ("IKE_HASH_SHA2_384", 97, 31)):
        s = pattern(len(hash_(alg)), seed)
        gxi, gxr = pattern(glen, seed + 1), pattern(glen, seed + 2)
        ci, cr = pattern(8, seed + 3), pattern(8, seed + 4)
        sai, idi, idr = pattern(52, seed + 5), pattern(12, seed + 6), pattern(9, seed + 7)
        yield [cnum("alg", alg, "%s"), cstr("skeyid", s), cstr("gxi", gxi), cstr("gxr", gxr),
               cstr("cky_i", ci), cstr("cky_r", cr), cstr("sai_b", sai),
               cstr("idii_b", idi), cstr("idir_b", idr),
               cstr("hash_i", prf(alg, s, gxi, gxr, ci, cr, sai, idi)),
               cstr("hash_r", prf(alg, s, gxr, gxi, cr, ci, sai, idr))]


def ivs():
    for alg, glen, mid, seed in (("IKE_HASH_SHA1", 256, 0x9ABCDEF0, 40),
                                 ("IKE_HASH_SHA2_512", 64, 0x00000001, 41)):
        gxi, gxr = pattern(glen, seed), pattern(glen, seed + 1)
        last = pattern(16, seed + 2)
        yield [cnum("alg", alg, "%s"), cstr("gxi", gxi), cstr("gxr", gxr),
               cstr("iv1", hash_(alg, gxi, gxr)[:16]), cstr("last_block", last),
               cnum("mid", mid, "0x%08x"), cstr("iv2", hash_(alg, last, be32(mid))[:16])]


HEADER = """/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generated by tests/unit/vectors/gen_ikev1.py: reference values from an independent
 * Python implementation of RFC 2409 (hmac, hashlib), not published vectors. Regenerate
 * rather than edit.
 */
#ifndef NFSEC_TESTS_IKEV1_REF_H
#define NFSEC_TESTS_IKEV1_REF_H

#include <stddef.h>
#include <stdint.h>

#include "ikecrypto.h"

/* appendix B: the phase-1 encryption key from SKEYID_e */
struct ref_enc_key {
	enum ike_hash_alg alg;
	const char *skeyid_e;
	size_t key_len;
	const char *key;
};

/* 5.5: KEYMAT, gqm_xy empty without PFS */
struct ref_keymat {
	enum ike_hash_alg alg;
	const char *skeyid_d, *gqm_xy;
	uint8_t protocol;
	uint32_t spi;
	const char *ni_b, *nr_b;
	size_t len;
	const char *keymat;
};

/* 5.5: HASH(1) (also the informational HASH), HASH(2), HASH(3) */
struct ref_qm_hash {
	enum ike_hash_alg alg;
	const char *skeyid_a;
	uint32_t mid;
	const char *ni_b, *nr_b, *rest;
	const char *hash1, *hash2, *hash3;
};

/* 5: HASH_I and HASH_R */
struct ref_auth_hash {
	enum ike_hash_alg alg;
	const char *skeyid, *gxi, *gxr, *cky_i, *cky_r, *sai_b, *idii_b, *idir_b;
	const char *hash_i, *hash_r;
};

/* appendix B: phase-1 IV from g^xi | g^xr, phase-2 IV from the last block and M-ID */
struct ref_iv {
	enum ike_hash_alg alg;
	const char *gxi, *gxr, *iv1;
	const char *last_block;
	uint32_t mid;
	const char *iv2;
};

"""


def main():
    out = HEADER
    out += table("ref_enc_key", "ref_enc_keys", enc_keys())
    out += table("ref_keymat", "ref_keymats", keymats())
    out += table("ref_qm_hash", "ref_qm_hashes", qm_hashes())
    out += table("ref_auth_hash", "ref_auth_hashes", auth_hashes())
    out += table("ref_iv", "ref_ivs", ivs())
    out += "#endif /* NFSEC_TESTS_IKEV1_REF_H */\n"
    print(out, end="")


if __name__ == "__main__":
    main()
