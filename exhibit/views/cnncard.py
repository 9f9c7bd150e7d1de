"""The card of a tapped feature map in the CNN's view: its kernel, its response to the drawing,
and the numbers behind them (teacher layer, while frozen)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pygame

from exhibit.model.cnn import CNN
from exhibit.views import overlays
from exhibit.views.cnnview import glow_rgb, image
from exhibit.views.scene import Scene
from exhibit.views.theme import BODY, HEAD, LABEL, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState


def kernel_of(net: CNN, layer: int, j: int) -> np.ndarray:
    """Map j's kernel as one signed picture: conv1's 5x5; conv2's 16 input slices of 5x5 in a
    4 x 4 mosaic with a zero line between them."""
    if layer == 1:
        return net.K1[0, :, :, j]
    k = net.K2[:, :, :, j]  # (C1, 5, 5)
    n = k.shape[0]
    cols = int(np.ceil(np.sqrt(n)))
    rows = -(-n // cols)
    s = k.shape[1]
    out = np.zeros((rows * (s + 1) - 1, cols * (s + 1) - 1), np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (s + 1):r * (s + 1) + s, c * (s + 1):c * (s + 1) + s] = k[i]
    return out


def response_of(ex_fwd, layer: int, j: int) -> np.ndarray:
    return (ex_fwd.a1 if layer == 1 else ex_fwd.a2)[..., j]


def card_rects(th: Theme, rect: pygame.Rect) -> tuple[pygame.Rect, pygame.Rect, int]:
    """Where a map card puts its two pictures (kernel, response) and its labels' top."""
    pad = th.px(24)
    inner = rect.w - 2 * pad
    lh = th.font(BODY).get_linesize()
    top = rect.y + pad + th.font(HEAD).get_linesize() * 2 + pad
    vals_h = th.font(LABEL).get_linesize()
    cell = max(8, min((inner - pad) // 2, rect.bottom - pad - vals_h - pad - top - 2 * lh - th.px(8)))
    # labels, pictures and a two-line values line, centred in the room under the title
    spare = rect.bottom - pad - top - (2 * lh + th.px(8) + cell + pad // 2 + 2 * vals_h)
    top += max(0, spare // 2)
    y = top + 2 * lh + th.px(8)
    half = (inner - pad) // 2
    a = pygame.Rect(0, y, cell, cell)
    b = pygame.Rect(0, y, cell, cell)
    a.centerx = rect.x + pad + half // 2
    b.centerx = rect.x + pad + half + pad + half // 2
    return a, b, top


def map_card(surface: pygame.Surface, th: Theme, rect: pygame.Rect, title: str,
             kernel: np.ndarray, response: np.ndarray, labels: tuple[str, str], values: str
             ) -> pygame.Rect:
    """A map's card: its kernel in signed colours (orange +, blue -) beside its response to
    this drawing (glowing as on its tile); an opaque card like the neuron card."""
    overlays.card(surface, th, rect, "answer")
    th.note(rect, "cover", "text", "background", None, 0)
    pad = th.px(24)
    inner = rect.w - 2 * pad
    th.put(surface, title, HEAD, "answer", "background", "card title", rect, bold=True,
           width=inner, midtop=(rect.centerx, rect.y + pad))
    k_rect, r_rect, top = card_rects(th, rect)
    half = (inner - pad) // 2
    for label, target in zip(labels, (k_rect, r_rect)):
        th.put(surface, label, BODY, "muted", "background", "card label", rect, width=half,
               midtop=(target.centerx, top))
    kern = overlays.heatmap(kernel, th, k_rect.w)
    surface.blit(kern, kern.get_rect(midtop=k_rect.midtop))
    side = response.shape[0]
    cells = max(1, r_rect.w // side) * side
    resp = image(glow_rgb(response, th, float(response.max())), (cells, cells))
    surface.blit(resp, resp.get_rect(midtop=r_rect.midtop))
    pygame.draw.rect(surface, th.c["muted"], resp.get_rect(midtop=r_rect.midtop).inflate(4, 4), 2)
    th.put(surface, values, LABEL, "text", "background", "card values", rect, bold=True,
           width=inner, midtop=(rect.centerx, k_rect.bottom + pad // 2))
    return rect


def card(surf: pygame.Surface, th: Theme, scene: Scene, ex: "ScreenState") -> list[pygame.Rect]:
    """The card of the map or unit the teacher opened, over the canvas, and a mark on it."""
    layer, j = ex.detail
    net, fwd, lay = ex.recognizer.model.net, ex.snapshot.forward, scene.layout
    out = []
    slot = lay.slot_of(ex.shown(), layer, j)
    box = lay.canvas.inflate(-th.px(10), -th.px(10))
    if slot is not None:
        if layer in lay.tiles:
            out.append(pygame.draw.rect(surf, th.c["answer"], lay.tiles[layer][slot].inflate(
                th.px(14), th.px(14)), width=max(3, th.px(4)), border_radius=th.px(6)))
        else:
            x, y = lay.pos[layer][slot]
            out.append(pygame.draw.circle(surf, th.c["answer"], (x, y), lay.radius[layer] * 1.9,
                                          width=max(3, th.px(5))))
    if layer in lay.tiles:
        resp = response_of(fwd, layer, j)
        n_in = net.channels[0]
        labels = (ex.say("map_kernel1") if layer == 1 else ex.say("map_kernel2", n=n_in),
                  ex.say("map_response"))
        values = ex.say("map_values", max=f"{float(resp.max()):.2f}", on=int((resp > 0).sum()),
                        n=resp.size)
        out.append(map_card(surf, th, box, ex.say("map_title", map=j + 1, layer=layer),
                            kernel_of(net, layer, j), resp, labels, values))
        return out
    w_in, a_prev = (net.W3[:, j], fwd.p2.reshape(-1)) if layer == 3 else (net.W4[:, j], fwd.a3)
    z = float((fwd.z3 if layer == 3 else fwd.z4)[j])
    a = float(fwd.columns[layer][j])
    out.append(overlays.neuron_card(
        surf, th, box, ex.say("neuron_title", neuron=j + 1, layer=layer), w_in, w_in * a_prev,
        (ex.say("neuron_weights"), ex.say("neuron_product")),
        ex.say("neuron_values", z=f"{z:.2f}", a=f"{a:.2f}"), None))
    return out


def layer_z(net, fwd, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """A dense column's z and biases (MLP or CNN)."""
    if isinstance(net, CNN):
        return (fwd.z3, net.b3) if layer == 3 else (fwd.z4, net.b4)
    return fwd.zs[layer - 1].reshape(-1), net.biases[layer - 1]
