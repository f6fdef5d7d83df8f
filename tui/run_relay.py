"""Running a command as if typed at the prompt, and keeping what it printed.

When standard output is a terminal, the command gets a pseudo-terminal of its own, sized
and set up like ours, and everything is relayed both ways, as ``script`` does: our
terminal is put in raw mode meanwhile, so ctrl+c, ctrl+\\ and ctrl+d reach the command's
terminal as typed and its line discipline signals the command (or not: ``vim`` and ``psql``
take ctrl+c themselves). A resized window is passed on; SIGTERM, SIGHUP and the other
signals sent to us by ``kill`` are passed to the command. Otherwise (a pipe, a file, cron)
its stdout and stderr are pipes whose bytes are copied through as they come.

Nothing here touches the database or imports anything heavy: the command starts within
milliseconds of ``workbook run``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

# Signals sent to ``workbook run`` that are meant for the command.
PASSED_ON = (
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
)
NOT_FOUND = 127  # the shell's statuses for a command it cannot find, or cannot run
NOT_RUNNABLE = 126
CHUNK = 65536
FIRST_KEEP = 256 * 1024  # raw bytes kept until ``keep`` has said how many

# How many raw bytes of output to keep, asked once the command has started (reading the
# settings for it must not delay the start).
Keep = Callable[[], int]


class Tail:
    """The last bytes of a stream, at most ``limit`` of them (and whether any went)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(0, limit)
        self._data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        self._data += chunk
        over = len(self._data) - self.limit
        if over > 0:
            del self._data[:over]
            self.dropped += over

    def value(self) -> bytes:
        return bytes(self._data)


class Ran:
    """How a command ended: its exit status as a shell gives it, how long, what it printed.

    A plain class: dataclasses would cost the start of every command a few milliseconds.
    """

    __slots__ = ("output", "output_dropped", "seconds", "signal", "status")

    def __init__(
        self,
        status: int,
        seconds: float,
        output: bytes,
        output_dropped: int,
        signal: int | None = None,
    ) -> None:
        self.status = status
        self.seconds = seconds
        self.output = output
        self.output_dropped = output_dropped  # bytes printed before ``output``, not kept
        self.signal = signal  # the signal it died of, if it did


def shell_status(wait_status: int) -> tuple[int, int | None]:
    """A wait status as a shell reports it (128 + N for a death by signal N), and N."""
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        return 128 + number, number
    return os.waitstatus_to_exitcode(wait_status), None


def _exec_failure(argv: Sequence[str], exc: OSError) -> tuple[bytes, int]:
    status = NOT_FOUND if exc.errno == errno.ENOENT else NOT_RUNNABLE
    reason = "command not found" if status == NOT_FOUND else (exc.strerror or str(exc)).lower()
    return f"workbook run: {argv[0]}: {reason}\n".encode(), status


class _Signals:
    """Our handlers for the run: signals meant for the command are passed on, and every
    signal wakes the relay loop through a pipe (the loop sleeps in select)."""

    def __init__(self) -> None:
        self.pid = 0
        self.wake_read, self.wake_write = os.pipe()
        for fd in (self.wake_read, self.wake_write):
            os.set_blocking(fd, False)
        self.resized = False
        self._old: dict[int, object] = {}

    def _pass_on(self, signum: int, frame: FrameType | None) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def _winch(self, signum: int, frame: FrameType | None) -> None:
        self.resized = True

    @contextlib.contextmanager
    def installed(self, passed_on: Sequence[int], *, winch: bool) -> Iterator[None]:
        wanted: dict[int, object] = dict.fromkeys(passed_on, self._pass_on)
        wanted[signal.SIGCHLD] = lambda signum, frame: None
        if winch:
            wanted[signal.SIGWINCH] = self._winch
        old_wakeup = signal.set_wakeup_fd(self.wake_write, warn_on_full_buffer=False)
        try:
            for signum, handler in wanted.items():
                self._old[signum] = signal.signal(signum, handler)  # type: ignore[arg-type]
            yield
        finally:
            for signum, handler in self._old.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
            signal.set_wakeup_fd(old_wakeup)
            os.close(self.wake_read)
            os.close(self.wake_write)

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.wake_read, 512):
                pass


def _write_all(fd: int, data: bytes) -> bool:
    """Write everything; False once the other side is gone (a closed terminal or pipe)."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [], 1.0)
            continue
        except OSError:
            return False
        view = view[written:]
    return True


def run_in_terminal(argv: Sequence[str], *, keep: Keep) -> Ran:
    """Run ``argv`` in a pseudo-terminal relayed to ours (standard output is a terminal)."""
    stdin_tty = os.isatty(0)
    ours = 0 if stdin_tty else 1
    master, slave = os.openpty()
    with contextlib.suppress(termios.error):
        termios.tcsetattr(slave, termios.TCSANOW, termios.tcgetattr(ours))
    _copy_size(ours, master)
    signals = _Signals()
    with signals.installed(PASSED_ON, winch=True):
        return _fork_and_relay(argv, keep, master, slave, signals, stdin_tty=stdin_tty, ours=ours)


def _fork_and_relay(
    argv: Sequence[str],
    keep: Keep,
    master: int,
    slave: int,
    signals: _Signals,
    *,
    stdin_tty: bool,
    ours: int,
) -> Ran:
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: the new terminal's session, then the command
        try:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            for signum in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)
            os.execvp(argv[0], list(argv))
        except OSError as exc:
            message, status = _exec_failure(argv, exc)
            with contextlib.suppress(OSError):
                os.write(2, message)
            os._exit(status)
        except BaseException:
            os._exit(NOT_RUNNABLE)
    os.close(slave)
    signals.pid = pid
    saved = None
    if stdin_tty:
        with contextlib.suppress(termios.error):
            saved = termios.tcgetattr(0)
            tty.setraw(0, termios.TCSANOW)
    try:
        tail = Tail(FIRST_KEEP)
        tail.limit = keep()
        wait_status = _relay(
            pid, master, tail, signals, stdin_tty=stdin_tty, ours=ours, saved=saved
        )
    finally:
        if saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(0, termios.TCSADRAIN, saved)
        os.close(master)
    seconds = time.monotonic() - started
    status, died_of = shell_status(wait_status)
    return Ran(status, seconds, tail.value(), tail.dropped, died_of)


def _copy_size(source: int, target: int) -> None:
    with contextlib.suppress(OSError):
        size = fcntl.ioctl(source, termios.TIOCGWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
        fcntl.ioctl(target, termios.TIOCSWINSZ, size)


def _relay(
    pid: int,
    master: int,
    tail: Tail,
    signals: _Signals,
    *,
    stdin_tty: bool,
    ours: int,
    saved: list[Any] | None,
) -> int:
    """Copy between our terminal and the command's until it exits; its wait status."""
    reading_stdin = True
    showing = True  # our terminal is still there to write to
    wait_status: int | None = None
    while True:
        watched = [master, signals.wake_read] + ([0] if reading_stdin else [])
        timeout = 0.05 if wait_status is not None else None
        ready, _, _ = select.select(watched, [], [], timeout)
        if signals.wake_read in ready:
            signals.drain()
        if signals.resized:
            signals.resized = False
            _copy_size(ours, master)
        if master in ready:
            try:
                chunk = os.read(master, CHUNK)
            except OSError:  # EIO: every copy of the command's terminal is closed
                chunk = b""
            if not chunk:
                if wait_status is None:
                    _, wait_status = os.waitpid(pid, 0)
                return wait_status
            tail.add(chunk)
            if showing:
                showing = _write_all(1, chunk)
        # Typed keys are read even while the command floods the screen: ctrl+c must get
        # through to `yes` or `tail -f`.
        if 0 in ready:
            try:
                typed = os.read(0, CHUNK)
            except OSError:
                typed = b""
            if typed and saved is not None and _is_suspend_key(master, typed):
                _suspend(master, saved, ours)
            elif typed:
                _write_all(master, typed)
            else:
                reading_stdin = False
                if stdin_tty:  # our terminal hung up: so does the command's
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGHUP)
                else:  # the end of piped input, as ctrl+d at the start of a line
                    _write_all(master, b"\x04")
        if wait_status is None:
            done, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
            if done and os.WIFSTOPPED(status):
                _stop_with(pid, saved, ours, master)
            elif done:
                wait_status = status
        elif not ready:
            # It has exited and its terminal is quiet, though something it started still
            # holds it open: what it printed is in.
            return wait_status


def _is_suspend_key(master: int, typed: bytes) -> bool:
    """ctrl+z (the suspend key), typed while the command's terminal makes it a signal."""
    try:
        attrs = termios.tcgetattr(master)
    except termios.error:
        return False
    key = attrs[6][termios.VSUSP]
    return bool(attrs[3] & termios.ISIG) and isinstance(key, bytes) and typed == key


def _suspend(master: int, saved: list[Any], ours: int) -> None:
    """Stop the command and ourselves, as ctrl+z at a shell prompt does; continued together.

    The command's terminal is a session of its own with no shell in it, so the kernel
    drops the SIGTSTP its line discipline would send (an orphaned process group): the key
    is read here instead, and the command stopped with SIGSTOP, which is never dropped.
    """
    try:
        group = os.tcgetpgrp(master)
        os.killpg(group, signal.SIGSTOP)
    except OSError:
        return
    with contextlib.suppress(termios.error):
        termios.tcsetattr(0, termios.TCSADRAIN, saved)
    os.kill(os.getpid(), signal.SIGTSTP)  # stopped here until the shell continues us (fg)
    with contextlib.suppress(termios.error):
        tty.setraw(0, termios.TCSANOW)
    _copy_size(ours, master)
    with contextlib.suppress(OSError):
        os.killpg(group, signal.SIGCONT)


def _stop_with(pid: int, saved: list[Any] | None, ours: int, master: int) -> None:
    """The command stopped (ctrl+z): stop too, so the shell's job control sees it, and
    take it along when continued (``fg``)."""
    if saved is not None:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
        # The default action of SIGTSTP: stopped here until the shell continues us.
        os.kill(os.getpid(), signal.SIGTSTP)
        with contextlib.suppress(termios.error):
            tty.setraw(0, termios.TCSANOW)
        _copy_size(ours, master)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGCONT)


def run_piped(argv: Sequence[str], *, keep: Keep) -> Ran:
    """Run ``argv`` with its output copied through pipes (standard output is not a terminal)."""
    tail = Tail(FIRST_KEEP)
    signals = _Signals()
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    started = time.monotonic()
    try:
        # posix_spawn rather than subprocess: importing subprocess alone costs more than
        # the whole start of the command is allowed.
        pid = os.posix_spawnp(
            argv[0],
            list(argv),
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, out_write, 1),
                (os.POSIX_SPAWN_DUP2, err_write, 2),
                (os.POSIX_SPAWN_CLOSE, out_read),
                (os.POSIX_SPAWN_CLOSE, err_read),
            ],
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
        )
    except OSError as exc:
        for fd in (out_read, out_write, err_read, err_write):
            os.close(fd)
        message, status = _exec_failure(argv, exc)
        _write_all(2, message)
        tail.add(message)
        return Ran(status, time.monotonic() - started, tail.value(), 0)
    os.close(out_write)
    os.close(err_write)
    signals.pid = pid
    tail.limit = keep()
    streams = {out_read: 1, err_read: 2}
    # ctrl+c at the terminal reaches the command by itself (it shares our process group):
    # like a shell waiting for it, we only pass on what is sent to us alone.
    passed_on = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
    old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    old_quit = signal.signal(signal.SIGQUIT, signal.SIG_IGN)
    try:
        with signals.installed(passed_on, winch=False):
            while streams:
                ready, _, _ = select.select([*streams, signals.wake_read], [], [])
                if signals.wake_read in ready:
                    signals.drain()
                for fd in ready:
                    if fd not in streams:
                        continue
                    chunk = os.read(fd, CHUNK)
                    if not chunk:
                        del streams[fd]
                        os.close(fd)
                        continue
                    tail.add(chunk)
                    _write_all(streams[fd], chunk)
            _, wait_status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGQUIT, old_quit)
        for fd in streams:
            os.close(fd)
    status, died_of = shell_status(wait_status)
    return Ran(status, time.monotonic() - started, tail.value(), tail.dropped, died_of)


def run_command(argv: Sequence[str], *, keep: Keep) -> Ran:
    """Run ``argv`` as if typed at the prompt; see the module docstring."""
    sys.stdout.flush()
    if os.isatty(1):
        return run_in_terminal(argv, keep=keep)
    return run_piped(argv, keep=keep)
