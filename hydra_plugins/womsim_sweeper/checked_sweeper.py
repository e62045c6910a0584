"""Hydra's basic sweeper, without composing every job a second time when ``womsim`` has
already checked them.

Before launching a batch, Hydra's basic sweeper composes the config of every job, one after the
other in the launching process, to fail early (about 0.1 s a job here: 20 s of a 200-run sweep
before the first job starts). The ``womsim`` command checks every job of a sweep against its
composed config before Hydra starts (``sim.cli.check_command``) and says so in
:data:`CHECKED_ENV`; then this sweeper skips Hydra's repeat of it. Without that mark (a config
of the user's own, or Hydra called some other way) it validates as the basic sweeper does.
Jobs are split, ordered and launched exactly as the basic sweeper does them.
"""

# no ``from __future__ import annotations``: Hydra's plugin scan executes this module without
# registering it in sys.modules, where dataclasses look up string annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore

#: set by the ``womsim`` command once it has checked every job of the sweep it starts
CHECKED_ENV = "WOMSIM_JOBS_CHECKED"


@dataclass
class CheckedSweeperConf(BasicSweeperConf):
    """The basic sweeper's settings (``max_batch_size``, ``params``)."""

    _target_: str = "hydra_plugins.womsim_sweeper.checked_sweeper.CheckedSweeper"


class CheckedSweeper(BasicSweeper):
    """:class:`BasicSweeper` that trusts the ``womsim`` command's check of every job."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose every job of ``batch`` (Hydra's check) unless ``womsim`` checked them."""
        if os.environ.get(CHECKED_ENV) == "1":
            return
        super().validate_batch_is_legal(batch)


ConfigStore.instance().store(group="hydra/sweeper", name="womsim", node=CheckedSweeperConf,
                             provider="womsim")
