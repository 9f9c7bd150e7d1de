"""Settings: the declarative table of keys (schema) and YAML loading with validation (load)."""
from exhibit.config.load import Config, ConfigError, load
from exhibit.config.schema import KEYS, TABLE, Key

__all__ = ["Config", "ConfigError", "load", "KEYS", "TABLE", "Key"]
