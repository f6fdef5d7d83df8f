"""A program in a pseudo-terminal with a pyte screen: the app as a person on SSH meets it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

from models.db import open_database
from models.store import Store


class PtyScreen:
    """``argv`` in a pseudo-terminal; ``own_session`` starts it as ``setsid`` would.

    By default the terminal is the program's controlling terminal, as in a login shell: the
    kernel sends it SIGHUP when the terminal goes. In a session of its own (``su -c``,
    ``setsid``, some SSH set-ups) no signal comes; its input simply hangs up.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        size: tuple[int, int] = (80, 24),
        env: dict[str, str],
        own_session: bool = False,
    ) -> None:
        cols, rows = size
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)
        self._lock = threading.Lock()
        self._output = threading.Condition(self._lock)
        self._closing = threading.Event()
        self.bytes_written = 0
        self.rusage: os.struct_rusage | None = None  # the program's, once it has exited
        self.exit_code: int | None = None
        self.started = time.perf_counter()
        winsize = struct.pack("HHHH", rows, cols, 0, 0)
        environ = {**env, "COLUMNS": str(cols), "LINES": str(rows)}
        if own_session:
            pid, fd = _fork_in_own_session(winsize)
        else:
            pid, fd = pty.fork()
        if pid == 0:  # the child: becomes the program
            if not own_session:
                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
            os.execvpe(argv[0], list(argv), environ)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, winsize)
        self.pid, self.fd = pid, fd
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        # Never blocked in read(): a read in progress keeps the terminal open after
        # close(), and hang_up() must really close it.
        while not self._closing.is_set():
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self.fd, 65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            with self._lock:
                self.bytes_written += len(chunk)
                self._stream.feed(chunk)
                self._output.notify_all()

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> float:
        """Seconds from start until ``needle`` is on screen; AssertionError on timeout."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if needle in self.text():
                return time.perf_counter() - self.started
            time.sleep(0.01)
        raise AssertionError(f"{needle!r} never appeared; screen:\n{self.text()}")

    def wait_until(self, check: Callable[[list[str]], bool], timeout: float = 20.0) -> float:
        """perf_counter() of the first output after which ``check(screen lines)`` holds.

        Woken by each chunk the program writes, so a latency is read to the chunk, not to a
        polling interval.
        """
        deadline = time.perf_counter() + timeout
        with self._output:
            while not check(list(self.screen.display)):
                left = deadline - time.perf_counter()
                if left <= 0:
                    screen = "\n".join(self.screen.display)
                    raise AssertionError(f"the screen never got there:\n{screen}")
                self._output.wait(left)
            return time.perf_counter()

    def settle(self, quiet: float = 0.5, limit: float = 10.0) -> None:
        """Wait until the program has written nothing for ``quiet`` seconds."""
        deadline = time.perf_counter() + limit
        last, since = self.bytes_written, time.perf_counter()
        while time.perf_counter() < deadline:
            time.sleep(0.02)
            if self.bytes_written != last:
                last, since = self.bytes_written, time.perf_counter()
            elif time.perf_counter() - since >= quiet:
                return

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def bytes_during(self, seconds: float) -> int:
        before = self.bytes_written
        time.sleep(seconds)
        return self.bytes_written - before

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def hang_up(self) -> None:
        """Close the terminal's master side, as sshd or tmux does when it goes: no signal."""
        self._closing.set()
        self._reader.join()
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def cpu_seconds(self) -> float:
        """User and system CPU time the running program has used so far."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """The exit status, or None if still running after ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        while self.rusage is None:
            pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.rusage, self.exit_code = rusage, os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() >= deadline:
                return None
            time.sleep(0.02)
        return self.exit_code

    def close(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.rusage is not None:
                break
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                break
            if self.wait_exit(2.0) is not None:
                break
        self.hang_up()


def _fork_in_own_session(winsize: bytes) -> tuple[int, int]:
    """Like pty.fork(), except the terminal is not the child's controlling terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, winsize)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        return 0, -1
    os.close(slave)
    return pid, master


def wait_for_entries(db: Path, count: int, timeout: float = 20.0) -> list:
    """The incident's entries once there are ``count`` of them on disk."""
    store = Store(open_database(db))
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        entries = store.entries(1)
        if len(entries) >= count:
            return entries
        time.sleep(0.02)
    raise AssertionError(f"expected {count} entries, found {len(entries)}")
