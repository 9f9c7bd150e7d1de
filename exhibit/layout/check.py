"""The layout check of check-config and a reload: every region against what its views need,
at every supported screen shape, measured by the layouts the views draw with (issue 23)."""
from __future__ import annotations

from exhibit.config import Config, ConfigError
from exhibit.layout.cnn import layout_for
from exhibit.layout.regions import SCREEN_SHAPES, orientation


def check_layout(cfg: Config, models: dict | None = None) -> None:
    """Raise ConfigError (one line, naming the key) when a region is too small for its views at
    any of :data:`SCREEN_SHAPES`, for any shipped network (M reaches them all), measured by the
    layouts the views draw with. ``models``: name -> LoadedModel (default: the shipped ones)."""
    for name, (net, side) in _shapes(models).items():
        for size in SCREEN_SHAPES:
            lay = layout_for(cfg, size, net, side)
            for region_name, what in lay.cramped.items():
                o = orientation(cfg, size)
                raise ConfigError(f"layout.{o}.{region_name}: too small at {size[0]}x{size[1]} "
                                  f"for the {name} network: needs {what}")


_SHAPES: dict = {}


def _shapes(models: dict | None) -> dict:
    """name -> (net, side) of every shipped network (loaded once per process)."""
    if models is not None:
        return {n: (m.net, m.spec.side) for n, m in models.items()}
    if not _SHAPES:
        from exhibit.model.store import MODEL_NAMES, load_model
        for n in MODEL_NAMES:
            m = load_model(n)
            _SHAPES[n] = (m.net, m.spec.side)
    return _SHAPES
