"""Genuine SDL finger events, pushed into the SDL library that pygame-ce bundles.

``SDL_PushEvent`` runs SDL's own event watches (among them the renderer's, which maps touch
positions into a SCALED window's logical surface) exactly as a real touch panel's events do;
an event built in Python with ``pygame.event.Event`` would test only our assumption.
"""
from __future__ import annotations

import ctypes
import glob
import os
import warnings

import pygame

FINGERDOWN, FINGERUP, FINGERMOTION = 0x700, 0x701, 0x702


class _Finger(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint32), ("timestamp", ctypes.c_uint32),
                ("touchId", ctypes.c_int64), ("fingerId", ctypes.c_int64),
                ("x", ctypes.c_float), ("y", ctypes.c_float), ("dx", ctypes.c_float),
                ("dy", ctypes.c_float), ("pressure", ctypes.c_float), ("windowID", ctypes.c_uint32)]


class _Event(ctypes.Union):
    _fields_ = [("tfinger", _Finger), ("padding", ctypes.c_uint8 * 56)]


def _sdl() -> ctypes.CDLL:
    here = os.path.dirname(pygame.__file__)
    found = sorted(glob.glob(os.path.join(here, "..", "pygame_ce.libs", "libSDL2-2*")))
    found += sorted(glob.glob(os.path.join(here, "libSDL2-2*")))  # other wheel layouts
    if not found:
        raise RuntimeError("pygame-ce's bundled SDL library was not found")
    lib = ctypes.CDLL(found[0])  # the copy pygame already loaded: same handle, same state
    lib.SDL_PushEvent.argtypes = [ctypes.POINTER(_Event)]
    return lib


SDL = _sdl()


def push(kind: int, fx: float, fy: float, finger: int = 0, touch: int = 7) -> None:
    """A finger event at (fx, fy), 0..1 of the *window*, as a panel's driver reports it."""
    with warnings.catch_warnings():  # only its id is used, not its surface
        warnings.simplefilter("ignore", DeprecationWarning)
        window = pygame.Window.from_display_module()
    ev = _Event()
    ev.tfinger = _Finger(kind, 0, touch, finger, fx, fy, 0.0, 0.0, 1.0, window.id)
    if SDL.SDL_PushEvent(ctypes.byref(ev)) != 1:
        raise RuntimeError("SDL_PushEvent refused the event")
