"""Reporting: summaries, plots and files built from result tables (never from a live model).

One module per role: ``collect`` reads a sweep directory into tables (``conditions`` names the
conditions from the overrides), ``stats`` computes intervals and paired differences, ``plan``
says which tables and figures a report has, ``figures`` and ``plots`` draw (``plot_x(df, *,
ax=None) -> Axes``), ``document`` assembles the report's blocks, ``render`` writes the figure
files, Markdown and HTML, ``summary`` prints a run's or a sweep's summary, and ``build`` runs the
stages in order. Names and number formats come from :mod:`sim.catalog`.
"""
