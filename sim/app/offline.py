"""Serve the dashboard offline: Solara's assets from the local proxy, no calls home.

Solara loads its JavaScript and CSS through its *assets proxy* (``/_solara/cdn/...``), which
serves files from ``solara.server.settings.assets.proxy_cache_dir``; the ``solara-assets``
package fills that directory, so nothing has to come from a CDN. Three more settings keep the
server on the machine:

- ``SOLARA_ASSETS_PROXY=True``: the page asks the server, never a CDN, for assets;
- ``SOLARA_ASSETS_CDN``: where the proxy would fetch an asset it does not have; pointed at a
  scheme no HTTP client can open, a missing asset is a local 404 instead of a download;
- ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False``: no usage statistics sent;
- ``SOLARA_THEME_SHOW_BANNER=False``: no "runs on Solara" link over the page's corner.

``womsim-app`` also runs solara with ``--production`` (no check page loaded from solara.dev) and
``--no-check-version`` (no version query to the package index).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: where the assets proxy would fetch missing files: nowhere
OFFLINE_CDN = "offline-no-cdn://solara-assets/"

OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_ASSETS_CDN": OFFLINE_CDN,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # not a request, but a link to solara.dev pinned over the page's bottom-right corner
    "SOLARA_THEME_SHOW_BANNER": "False",
}


def offline_environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` plus :data:`OFFLINE_ENV` (values already in ``env`` are kept)."""
    out = dict(env)
    for key, value in OFFLINE_ENV.items():
        out.setdefault(key, value)
    return out


def apply_offline_settings() -> None:
    """Apply :data:`OFFLINE_ENV` to solara's settings after solara was imported (as under a
    plain ``solara run sim/app/page.py``), unless the environment says otherwise."""
    import solara.server.settings
    import solara.settings

    if "SOLARA_TELEMETRY_MIXPANEL_ENABLE" not in os.environ:
        solara.server.settings.telemetry.mixpanel_enable = False
    if "SOLARA_ASSETS_CDN" not in os.environ and solara.settings.assets.proxy:
        solara.settings.assets.cdn = OFFLINE_CDN
    if "SOLARA_THEME_SHOW_BANNER" not in os.environ:
        solara.server.settings.theme.show_banner = False


def assets_problem() -> str | None:
    """Why the page could not load offline (``None`` when it can): solara or solara-assets
    missing, or the assets directory without Solara's app bundle."""
    try:
        import solara  # noqa: F401
    except ImportError:
        return "solara is not installed"
    try:
        import solara_assets  # noqa: F401
    except ImportError:
        return "solara-assets (Solara's offline assets) is not installed"
    import solara.server.settings

    cache = Path(solara.server.settings.assets.proxy_cache_dir)
    if not any(cache.glob("@widgetti/solara-vuetify-app@*")):
        return f"Solara's assets are missing from {cache}"
    return None
