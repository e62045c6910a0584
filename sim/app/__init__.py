"""The what-if dashboard: two scenarios (A, the plan now; B, the what-if) side by side.

``sim.app.state`` holds the logic (controls -> Hydra overrides -> composed config -> models on one
shared graph and seed; stepping; KPI differences; the ``womsim`` command of each scenario) in plain
Python, without any UI. ``sim.app.views`` draws matplotlib figures from it. ``sim.app.page`` is
the Solara page built on Mesa's SolaraViz components, and ``python -m sim.app`` (``womsim-app``)
serves it on 127.0.0.1, offline (``sim.app.offline``). Only the page needs the ``viz`` extra.
"""
