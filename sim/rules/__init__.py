"""The model's rules: the word-of-mouth phases (vectorised and compiled), the levers strategies set,
counter-based random draws, and the canonical diffusion presets."""
