"""Settings: the declarative table of keys (schema) and YAML loading with validation (load)."""
from exhibit.config.load import Config, ConfigError, load
from exhibit.config.schema import SETTINGS, TABLE, Setting

__all__ = ["Config", "ConfigError", "load", "SETTINGS", "TABLE", "Setting"]
