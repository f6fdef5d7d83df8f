"""Git's object formats, and one long-lived ``git cat-file --batch`` to read objects with.

A publish reads a few dozen objects one after another (HEAD, the branch, trees, the file
last published) and, for the folder's index, possibly a thousand blobs at once. Starting a
git process for each costs milliseconds apiece; one ``cat-file --batch`` answers them all
over a pipe. Trees are parsed and built here, in git's own binary layout, so that a new
commit's trees can be written together with its blobs in one pack (see
:func:`pack_objects`), which ``git unpack-objects`` checks and stores as loose objects.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

# The pack type numbers of the objects a publish writes.
_PACK_TYPES: Final = {"commit": 1, "tree": 2, "blob": 3}


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # as ls-tree shows it: 100644, 100755, 120000, 040000 or 160000
    kind: str  # "blob", "tree" or "commit"
    sha: str
    name: str  # decoded with surrogateescape, so any byte name survives a round trip


# Raw tree modes as git writes them, and how ls-tree shows them.
_MODES: Final = {
    b"100644": ("100644", "blob"),
    b"100755": ("100755", "blob"),
    b"120000": ("120000", "blob"),
    b"40000": ("040000", "tree"),
    b"160000": ("160000", "commit"),
}


def parse_tree(data: bytes, digest_size: int) -> list[TreeEntry]:
    """The entries of a tree object's raw content."""
    entries = []
    position = 0
    end = len(data)
    find = data.find
    while position < end:
        space = find(b" ", position)
        nul = find(b"\0", space)
        raw_mode = data[position:space]
        known = _MODES.get(raw_mode)
        if known is None:  # an odd mode some old tool wrote
            mode = raw_mode.decode("ascii").rjust(6, "0")
            known = (mode, "tree" if mode == "040000" else "blob")
        name = data[space + 1 : nul].decode("utf-8", errors="surrogateescape")
        position = nul + 1 + digest_size
        entries.append(TreeEntry(known[0], known[1], data[nul + 1 : position].hex(), name))
    return entries


def _sort_key(entry: TreeEntry) -> bytes:
    # Git orders a tree by name, comparing a subtree's name as if it ended in "/".
    name = entry.name.encode("utf-8", errors="surrogateescape")
    return name + b"/" if entry.kind == "tree" else name


def encode_tree(entries: Sequence[TreeEntry]) -> bytes:
    """A tree object's raw content, in git's order (subtree modes without a leading 0)."""
    out = bytearray()
    for entry in sorted(entries, key=_sort_key):
        mode = entry.mode.lstrip("0")
        out += mode.encode("ascii") + b" "
        out += entry.name.encode("utf-8", errors="surrogateescape") + b"\0"
        out += bytes.fromhex(entry.sha)
    return bytes(out)


def object_id(kind: str, data: bytes, object_format: str) -> str:
    """The id git gives an object, computed without writing anything."""
    digest = hashlib.new("sha256" if object_format == "sha256" else "sha1")
    digest.update(f"{kind} {len(data)}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def pack_objects(objects: Sequence[tuple[str, bytes]], object_format: str) -> bytes:
    """A pack holding ``objects`` ((kind, raw content) pairs), undeltified, for
    ``git unpack-objects``: the layout of git's pack-format document, version 2."""
    out = bytearray(b"PACK" + struct.pack(">II", 2, len(objects)))
    for kind, data in objects:
        size = len(data)
        byte = (_PACK_TYPES[kind] << 4) | (size & 0x0F)
        size >>= 4
        header = bytearray()
        while size:
            header.append(byte | 0x80)
            byte = size & 0x7F
            size >>= 7
        header.append(byte)
        out += header + zlib.compress(data, 1)
    digest = hashlib.new("sha256" if object_format == "sha256" else "sha1", bytes(out))
    return bytes(out) + digest.digest()


class ObjectReader:
    """One ``git cat-file --batch`` for the life of a publish: name in, object out.

    Names are anything ``git rev-parse`` understands (``HEAD``, ``refs/heads/x``,
    ``<commit>:<folder>``, an id), so resolving refs and reading trees need no process of
    their own.
    """

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._cwd = cwd
        self._env = {**os.environ, **env}

    def _started(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._process is None:
            self._process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=self._cwd,
                env=self._env,
            )
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def _answer(self, stdout: IO[bytes]) -> tuple[str, str, bytes] | None:
        header = stdout.readline()
        if not header:
            raise OSError("git cat-file stopped answering")
        parts = header.split()
        if len(parts) != 3:  # "<name> missing" or "<name> ambiguous"
            return None
        sha, kind, size = parts[0].decode(), parts[1].decode(), int(parts[2])
        data = stdout.read(size + 1)[:-1]  # the content is followed by a newline
        return sha, kind, data

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        """(id, kind, content) of the named object, or None when there is no such object."""
        if "\n" in name:
            return None
        return self.read_many([name])[0]

    def read_many(self, names: Sequence[str]) -> list[tuple[str, str, bytes] | None]:
        """Many objects in one stream: the names are written while the answers are read
        (by another thread, so that neither pipe can fill up and stall the other)."""
        if not names:
            return []
        if any("\n" in name for name in names):
            raise ValueError("an object name cannot hold a line break")
        stdin, stdout = self._started()
        request = b"".join(n.encode("utf-8", errors="surrogateescape") + b"\n" for n in names)

        def write() -> None:
            try:
                stdin.write(request)
                stdin.flush()
            except OSError:
                pass  # the reader sees git stop, and says so

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            return [self._answer(stdout) for _ in names]
        except BaseException:
            self.close()  # out of step with git now: start afresh next time
            raise
        finally:
            writer.join()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()
