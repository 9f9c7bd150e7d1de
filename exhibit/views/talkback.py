"""Talk-back on screen (issue 24), in the talk region (``layout.<orientation>.talk``): the
question "Was I right?" and its two buttons, the ten digits of "Which did you mean?", fool me,
teach it and its before/after bars, the day's tally and the invitations of attract mode, the
teacher's digit-by-digit tally, and, in the explain and step views, "What would make it a ...?"
with its faint overlay on the 28x28 picture (the input gradient of that digit's score).

Part of the overlay; reads the state only (``ex.talk_view`` says what the region shows, and
:mod:`exhibit.layout.talk` where its buttons are: the same rects the state hit-tests).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pygame

from exhibit.layout import talk as geo
from exhibit.views.theme import BODY, LABEL, SMALLEST, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState
    from exhibit.views.scene import Scene

WHATIF_ALPHA = 120  # the overlay's strongest pixel: faint, the picture stays readable


def mnist_pct(ex: "ScreenState") -> int:
    acc = ex.recognizer.model.manifest.get("mnist_test_accuracy")
    return round(100 * float(acc)) if isinstance(acc, (int, float)) else 0


def key(ex: "ScreenState") -> tuple:
    """Everything the talk region's drawing depends on."""
    v = ex.talk_view
    if v is None:
        return ()
    t = ex.talk
    taught = None if t.taught is None else (t.taught.meant, t.taught.before.tobytes(),
                                           t.taught.after.tobytes())
    tally = ex.tally_today
    return (v, t.whatif, t.result, taught, t.corrected, tuple(tally.right), tuple(tally.answered),
            ex.lang, ex.model_name, id(ex.snapshot) if v.family == "whatif" else 0)


def lines(ex: "ScreenState", what: str) -> list[str]:
    """The texts of a text panel, or the one line above a panel's buttons."""
    say, t = ex.say, ex.talk
    if what == "tally":
        right, total = ex.tally_today.total
        if not total:
            return [say("tally_none", mnist=mnist_pct(ex))]
        return [say("tally_line", right=right, total=total, pct=round(100 * right / total),
                    mnist=mnist_pct(ex))]
    if what == "per_digit":
        tl = ex.tally_today
        cells = [f"{d}: {tl.right[d]}/{tl.answered[d]}" for d in range(10)]
        return [say("per_digit_title"), "  ".join(cells[:5]), "  ".join(cells[5:])]
    if what in ("fooled", "not_fooled", "fool_draw"):
        kind, hint, n = t.result
        return [say(kind, n=n), say(hint)]
    if what == "teaching":
        return [say("teaching", digit=t.job_for[1] if t.job_for else 0)]
    if what == "teach":
        return [say("teach_line", digit=t.corrected[1])]
    if what == "whatif":
        return [say("whatif_line") if t.whatif is None else say("whatif_note", digit=t.whatif)]
    return [say(what)]


def fit(th: Theme, texts: list[str], width: int, height: int, size: int = BODY
        ) -> tuple[int, list[list[str]]]:
    """The largest size (down to the smallest allowed) at which the texts wrap into the box."""
    while True:
        wrapped = [th.wrap(s, size, width) for s in texts]
        lh = th.font(size).get_linesize()
        if sum(len(w) for w in wrapped) * lh <= height or size <= SMALLEST:
            return size, wrapped
        size -= 2


def button(surf: pygame.Surface, th: Theme, r: pygame.Rect, label: str, colour: str = "button",
           picked: bool = False) -> pygame.Rect:
    pygame.draw.rect(surf, th.c[colour], r, border_radius=th.px(12))
    if picked:
        pygame.draw.rect(surf, th.c["answer"], r, width=max(3, th.px(5)), border_radius=th.px(12))
    size = LABEL
    while th.font(size, True).size(label)[0] > r.w - th.px(16) and size > SMALLEST:
        size -= 2
    th.put(surf, label, size, "text", th.c[colour], "talk button", r, bold=True,
           width=r.w - th.px(12), center=r.center)
    return r


def draw(surf: pygame.Surface, th: Theme, scene: "Scene", ex: "ScreenState") -> list[pygame.Rect]:
    """Paint the talk region (and the what-if overlay); returns the rects painted."""
    v = ex.talk_view
    if v is None:
        return []
    lay, say = scene.layout, ex.say
    region = geo.region(lay)
    p = geo.panel(lay, v.kind)
    out = [pygame.Rect(region)]
    pad = th.px(6)
    if v.kind == "text":
        if v.say == "after":
            return out + before_after(surf, th, region, ex)
        texts = lines(ex, v.say)
        size, wrapped = fit(th, texts, region.w - 2 * pad, region.h - 2 * pad)
        lh = th.font(size).get_linesize()
        y = region.y + max(pad, (region.h - lh * sum(len(w) for w in wrapped)) // 2)
        for i, w in enumerate(wrapped):
            colour = "answer" if v.say == "fooled" and i == 0 else "text"
            for line in w:
                th.put(surf, line, size, colour, "background", "talk", region,
                       bold=i == 0 and v.say in ("fooled", "not_fooled", "fool_draw"),
                       midtop=(region.centerx, y))
                y += lh
        return out
    line = lines(ex, v.say)[0]
    size, _ = fit(th, [line], p.line.w, p.line.h, LABEL)
    th.put(surf, line, size, "text", "background", "talk", region, width=p.line.w,
           center=p.line.center)
    if v.kind == "two":
        button(surf, th, p.buttons[0], say("talk_yes"), "button")
        button(surf, th, p.buttons[1], say("talk_no"), "button")
    elif v.kind == "one":
        label = say("fool_button") if v.family == "fool" else say("teach_button",
                                                                  digit=ex.talk.corrected[1])
        button(surf, th, p.buttons[0], label)
    else:
        for d, r in enumerate(p.buttons):
            button(surf, th, r, str(d), picked=v.family == "whatif" and ex.talk.whatif == d)
    if v.family == "whatif" and ex.talk.whatif is not None:
        out += whatif(surf, th, scene, ex)
    return out


def before_after(surf: pygame.Surface, th: Theme, region: pygame.Rect, ex: "ScreenState"
                 ) -> list[pygame.Rect]:
    """Two bars for the digit meant: the shipped network's probability, and the taught copy's."""
    t = ex.talk.taught
    say = ex.say
    pad = th.px(6)
    head = say("teach_after", digit=t.meant)
    size, wrapped = fit(th, [head], region.w - 2 * pad, th.font(BODY).get_linesize() * 2)
    lh = th.font(size).get_linesize()
    y = region.y + pad
    for line in wrapped[0]:
        th.put(surf, line, size, "text", "background", "talk", region, midtop=(region.centerx, y))
        y += lh
    rows = [(say("teach_before"), float(t.before[t.meant]), "muted"),
            (say("teach_after_label"), float(t.after[t.meant]), "answer")]
    label_w = max(th.font(BODY).size(r[0])[0] for r in rows) + th.px(10)
    pct_w = th.font(BODY).size("100 %")[0] + th.px(10)
    bar_h = max(1, min(th.px(34), (region.bottom - y - pad) // 2 - th.px(6)))
    for name, p, colour in rows:
        row = pygame.Rect(region.x + pad, y + th.px(4), region.w - 2 * pad, bar_h)
        th.put(surf, name, BODY, "text", "background", "talk", region, midleft=(row.x, row.centery))
        track = pygame.Rect(row.x + label_w, row.y, max(1, row.w - label_w - pct_w), bar_h)
        pygame.draw.rect(surf, th.c["button"], track, border_radius=th.px(6))
        fill = pygame.Rect(track.x, track.y, max(1, round(track.w * p)), bar_h)
        pygame.draw.rect(surf, th.c[colour], fill, border_radius=th.px(6))
        th.put(surf, f"{round(100 * p)} %", BODY, "text", "background", "talk", region,
               midright=(row.right, row.centery))
        y = row.bottom + th.px(6)
    return [pygame.Rect(region)]


def gradient(ex: "ScreenState", digit: int) -> np.ndarray:
    s = ex.snapshot
    net = ex.recognizer.model.net
    return np.asarray(net.input_gradient(s.picture.reshape(-1), digit, ex.masks), np.float64)


def whatif(surf: pygame.Surface, th: Theme, scene: "Scene", ex: "ScreenState") -> list[pygame.Rect]:
    """A faint tint over the 28x28 picture: orange where more ink would raise the digit's score,
    blue where it would lower it (the talk region's line says so)."""
    d = ex.talk.whatif
    g = gradient(ex, d)
    side = g.shape[0]
    m = float(np.abs(g).max()) or 1.0
    a = np.clip(np.abs(g) / m, 0.0, 1.0) ** 0.7 * WHATIF_ALPHA
    rgba = np.zeros((side, side, 4), np.uint8)
    pos, neg = th.c["positive"], th.c["negative"]
    for c in range(3):
        rgba[..., c] = np.where(g > 0, pos[c], neg[c])
    rgba[..., 3] = a.astype(np.uint8)
    img = pygame.image.frombuffer(rgba.tobytes(), (side, side), "RGBA")
    pic = scene.layout.picture_rect
    surf.blit(pygame.transform.scale(img, pic.size), pic)
    return [pygame.Rect(pic)]
