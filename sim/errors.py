"""Errors that mean the user asked for something invalid (reported in one line, no traceback)."""


class UserError(ValueError):
    """Base class for mistakes in user input: bad config values, malformed files."""


class ConfigError(UserError):
    """A configuration value is out of its allowed range or inconsistent with another."""


class GraphFileError(UserError):
    """An edge-list file cannot be read; the message names the file, the line and the problem."""
