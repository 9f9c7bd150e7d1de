"""The exhibit's side of live learning: start the learning process, take what it sends without
ever waiting for it, stop it. No pygame here either.

A reader thread receives the messages (so a frame never waits on a half-written one) and
keeps only the newest weights, as a new :class:`LoadedModel` per snapshot; ``take()`` hands it
over once. The child is ended on :meth:`Learner.stop`, at interpreter exit (atexit), and by
itself when this process dies (see :mod:`exhibit.learn.worker`).
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

import numpy as np

from exhibit.ink.normalize import InputSpec
from exhibit.model.mlp import MLP
from exhibit.model.store import LoadedModel

F_SETPIPE_SZ = 1031
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
NAME = "learning"
_live: set["Learner"] = set()


def initial_model(spec: InputSpec, seed: int = 0, hidden: tuple[int, ...] = (25, 25),
                  activation: str = "relu") -> LoadedModel:
    """The random network the child starts from (the same seed gives the same weights)."""
    sizes = (784, *hidden, 10)
    return LoadedModel(NAME, MLP.init(sizes, np.random.default_rng(seed), activation=activation),
                       spec, {"learning": True, "step": 0})


class Learner:
    """One learning process and what it has said so far."""

    def __init__(self, source: tuple[str, str], spec: InputSpec, seed: int = 0,
                 options: dict | None = None) -> None:
        self.spec = spec
        self.started = time.monotonic()
        self.curve: list[tuple[float, float]] = []  # (seconds, held-out accuracy)
        self.n_held_out = 0
        self.n_train = 0
        self.seen = 0
        self.error: str | None = None
        self.ended = False  # the child said nothing more (stopped, finished or crashed)
        self._latest: LoadedModel | None = None
        self._lock = threading.Lock()
        self._stopping = False
        opts = {"source": source[0], "path": source[1], "seed": seed, **(options or {})}
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
                              [np.asarray(b, np.float32) for b in msg["biases"]])
                    model = LoadedModel(NAME, net, self.spec,
                                        {"learning": True, "step": msg["step"], "t": msg["t"]})
                    with self._lock:
                        self._latest = model
                        self.seen = int(msg["seen"])
                elif kind == "accuracy":
                    self.curve = self.curve + [(float(msg["t"]), float(msg["accuracy"]))]
                    self.n_held_out = int(msg["n"])
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

    def take(self) -> LoadedModel | None:
        """The newest network since the last call (a new object each time), or None."""
        with self._lock:
            model, self._latest = self._latest, None
        return model

    @property
    def crashed(self) -> str | None:
        """Why the child ended on its own, or None while it runs (or after a stop)."""
        if not self.ended or self._stopping:
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
            _live.discard(self)

    def __hash__(self) -> int:
        return id(self)


@atexit.register
def stop_all(wait: float = 1.0) -> None:
    """No learning process outlives the exhibit."""
    for learner in list(_live):
        learner.stop(wait)
