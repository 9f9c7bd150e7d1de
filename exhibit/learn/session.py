"""The exhibit's side of live learning: start the learning process, take what it sends without
ever waiting for it, pause, resume or step it, stop it. No pygame here either.

A reader thread receives the messages (so a frame never waits on a half-written one) and
keeps only the newest weights, as a new :class:`LoadedModel` per snapshot; ``take()`` hands it
over once. Controls are single lines written to the child's stdin without ever blocking. The
child is ended on :meth:`Learner.stop`, at interpreter exit (atexit), and by itself when this
process dies (see :mod:`exhibit.learn.worker`), when its ``max_seconds`` are up ("finished") or
when its learning diverged ("diverged").
"""
from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Sequence

import numpy as np

from exhibit.ink.normalize import InputSpec
from exhibit.model.mlp import MLP
from exhibit.model.store import LoadedModel

F_SETPIPE_SZ = 1031
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
NAME = "learning"
_live: set["Learner"] = set()


def initial_model(spec: InputSpec, seed: int = 0, hidden: Sequence[int] = (25, 25),
                  activation: str = "relu") -> LoadedModel:
    """The random network the child starts from (the same seed and design give the same
    weights); ValueError for a design the learning process refuses."""
    from exhibit.learn.worker import check_design

    sizes = check_design(list(hidden), activation)
    return LoadedModel(NAME, MLP.init(sizes, np.random.default_rng(seed), activation), spec,
                       {"learning": True, "step": 0})


class Learner:
    """One learning process and what it has said so far. ``options`` go to
    :func:`exhibit.learn.worker.train`: the design (``hidden``, ``activation``, ``rate``),
    ``max_seconds`` and the pacing; a design it refuses raises ValueError here, at once."""

    def __init__(self, source: tuple[str, str], spec: InputSpec, seed: int = 0,
                 options: dict | None = None) -> None:
        from exhibit.learn.worker import HIDDEN, check_design

        o = options or {}
        check_design(o.get("hidden", HIDDEN), o.get("activation", "relu"), o.get("rate", "good"))
        self.spec = spec
        self.activation = str(o.get("activation", "relu"))
        self.started = time.monotonic()
        self.curve: list[tuple[float, float]] = []  # (seconds, held-out accuracy)
        self.loss_curve: list[tuple[float, float]] = []  # (seconds, held-out cross-entropy)
        self.n_held_out = 0
        self.n_train = 0
        self.seen = 0
        self.error: str | None = None
        self.ended = False  # the child said nothing more (stopped, finished or crashed)
        self.paused = False  # what this side asked for last (pause / resume)
        self.finished = False  # the child trained its max_seconds and ended
        self.diverged = False  # the child's learning blew up (weights or loss not finite)
        self.final_accuracy: float | None = None  # held-out accuracy when finished
        self._latest: LoadedModel | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._reap_lock = threading.Lock()
        self._reaped = False
        opts = {"source": source[0], "path": source[1], "seed": seed, **o}
        r, w = os.pipe()
        try:
            import fcntl
            fcntl.fcntl(w, F_SETPIPE_SZ, 1 << 20)  # a whole snapshot fits: the child never stalls
        except (ImportError, OSError):
            pass
        opts.update(fd=w, parent=os.getpid())
        env = dict(os.environ, **{v: "1" for v in THREAD_VARS})
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "exhibit.learn.worker", json.dumps(opts)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(w,), env=env,
                close_fds=True)
        finally:
            os.close(w)
        self.conn = Connection(r, writable=False)
        try:
            os.set_blocking(self.proc.stdin.fileno(), False)  # a control never waits for the child
        except (AttributeError, OSError):
            pass
        _live.add(self)
        self._reader = threading.Thread(target=self._read, name="learn-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        try:
            while True:
                msg = self.conn.recv()
                kind = msg.get("kind")
                if kind == "weights":
                    net = MLP([np.asarray(w, np.float32) for w in msg["weights"]],
                              [np.asarray(b, np.float32) for b in msg["biases"]],
                              str(msg.get("activation", self.activation)))
                    model = LoadedModel(NAME, net, self.spec,
                                        {"learning": True, "step": msg["step"], "t": msg["t"]})
                    with self._lock:
                        self._latest = model
                        self.seen = int(msg["seen"])
                elif kind == "accuracy":
                    self._score(msg)
                    self.n_held_out = int(msg["n"])
                elif kind == "finished":
                    self._score(msg)
                    self.final_accuracy = float(msg["accuracy"])
                    self.finished = True
                elif kind == "diverged":
                    self.diverged = True
                elif kind == "data":
                    self.n_train = int(msg["n"])
                elif kind == "error":
                    self.error = str(msg["message"])
        except (EOFError, OSError):
            pass
        except Exception as e:  # noqa: BLE001 - a garbled message ends learning, not the exhibit
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.ended = True

    def _score(self, msg: dict) -> None:
        """One held-out reading: new lists, so a frame that copied the old ones keeps them whole."""
        t = float(msg["t"])
        self.curve = self.curve + [(t, float(msg["accuracy"]))]
        if "loss" in msg:
            self.loss_curve = self.loss_curve + [(t, float(msg["loss"]))]

    def _control(self, line: bytes) -> None:
        """One line to the child's stdin, never waiting: a child gone or a full pipe (it reads
        all the time, so only a child that hangs) drops it."""
        try:
            if self.proc.stdin and not self._stopping:
                os.write(self.proc.stdin.fileno(), line)
        except (BrokenPipeError, BlockingIOError, OSError, ValueError):
            pass

    def pause(self) -> None:
        """Training stands still (its clock too) until :meth:`resume`."""
        self.paused = True
        self._control(b"pause\n")

    def resume(self) -> None:
        self.paused = False
        self._control(b"run\n")

    def step_once(self) -> None:
        """While paused: one mini-batch, then the weights and the accuracy come at once."""
        self._control(b"step\n")

    def take(self) -> LoadedModel | None:
        """The newest network since the last call (a new object each time), or None."""
        with self._lock:
            model, self._latest = self._latest, None
        return model

    @property
    def crashed(self) -> str | None:
        """Why the child ended on its own, or None while it runs, after a stop, and when it
        finished or diverged (it ends then, as it should)."""
        if not self.ended or self._stopping or ((self.finished or self.diverged) and not self.error):
            return None
        code = self.proc.poll()
        if self.error:
            return self.error
        return f"learning process ended (exit code {code})"

    def stop(self, wait: float = 0.0) -> None:
        """End the child. ``wait`` > 0: reap it now (at exit); else a thread reaps it."""
        if self._stopping:
            if wait:
                self._reap(wait)
            return
        self._stopping = True
        try:
            if self.proc.stdin:
                self.proc.stdin.close()  # the lifeline: the child ends by itself
        except OSError:
            pass
        try:
            self.proc.terminate()
        except OSError:
            pass
        if wait:
            self._reap(wait)
        else:
            threading.Thread(target=self._reap, args=(2.0,), daemon=True).start()

    def _reap(self, wait: float) -> None:
        # once: a stop's reaping thread and a later stop(wait) may both get here, and two
        # closes of the pipe race (the second would close whatever file took its number since)
        with self._reap_lock:
            if self._reaped:
                return
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(1.0)
            finally:
                try:
                    self.conn.close()
                except OSError:
                    pass
                self._reaped = True
                _live.discard(self)

    def __hash__(self) -> int:
        return id(self)


@atexit.register
def stop_all(wait: float = 1.0) -> None:
    """No learning process outlives the exhibit."""
    for learner in list(_live):
        learner.stop(wait)
