"""Run a call in a child process with a deadline: the per-document timeout.

pdfplumber is pure Python running in a Dask worker thread (or a thread of the flow process). Nothing
can interrupt a thread: Prefect's task timeout only stops waiting for it, and signals reach the main
thread only. A child process can be killed. Each call takes an idle child of this process (`python -m
flows.timeout`, so it works inside daemonic Dask workers where multiprocessing may not start
children), sends it one pickled call and waits at most `seconds` for the answer; a child that
overruns is killed and replaced on its next call.

The same wait watches the child's memory: with a limit, the parent reads the child's resident set size
(RSS, psutil) every WATCH_INTERVAL_SECONDS while it waits and kills the child past the limit. Not
RLIMIT_AS in the child: the address space counts reservations never touched, and an allocation refused
inside pdfminer or PDFium surfaces as a MemoryError some `except Exception` turns into another reason, or
as PDFium aborting the process ("crashed") — the document's failure would not say what happened.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import psutil

from flows.collector import freeze_survivors
from flows.stopping import exit_without_teardown

T = TypeVar("T")

# How often the parent reads a watched child's RSS: reading /proc costs about 20 µs; a child allocating
# as fast as memory allows (a decompression bomb, ~2 GB/s) gets at most ~100 MB past its limit in between.
WATCH_INTERVAL_SECONDS = 0.05
MIB = 1 << 20

# How long an idle child closed is given to exit by itself before it is killed (measured: a reading child exits
# ~10 ms after its pipe closes, the dbt child ~0.2 s: its exit handlers).
CLOSE_GRACE_SECONDS = 2.0


class CallTimeout(Exception):
    """The call did not finish within its deadline; its child process was killed."""


class ChildCrashed(Exception):
    """The child process died during the call (killed, out of memory, a crash in native code)."""


class OverMemoryLimit(Exception):
    """The child's resident memory went over its limit during the call; the child was killed."""


class RemoteError(Exception):
    """The call raised in the child: the exception's type name and text (exceptions do not always pickle)."""


# What a child is for, its process name (Linux's comm, at most 15 bytes: what `ps -o comm` and `top` show, and what
# `caijue bench` sorts its CPU by) and the last word of its command line.
READER = "caijue-reader"  # reads documents: the children of call_with_deadline
DBT = "caijue-dbt"  # builds the warehouse: flows/dbt_child.py's


class IsolatedCaller:
    """One child process running calls one at a time, killed when a call overruns its deadline. `role` names it
    (READER or DBT)."""

    def __init__(self, role: str = READER) -> None:
        self.role = role
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._receive: Connection | None = None
        self.calls = 0  # how many calls it was given: a stop once idle checks that no other came since
        self._in_call = False

    @property
    def pid(self) -> int | None:
        """The child's process id (None: none started yet, or it was closed)."""
        return self._process.pid if self._process is not None else None

    def call(self, function: Callable[..., T], *args: Any, seconds: float | None, memory_mib: int | None = None) -> T:
        self.calls += 1
        self._ensure_child()
        assert self._send is not None and self._receive is not None
        self._in_call = True
        try:
            self._send.send((function, args))
            self._await_answer(seconds, memory_mib)
            ok, value = self._receive.recv()
        except (EOFError, OSError) as exc:
            self.close(grace=None)
            raise ChildCrashed(f"the extraction process died: {type(exc).__name__}") from exc
        finally:
            self._in_call = False
        if ok:
            return value
        raise RemoteError(value)

    def _await_answer(self, seconds: float | None, memory_mib: int | None) -> None:
        """Return when the answer is ready; kill the child and raise past the deadline or the memory limit."""
        assert self._receive is not None and self._process is not None
        if memory_mib is None:
            if not self._receive.poll(seconds):
                self._give_up(CallTimeout(f"no answer within {seconds:g} s"))
            return
        deadline = time.monotonic() + seconds if seconds is not None else float("inf")
        child = psutil.Process(self._process.pid)
        while not self._receive.poll(max(0.0, min(WATCH_INTERVAL_SECONDS, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                self._give_up(CallTimeout(f"no answer within {seconds:g} s"))
            if (resident := _resident_bytes(child)) > memory_mib * MIB:
                self._give_up(OverMemoryLimit(f"its process reached {resident // MIB} MiB"))

    def _give_up(self, reason: Exception) -> None:
        self.close(grace=None)
        raise reason

    def close(self, grace: float | None = CLOSE_GRACE_SECONDS) -> None:
        """End the child. One in a call, or with `grace` None, is killed now. An idle one is not waited for: it sees
        its pipe closed and exits by itself, its exit handlers run (a semaphore dbt made is released; killed, its
        resource tracker reports it leaked on serve's log), or is killed after `grace` seconds (a thread waits)."""
        for connection in (self._send, self._receive):
            if connection is not None:
                connection.close()
        process, self._process, self._send, self._receive = self._process, None, None, None
        if process is None or process.poll() is not None:
            return
        if grace is None or self._in_call:
            _kill(process, 0.0)
        else:
            threading.Thread(target=_kill, args=(process, grace), name="caijue-child-exit", daemon=True).start()

    def _ensure_child(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self.close()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "flows.timeout", str(os.getpid()), self.role],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._send = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._receive = Connection(os.dup(self._process.stdout.fileno()), writable=False)
        self._process.stdin.close()
        self._process.stdout.close()


def _kill(process: subprocess.Popen[bytes], after: float) -> None:
    """Kill the process unless it exits within `after` seconds; reap it."""
    with suppress(subprocess.TimeoutExpired):
        process.wait(after)
    if process.poll() is None:
        process.kill()
        process.wait()


_idle: list[IsolatedCaller] = []
_idle_lock = threading.Lock()


def call_with_deadline(
    function: Callable[..., T],
    *args: Any,
    seconds: float | None,
    memory_mib: int | None = None,
    linger: float | None = None,
) -> T:
    """`function(*args)` in an idle child process of this process (started when none is idle);
    CallTimeout after `seconds` (None: no deadline), OverMemoryLimit when the child's resident memory
    goes over `memory_mib` MiB (None: no limit). A child stays for the next call, so what it imported
    stays imported (flows/warmup.py starts one ahead of the first document) — but with `linger`, only
    that many seconds without another call: a run's reading children give their memory back once its
    documents are read, before the warehouse is built.

    The function and its arguments and result must pickle (a module-level function, plain data)."""
    with _idle_lock:
        caller = _idle.pop() if _idle else IsolatedCaller()
    try:
        return caller.call(function, *args, seconds=seconds, memory_mib=memory_mib)
    finally:
        with _idle_lock:
            _idle.append(caller)  # a killed child is replaced on its next call
        if linger is not None:
            stop = threading.Timer(linger, _stop_if_still_idle, (caller, caller.calls))
            stop.daemon = True
            stop.start()


def stop_idle_children() -> None:
    """Stop every idle child of this process now, not `linger` seconds later: a run whose documents are all read
    gives their memory back before its gate, load and dbt build (a later call starts a child again)."""
    with _idle_lock:
        for caller in _idle:
            caller.close()


def _stop_if_still_idle(caller: IsolatedCaller, calls: int) -> None:
    """Stop the caller's child unless it is in a call or was given another since (its next call starts one)."""
    with _idle_lock:
        if caller in _idle and caller.calls == calls:
            caller.close()


def _resident_bytes(process: psutil.Process) -> int:
    """The process's RSS (0 once it is gone: its death is seen on the pipe). Its own only: the child
    starts no processes, and listing descendants scans all of /proc, too dear 20 times a second."""
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def _serve(parent: int | None, role: str | None = None) -> None:
    """The child: answer calls until the parent closes the pipe. stdout carries the answers, so
    anything the called code prints goes to stderr."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    if role:
        name_this_process(role)
    if parent is not None:
        threading.Thread(target=_exit_when_orphaned, args=(parent,), name="caijue-parent-watch", daemon=True).start()
    answers = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    requests = Connection(os.dup(0), writable=False)
    while True:
        try:
            function, args = requests.recv()
        except EOFError:
            return
        payload = _answer(function, args)
        del function, args
        answers.send_bytes(payload)
        del payload
        _release_memory()


PARENT_WATCH_SECONDS = 0.5


def _exit_when_orphaned(parent: int) -> None:
    """Exit the moment the parent is gone (killed: a closed pipe is seen only between calls), so that a call under
    way (a dbt build writing the run's working copy, a document) does not live on after its run. Polling: Linux's
    parent-death signal follows the thread that started the child, and callers start children from threads."""
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_SECONDS)
    os._exit(1)


def _answer(function: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    try:
        return pickle.dumps((True, function(*args)))
    except Exception as exc:
        return pickle.dumps((False, f"{type(exc).__name__}: {exc}"))


def _release_memory() -> None:
    """Give back what the last call freed, while the parent reads the answer: a collection, then glibc's free
    lists returned to the system. Without it a child that read a few big documents stays some 300 MiB larger
    for the rest of the run (measured on wild-more's biggest reports: 700 MiB resident after six, about
    400 MiB with it).

    What survives the collection is the child's own state (the specs, dbt's parse): frozen out of every later
    collection (flows/collector.py), which would otherwise walk its ~300,000 objects after each document —
    175 ms a document, as long as extracting a small one; 2–5 ms frozen."""
    freeze_survivors()
    trim = getattr(_libc, "malloc_trim", None)  # glibc's; musl has none
    if trim is not None:
        trim(0)


_libc = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None
_PR_SET_NAME = 15


def name_this_process(name: str) -> None:
    """This process's name (comm) as `ps`, `top` and /proc show it, on Linux (a no-op elsewhere)."""
    if _libc is not None:
        _libc.prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


if __name__ == "__main__":
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else None, sys.argv[2] if len(sys.argv) > 2 else None)
    exit_without_teardown(0)  # the exit handlers run: closed, an idle child exits by itself (IsolatedCaller.close)
