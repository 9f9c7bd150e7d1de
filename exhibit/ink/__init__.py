"""Ink: strokes, their rendering, and the MNIST normalisation (numpy only, no pygame)."""
from exhibit.ink.normalize import InputSpec, preprocess, preprocess_many
from exhibit.ink.strokes import Strokes, fit_box, stroke_segments, transform

__all__ = ["InputSpec", "preprocess", "preprocess_many", "Strokes", "fit_box",
           "stroke_segments", "transform"]
