"""``womsim-optimize``: multi-objective search over strategy mixes, with the winners confirmed on
fresh seeds (docs/optimisation.md).

One module per role:

- :mod:`~sim.optimize.space`: the search space from YAML, its checks, the plan of a point;
- :mod:`~sim.optimize.objectives`: metrics as objectives, their directions from the catalog;
- :mod:`~sim.optimize.evaluate`: a plan run on K seeds (:func:`sim.run.run`), the space
  checked against the composed configs, a plan's ``womsim`` command;
- :mod:`~sim.optimize.study`: the Optuna study (storage, sampler, batches, the budget
  constraint, resuming), the top plans;
- :mod:`~sim.optimize.confirm`: the top plans and the baseline on fresh seeds, paired intervals;
- :mod:`~sim.optimize.outputs`: trials.parquet, pareto.png, importance.png, top_plans.md/.csv;
- :mod:`~sim.optimize.optimiser`: all of it in one call (:func:`optimise`);
- :mod:`~sim.optimize.__main__`: the command.
"""
