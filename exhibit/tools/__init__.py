"""Developer tools that drive the exhibit from outside: screenshots of every state."""
