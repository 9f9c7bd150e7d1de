"""Developer and technician tools: benchmarks, the soak test, verify, shots."""
