"""The whole screen, painted in layers so that a frame costs little, and painted exactly: an
incrementally drawn frame equals a full redraw, pixel for pixel.

- static: background, panels, captions, the faint fixed wiring (built once per layout, model
  and language);
- composed: static + what depends on the snapshot (picture, strong connections, glowing
  neurons, bars, title), redrawn in place only when that changes;
- per frame, in this order: composed, the canvas, the pulses and attract mode's hand, the
  teacher overlay.

Each frame repaints, in that same order, only the areas that changed (the composed regions
that were redrawn, new ink, the pulses' old and new places, overlays that came or went), each
pixel once, and returns them, so the caller can present just those.

The composed layer is cut into parts (:mod:`exhibit.views.areas`): the picture, the title, the
bars, and the network in strips across it (a wave reaches one column at a time); a compose
paints again only the parts whose inputs changed, each clipped to itself over the static layer
(issue 21: a new reading costs a few strips, not the whole screen).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pygame

from exhibit.ink.drawing import Drawing
from exhibit.model.mlp import MLP
from exhibit.recognize import Snapshot
from exhibit.views.answer import AnswerView, Look
from exhibit.views.areas import cover, group, minus, net_strips, separate
from exhibit.views.dial import DialView
from exhibit.views.hand import HandView
from exhibit.layout.regions import Layout
from exhibit.views.network import Lines, NetworkView, Wiring
from exhibit.views.pulses import Pulses
from exhibit.views.panels import BarsView, ButtonsView, CanvasView, PreviewView, TitleView, panel
from exhibit.views.theme import BODY, TextBox, Theme

HAND_PX = 150  # the attract hand's height on a 1080-line screen
def answer_view(theme: Theme, layout: Layout):
    """The bars, or the dial (``answer.style``)."""
    r = layout.rects
    return (BarsView(theme, layout.inner_bars, r["bars"]) if layout.dial is None
            else DialView(theme, layout.dial, r["bars"]))


class Scene:
    def __init__(self, cfg, layout: Layout, theme: Theme, net: MLP, side: int,
                 say: Callable[..., str]) -> None:
        self.cfg = cfg
        self.layout = layout
        self.theme = theme
        self.say = say
        r = layout.rects
        self.rects = r
        self.canvas = CanvasView(theme, layout.canvas, layout.brush)
        self.buttons = ButtonsView(theme, layout)
        self.title = TitleView(theme, r["title"])
        self.answer = AnswerView(theme, r["answer"])
        self.answer_text: list[TextBox] = []  # the answer region's texts (painted on their own)
        self.answer_look: Look | None = None  # what the answer region shows now
        self.pulses = Pulses(theme, theme.px(cfg.pulses.size_px), cfg.pulses.max)
        self.hand = HandView(theme, theme.px(HAND_PX))
        self.hand_place: tuple[pygame.Surface, tuple[int, int]] | None = None  # set per frame
        size = layout.size
        theme.size = size
        self.setup(net, side)
        # the texts each layer drew (tests check them: in bounds, no overlaps, size, contrast)
        self.static_text: list[TextBox] = []
        self.composed_text: list[TextBox] = []
        self.overlay_text: list[TextBox] = []
        self.static = pygame.Surface(size)
        self.build_static()
        self.composed = self.static.copy()
        # teacher overlays go over everything, canvas and pulses included
        self.overlay = pygame.Surface(size, pygame.SRCALPHA)
        self.overlay_rects: list[pygame.Rect] = []
        self.lines: list[Lines] = []
        self.dynamic = self.areas()
        self.full_redraw = True  # the next frame paints everything
        self._pending: list[pygame.Rect] = []  # areas to repaint on the next frame
        self._pulse_boxes = np.zeros((0, 4), np.int64)  # where pulses were last frame
        self._hand: list[pygame.Rect] = []  # where the writing hand was

    def setup(self, net, side: int) -> None:
        """The parts that show the network (a CNN's or the comparison's scene has others)."""
        layout, theme = self.layout, self.theme
        self.wiring = Wiring(net, layout, self.cfg.network.background_lines)
        self.preview = PreviewView(theme, layout.picture_rect, side)
        self.network = NetworkView(theme, self.wiring)
        self.bars = answer_view(theme, layout)

    def areas(self) -> list[pygame.Rect]:
        """Where the snapshot draws: the bars, the title, the picture, the wiring and neurons."""
        layout, theme, r = self.layout, self.theme, self.rects
        pts = np.vstack(layout.pos[1:])
        reach = max(layout.radius[1:]) * 1.6 + theme.px(6)
        net_area = pygame.Rect(pts[:, 0].min() - reach, pts[:, 1].min() - reach,
                               pts[:, 0].max() - pts[:, 0].min() + 2 * reach,
                               pts[:, 1].max() - pts[:, 1].min() + 2 * reach)
        pic = layout.picture_rect
        self.pic_area = pic.inflate(6, 6)  # the 28x28 picture and its frame
        # where its lines start (left of the picture when mirrored)
        net_area.union_ip(pygame.Rect(pic.x - 4 if layout.mirror else pic.right + 3, pic.y, 1, pic.h))
        if net_area.colliderect(self.pic_area):  # a layout where they meet: always both at once
            self.pic_area = self.pic_area.union(net_area)
            net_area = self.pic_area
        # merged where they overlap (a dial's digits are the network's outputs): no area is
        # repainted twice, and each is repainted only when what paints in it changes
        named = [("pic", self.pic_area), ("net", net_area), ("bars", r["bars"]), ("title", r["title"])]
        others = [self.pic_area, r["bars"], r["title"]]
        self._strips: dict[str, tuple[str, int]] = {}
        edge = float(self.wiring.from_picture(layout.pos[0][:1])[0, 0]) if len(layout.pos[0]) else 0.0
        strips = None if net_area.collidelist(others) >= 0 else net_strips(layout, edge, net_area, reach)
        if strips:  # a wave reaches one column at a time: only its strips are painted again
            named[1:2] = [(f"net:{kind}{l}", rect) for rect, kind, l in strips]
            self._strips = {f"net:{kind}{l}": (kind, l) for _, kind, l in strips}
        self.parts = group(named)
        self._keys: dict[tuple[str, ...], tuple] = {}
        self._texts: dict[tuple[str, ...], list[TextBox]] = {}
        self._last: tuple | None = None  # compose's arguments, for compose_picture
        self._title_ink: list[pygame.Rect] | None = None  # where the title's text is (None: unknown)
        return [rect for rect, _ in self.parts]

    def elements(self) -> list[tuple[pygame.Rect, str]]:
        """What text must never cover, in this scene."""
        return self.layout.elements()

    def background_signs(self) -> bytes:
        """The signs of the faint wiring's weights (its colours), to notice when they change."""
        net = self.wiring.net
        return b"".join((net.weights[l][src, dst] > 0).tobytes()
                        for l, (src, dst) in enumerate(self.wiring.background))

    def follow(self, net) -> bool:
        """New weights for the same network (live learning): the static layer is redrawn when
        the faint wiring's colours changed; True then (everything is repainted)."""
        self.wiring.net = net
        if self.background_signs() == self._signs:
            return False
        self.build_static()
        self.composed.blit(self.static, (0, 0))
        self._keys = {}  # every area of the composed layer is painted again
        self._title_ink = None
        self.invalidate()
        return True

    def build_static(self) -> None:
        s, th, r = self.static, self.theme, self.rects
        self._signs = self.background_signs()
        th.record = self.static_text = []
        s.fill(th.c["background"])
        for name in ("preview", "network", "bars"):
            panel(s, th, r[name])
        for name, key in (("preview", "sees"), ("network", "network"), ("bars", "probabilities")):
            th.put(s, self.say(key), BODY, "muted", "panel", "caption", r[name], bold=True,
                   width=r[name].w - th.px(16), midtop=(r[name].centerx, r[name].y + th.px(12)))
        self.network.draw_static(s, self._column_caption, r["network"],
                                 lambda k, n: self.say("shown_of", shown=k, total=n))
        self.buttons.draw(s, self.say("clear"))
        th.record = None

    def _column_caption(self, l: int, n: int) -> str:
        return self.say("outputs") if l == n else self.say("hidden_layer", n=l)

    def compose(self, picture: Snapshot, layers: list[Snapshot], lines: list[Lines], title: str,
                sure: bool, masks=None, shown: list[np.ndarray] | None = None) -> None:
        """Redraw what depends on the readings, over a clean copy of the static layer:
        ``picture`` for the 28x28 preview (at once), ``layers[l]`` for layer l (as its wave
        arrives; the last one drives the bars and the answer); ``shown``: per layer, the
        neurons in view (wide layers show a subset). Only the areas whose inputs changed are
        painted again (a wave reaches the columns one by one), each clipped to its area."""
        out = layers[-1]
        top = out.digit if sure else None
        acts = [None if s.forward is None else s.forward.columns[l] for l, s in enumerate(layers)]
        joined = lambda arrays: None if arrays is None else b"|".join(  # noqa: E731
            np.ascontiguousarray(a).tobytes() for a in arrays)
        keys = {"pic": (id(picture),),
                "net": (tuple(id(s) for s in layers), tuple(id(ln) for ln in lines), top,
                        joined(masks), joined(shown)),
                "bars": (id(out), sure), "title": (title,)}
        if self._strips:
            into = {ln.layer: id(ln) for ln in lines}
            last = len(layers) - 1
            common = (joined(masks), joined(shown),
                      tuple(id(s) for s in layers) if shown is None else None)  # subset: all
            for name, (kind, l) in self._strips.items():
                keys[name] = ((into.get(l),) if kind == "G" else
                              (into.get(l), into.get(l + 1), id(layers[l]) if l else None,
                               top if l == last else None) + common)
        # the objects behind the ids above stay alive while their ids are compared
        self._last = (picture, layers, lines, title, sure, masks, shown)
        c, th = self.composed, self.theme
        network = lambda: self.network.draw_snapshot(c, acts, lines, top, masks, shown)  # noqa: E731
        paint = {"pic": lambda: self.preview.draw(c, picture), "net": network,
                 "bars": lambda: self.bars.draw(c, out if not out.empty else None, sure),
                 "title": lambda: self.title.draw(c, title)}
        paint.update({name: network for name in self._strips})
        self.lines = lines
        runs: list[tuple[pygame.Rect, list[str], list[tuple[tuple[str, ...], tuple]]]] = []
        for rect, names in self.parts:
            key = tuple(keys[n] for n in names)
            group = tuple(names)
            if self._keys.get(group) == key:
                continue
            self._keys.pop(group, None)  # painted again next time if painting it fails
            prev = runs[-1] if runs else None
            if (prev is not None and group[0] in self._strips and prev[1][0] in self._strips
                    and prev[0].right == rect.left and prev[0].y == rect.y and prev[0].h == rect.h):
                prev[0].union_ip(rect)  # side by side strips of the network: painted at once
                prev[2].append((group, key))
            else:
                runs.append((pygame.Rect(rect), list(names), [(group, key)]))
        cleared = []
        for rect, names, groups in runs:
            for group, _ in groups:
                self._texts[group] = []
            th.record = self._texts[groups[0][0]]
            # the title is a line of text in a wide strip: cleared only where its text was
            sparse = names == ["title"]
            clear = self._title_ink if sparse and self._title_ink is not None else [rect]
            if sparse:
                self._title_ink = None  # unknown, should painting fail
            c.set_clip(rect)
            try:
                for r in clear:
                    c.blit(self.static, r, r)
                th.painted = [] if sparse else None
                for n in names:
                    paint[n]()
                ink = [r.clip(rect) for r in th.painted or ()]
            finally:
                th.painted = None
                c.set_clip(None)
            if sparse:
                self._title_ink = [r for r in ink if r.w and r.h]
            cleared += clear + (self._title_ink if sparse else [])
            self._keys.update(groups)
        th.record = None
        self.composed_text = [t for _, names in self.parts
                              for t in self._texts.get(tuple(names), [])]
        self._pending += cleared
        self._keep_answer(cleared)

    def compose_picture(self, picture: Snapshot) -> None:
        """Only the 28x28 picture changed (a new reading whose wave has not left yet): redraw
        just its area (with whatever shares it in this layout)."""
        if picture.digit is not None:  # the answer this reading's wave will bring
            self.answer.prepare("?" if picture.unsure else str(picture.digit))
        if getattr(self, "_last", None) is not None:  # (a CNN's scene keeps no arguments)
            self.compose(picture, *self._last[1:])
            return
        self.composed.blit(self.static, self.pic_area, self.pic_area)
        self.preview.draw(self.composed, picture)
        self._pending.append(self.pic_area)
        self._keep_answer([self.pic_area])

    def _keep_answer(self, cleared: list[pygame.Rect]) -> None:
        """Areas just cleared to the static layer may reach into the answer region (merged
        areas do, in some layouts): paint the answer again over them, as a full redraw would."""
        if self.answer_look is not None and self.rects["answer"].collidelist(cleared) >= 0:
            self.compose_answer(self.answer_look)

    def compose_answer(self, look: Look) -> None:
        """Paint the answer region again (a new answer, or the next step of its glow)."""
        self.answer_look = look
        self.theme.record = self.answer_text = []
        self.repaint(self.rects["answer"], lambda surf: self.answer.draw(surf, look))
        self.theme.record = None

    def repaint(self, rect: pygame.Rect, paint: Callable[[pygame.Surface], None]) -> None:
        """Redraw one area of the composed layer: the static layer, then ``paint`` over it."""
        self.composed.blit(self.static, rect, rect)
        paint(self.composed)
        self._pending.append(pygame.Rect(rect))

    def set_overlay(self, draw: Callable[[pygame.Surface], list[pygame.Rect]]) -> None:
        """Replace the teacher overlay with what ``draw`` paints (it returns the rects used)."""
        for r in self.overlay_rects:
            self.overlay.fill((0, 0, 0, 0), r)
        self._pending += self.overlay_rects
        bounds = self.overlay.get_rect()
        self.theme.record = self.overlay_text = []
        drawn = draw(self.overlay)
        self.theme.record = None
        rects = [pygame.Rect(r).inflate(8, 8).clip(bounds) for r in drawn]
        # exactly what was drawn (a prompt's outline leaves the canvas's middle clear)
        self.overlay_rects = separate([r for r in rects if r.w and r.h])
        self._pending += self.overlay_rects

    def draw(self, surface: pygame.Surface, drawing: Drawing, sample=None, sample_id=None
             ) -> list[pygame.Rect]:
        """One frame onto ``surface``, which must hold the previous frame; returns the areas
        painted (empty when nothing changed)."""
        canvas_dirty = self.canvas.sync(drawing, sample, sample_id)
        cr = self.canvas.rect
        sprites, boxes = self.pulses.placements()
        boxes = np.asarray(boxes, np.int64).reshape(-1, 4)
        # where pulses were and are: one cover for both, so no area is painted twice
        pulse_rects = cover(np.concatenate([self._pulse_boxes, boxes]), surface.get_rect())
        self._pulse_boxes = boxes
        if self.hand_place is not None:
            sprites.append(self.hand_place)
            hand = pygame.Rect(self.hand_place[1], self.hand_place[0].get_size())
            pulse_rects += [hand] + self._hand
            self._hand = [hand]
        else:
            pulse_rects += self._hand
            self._hand = []
        bounds = surface.get_rect()
        if self.full_redraw:
            areas = [bounds]
        else:
            areas = self._pending + pulse_rects
            if canvas_dirty is not None:
                areas.append(canvas_dirty.move(cr.topleft))
            # each pixel once: overlapping areas (a cleared canvas under the prompt, pulses in
            # a recomposed network) would be copied and blended again and again
            areas = separate([a.clip(bounds) for a in areas])
        quiet = not self.full_redraw and not self._pending  # no layer was painted for it
        self.full_redraw = False
        self._pending = []
        if quiet:  # the answer's glyphs (one a frame) and the bars' texts, ahead of need
            bars = getattr(self, "bars", None)  # (a comparison has its own)
            self.answer.prepare() or (hasattr(bars, "prepare") and bars.prepare())
        if not areas:
            return []
        canvas = self.canvas.surface  # opaque and the canvas's size: nothing shows through it
        for r in areas:
            clip = r.clip(cr)
            if clip.w and clip.h:
                if self.canvas.blank:  # the same pixels, written without reading them
                    surface.fill(self.theme.c["canvas"], clip)
                else:
                    surface.blit(canvas, clip, clip.move(-cr.x, -cr.y))
                for part in minus(r, clip):
                    surface.blit(self.composed, part, part)
            else:
                surface.blit(self.composed, r, r)
        surface.fblits(sprites)
        # the overlay over what changed under it (the rest of it is on screen already)
        for o in self.overlay_rects:
            for i in o.collidelistall(areas):
                part = o.clip(areas[i])
                surface.blit(self.overlay, part, part)
        return areas

    def invalidate(self) -> None:
        """Paint everything on the next frame (a new display surface, or after an error); the
        next compose paints every area of the composed layer again."""
        self.full_redraw = True
        if hasattr(self, "_keys"):
            self._keys = {}
            self._title_ink = None

    @property
    def text_boxes(self) -> list[TextBox]:
        """Every text on screen now, in the order painted."""
        return self.static_text + self.composed_text + self.answer_text + self.overlay_text

    @property
    def connections_drawn(self) -> int:
        return sum(len(ln.strength) for ln in self.lines)
