"""The networks: the MLP maths and verified weights on disk (numpy only)."""
from exhibit.model.mlp import MLP, Forward, softmax
from exhibit.model.store import LoadedModel, WeightsError, load, load_model

__all__ = ["MLP", "Forward", "softmax", "LoadedModel", "WeightsError", "load", "load_model"]
