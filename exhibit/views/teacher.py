"""What the teacher's keys and the failsafe put over the screen, drawn from the exhibit's state:
the paused badge, the step-through highlight and its line with the real numbers, the explain
captions, a neuron's card, the help card, badges for centring and ablation, and operator
messages. Reads state only; every number shown comes from the snapshot and the weights.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from exhibit.state.modes import Mode
from exhibit.views import cnncard, design, hand, operator, overlays, prompt, talkback
from exhibit.views.scene import Scene
from exhibit.views.theme import Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState


def overlay_key(ex: "ScreenState") -> tuple:
    """Everything the overlay depends on: when this is unchanged, the overlay is too."""
    return (ex.mode, ex.stage, ex.show_help, ex.show_explain, ex.ablating, ex.centring, ex.detail,
            ex.comparing,
            ex.lang, ex.model_name, id(ex.snapshot), tuple(m.tobytes() for m in ex.masks),
            None if ex.message is None else ex.message[0], ex.inviting, operator.key(ex),
            prompt.shown(ex), talkback.key(ex), design.card_key(ex))


def act_suffix(ex: "ScreenState") -> str:
    """The strings' suffix for the network's activation ("" for ReLU, the shipped networks')."""
    act = getattr(ex.recognizer.model.net, "activation", "relu")
    return "" if act == "relu" else f"_{act}"


def occupied(scene: Scene) -> list[pygame.Rect]:
    """What overlay notes must not cover: the labelled elements and every text already there."""
    return [r for r, _ in scene.elements()] + [b.rect for b in scene.static_text
                                                      + scene.composed_text + scene.answer_text]


def draw(surf: pygame.Surface, th: Theme, scene: Scene, ex: "ScreenState") -> list[pygame.Rect]:
    """Paint the overlay for this state onto ``surf``; returns the rects painted."""
    r, say, out = scene.rects, ex.say, []
    busy = occupied(scene)
    talk = talkback.draw(surf, th, scene, ex)  # the talk region first: notes keep clear of it
    out += talk
    busy += talk
    if ex.mode == Mode.FROZEN:  # first, so that it stays put while the steps change
        out.append(overlays.badge(surf, th, say("paused"), r["title"], busy))
    if ex.mode == Mode.FROZEN and ex.stage is not None and not ex.comparing:
        out += stage(surf, th, scene, ex, busy)
    if not ex.centring:
        out.append(overlays.badge(surf, th, say("centring_off"), scene.layout.picture_rect, busy,
                                  colour="negative"))
    if ex.ablating and not ex.comparing:
        off = int(sum((m == 0).sum() for m in ex.masks))
        out.append(overlays.badge(surf, th, say("ablation_on", off=off), r["network"], busy,
                                  colour="positive"))
    if prompt.shown(ex):
        out += prompt.draw(surf, th, r["canvas"], say("canvas_prompt"))
    if ex.inviting:
        out.append(hand.invitation(surf, th, r["canvas"], say("your_turn")))
    if ex.show_explain and (ex.comparing or ex.is_cnn):  # no free space: a card over the canvas
        keys = (["explain_compare"] if ex.comparing else
                ["explain_preview", "explain_maps",
                 "explain_unsure" if ex.snapshot.unsure else "explain_bars"])
        out.append(overlays.explain_card(surf, th, r["canvas"], [say(k) for k in keys]))
    elif ex.show_explain:
        # the canvas's note last: it has room above the canvas when the middle is full
        for target, key in ((scene.layout.picture_rect, "explain_preview"),
                            (scene.layout.answer_rect,
                             "explain_unsure" if ex.snapshot.unsure else "explain_bars"),
                            (scene.layout.inner_network, "explain_network" + act_suffix(ex)),
                            (r["canvas"], "explain_canvas")):
            out += overlays.note(surf, th, say(key), target, busy, "explain",
                                 above=key == "explain_canvas")
    if ex.message is not None:
        out += overlays.note(surf, th, ex.message[0], r["buttons"], busy, "message",
                             edge="negative", line_to=False)
    if ex.detail is not None and ex.snapshot.forward is not None and not ex.comparing:
        out += (cnncard.card if ex.is_cnn else neuron)(surf, th, scene, ex)
    if ex.design.designing:  # over the canvas; the help and the panel still come above it
        out.append(design.draw_card(surf, th, scene.layout, ex))
    if ex.show_help:
        lines = say("help_keys", model=ex.model_name,
                    centring=say("on" if ex.centring else "off")).split("|")
        out.append(overlays.help_card(surf, th, say("help_title"), lines))
    out += operator.draw(surf, th, scene.layout, ex)
    return out


def stage(surf: pygame.Surface, th: Theme, scene: Scene, ex: "ScreenState",
          busy: list[pygame.Rect]) -> list[pygame.Rect]:
    """The step-through: which part of the network this step is, and its real numbers."""
    lay, s, say = scene.layout, ex.snapshot, ex.say
    kind, layer = ex.stages()[ex.stage]
    k = ex.stage + 1
    if s.empty:
        return overlays.note(surf, th, say("step_empty"), scene.rects["canvas"], busy, "step")
    fwd, net = s.forward, ex.recognizer.model.net
    out = []
    if kind == "pixels":
        target = lay.picture_rect.inflate(th.px(16), th.px(16))
        pic = fwd.activations[0]
        text = say("step_pixels", n=pic.size, inked=int((pic > 0.05).sum()))
    else:
        col = lay.pos[layer]
        pad = lay.radius[layer] * (1.4 if kind == "conv" else 2)
        target = pygame.Rect(col[:, 0].min() - pad, col[:, 1].min() - pad,
                             col[:, 0].max() - col[:, 0].min() + 2 * pad,
                             col[:, 1].max() - col[:, 1].min() + 2 * pad)
        if kind == "conv":
            a = fwd.columns[layer]
            text = say(f"step_conv{layer}", k=k, maps=a.shape[-1], active=int((a > 0).sum()),
                       total=a.size)
        elif kind in ("sum", "scores"):
            z, biases = cnncard.layer_z(net, fwd, layer)
            j = int(z.argmax())
            b = float(biases[j])
            slot = lay.slot_of(ex.shown(), layer, j)
            if slot is not None:
                x, y = col[slot]
                out.append(pygame.draw.circle(surf, th.c["answer"], (x, y), lay.radius[layer] * 1.8,
                                              width=max(3, th.px(4))))
            # w·a = z - b; no-break spaces: a formula breaks only before an "="
            formula = f"{z[j] - b:.2f}\u00a0+\u00a0({b:.2f}) =\u00a0{z[j]:.2f}"
            if kind == "sum":
                text = say("step_sum", k=k, layer=layer, neuron=j + 1, z=formula)
            else:
                text = say("step_scores", k=k, digit=j, z=formula)
        elif kind in ("relu", "sigmoid", "tanh"):  # the network's activation
            a = fwd.columns[layer].reshape(-1)
            above = 0.5 if kind == "sigmoid" else 0.0  # a sigmoid is never 0: "on" past its middle
            text = say(f"step_{kind}", k=k, layer=layer, active=int((a > above).sum()),
                       total=a.size)
        else:
            target = scene.layout.answer_rect
            p = fwd.probs.reshape(-1)
            text = say("step_softmax", k=k, p=f"{p.max():.3f}", digit=int(p.argmax()))
    out.append(overlays.highlight(surf, th, target))
    if ex.is_cnn:  # its panels leave no room beside them; the canvas waits while frozen
        out.append(overlays.explain_card(surf, th, scene.rects["canvas"], [text], "step"))
    else:
        out += overlays.note(surf, th, text, target, busy, "step", edge="answer")
    return out


def neuron(surf: pygame.Surface, th: Theme, scene: Scene, ex: "ScreenState") -> list[pygame.Rect]:
    """A hidden neuron's card (its incoming weights, weights x this input, its z and a) over the
    canvas, and a ring on the neuron itself."""
    layer, j = ex.detail
    net, fwd, lay = ex.recognizer.model.net, ex.snapshot.forward, scene.layout
    w_in = net.weights[layer - 1][:, j]
    a_prev = fwd.activations[layer - 1].reshape(-1)
    z = float(fwd.zs[layer - 1].reshape(-1)[j])
    a = float(fwd.activations[layer].reshape(-1)[j])
    out = []
    slot = lay.slot_of(ex.shown(), layer, j)
    if slot is not None:
        x, y = lay.pos[layer][slot]
        out.append(pygame.draw.circle(surf, th.c["answer"], (x, y), lay.radius[layer] * 1.9,
                                      width=max(3, th.px(5))))
    card = lay.canvas.inflate(-th.px(10), -th.px(10))
    out.append(overlays.neuron_card(
        surf, th, card, ex.say("neuron_title", neuron=j + 1, layer=layer), w_in, w_in * a_prev,
        (ex.say("neuron_weights"), ex.say("neuron_product")),
        ex.say("neuron_values" + act_suffix(ex), z=f"{z:.2f}", a=f"{a:.2f}"),
        ex.recognizer.side if layer == 1 else None))
    return out
