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
    """The cached kernels of the imported ``sim`` modules, each once (some modules re-export
    others' kernels)."""
    from numba.core.registry import CPUDispatcher

    found: dict[int, object] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "sim" or name.startswith("sim.")):
            continue
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and getattr(value, "_cache", None) is not None:
                found.setdefault(id(value), value)
    return list(found.values())


def _cached(kernel: object) -> bool | None:
    """Whether numba's cache can serve ``kernel`` (None: numba keeps no index file for it)."""
    cache_file = getattr(kernel._cache, "_cache_file", None)
    if cache_file is None:  # a cache numba keeps elsewhere or disabled: nothing to say
        return None
    try:
        return bool(cache_file._load_index())  # empty: no index, or one for other source
    except Exception:  # noqa: BLE001 - an unreadable index is recompiled by numba too
        return False


def uncached_kernels() -> list[str]:
    """The names of the imported kernels that numba's cache cannot serve (no index on disk, or
    one written for other source)."""
    return [f"{k.py_func.__module__}.{k.py_func.__name__}" for k in _kernels()
            if _cached(k) is False]


def cold() -> bool:
    """Whether numba's cache holds none of the imported kernels: the state after install or
    upgrade (new source files), when a run compiles the kernels it uses first. Once any run has
    filled the cache this is False; a kernel first used later (another strategy's, say) is then
    compiled without a word, in a few seconds. Stops at the first cached kernel."""
    kernels = _kernels()
    return bool(kernels) and not any(_cached(k) is not False for k in kernels)
