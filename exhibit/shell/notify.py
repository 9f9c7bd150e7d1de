"""systemd's notify protocol without a dependency: one datagram per message to $NOTIFY_SOCKET.

``READY=1`` once the first frame is on screen; ``WATCHDOG=1`` from the render loop, four times
per $WATCHDOG_USEC, so that a frame that hangs gets the process restarted.
"""
from __future__ import annotations

import os
import socket
import time


class Notifier:
    def __init__(self, environ: dict[str, str] | None = None, clock=time.monotonic) -> None:
        env = os.environ if environ is None else environ
        self.address = env.get("NOTIFY_SOCKET") or None
        if self.address and self.address.startswith("@"):
            self.address = "\0" + self.address[1:]  # abstract socket namespace
        try:
            usec = int(env.get("WATCHDOG_USEC", "0"))
        except ValueError:
            usec = 0
        pid = env.get("WATCHDOG_PID")
        if pid and pid.isdigit() and int(pid) not in (os.getpid(), os.getppid()):
            usec = 0  # meant for another process (under cage, the main PID is our parent)
        self.interval = usec / 1e6 / 4 if usec > 0 else None
        self.clock = clock
        self._last_ping = -1e18
        self._sock: socket.socket | None = None
        self.sent: list[str] = []  # what was sent, for tests and diagnostics (last few)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, message: str) -> bool:
        if not self.address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._sock.setblocking(False)
            self._sock.sendto(message.encode(), self.address)
        except OSError:
            return False  # systemd gone or socket full: never a reason to stop the exhibit
        self.sent.append(message)
        del self.sent[:-20]
        return True

    def ready(self) -> None:
        self.send("READY=1")

    def status(self, text: str) -> None:
        self.send(f"STATUS={text}")

    def watchdog(self) -> None:
        """Call every frame; pings only as often as the watchdog needs."""
        if self.interval is None:
            return
        now = self.clock()
        if now - self._last_ping >= self.interval:
            self._last_ping = now
            self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")
