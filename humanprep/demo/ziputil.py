"""Deterministic zip files, optionally password-protected: same members, same bytes.

Written by hand with `struct` so that every byte is fixed: sorted members, a fixed MS-DOS
date (1980-01-01 00:00), unix attributes, and the "random" bytes encryption needs (ZipCrypto's
12-byte header, the AES salt) derived with SHA-256 from the seed and the member name.

Per member: stored or deflate; no encryption, ZipCrypto (traditional PKWARE, APPNOTE 6.1) or
WinZip AES-256 (AE-2: method 99 with extra field 0x9901, PBKDF2-HMAC-SHA1 x 1000 over a
16-byte salt, 2-byte password verifier, AES-CTR with a little-endian counter from 1, and a
10-byte HMAC-SHA1 authentication code; CRC field 0). Directory entries are never encrypted,
as Info-ZIP, 7-Zip and WinZip write them. No ZIP64: members and archives stay < 4 GiB.
"""

import hashlib
import hmac
import struct
import zlib
from dataclasses import dataclass

from humanprep.io import write_bytes

STORED, DEFLATED = "stored", "deflate"
NO_ENCRYPTION, ZIPCRYPTO, AES = "none", "zipcrypto", "aes"
DATE_TIME = (1980, 1, 1, 0, 0, 0)
DEFLATE_LEVEL = 6
FILE_MODE, DIR_MODE = 0o100644, 0o040755
AES_STRENGTH = 3  # 1/2/3: AES-128/192/256
AES_SALT_LEN, AES_KEY_LEN, AES_MAC_LEN = 16, 32, 10
AES_ITERATIONS = 1000
AES_VENDOR_VERSION = 2  # AE-2: the CRC field is 0, the HMAC authenticates the data
_METHOD = {STORED: 0, DEFLATED: 8}
_AES_METHOD = 99
_MADE_BY_UNIX = 3 << 8
_MAX = 0xFFFFFFFF


@dataclass(frozen=True)
class Member:
    """One zip entry; None fields take the archive-wide default of `zip_bytes`.

    A name ending in "/" is a directory (data must be empty)."""

    name: str
    data: bytes = b""
    compression: str | None = None
    encryption: str | None = None


def _dos_date_time(date_time):
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def seeded_bytes(seed, name, purpose, n):
    """n reproducible pseudo-random bytes for one member and purpose (never a secret)."""
    out, counter = b"", 0
    while len(out) < n:
        block = f"{seed}\0{name}\0{purpose}\0{counter}".encode()
        out += hashlib.sha256(block).digest()
        counter += 1
    return out[:n]


# ZipCrypto ------------------------------------------------------------------------------

_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def zipcrypto_encrypt(data, password, header):
    """The encrypted 12-byte `header` (see `zipcrypto_header`) followed by the encrypted
    (compressed) payload `data`, keyed by `password` (bytes)."""
    table = _CRC_TABLE
    k0, k1, k2 = 0x12345678, 0x23456789, 0x34567890
    for c in password:
        k0 = table[(k0 ^ c) & 0xFF] ^ (k0 >> 8)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = table[(k2 ^ (k1 >> 24)) & 0xFF] ^ (k2 >> 8)
    out = bytearray(len(header) + len(data))
    for i, p in enumerate(header + data):
        t = (k2 | 2) & 0xFFFF
        out[i] = p ^ (((t * (t ^ 1)) >> 8) & 0xFF)
        k0 = table[(k0 ^ p) & 0xFF] ^ (k0 >> 8)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = table[(k2 ^ (k1 >> 24)) & 0xFF] ^ (k2 >> 8)
    return bytes(out)


def zipcrypto_header(random11, crc):
    """The 12 plain header bytes: 11 random ones, then the CRC's high byte (the check)."""
    return random11[:11] + bytes([crc >> 24])


# WinZip AES -----------------------------------------------------------------------------


def aes_encrypt(data, password, salt):
    """salt + password verifier + AES-256-CTR ciphertext + 10-byte HMAC-SHA1 (WinZip AE)."""
    from Cryptodome.Cipher import AES as _AES
    from Cryptodome.Util import Counter

    keys = hashlib.pbkdf2_hmac("sha1", password, salt, AES_ITERATIONS, 2 * AES_KEY_LEN + 2)
    aes_key, mac_key, verifier = keys[:AES_KEY_LEN], keys[AES_KEY_LEN:-2], keys[-2:]
    counter = Counter.new(128, initial_value=1, little_endian=True)
    cipher = _AES.new(aes_key, _AES.MODE_CTR, counter=counter).encrypt(data)
    mac = hmac.new(mac_key, cipher, hashlib.sha1).digest()[:AES_MAC_LEN]
    return salt + verifier + cipher + mac


def _aes_extra(method):
    return struct.pack("<HHHBBBH", 0x9901, 7, AES_VENDOR_VERSION, ord("A"), ord("E"),
                       AES_STRENGTH, method)  # fmt: skip


# Archive --------------------------------------------------------------------------------


def _compress(data, compression):
    if compression == STORED:
        return data
    if compression == DEFLATED:
        co = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        return co.compress(data) + co.flush()
    raise ValueError(f"unknown compression {compression!r}")


def _as_member(item):
    return item if isinstance(item, Member) else Member(*item)


def _entry(member, password, seed, compression, encryption):
    """(local header fields, payload) of one member."""
    name = member.name.encode("utf-8")
    is_dir = member.name.endswith("/")
    if is_dir and member.data:
        raise ValueError(f"directory entry {member.name!r} has data")
    compression = STORED if is_dir else (member.compression or compression)
    encryption = NO_ENCRYPTION if is_dir else (member.encryption or encryption)
    crc = zlib.crc32(member.data)
    payload = _compress(member.data, compression)
    method, extra, flags, needed = _METHOD[compression], b"", 0, 20
    if encryption != NO_ENCRYPTION and not password:
        raise ValueError(f"{member.name}: {encryption} encryption needs a password")
    if encryption == ZIPCRYPTO:
        header = zipcrypto_header(seeded_bytes(seed, member.name, "zipcrypto", 11), crc)
        payload = zipcrypto_encrypt(payload, password, header)
        flags |= 0x1
    elif encryption == AES:
        salt = seeded_bytes(seed, member.name, "aes-salt", AES_SALT_LEN)
        payload = aes_encrypt(payload, password, salt)
        extra = _aes_extra(method)
        method, crc, flags, needed = _AES_METHOD, 0, flags | 0x1, 51
    elif encryption != NO_ENCRYPTION:
        raise ValueError(f"unknown encryption {encryption!r}")
    if any(b > 0x7F for b in name):
        flags |= 0x800  # UTF-8 name
    if len(payload) > _MAX or len(member.data) > _MAX:
        raise ValueError(f"{member.name}: too large for a zip without ZIP64")
    mode = DIR_MODE if is_dir else FILE_MODE
    external = ((mode << 16) | (0x10 if is_dir else 0)) & _MAX
    fields = {
        "needed": needed,
        "flags": flags,
        "method": method,
        "crc": crc,
        "csize": len(payload),
        "usize": len(member.data),
        "name": name,
        "extra": extra,
        "external": external,
    }
    return fields, payload


def zip_bytes(
    members,
    *,
    password=None,
    encryption=NO_ENCRYPTION,
    compression=DEFLATED,
    seed=0,
    directories=True,
    date_time=DATE_TIME,
):
    """The zip of `members` ((name, data) pairs or Member), sorted by name.

    `encryption` and `compression` are the defaults for members that do not set their own;
    `directories` adds an entry for every parent folder. `password` is str or bytes."""
    members = [_as_member(m) for m in members]
    if isinstance(password, str):
        password = password.encode("utf-8")
    if directories:
        names = {m.name for m in members}
        parents = {m.name[: i + 1] for m in members for i, c in enumerate(m.name) if c == "/"}
        members += [Member(d) for d in sorted(parents - names)]
    members.sort(key=lambda m: m.name)
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise ValueError("duplicate zip member names")
    time, date = _dos_date_time(date_time)
    out, central = bytearray(), bytearray()
    for member in members:
        f, payload = _entry(member, password, seed, compression, encryption)
        offset = len(out)
        common = struct.pack(
            "<HHHHHIIIHH",
            f["needed"], f["flags"], f["method"], time, date, f["crc"], f["csize"],
            f["usize"], len(f["name"]), len(f["extra"]),
        )  # fmt: skip
        out += b"PK\x03\x04" + common + f["name"] + f["extra"] + payload
        central += (
            b"PK\x01\x02"
            + struct.pack("<H", _MADE_BY_UNIX | f["needed"])
            + common
            + struct.pack("<HHHII", 0, 0, 0, f["external"], offset)
            + f["name"]
            + f["extra"]
        )
    if len(out) + len(central) > _MAX or len(members) > 0xFFFF:
        raise ValueError("archive too large for a zip without ZIP64")
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central),
        len(out), 0,
    )  # fmt: skip
    return bytes(out + central + end)


def write_zip(path, members, **options):
    """Write `zip_bytes(members, **options)` atomically; return the path."""
    write_bytes(path, zip_bytes(members, **options))
    return path
