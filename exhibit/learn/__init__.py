"""Watch it learn: live training in its own process (numpy only, never pygame)."""
