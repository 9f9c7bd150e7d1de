"""What the teacher's keys and the failsafe put over the screen, drawn from the exhibit's state:
the paused badge, the step-through highlight and its line with the real numbers, the explain
captions, a neuron's card, the help card, badges for centring and ablation, and operator
messages. Reads state only; every number shown comes from the snapshot and the weights.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from exhibit.app.modes import Mode
from exhibit.views import hand, operator, overlays
from exhibit.views.scene import Scene
from exhibit.views.theme import Theme

if TYPE_CHECKING:
    from exhibit.app.exhibit import Exhibit


def overlay_key(ex: "Exhibit") -> tuple:
    """Everything the overlay depends on: when this is unchanged, the overlay is too."""
    return (ex.mode, ex.stage, ex.show_help, ex.show_explain, ex.ablating, ex.centring, ex.detail,
            ex.lang, ex.model_name, id(ex.snapshot), tuple(m.tobytes() for m in ex.masks),
            None if ex.message is None else ex.message[0], ex.inviting, operator.key(ex))


def draw(surf: pygame.Surface, th: Theme, scene: Scene, ex: "Exhibit") -> list[pygame.Rect]:
    """Paint the overlay for this state onto ``surf``; returns the rects painted."""
    r, say, out = scene.rects, ex.say, []
    if ex.mode == Mode.FROZEN and ex.stage is not None:
        out += stage(surf, th, scene, ex)
    if ex.mode == Mode.FROZEN:
        out.append(overlays.badge(surf, th, say("paused"),
                                  (r["bars"].centerx, r["title"].bottom - th.px(40))))
    if not ex.centring:
        out.append(overlays.badge(surf, th, say("centring_off"),
                                  (r["preview"].centerx, r["preview"].bottom + th.px(8)),
                                  colour="negative"))
    if ex.ablating:
        off = int(sum((m == 0).sum() for m in ex.masks))
        out.append(overlays.badge(surf, th, say("ablation_on", off=off),
                                  (r["network"].centerx, r["network"].y + th.px(44)),
                                  colour="positive"))
    if ex.inviting:
        out.append(hand.invitation(surf, th, r["canvas"], say("your_turn")))
    if ex.show_explain:
        out += overlays.captions(surf, th, [
            (r["canvas"], say("explain_canvas")),
            (r["preview"], say("explain_preview")),
            (r["network"], say("explain_network")),
            (r["bars"], say("explain_bars")),
        ])
    if ex.detail is not None and ex.snapshot.forward is not None:
        out.append(neuron(surf, th, scene, ex))
    if ex.show_help:
        lines = say("help_keys", model=ex.model_name,
                    centring=say("on" if ex.centring else "off")).split("|")
        out.append(overlays.help_card(surf, th, say("help_title"), lines))
    if ex.message is not None:
        w, h = surf.get_size()
        rect = pygame.Rect(w // 20, h - th.px(170), w - w // 10, th.px(140))
        out.append(overlays.banner(surf, th, ex.message[0], rect))
    out += operator.draw(surf, th, scene.layout, ex)
    return out


def stage(surf: pygame.Surface, th: Theme, scene: Scene, ex: "Exhibit") -> list[pygame.Rect]:
    """The step-through: which part of the network this step is, and its real numbers."""
    lay, s, say = scene.layout, ex.snapshot, ex.say
    kind, layer = ex.stages()[ex.stage]
    k = ex.stage + 1
    banner_rect = scene.rects["title"]
    if s.empty:
        return [overlays.banner(surf, th, say("step_empty"), banner_rect)]
    fwd, net = s.forward, ex.recognizer.model.net
    out = []
    if kind == "pixels":
        out.append(overlays.highlight(surf, th, lay.picture_rect.inflate(th.px(16), th.px(16))))
        pic = fwd.activations[0]
        text = say("step_pixels", n=pic.size, inked=int((pic > 0.05).sum()))
    else:
        col = lay.pos[layer]
        pad = lay.radius[layer] * 2
        area = pygame.Rect(col[:, 0].min() - pad, col[:, 1].min() - pad,
                           col[:, 0].max() - col[:, 0].min() + 2 * pad,
                           col[:, 1].max() - col[:, 1].min() + 2 * pad)
        out.append(overlays.highlight(surf, th, area))
        z = fwd.zs[layer - 1].reshape(-1)
        if kind in ("sum", "scores"):
            j = int(z.argmax())
            b = float(net.biases[layer - 1][j])
            x, y = col[j]
            out.append(pygame.draw.circle(surf, th.c["neuron"], (x, y), lay.radius[layer] * 1.8,
                                          width=max(3, th.px(4))))
            formula = f"{z[j] - b:.2f} + ({b:.2f}) = {z[j]:.2f}"  # w·a = z - b
            if kind == "sum":
                text = say("step_sum", k=k, layer=layer, neuron=j + 1, z=formula)
            else:
                text = say("step_scores", k=k, digit=j, z=formula)
        elif kind == "relu":
            a = fwd.activations[layer].reshape(-1)
            text = say("step_relu", k=k, layer=layer, active=int((a > 0).sum()), total=a.size)
        else:
            out.append(overlays.highlight(surf, th, scene.rects["bars"]))
            p = fwd.probs.reshape(-1)
            text = say("step_softmax", k=k, p=f"{p.max():.3f}", digit=int(p.argmax()))
    out.append(overlays.banner(surf, th, text, banner_rect))
    return out


def neuron(surf: pygame.Surface, th: Theme, scene: Scene, ex: "Exhibit") -> pygame.Rect:
    """A hidden neuron's card: its incoming weights, weights x this input, its z and a."""
    layer, j = ex.detail
    net, fwd = ex.recognizer.model.net, ex.snapshot.forward
    w_in = net.weights[layer - 1][:, j]
    a_prev = fwd.activations[layer - 1].reshape(-1)
    z = float(fwd.zs[layer - 1].reshape(-1)[j])
    a = float(fwd.activations[layer].reshape(-1)[j])
    return overlays.neuron_card(surf, th, scene.layout.canvas.inflate(-th.px(10), 0),
                                ex.say("neuron_title", neuron=j + 1, layer=layer), w_in, w_in * a_prev,
                                (ex.say("neuron_weights"), ex.say("neuron_product")),
                                ex.say("neuron_values", z=f"{z:.2f}", a=f"{a:.2f}"))
