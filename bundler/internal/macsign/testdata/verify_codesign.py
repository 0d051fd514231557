#!/usr/bin/env python3
"""Checks a macOS code signature without sharing any code with bundle's
signer: it parses the Mach-O and the signature blobs itself, recomputes
every page hash and special-slot hash, checks the resource seal of an .app
against the files on disk, and has openssl verify the CMS signature over
the CodeDirectory against a given CA.

usage: verify_codesign.py [--ca ROOT.pem] PATH   (PATH: a Mach-O file, an .app or a .dmg)
Without --ca only an ad-hoc signature (no CMS, as Go's linker writes) passes.
Prints a JSON summary; on the first failure prints it and exits 1.
"""
import argparse
import hashlib
import json
import os
import plistlib
import struct
import subprocess
import sys
import tempfile

PAGE_SIZE_KEY = 39


class Bad(Exception):
    pass


def slices(data):
    magic = struct.unpack(">I", data[:4])[0]
    if magic not in (0xCAFEBABE, 0xCAFEBABF):
        return [data]
    n = struct.unpack(">I", data[4:8])[0]
    out = []
    for i in range(n):
        if magic == 0xCAFEBABE:
            _, _, off, size, _ = struct.unpack(">iiIII", data[8 + 20 * i:28 + 20 * i])
        else:
            _, _, off, size, _, _ = struct.unpack(">iiQQII", data[8 + 32 * i:40 + 32 * i])
        out.append(data[off:off + size])
    return out


def blobs_of(sb):
    magic, length, count = struct.unpack(">III", sb[:12])
    if magic != 0xFADE0CC0:
        raise Bad("embedded signature magic %#x" % magic)
    out = {}
    for i in range(count):
        typ, off = struct.unpack(">II", sb[12 + 8 * i:20 + 8 * i])
        blen = struct.unpack(">I", sb[off + 4:off + 8])[0]
        out[typ] = sb[off:off + blen]
    return out


def cstr(b, off):
    return b[off:b.index(b"\0", off)].decode()


def check_thin(d, info, seal, ca):
    if struct.unpack("<I", d[:4])[0] != 0xFEEDFACF:
        raise Bad("not a 64-bit Mach-O slice")
    ncmds = struct.unpack("<I", d[16:20])[0]
    off, sig, linkedit = 32, None, None
    for _ in range(ncmds):
        cmd, size = struct.unpack("<II", d[off:off + 8])
        if cmd == 0x1D:
            sig = struct.unpack("<II", d[off + 8:off + 16])
        if cmd == 0x19 and d[off + 8:off + 24].rstrip(b"\0") == b"__LINKEDIT":
            linkedit = struct.unpack("<QQ", d[off + 40:off + 56])
        off += size
    if sig is None:
        raise Bad("no LC_CODE_SIGNATURE")
    dataoff, datasize = sig
    if linkedit[0] + linkedit[1] != dataoff + datasize or len(d) != dataoff + datasize:
        raise Bad("signature does not end __LINKEDIT and the file")
    blobs = blobs_of(d[dataoff:dataoff + datasize])
    cd = blobs[0]
    (magic, length, version, flags, hash_off, ident_off, n_special, n_code, code_limit,
     hash_size, hash_type, _platform, page_shift) = struct.unpack(">IIIIIIIIIBBBB", cd[:40])
    if magic != 0xFADE0C02 or hash_type != 2 or hash_size != 32:
        raise Bad("CodeDirectory is not SHA-256")
    if code_limit != dataoff:
        raise Bad("codeLimit %d is not the signature offset %d" % (code_limit, dataoff))
    page = 1 << page_shift
    for i in range(n_code):
        want = cd[hash_off + 32 * i:hash_off + 32 * (i + 1)]
        if hashlib.sha256(d[i * page:min((i + 1) * page, code_limit)]).digest() != want:
            raise Bad("page %d hash differs" % i)
    if n_code != (code_limit + page - 1) // page:
        raise Bad("%d code slots for %d bytes" % (n_code, code_limit))

    def special(slot):
        return cd[hash_off - 32 * slot:hash_off - 32 * (slot - 1)] if slot <= n_special else bytes(32)

    zero = bytes(32)
    expect = {1: info, 2: blobs.get(2), 3: seal, 5: blobs.get(5), 7: blobs.get(7)}
    for slot, content in expect.items():
        want = hashlib.sha256(content).digest() if content is not None else zero
        if special(slot) != want:
            raise Bad("special slot -%d hash differs" % slot)
    team = cstr(cd, struct.unpack(">I", cd[48:52])[0]) if version >= 0x20200 and struct.unpack(">I", cd[48:52])[0] else ""
    adhoc = bool(flags & 0x2)
    if adhoc and len(blobs.get(0x10000, b"")) <= 8:
        signer = ""
    elif ca is None:
        raise Bad("signed with a certificate; pass --ca")
    else:
        signer = check_cms(cd, blobs, ca)
    if 5 in blobs:
        plistlib.loads(blobs[5][8:])
    if 7 in blobs:
        der = blobs[7][8:]
        r = subprocess.run(["openssl", "asn1parse", "-inform", "DER"], input=der, capture_output=True)
        if r.returncode != 0 or der[0] != 0x70:
            raise Bad("DER entitlements are not an [APPLICATION 16] value")
    return {
        "identifier": cstr(cd, ident_off), "team": team, "flags": flags,
        "hardened": bool(flags & 0x10000), "adhoc": adhoc, "pages": n_code,
        "entitlements": sorted(plistlib.loads(blobs[5][8:]).keys()) if 5 in blobs else [],
        "cdhash": hashlib.sha256(cd).hexdigest()[:40],
        "signer_in_cms": "Developer ID Application" in signer,
    }


def check_cms(cd, blobs, ca):
    """openssl verifies the CMS signature over the CodeDirectory; returns its printout."""
    if 0x10000 not in blobs:
        raise Bad("no CMS signature")
    with tempfile.TemporaryDirectory() as tmp:
        cdf, cmsf = os.path.join(tmp, "cd"), os.path.join(tmp, "cms")
        with open(cdf, "wb") as f:
            f.write(cd)
        with open(cmsf, "wb") as f:
            f.write(blobs[0x10000][8:])
        r = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cmsf,
                            "-content", cdf, "-CAfile", ca, "-purpose", "any", "-out", os.devnull],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Bad("openssl cms -verify: " + r.stderr.strip().splitlines()[0])
        return subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", cmsf],
                              capture_output=True, text=True).stdout


def check_dmg(d, ca):
    """A signed UDIF image: the signature sits between the plist and the
    koly trailer, one hash covers everything before it, and the
    rep-specific slot binds the trailer with the signature size zeroed."""
    koly = bytearray(d[-512:])
    if koly[:4] != b"koly":
        raise Bad("no koly trailer")
    plist_off, plist_len = struct.unpack(">QQ", koly[216:232])
    sig_off, sig_size = struct.unpack(">QQ", koly[296:312])
    if sig_off != plist_off + plist_len or sig_off + sig_size + 512 != len(d):
        raise Bad("signature is not between the plist and the trailer")
    blobs = blobs_of(d[sig_off:sig_off + sig_size])
    cd = blobs[0]
    (magic, length, version, flags, hash_off, ident_off, n_special, n_code, code_limit,
     hash_size, hash_type, _platform, page_shift) = struct.unpack(">IIIIIIIIIBBBB", cd[:40])
    if magic != 0xFADE0C02 or hash_type != 2 or n_code != 1 or page_shift != 0 or code_limit != sig_off:
        raise Bad("disk-image CodeDirectory is not one SHA-256 over the image")
    if cd[hash_off:hash_off + 32] != hashlib.sha256(d[:code_limit]).digest():
        raise Bad("image hash differs")
    koly[304:312] = bytes(8)
    for slot, content in {2: blobs.get(2), 6: bytes(koly)}.items():
        if cd[hash_off - 32 * slot:hash_off - 32 * (slot - 1)] != hashlib.sha256(content).digest():
            raise Bad("special slot -%d hash differs" % slot)
    check_cms(cd, blobs, ca)
    return {"identifier": cstr(cd, ident_off), "stapled": 0x10002 in blobs,
            "cdhash": hashlib.sha256(cd).hexdigest()[:40]}


def check_seal(contents, exe_rel, seal):
    files2 = plistlib.loads(seal)["files2"]
    seen = set()
    for root, dirs, files in os.walk(contents):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            p = os.path.join(root, name)
            rel = os.path.relpath(p, contents).replace(os.sep, "/")
            # CodeResources at the top of Contents is a stapled ticket.
            if rel in (exe_rel, "Info.plist", "PkgInfo", "CodeResources") or rel.startswith("_CodeSignature/"):
                continue
            entry = files2.get(rel)
            if entry is None:
                raise Bad("%s is not sealed" % rel)
            if os.path.islink(p):
                if entry.get("symlink") != os.readlink(p):
                    raise Bad("%s: symlink target differs" % rel)
            else:
                with open(p, "rb") as f:
                    if entry.get("hash2") != hashlib.sha256(f.read()).digest():
                        raise Bad("%s: hash differs from the seal" % rel)
            seen.add(rel)
    missing = set(files2) - seen
    if missing:
        raise Bad("sealed but missing: %s" % ", ".join(sorted(missing)))
    return len(seen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca")
    ap.add_argument("path")
    a = ap.parse_args()
    info = seal = None
    exe = a.path
    out = {}
    if a.path.endswith(".dmg"):
        with open(a.path, "rb") as f:
            print(json.dumps({"dmg": check_dmg(f.read(), a.ca)}))
        return
    if os.path.isdir(a.path):
        out["stapled"] = os.path.exists(os.path.join(a.path, "Contents", "CodeResources"))
        contents = os.path.join(a.path, "Contents")
        with open(os.path.join(contents, "Info.plist"), "rb") as f:
            info = f.read()
        exe_rel = "MacOS/" + plistlib.loads(info)["CFBundleExecutable"]
        with open(os.path.join(contents, "_CodeSignature", "CodeResources"), "rb") as f:
            seal = f.read()
        out["sealed_files"] = check_seal(contents, exe_rel, seal)
        exe = os.path.join(contents, exe_rel)
    with open(exe, "rb") as f:
        data = f.read()
    out["slices"] = [check_thin(s, info, seal, a.ca) for s in slices(data)]
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except (Bad, KeyError, ValueError, struct.error) as e:
        print("verify_codesign: %s" % e)
        sys.exit(1)
