"""Developer and technician tools that drive the exhibit from outside: benchmarks, the soak test, verify, screenshots of every state (shots)."""
