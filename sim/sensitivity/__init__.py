"""Global sensitivity analysis of womsim with SALib (``womsim-sensitivity``; docs/sensitivity.md).

One module per role: ``study`` (the study file: parameters, distributions, metrics, method),
``evaluate`` (one sample: a womsim run or a test function), ``execute`` (the samples in parallel
processes, resumable), ``analysis`` (SALib's sampling and indices as one table), ``plots``
(tornado charts, the importance heatmap), ``report`` (the files and the page), ``pipeline``
(one study from file to report) and ``functions`` (test functions with known indices).
"""
