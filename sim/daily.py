"""DailyModel: the Mesa model base that every womsim model (word of mouth, presets) shares."""

from __future__ import annotations

import mesa


class DailyModel(mesa.Model):
    """A Mesa model stepped one day at a time, keeping one ``records`` row per day in ``t``."""

    t: int
    records: list[dict]

    def run(self, steps: int, progress=None) -> list[dict]:
        """Run ``steps`` days; ``progress(t)`` is called after each. Returns ``records``."""
        for _ in range(steps):
            self.step()
            if progress is not None:
                progress(self.t)
        return self.records
