"""womsim: an agent-based word-of-mouth simulator for brands, strategies and loyalty."""

__version__ = "0.1.0"
