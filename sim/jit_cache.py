"""Whether numba's on-disk cache holds the simulation's compiled kernels, so that a run can say
before it starts that it will compile them first (10-20 s once after install or upgrade,
against well under a second to load them from the cache).

It inspects the kernels of the ``sim`` modules already imported and imports none itself.
"""

from __future__ import annotations

import sys

#: what a run prints before compiling
COMPILING = ("womsim: compiling the simulation's kernels; this happens once after install or "
             "upgrade (10-20 s), later runs load them from numba's cache")


def _kernels() -> list:
    from numba.core.registry import CPUDispatcher

    found = []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "sim" or name.startswith("sim.")):
            continue
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and getattr(value, "_cache", None) is not None:
                found.append(value)
    return found


def uncached_kernels() -> list[str]:
    """The names of the imported kernels that numba's cache cannot serve (no index on disk, or
    one written for other source)."""
    missing = []
    for kernel in _kernels():
        cache_file = getattr(kernel._cache, "_cache_file", None)
        if cache_file is None:  # a cache numba keeps elsewhere or disabled: nothing to say
            continue
        try:
            index = cache_file._load_index()
        except Exception:  # noqa: BLE001 - an unreadable index is recompiled by numba too
            index = {}
        if not index:
            missing.append(f"{kernel.py_func.__module__}.{kernel.py_func.__name__}")
    return missing


def cold() -> bool:
    """Whether numba's cache holds none of the imported kernels: the state after install or
    upgrade (new source files), when a run compiles the kernels it uses first. Once any run has
    filled the cache this is False; a kernel first used later (another strategy's, say) is then
    compiled without a word, in a few seconds."""
    kernels = _kernels()
    return bool(kernels) and len(uncached_kernels()) == len(kernels)
