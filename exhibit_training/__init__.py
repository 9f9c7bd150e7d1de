"""Training: MNIST files, the training-data recipe for finger-drawn input, and the optimiser."""
