"""'Teach it your 7' in the learning process: the exhibit's side. No pygame.

A :class:`TeachJob` starts ``python -m exhibit.learn.worker`` with ``task: teach`` (one BLAS
thread, niced, its stdin the lifeline, as live learning's process), hands it the network's
weights, the visitor's 28x28 picture and the digit meant over a pipe, and a reader thread takes
the fine-tuned copy back (:func:`exhibit.learn.teach.teach` runs there). Nothing waits for the
child in a frame: the hand-over and the reply each have their own thread. Nothing is written
to disk. :meth:`take` hands the copy over once; :meth:`stop` ends the child.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

import numpy as np

from exhibit.learn.session import THREAD_VARS
from exhibit.model.mlp import MLP


class TeachJob:
    def __init__(self, net: MLP, picture: np.ndarray, meant: int, replay_path: str,
                 seed: int = 0) -> None:
        self.started = time.monotonic()
        self.seconds = 0.0
        self.error: str | None = None
        self.ended = False
        self._result: MLP | None = None
        self.activation = net.activation  # the copy comes back as the same kind of network
        self._taken = False
        self._lock = threading.Lock()
        out_r, out_w = os.pipe()  # child -> exhibit: the copy
        in_r, in_w = os.pipe()  # exhibit -> child: the job
        opts = {"task": "teach", "fd": out_w, "job_fd": in_r, "parent": os.getpid(),
                "path": replay_path, "seed": seed}
        env = dict(os.environ, **{v: "1" for v in THREAD_VARS})
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "exhibit.learn.worker", json.dumps(opts)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(out_w, in_r), env=env,
                close_fds=True)
        finally:
            os.close(out_w)
            os.close(in_r)
        self.conn = Connection(out_r, writable=False)
        job = {"weights": [np.asarray(w, np.float32) for w in net.weights],
               "biases": [np.asarray(b, np.float32) for b in net.biases],
               "activation": net.activation,
               "picture": np.asarray(picture, np.float32).reshape(-1), "meant": int(meant)}
        threading.Thread(target=self._send, args=(in_w, job), name="teach-send", daemon=True).start()
        threading.Thread(target=self._read, name="teach-read", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _send(self, fd: int, job: dict) -> None:
        conn = Connection(fd, readable=False)
        try:
            conn.send(job)
        except OSError as e:
            self.error = self.error or f"teaching process unreachable: {e}"
        finally:
            conn.close()

    def _read(self) -> None:
        try:
            msg = self.conn.recv()
            if msg.get("kind") == "taught":
                net = MLP([np.asarray(w, np.float32) for w in msg["weights"]],
                          [np.asarray(b, np.float32) for b in msg["biases"]],
                          str(msg.get("activation", self.activation)))
                with self._lock:
                    self._result = net
                    self.seconds = time.monotonic() - self.started
            else:
                self.error = str(msg.get("message", "teaching failed"))
        except (EOFError, OSError):
            pass
        except Exception as e:  # noqa: BLE001 - a garbled message ends teaching, not the exhibit
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.ended = True
            self.conn.close()
            self.stop(kill=self._result is None)  # done: it ends by itself

    @property
    def ended_without_result(self) -> bool:
        with self._lock:
            return self.ended and self._result is None and not self._taken

    def take(self) -> MLP | None:
        """The copy, once (None until it is there)."""
        with self._lock:
            net, self._result = self._result, None
            if net is not None:
                self._taken = True
        return net

    def stop(self, kill: bool = True) -> None:
        """End the child (``kill`` False: let it finish on its own, then reap it)."""
        try:
            if self.proc.stdin:
                self.proc.stdin.close()  # the lifeline: the child ends by itself
        except OSError:
            pass
        if kill and self.proc.poll() is None:
            try:
                self.proc.terminate()
            except OSError:
                pass
        threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
