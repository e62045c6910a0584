"""womsim's Hydra sweeper (``hydra/sweeper=womsim``, the default of womsim's config)."""
