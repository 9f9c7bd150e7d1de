"""The compare view (key V): the same drawing read by the explainer (a small MLP) and the CNN,
side by side, each with its answer and its ten bars, so that a teacher can show where they
disagree. Live while drawing: both readings change together, when a wave leaves (at most three
times a second). The canvas, the buttons and the title stay where they are; the two halves
take the place of the picture, the network and the bars. Each half shows the 28x28 picture its
network reads (the same picture: the difference is in the networks). Reads state only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from exhibit.recognize import Snapshot
from exhibit import strings
from exhibit.views.panels import BarsView, PreviewView, panel
from exhibit.views.scene import Scene
from exhibit.views.theme import BODY, HEAD, LABEL

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState

CAPTIONS = ("compare_mlp", "compare_cnn")  # one per network of exhibit.state.compare.COMPARED


def title(ex: "ScreenState") -> str:
    """Whether the two agree: 'Both say 7', 'They disagree', or the usual prompt and '?'."""
    pair = ex.compare_shown
    if not pair or all(s.empty for s in pair):
        return ex.say("draw_prompt")
    sure = [ex.sure(s) for s in pair]
    if all(sure) and len({s.digit for s in pair}) == 1:
        return ex.say("compare_agree", digit=pair[0].digit)
    if not any(sure):
        return ex.say("unsure")
    return ex.say("compare_disagree")


def answer(ex: "ScreenState", s: Snapshot) -> str | None:
    """One network's answer line, as the exhibit's title would say it (None: nothing drawn)."""
    if s.empty:
        return None
    return strings.answer(ex.lang, s.digit) if ex.sure(s) else ex.say("unsure")


class CompareScene(Scene):
    """Two panels side by side over the picture, network and bars regions: a caption naming
    the network, the picture it reads beside its answer, its bars."""

    def setup(self, net, side: int) -> None:
        r, th = self.rects, self.theme
        area = r["preview"].unionall([r["network"], r["bars"]])
        gap = th.px(20)
        w = (area.w - gap) // 2
        self.halves = [pygame.Rect(area.x + i * (w + gap), area.y, w, area.h) for i in range(2)]
        pad = th.px(18)
        cap_h = 2 * th.font(BODY).get_linesize()  # room for a two-line caption
        self.answer_y = [h.y + th.px(12) + cap_h + th.px(12) for h in self.halves]
        ans_h = th.font(HEAD).get_linesize() * 2
        # the picture, a square as tall as the two-line answer, at the left of the answer row
        self.pic_rects = [pygame.Rect(h.x + pad, y, ans_h, ans_h)
                          for h, y in zip(self.halves, self.answer_y)]
        self.previews = [PreviewView(th, p, 28) for p in self.pic_rects]
        # a free band under the answer row: room for a badge (PAUSED) when nothing else has any
        top = ans_h + th.font(LABEL).get_linesize() + th.px(56)
        self.bar_rects = [pygame.Rect(h.x + pad, y + top, h.w - 2 * pad, h.bottom - pad - (y + top))
                          for h, y in zip(self.halves, self.answer_y)]
        self.bar_views = [BarsView(th, b, h) for b, h in zip(self.bar_rects, self.halves)]
        self.pic_area = pygame.Rect(area.topleft, (1, 1))  # its pictures go with the answers

    def background_signs(self) -> bytes:
        return b""

    def follow(self, net) -> bool:
        return False

    def build_static(self) -> None:
        s, th = self.static, self.theme
        self._signs = b""
        th.record = self.static_text = []
        s.fill(th.c["background"])
        for half, key in zip(self.halves, CAPTIONS):
            panel(s, th, half)
            th.put(s, self.say(key), BODY, "muted", "panel", "caption", half, bold=True,
                   width=half.w - th.px(32), midtop=(half.centerx, half.y + th.px(12)))
        self.buttons.draw(s, self.say("clear"))
        th.record = None

    def areas(self) -> list[pygame.Rect]:
        return [self.rects["title"]] + [pygame.Rect(h.x, y, h.w, h.bottom - y)
                                        for h, y in zip(self.halves, self.answer_y)]

    def elements(self) -> list[tuple[pygame.Rect, str]]:
        lay = self.layout
        return ([(lay.canvas, "canvas"), (lay.clear_button, "button")]
                + [(b, "button") for b in lay.sample_buttons]
                + [(b, "bars") for b in self.bar_rects]
                + [(p.inflate(4, 4), "picture") for p in self.pic_rects])

    def compose_pair(self, snaps: list[Snapshot | None], answers: list[str | None],
                     sure: list[bool], title: str) -> None:
        """Redraw both answers and bar sets (``snaps[i]`` None or empty: dark bars) and the
        title."""
        c, th = self.composed, self.theme
        th.record = self.composed_text = []
        for r in self.dynamic:
            c.blit(self.static, r, r)
        for half, y, pic, preview, bars, snap, text, ok in zip(
                self.halves, self.answer_y, self.pic_rects, self.previews, self.bar_views, snaps,
                answers, sure):
            preview.draw(c, snap)
            if text is not None:  # beside the picture (the rest of the row is free for notes)
                left = pic.right + th.px(20)
                th.put(c, text, HEAD, "text" if ok else "muted", "panel", "compare answer", half,
                       bold=True, width=half.right - th.px(16) - left, align="left",
                       topleft=(left, y))
            bars.draw(c, snap if snap is not None and not snap.empty else None, ok)
        self.title.draw(c, title)
        th.record = None
        self._pending += self.dynamic


def compose(scene: CompareScene, ex: "ScreenState", line: str) -> None:
    pair = ex.compare_shown or (None, None)
    scene.compose_pair(list(pair), [None if s is None else answer(ex, s) for s in pair],
                       [s is not None and ex.sure(s) for s in pair], line)

