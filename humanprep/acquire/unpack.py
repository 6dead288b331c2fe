"""Safe, atomic extraction of zip and tar archives.

Before anything is written, the member list is read and checked against `Limits` and against
escapes: absolute names, `..`, backslashes, links leaving the archive (resolved through the
archive's own links), paths through links, device and fifo members, duplicates. Members go to
a hidden temporary directory beside `dest` that is renamed into place only when everything
succeeded, and the extracted tree is then compared with the listing (names, kinds, sizes): a
failure leaves no `dest` and no temporary directory; the archive is only ever read.

Engines: zips use the native 7-Zip (`7zz`, else `7z`) when present and the archive is
encrypted (it decrypts ZipCrypto ~85x faster than Python); the password goes to 7-Zip on
standard input (it asks for one when an encrypted member needs it), never on its command line,
which `ps` shows to every user. Otherwise Python's `zipfile` (`pyzipper` for encrypted zips) is
used (for unencrypted zips it measured faster than 7zz here, see bench/unpack_speed.py);
it checks every member's CRC (and the AES HMAC) while reading. Tars always go through
`tarfile` with the `data` filter, after this module's own checks.
"""

import contextlib
import errno
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from humanprep.errors import HumanprepError
from humanprep.io import atomic_dir
from humanprep.oserrors import KNOWN, describe
from humanprep.progress import Progress

log = logging.getLogger(__name__)

ENGINES = ("auto", "native", "python")
NATIVE_TOOLS = ("7zz", "7z")
COPY_CHUNK = 1 << 20
MAX_LINK_DEPTH = 40
MAX_LINK_TARGET = 4096
RATIO_MIN_BYTES = 1 << 20  # members smaller than this are not ratio-checked one by one
_ZIP_AES = 99
_ERRNO = re.compile(r"errno\s*=\s*(\d+)")


@dataclass(frozen=True)
class Limits:
    """Bounds an archive must respect (config: unpack_limits; the same keys and defaults)."""

    max_total_bytes: int = 2199023255552  # 2 TiB uncompressed
    max_ratio: float = 1000  # uncompressed / compressed, per large member and overall
    max_members: int = 10_000_000


@dataclass(frozen=True)
class Member:
    """One archive member as it will be written: `name` is the normalised relative path."""

    name: str
    kind: str  # file | dir | symlink | hardlink
    size: int
    packed: int
    target: str | None = None  # symlink target (as stored) or hardlink target (normalised)
    encrypted: bool = False
    info: object = field(default=None, compare=False, repr=False)


def _fail(archive, problem):
    return HumanprepError(archive, problem)


def _scrub(text, password):
    if password and password in text:
        text = text.replace(password, "***")
    return text


# ----------------------------------------------------------------------------------- names


def safe_name(archive, raw):
    """Normalised relative path of a member name, or an error for any escape."""
    if not raw or "\x00" in raw:
        raise _fail(archive, f"member {raw!r}: empty or NUL in name")
    if "\\" in raw:
        raise _fail(archive, f"member {raw!r}: backslash in name (ambiguous path separator)")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":" and raw[0].isalpha()):
        raise _fail(archive, f"member {raw!r}: absolute path")
    parts = raw.split("/")
    if ".." in parts:
        raise _fail(archive, f"member {raw!r}: '..' path traversal")
    return "/".join(p for p in parts if p not in ("", "."))


def _resolve(links, base, target, depth=0):
    """Parts of `target` (relative to the parts `base`) resolved through the archive's own
    symlinks; None when it leaves the archive root, is absolute or loops."""
    if depth > MAX_LINK_DEPTH or target.startswith("/") or "\x00" in target:
        return None
    parts = list(base)
    for comp in target.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(comp)
        key = "/".join(parts)
        if key in links:
            parts = _resolve(links, parts[:-1], links[key], depth + 1)
            if parts is None:
                return None
    return parts


# ----------------------------------------------------------------------------------- checks


def check_members(archive, members, archive_size, limits):
    """Refuse a member list that escapes, lies about its kind or exceeds `limits`."""
    if len(members) > limits.max_members:
        raise _fail(
            archive, f"{len(members)} members, over unpack_limits.max_members {limits.max_members}"
        )
    kinds, total = {}, 0
    for m in members:
        if m.kind != "dir" and not m.name:
            raise _fail(archive, "member naming the archive root itself")
        previous = kinds.get(m.name)
        if previous is not None and not (previous == m.kind == "dir"):
            raise _fail(archive, f"member {m.name!r}: appears twice")
        kinds[m.name] = m.kind
        total += m.size
        if m.size > RATIO_MIN_BYTES and m.size > limits.max_ratio * max(m.packed, 1):
            raise _fail(
                archive,
                f"member {m.name!r}: {m.size} bytes from {m.packed} (ratio over "
                f"unpack_limits.max_ratio {limits.max_ratio}; zip bomb?)",
            )
    if total > limits.max_total_bytes:
        raise _fail(
            archive,
            f"{total} bytes uncompressed, over unpack_limits.max_total_bytes "
            f"{limits.max_total_bytes}",
        )
    if total > RATIO_MIN_BYTES and total > limits.max_ratio * max(archive_size, 1):
        raise _fail(
            archive,
            f"{total} bytes uncompressed from {archive_size} (ratio over "
            f"unpack_limits.max_ratio {limits.max_ratio}; zip bomb?)",
        )
    links = {m.name: m.target for m in members if m.kind == "symlink"}
    hard = {m.name for m in members if m.kind == "hardlink"}
    for m in members:
        parts = m.name.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in links or prefix in hard:
                raise _fail(archive, f"member {m.name!r}: path goes through link {prefix!r}")
            if kinds.get(prefix, "dir") != "dir":
                raise _fail(archive, f"member {m.name!r}: parent {prefix!r} is a file")
        if m.kind == "symlink":
            if len(m.target) > MAX_LINK_TARGET or _resolve(links, parts[:-1], m.target) is None:
                raise _fail(
                    archive, f"member {m.name!r}: symlink to {m.target!r} leaves the archive"
                )
        elif m.kind == "hardlink" and kinds.get(m.target) != "file":
            raise _fail(
                archive, f"member {m.name!r}: hard link to {m.target!r}, not a file of the archive"
            )


# ----------------------------------------------------------------------------------- listing


def archive_kind(archive):
    """The archive type, "zip" or "tar": by name, else by content."""
    name = Path(archive).name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return "tar"
    with open(archive, "rb") as fh:
        head = fh.read(4)
    if head in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    try:
        if tarfile.is_tarfile(archive):
            return "tar"
    except OSError:
        pass
    raise _fail(archive, "neither a zip nor a tar archive")


def _open_zip(archive, encrypted):
    try:
        if encrypted:
            import pyzipper

            return pyzipper.AESZipFile(archive)
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise _fail(archive, f"not a readable zip: {err}") from None


def _zip_members(archive, zf, limits):
    members = []
    for info in zf.infolist():
        if len(members) >= limits.max_members:
            raise _fail(archive, f"over unpack_limits.max_members {limits.max_members} members")
        name = safe_name(archive, info.filename)
        mode = info.external_attr >> 16
        ftype = stat.S_IFMT(mode) if mode else 0
        if ftype and ftype not in (stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK):
            raise _fail(archive, f"member {info.filename!r}: device, fifo or socket")
        if info.is_dir() or ftype == stat.S_IFDIR:
            kind = "dir"
        elif ftype == stat.S_IFLNK:
            kind = "symlink"
        else:
            kind = "file"
        members.append(
            Member(
                name=name,
                kind=kind,
                size=info.file_size,
                packed=info.compress_size,
                encrypted=bool(info.flag_bits & 0x1),
                info=info,
            )
        )
    return members


def _read_zip_links(archive, zf, members, password):
    """Symlink members get their targets (the member's data; decrypted if need be)."""
    out = []
    for m in members:
        if m.kind == "symlink":
            if m.size > MAX_LINK_TARGET:
                raise _fail(archive, f"member {m.name!r}: symlink target over {MAX_LINK_TARGET}")
            data = _read_zip_member(archive, zf, m, password)
            m = Member(m.name, m.kind, m.size, m.packed, data.decode("utf-8", "replace"),
                       m.encrypted, m.info)  # fmt: skip
        out.append(m)
    return out


def _zip_error(archive, member, err):
    text = str(err)
    if member.encrypted and isinstance(err, RuntimeError) and "password" in text.lower():
        return _fail(archive, "wrong password")  # the password check itself failed
    if member.encrypted:  # the check passed (1 in 256 by chance), then the data was wrong
        return _fail(archive, f"wrong password or damaged member {member.name!r}")
    if isinstance(err, NotImplementedError):
        return _fail(
            archive,
            f"member {member.name!r}: {text}; install 7-Zip (Debian package 7zip) to read it",
        )
    return _fail(archive, f"member {member.name!r}: corrupt ({type(err).__name__}: {text})")


_ENCRYPTED_DATA_ERROR = re.compile(
    r"(?:data error|crc failed) in encrypted file\. wrong password\? : (.+)", re.IGNORECASE
)
_ZIP_READ_ERRORS = (
    RuntimeError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    ValueError,
)


def _zip_read_errors():
    """The read errors, pyzipper's own BadZipFile (a CRC mismatch) too once it is loaded."""
    extra = getattr(sys.modules.get("pyzipper"), "BadZipFile", None)
    return _ZIP_READ_ERRORS + ((extra,) if extra else ())


def _read_zip_member(archive, zf, member, password):
    try:
        return zf.read(member.info, pwd=password)
    except _zip_read_errors() as err:
        raise _zip_error(archive, member, err) from None


def _hardlink_target(archive, info):
    try:
        return safe_name(archive, info.linkname)
    except HumanprepError:
        raise _fail(
            archive, f"member {info.name!r}: hard link to {info.linkname!r} leaves the archive"
        ) from None


def _tar_members(archive, tf, limits):
    members = []
    try:
        for info in tf:
            if len(members) >= limits.max_members:
                raise _fail(archive, f"over unpack_limits.max_members {limits.max_members} members")
            name = safe_name(archive, info.name)
            if info.isdir():
                kind, target = "dir", None
            elif info.isreg():
                kind, target = "file", None
            elif info.issym():
                kind, target = "symlink", info.linkname
            elif info.islnk():
                kind, target = "hardlink", _hardlink_target(archive, info)
            elif info.ischr() or info.isblk() or info.isfifo():
                raise _fail(archive, f"member {info.name!r}: device or fifo")
            else:
                raise _fail(archive, f"member {info.name!r}: unsupported type {info.type!r}")
            size = info.size if kind == "file" else 0
            members.append(Member(name, kind, size, size, target, False, info))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise _fail(archive, f"not a readable tar: {type(err).__name__}: {err}") from None
    return members


# ----------------------------------------------------------------------------------- engines


def native_tool():
    """Path of the native 7-Zip executable, or None."""
    for name in NATIVE_TOOLS:
        found = shutil.which(name)
        if found:
            return found
    return None


def native_command(tool, archive, dest):
    """7-Zip command line that extracts a zip; carries no password (it goes on stdin)."""
    return [
        str(tool), "x", "-tzip", "-y", "-bd", "-bso0", "-bsp0", f"-o{dest}", "--", str(archive),
    ]  # fmt: skip


def _child_env():
    """The environment for 7-Zip, without this workflow's password variables."""
    return {
        k: v for k, v in os.environ.items() if not (k.startswith("HUMANPREP_") and "PASSWORD" in k)
    }


def _native_os_error(out, text):
    """7-Zip reports the OS's refusal as `errno=28 : No space left on device`: that becomes
    an OSError carrying 7-Zip's own text, explained once the partial output is gone."""
    match = _ERRNO.search(out)
    if not match or int(match.group(1)) not in KNOWN:
        return None
    code = int(match.group(1))
    err = OSError(code, os.strerror(code))
    err.native_text = text
    return err


def _tree_size(root):
    """(files, bytes) under root so far: what 7-Zip has written."""
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                size += os.lstat(os.path.join(folder, name)).st_size
                files += 1
            except OSError:
                pass
    return files, size


def _extract_zip_native(tool, archive, tmp, password, members=()):
    stdin = (password + "\n").encode("utf-8") if password else b""
    total = sum(m.size for m in members)
    files = sum(1 for m in members if m.kind == "file")
    progress = Progress(f"{Path(archive).name}: extract", "members", files, total)
    proc = subprocess.Popen(
        native_command(tool, archive, tmp),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
    )
    sent = stdin
    while True:  # the password goes once; then the written tree is measured now and then
        try:
            stdout, stderr = proc.communicate(sent, timeout=progress.interval)
            break
        except subprocess.TimeoutExpired:
            sent = None
            done, size = _tree_size(tmp)
            progress.add(done - progress.items, size - progress.bytes)
    if proc.returncode == 0:
        return
    res = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    out = _scrub((res.stderr + res.stdout).decode("utf-8", "replace"), password)
    damaged = _ENCRYPTED_DATA_ERROR.search(out)
    if damaged:  # 7-Zip's "Data Error in encrypted file. Wrong password? : name"
        raise _fail(archive, f"wrong password or damaged member {damaged.group(1).strip()!r}")
    if "wrong password" in out.lower():
        raise _fail(archive, "wrong password")
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
    # keep the OS's own text: 7-Zip prints it on the line after `System ERROR:`
    errors = [ln for ln in lines if "error" in ln.lower() or "errno" in ln.lower()] or lines
    text = f"{Path(tool).name} failed (exit {res.returncode}): " + "; ".join(errors)[:300]
    raise _native_os_error(out, text) or _fail(archive, text)


def _extract_zip_python(archive, zf, tmp, members, password):
    files = sum(1 for m in members if m.kind == "file")
    progress = Progress(f"{Path(archive).name}: extract", "members", files,
                        sum(m.size for m in members))  # fmt: skip
    for m in members:
        target = tmp / m.name
        if m.kind == "dir":
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if m.kind == "symlink":
            os.symlink(m.target, target)
            continue
        try:
            with zf.open(m.info, pwd=password) as src, open(target, "xb") as dst:
                written = 0
                while chunk := src.read(COPY_CHUNK):
                    dst.write(chunk)
                    written += len(chunk)
        except _zip_read_errors() as err:
            raise _zip_error(archive, m, err) from None
        if written != m.size:
            raise _fail(archive, f"member {m.name!r}: {written} bytes, listed as {m.size}")
        progress.add(1, written)


def _extract_tar(archive, tf, tmp, members):
    try:
        tf.extractall(tmp, members=[m.info for m in members], filter="data")
    except tarfile.FilterError as err:
        raise _fail(archive, f"member {err.tarinfo.name!r}: refused ({err})") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        if isinstance(err, OSError) and err.errno in KNOWN:
            raise  # the disk or a permission, not the archive: explained by the caller
        raise _fail(archive, f"corrupt: {type(err).__name__}: {err}") from None


# ----------------------------------------------------------------------------------- verify


def verify_tree(archive, root, members):
    """The extracted tree holds exactly the listed members, with the listed sizes and kinds.

    Also gives the owner read/write access and drops set-id bits, as tarfile's data filter does.
    """
    root = Path(root)
    sizes = {m.name: m.size for m in members if m.kind == "file"}
    expected = {}
    for m in members:
        kind = "file" if m.kind == "hardlink" else m.kind
        size = sizes.get(m.target, 0) if m.kind == "hardlink" else m.size
        expected[m.name] = (kind, size, m.target if kind == "symlink" else None)
        parts = m.name.split("/")
        for i in range(1, len(parts)):
            expected.setdefault("/".join(parts[:i]), ("dir", 0, None))
    expected.pop("", None)
    seen = set()
    stack = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                name = f"{rel}/{entry.name}" if rel else entry.name
                want = expected.get(name)
                if want is None:
                    raise _fail(archive, f"extracted {name!r}, which the listing does not have")
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    got = ("symlink", want[1], os.readlink(entry.path))
                elif stat.S_ISDIR(info.st_mode):
                    got = ("dir", 0, None)
                    stack.append((Path(entry.path), name))
                elif stat.S_ISREG(info.st_mode):
                    got = ("file", info.st_size, None)
                else:
                    got = ("special", 0, None)
                if got[0] != want[0]:
                    raise _fail(archive, f"member {name!r}: extracted as {got[0]}, not {want[0]}")
                if got != want:
                    raise _fail(
                        archive,
                        f"member {name!r}: extracted {got[1]} bytes, the listing says {want[1]}"
                        if got[0] == "file"
                        else f"member {name!r}: symlink to {got[2]!r}, listed as {want[2]!r}",
                    )
                if got[0] != "symlink":
                    floor = 0o700 if got[0] == "dir" else 0o600
                    mode = stat.S_IMODE(info.st_mode)
                    fixed = (mode & 0o755) | floor
                    if mode != fixed:
                        os.chmod(entry.path, fixed)
                seen.add(name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise _fail(archive, f"member {missing[0]!r} was not extracted ({len(missing)} missing)")


# ----------------------------------------------------------------------------------- extract


def _choose_engine(archive, engine, encrypted, password):
    if engine == "python":
        return "python", None
    tool = native_tool()
    unsafe_password = password is not None and ("\n" in password or "\r" in password)
    if engine == "native":
        if tool is None:
            raise _fail(archive, "native engine asked for but neither 7zz nor 7z is installed")
        if unsafe_password:
            raise _fail(archive, "the native engine cannot take a password with a line break")
        return "native", tool
    # auto: 7-Zip where it is much faster (decryption); zipfile is as fast unencrypted.
    if encrypted and tool and not unsafe_password:
        return "native", tool
    if encrypted:
        log.warning(
            "%s: decrypting with pure Python (slow; ZipCrypto ~1 MB/s): install 7-Zip "
            "(Debian package 7zip) for full speed",
            Path(archive).name,
        )
    return "python", None


def _unpacked_size(members):
    return sum(m.size for m in members if m.kind == "file")


@contextlib.contextmanager
def _explained_os_errors(archive, dest, members):
    """A full disk, a permission or a read-only file system while extracting: one line."""
    try:
        yield
    except OSError as err:
        if err.errno not in KNOWN:
            raise
        where = dest if err.errno in (errno.ENOSPC, errno.EDQUOT) else err.filename or dest
        problem = describe(err, where, _unpacked_size(members))  # after the cleanup
        prefix = getattr(err, "native_text", None) or "cannot extract"
        raise _fail(archive, f"{prefix}: {problem}") from None


def _extract_zip(archive, dest, password, limits, engine):
    with _open_zip(archive, encrypted=False) as plain:
        listed = _zip_members(archive, plain, limits)
    encrypted = any(m.encrypted for m in listed)
    if encrypted and not password:
        raise _fail(archive, "encrypted, but no password was given")
    pwd = password.encode("utf-8") if password else None
    with _open_zip(archive, encrypted=encrypted) as zf:
        members = _zip_members(archive, zf, limits) if encrypted else listed
        members = _read_zip_links(archive, zf, members, pwd)
        check_members(archive, members, os.path.getsize(archive), limits)
        chosen, tool = _choose_engine(archive, engine, encrypted, password)
        log.info("%s: %d members, engine %s", Path(archive).name, len(members), chosen)
        with _explained_os_errors(archive, dest, members), atomic_dir(dest) as tmp:
            if chosen == "native":
                _extract_zip_native(tool, archive, tmp, password, members)
            else:
                _extract_zip_python(archive, zf, tmp, members, pwd)
            verify_tree(archive, tmp, members)
    return members


def _extract_tar_archive(archive, dest, limits):
    try:
        tf = tarfile.open(archive, "r:*")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        raise _fail(archive, f"not a readable tar: {err}") from None
    with tf:
        members = _tar_members(archive, tf, limits)
        check_members(archive, members, os.path.getsize(archive), limits)
        log.info("%s: %d members, engine python (tarfile)", Path(archive).name, len(members))
        with _explained_os_errors(archive, dest, members), atomic_dir(dest) as tmp:
            _extract_tar(archive, tf, tmp, members)
            verify_tree(archive, tmp, members)
    return members


def extract(archive, dest, password=None, limits=Limits(), engine="auto"):  # noqa: B008
    """Extract `archive` (zip or tar) into the new directory `dest`, safely and atomically.

    Returns the members' normalised names in archive order. `engine` selects the zip
    extractor: "auto" (native 7-Zip for encrypted zips when installed, else Python),
    "native" or "python"; tars always use Python's tarfile.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    archive = Path(archive)
    if not archive.is_file():
        raise _fail(archive, "archive not found")
    if archive_kind(archive) == "zip":
        members = _extract_zip(archive, dest, password, limits, engine)
    else:
        members = _extract_tar_archive(archive, dest, limits)
    return [m.name for m in members if m.name]
