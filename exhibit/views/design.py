"""The design screen (issue 25): the design card over the canvas, the training box under the
preview, and the day's designs chart. Reads state only (``ex.design``, the day's tally); the
geometry is ``exhibit.layout.design``, which the state hit-tests with.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import pygame

from exhibit.layout import design as geo
from exhibit.layout.regions import Layout
from exhibit.views import learncurve
from exhibit.views.learncurve import fit
from exhibit.views.panels import panel
from exhibit.views.theme import BODY, LABEL, SMALLEST, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState

X_RANGE = (10 ** 3.6, 10 ** 6.1)  # parameters: 0 hidden (7,850) to the deep network (567,000)
Y_RANGE = (0.8, 1.0)  # accuracy; lower results sit on the bottom edge


def button(surf: pygame.Surface, th: Theme, r: pygame.Rect, label: str, kind: str,
           lit: bool = False, size: int = BODY) -> None:
    """A touch target with its label (shrunk to fit a long translation)."""
    pygame.draw.rect(surf, th.c["answer"] if lit else th.c["button"], r, border_radius=th.px(12))
    t = fit(th, label, size, r.w - th.px(12), "background" if lit else "text", bold=True)
    if t.get_width() > r.w - th.px(12):
        t = th.shrink(t, r.w - th.px(12))
    th.blit(surf, t, t.get_rect(center=r.center), kind)


def group(n: int, lang: str) -> str:
    """12 800 (a narrow no-break space between thousands; Japanese writes 12,800)."""
    return f"{n:,}" if lang == "ja" else f"{n:,}".replace(",", "\u202f")


def pct(a: float) -> str:
    return f"{100 * a:.1f}".rstrip("0").rstrip(".")


# --- the card ---------------------------------------------------------------------------------
def card_key(ex: "ScreenState") -> tuple | None:
    dm = ex.design
    if not dm.designing:
        return None
    return (dm.design, ex.lang, tuple((r["params"], r["accuracy"]) for r in ex.tally_today.designs),
            id(dm.last))


def draw_card(surf: pygame.Surface, th: Theme, layout: Layout, ex: "ScreenState") -> pygame.Rect:
    dm, say = ex.design, ex.say
    d = dm.design
    c = geo.card(layout, len(d.hidden))
    bg = th.c["background"]
    pygame.draw.rect(surf, bg, c.rect, border_radius=th.px(16))
    pygame.draw.rect(surf, th.c["muted"], c.rect, width=max(2, th.px(3)), border_radius=th.px(16))
    th.cover(surf, c.rect)
    t = fit(th, say("design_title"), LABEL, c.title.w, "text", bold=True)
    th.blit(surf, t, t.get_rect(midleft=c.title.midleft), "design title")
    for row in c.rows:
        layer = row.targets[0][0].split(".")[2] if row.heading == "design_neurons" else None
        head = fit(th, say(row.heading, layer=layer), SMALLEST, row.head.w, "muted")
        th.blit(surf, head, head.get_rect(midleft=row.head.midleft), "design heading")
        for name, r in row.targets:
            end = name.rsplit(".", 1)[1]
            if row.value is not None:
                button(surf, th, r, "−" if end == "minus" else "+", "design button", size=LABEL)
            else:
                key = "design_act_" if ".activation." in name else "design_rate_"
                lit = end in (d.activation, d.rate)
                button(surf, th, r, say(key + end), "design button", lit=lit)
        if row.value is not None:
            value = str(len(d.hidden)) if layer is None else str(d.hidden[int(layer) - 1])
            v = th.text(value, LABEL, "text", bold=True)
            th.blit(surf, v, v.get_rect(center=row.value.center), "design value")
    head = fit(th, say("design_chart"), SMALLEST, c.chart_head.w, "muted")
    th.blit(surf, head, head.get_rect(midleft=c.chart_head.midleft), "design heading")
    chart(surf, th, c.chart, ex.tally_today.designs, dm.references, dm.last, say)
    info = fit(th, say("design_params", params=group(d.params, ex.lang)), SMALLEST,
               c.info.w, "text")
    th.blit(surf, info, info.get_rect(midleft=c.info.midleft), "design info")
    for name, r in c.buttons:
        lit = name == "design.train"
        button(surf, th, r, say(name.replace(".", "_")), "design button", lit=lit)
    return c.rect


def chart(surf: pygame.Surface, th: Theme, r: pygame.Rect, designs: Sequence[dict],
          references: Sequence[tuple[str, int, float]], last: dict | None, say) -> None:
    """Each finished design of the day as a dot, size (parameters, log scale) against MNIST
    test accuracy; the shipped networks as labelled squares; the visitor's latest ringed."""
    axis = th.text("100%", SMALLEST, "muted")
    plot = pygame.Rect(r.x + axis.get_width() + th.px(8), r.y + th.px(6), 0, 0)
    plot.width = r.right - plot.x - th.px(6)
    foot = th.text(say("design_axis_x"), SMALLEST, "muted")
    plot.height = r.bottom - foot.get_height() - th.px(6) - plot.y
    if plot.w < th.px(60) or plot.h < th.px(60):
        return
    grid = th.c["panel"].lerp(th.c["muted"], 0.35)
    pygame.draw.rect(surf, th.c["panel"], plot)
    lo, hi = Y_RANGE

    def at(params: float, acc: float) -> tuple[float, float]:
        fx = (math.log10(max(params, 1)) - math.log10(X_RANGE[0])) / (
            math.log10(X_RANGE[1]) - math.log10(X_RANGE[0]))
        fy = (min(max(acc, lo), hi) - lo) / (hi - lo)
        return (plot.x + min(max(fx, 0.0), 1.0) * plot.w, plot.bottom - fy * plot.h)

    for level in (0.8, 0.9, 1.0):
        y = plot.bottom - (level - lo) / (hi - lo) * plot.h
        pygame.draw.line(surf, grid, (plot.x, y), (plot.right, y), max(1, th.px(1)))
        lab = th.text(f"{level * 100:.0f}%", SMALLEST, "muted")
        th.blit(surf, lab, lab.get_rect(midright=(plot.x - th.px(4), y)), "design axis")
    th.blit(surf, foot, foot.get_rect(midtop=(plot.centerx, plot.bottom + th.px(4))), "design axis")
    for n, name in ((10 ** 4, "10k"), (10 ** 5, "100k"), (10 ** 6, "1M")):  # log-scale ticks
        x, _ = at(n, lo)
        pygame.draw.line(surf, grid, (x, plot.y), (x, plot.bottom), max(1, th.px(1)))
        tick = th.text(name, SMALLEST, "muted")
        where = tick.get_rect(bottomleft=(x + th.px(4), plot.bottom - th.px(2)))
        if plot.contains(where):
            th.blit(surf, tick, where, "design axis")
    taken: list[pygame.Rect] = []
    for rec in designs:  # the labels keep clear of the dots too
        taken.append(pygame.draw.circle(surf, th.c["muted"], at(rec["params"], rec["accuracy"]),
                                        th.px(7)))
    groups: list[tuple[list[str], tuple[float, float]]] = []  # networks at one spot: one label
    for name, params, acc in references:
        x, y = at(params, acc)
        near = next((g for g in groups if math.dist(g[1], (x, y)) < th.px(16)), None)
        if near is not None:
            near[0].append(name)
            continue
        groups.append(([name], (x, y)))
        s = th.px(9)
        taken.append(pygame.draw.rect(surf, th.c["text"], (x - s, y - s, 2 * s, 2 * s),
                                      width=max(2, th.px(3))))
    for names, (x, y) in groups:
        place(surf, th, ", ".join(names), (x, y), th.px(9), plot, taken)
    if last is not None:
        x, y = at(last["params"], last["accuracy"])
        pygame.draw.circle(surf, th.c["answer"], (x, y), th.px(11))
        place(surf, th, f"{say('design_you')} {pct(last['accuracy'])}%", (x, y), th.px(11), plot,
              taken)
    if not designs:
        t = th.wrap(say("design_chart_empty"), SMALLEST, plot.w - th.px(16))
        y = plot.y + plot.h * 0.62
        for line in t:
            s = th.text(line, SMALLEST, "muted")
            th.blit(surf, s, s.get_rect(midtop=(plot.centerx, y)), "design empty")
            y += s.get_height()


def place(surf: pygame.Surface, th: Theme, text: str, at: tuple[float, float], gap: int,
          plot: pygame.Rect, taken: list[pygame.Rect]) -> None:
    """A point's label where it overlaps no earlier label and stays in the plot."""
    t = th.text(text, SMALLEST, "text")
    x, y = at
    g = gap + th.px(4)
    for where in ({"midleft": (x + g, y)}, {"midright": (x - g, y)}, {"midtop": (x, y + g)},
                  {"midbottom": (x, y - g)}, {"topleft": (x + g, y + g)},
                  {"bottomleft": (x + g, y - g)}):
        r = t.get_rect(**where)
        if plot.contains(r) and r.collidelist(taken) < 0:
            break
    else:  # crowded: the nearest free place above or below, beside the point
        h = t.get_height()
        spots = [t.get_rect(**{side: (x + sx * g, y + dy * h)}).clamp(plot)
                 for dy in (1, -1, 2, -2, 3, -3, 4, -4)
                 for side, sx in (("midleft", 1), ("midright", -1))]
        r = next((c for c in spots if c.collidelist(taken) < 0), spots[0])
    taken.append(r)
    ex, ey = min(max(x, r.left), r.right), min(max(y, r.top), r.bottom)  # the nearest edge
    if math.dist((x, y), (ex, ey)) > 2 * g:  # far from its point: a leader line says whose
        pygame.draw.line(surf, th.c["muted"], (x, y), (ex, ey), max(1, th.px(2)))
    th.blit(surf, t, r, "design label")


# --- the box (while designing, it takes the place of watch it learn's curve) ------------------
def box_rect(ex: "ScreenState") -> pygame.Rect | None:
    if ex.design.on:
        b = geo.box(ex.layout)
        return None if b is None else b.rect
    return learncurve.box_rect(ex.layout)


def box_key(ex: "ScreenState") -> tuple | None:
    dm = ex.design
    if not dm.on:
        return learncurve.key(ex)
    ref = dm.reference
    return ("design", dm.phase, dm.designing, ex.lang, dm.curve, dm.seen // 100, dm.loss,
            dm.message, dm.final, None if ref is None else (ref.digit, ref.unsure,
                                                            round(ref.confidence, 2)),
            len(ex.tally_today.designs))


def draw_box(surf: pygame.Surface, th: Theme, layout: Layout, ex: "ScreenState") -> None:
    dm = ex.design
    if not dm.on:
        return learncurve.draw(surf, th, layout, ex)
    b = geo.box(layout)
    if b is None:
        return
    say = ex.say
    panel(surf, th, b.rect)
    s = f"{dm.seconds:.0f}"
    head = (say(dm.message) if dm.message else
            say("design_done", pct=pct(dm.final or 0.0), s=s) if dm.phase == "done" else
            say("design_paused", s=s) if dm.phase == "paused" else
            say("design_training", s=s, limit=f"{dm.limit:.0f}") if dm.phase == "training" else
            say("design_ready"))
    lines = th.wrap(head, SMALLEST, b.head.w, bold=True) if dm.message else [head]
    y = b.head.y
    for line in lines[:2]:
        t = fit(th, line, BODY, b.head.w, "text", bold=True)
        th.blit(surf, t, t.get_rect(midtop=(b.head.centerx, y)), "design head")
        y += t.get_height()
    c = b.counters
    top = max(c.y, y)
    if dm.curve:
        acc = th.text(say("design_acc", pct=pct(dm.curve[-1][1])), LABEL, "text", bold=True)
    else:
        acc = th.text(say("design_acc", pct="–"), LABEL, "muted", bold=True)
    th.blit(surf, acc, acc.get_rect(midtop=(c.centerx, top)), "design counter")
    loss = "–" if dm.loss is None or not math.isfinite(dm.loss) else f"{dm.loss:.2f}"
    more = f"{say('design_seen', seen=group(dm.seen, ex.lang))} · {say('design_loss', loss=loss)}"
    m = fit(th, more, SMALLEST, c.w, "muted")
    th.blit(surf, m, m.get_rect(midtop=(c.centerx, top + acc.get_height())), "design counter")
    plot = b.plot
    if dm.phase == "done":
        chart(surf, th, plot, ex.tally_today.designs, dm.references, dm.last, say)
    else:
        axis_w = th.text("100%", SMALLEST, "muted").get_width() + th.px(8)
        inner = pygame.Rect(plot.x + axis_w, plot.y + th.px(8), plot.w - axis_w,
                            plot.h - th.px(16))
        if inner.h > th.px(30):
            learncurve.chart(surf, th, inner, dm.curve)
    ref = dm.reference
    if ref is not None:
        answer = "?" if ref.unsure or ref.digit is None else f"{ref.digit} ({ref.confidence:.0%})"
        t = fit(th, say("design_reference", answer=answer), SMALLEST, b.reference.w, "text")
        th.blit(surf, t, t.get_rect(center=b.reference.center), "design reference")
    labels = {"design.pause": say("design_pause") if dm.phase == "training" else
              say("design_run") if dm.phase == "paused" else say("design_start"),
              "design.step": say("design_step"), "design.reset": say("design_reset"),
              "design.edit": say("design_edit")}
    for name, r in b.buttons:
        button(surf, th, r, labels[name], "design button")
