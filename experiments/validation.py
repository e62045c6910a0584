"""Regenerate the figures and figures quoted in docs/validation.md.

    python experiments/validation.py              # writes docs/validation/*.png, prints the gaps
    python experiments/validation.py --findings   # only the "Marketing findings" part

Each section of the first part simulates a preset and draws it against its theory; the printed
numbers are the measured gaps quoted in docs/validation.md. The "Marketing findings" part runs
the word-of-mouth model's default in the scenarios of tests/test_findings.py and prints the
figures of docs/validation.md's table. Takes a few minutes on a 2-core machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sim.config import (
    BassConfig,
    CompleteGraphConfig,
    ERGraphConfig,
    IndependentCascadeConfig,
    SIRConfig,
    config_for_graph,
)
from sim.diffusion import DiffusionModel
from sim.graphs import Graph, build_graph
from sim.rules.presets import IndependentCascade
from sim.streams import Streams
from sim.theory import (
    bass_recursion,
    bass_two_node,
    giant_component,
    sir_transmissibility,
    wom_as_si,
)

OUT = Path(__file__).resolve().parent.parent / "docs" / "validation"


def save(fig: Figure, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT / f"{name}.png", dpi=100)
    print(f"  wrote docs/validation/{name}.png")


def si_overrides(attention: float) -> list[str]:
    """``sim.theory.wom_as_si(attention)`` with no limit on a poster's audience (the SI
    reduction needs every tie read with the full ``attention``), unless it already says so."""
    overrides = wom_as_si(attention)
    if not any(o.startswith("model.audience=") for o in overrides):
        overrides.append("model.audience=null")
    return overrides


def curves(graph: Graph, cfg, seeds: range, steps: int) -> np.ndarray:
    return np.array([[r["reach"] for r in DiffusionModel(graph, cfg, seed=s).run(steps)]
                     for s in seeds])


def bass_complete() -> None:
    print("1. Bass on a complete graph (n = 5,000, 10 seeds) vs the discrete Bass recursion")
    graph = build_graph(CompleteGraphConfig(n=5000), Streams(0).get("graph"))
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    steps = 40
    for p, q in ((0.01, 0.3), (0.03, 0.6)):
        mean = curves(graph, BassConfig(p=p, q=q), range(10), steps).mean(axis=0)
        theory = bass_recursion(p, q, steps)
        print(f"   p={p}, q={q}: largest gap {np.abs(mean - theory).max():.4f}")
        ax.plot(theory, color="black", linewidth=1)
        ax.plot(mean, "o", markersize=3, label=f"simulated p={p}, q={q}")
    ax.plot([], [], color="black", linewidth=1, label="Bass recursion")
    ax.set(xlabel="day", ylabel="adopted fraction F(t)", title="Bass on a complete graph")
    ax.legend()
    save(fig, "bass_complete")


def bass_bounds() -> None:
    print("2. Bass on networks (n = 2,000, 5 seeds) between the two-node and complete curves")
    p, q, steps = 0.01, 0.4, 60
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    lower, upper = bass_two_node(p, q, steps), bass_recursion(p, q, steps)
    ax.fill_between(range(steps + 1), lower, upper, color="grey", alpha=0.2,
                    label="two-node .. complete graph")
    for kind in ("ba", "ws", "er", "sbm"):
        graph = build_graph(config_for_graph(kind, n=2000), Streams(0).get("graph"))
        mean = curves(graph, BassConfig(p=p, q=q), range(5), steps).mean(axis=0)
        inside = np.all(mean >= lower - 0.01) and np.all(mean <= upper + 0.01)
        print(f"   {kind}: within bounds (0.01 tolerance): {inside}")
        ax.plot(mean, label=kind)
    ax.set(xlabel="day", ylabel="adopted fraction", title=f"Bass p={p}, q={q} on networks")
    ax.legend()
    save(fig, "bass_bounds")


def ic_percolation() -> None:
    print("4. IC on Erdos-Renyi (n = 20,000, <k> = 10) vs bond percolation S = 1 - exp(-<k>pS)")
    graph = build_graph(ERGraphConfig(n=20_000, mean_degree=10.0), Streams(1).get("graph"))
    k = graph.nnz / graph.n
    ps = np.array([0.06, 0.1, 0.15, 0.2, 0.25, 0.3])
    rng = np.random.default_rng(5)
    prob, size = [], []
    for p in ps:
        sizes = []
        for _ in range(400):
            cascade = IndependentCascade(graph, IndependentCascadeConfig(p=float(p)), rng, rng)
            while cascade.step():
                pass
            sizes.append(cascade.ever.sum() / graph.n)
        sizes = np.array(sizes)
        large = sizes > 0.05
        prob.append(large.mean())
        size.append(sizes[large].mean() if large.any() else 0.0)
        print(f"   p={p}: P(large)={large.mean():.3f}, mean large size={size[-1]:.3f}, "
              f"theory S={giant_component(k * p):.3f}")
    grid = np.linspace(0.0, 0.32, 200)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(grid, [giant_component(k * p) for p in grid], color="black", label="S (theory)")
    ax.plot(ps, prob, "s", label="P(large outbreak), 400 runs")
    ax.plot(ps, size, "o", label="mean large outbreak size")
    ax.set(xlabel="edge probability p", ylabel="fraction", title="IC = bond percolation (ER)")
    ax.legend()
    save(fig, "ic_percolation")


def sir_final_size() -> None:
    print("5. SIR final size on Erdos-Renyi (n = 20,000, <k> = 10) vs z = 1 - exp(-<k>Tz)")
    graph = build_graph(ERGraphConfig(n=20_000, mean_degree=10.0), Streams(2).get("graph"))
    k = graph.nnz / graph.n
    gamma = 0.25
    betas = np.array([0.01, 0.02, 0.03, 0.05, 0.08, 0.12])
    sizes = []
    for beta in betas:
        finals = []
        for seed in range(40):
            model = DiffusionModel(graph, SIRConfig(beta=float(beta), gamma=gamma,
                                                    initial_infected=1), seed=seed)
            while model.t < 600 and (model.t == 0 or model.records[-1]["active"] > 0):
                model.step()
            finals.append(model.records[-1]["reach"])
        finals = np.array(finals)
        large = finals > 0.05
        sizes.append(finals[large].mean() if large.any() else finals.max())
        t = sir_transmissibility(beta, gamma)
        print(f"   beta={beta}: <k>T={k * t:.2f}, simulated {sizes[-1]:.3f}, "
              f"theory {giant_component(k * t):.3f}")
    grid = np.linspace(0.001, 0.13, 200)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(grid, [giant_component(k * sir_transmissibility(b, gamma)) for b in grid],
            color="black", label="z (theory)")
    ax.plot(betas, sizes, "o", label="mean large outbreak, 40 runs")
    ax.set(xlabel=f"beta (gamma = {gamma})", ylabel="final size", title="SIR final size (ER)")
    ax.legend()
    save(fig, "sir_final_size")


def ic_exact() -> None:
    print("3. IC Monte Carlo (4,000 cascades) vs exact live-edge enumeration")
    from sim.strategies.selectors import exact_ic_spread

    rng = np.random.default_rng(11)
    cases = [("triangle p=0.3", Graph.from_edges(3, np.array([0, 0, 1]), np.array([1, 2, 2])),
              0.3),
             ("star k=6 p=0.4", Graph.from_edges(7, np.zeros(6, dtype=int), np.arange(1, 7)),
              0.4)]
    for seed, (m, p) in enumerate(((10, 0.35), (12, 0.5), (9, 0.6)), start=1):
        pairs = np.array([(a, b) for a in range(8) for b in range(a + 1, 8)])
        chosen = np.random.default_rng(seed).choice(len(pairs), size=m, replace=False)
        cases.append((f"random 8 nodes, {m} ties, p={p}",
                      Graph.from_edges(8, pairs[chosen, 0], pairs[chosen, 1]), p))
    labels, exact, simulated, errors = [], [], [], []
    for label, graph, p in cases:
        sizes = []
        for _ in range(4000):
            cascade = IndependentCascade(graph, IndependentCascadeConfig(p=p, seed_ids=[0]),
                                         rng, rng)
            while cascade.step():
                pass
            sizes.append(cascade.ever.sum())
        sizes = np.array(sizes, dtype=float)
        labels.append(label)
        exact.append(exact_ic_spread(graph, np.array([0]), np.full(graph.nnz, p)))
        simulated.append(sizes.mean())
        errors.append(3 * sizes.std(ddof=1) / np.sqrt(sizes.size))
        print(f"   {label}: exact {exact[-1]:.4f}, simulated {simulated[-1]:.4f} "
              f"+- {errors[-1]:.4f} (3 SE)")
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(labels))
    ax.bar(x - 0.2, exact, width=0.4, label="exact (live-edge enumeration)")
    ax.bar(x + 0.2, simulated, width=0.4, yerr=errors, label="simulated (+- 3 SE)")
    ax.set_xticks(x, labels, rotation=20, ha="right", fontsize=8)
    ax.set(ylabel="expected spread from node 0", title="Independent cascade: exact values")
    ax.legend(fontsize=8)
    save(fig, "ic_exact")


def influence_maximisation() -> None:
    print("6. KOL selectors on BA(2,000, m=3): expected IC spread of 10 seeds (p = 0.05)")
    from sim.strategies.selectors import ic_spread, rank

    graph = build_graph(config_for_graph("ba", n=2000, m=3), Streams(0).get("graph"))
    prob = np.full(graph.nnz, 0.05)
    names, means, errs = [], [], []
    for selector in ("greedy", "degree", "pagerank", "kcore", "random", "fringe"):
        seeds = rank(graph, selector, np.random.default_rng(1), limit=10, edge_prob=prob,
                     samples=50_000)
        mean, se = ic_spread(graph, seeds, prob, np.random.default_rng(2), runs=5000)
        names.append(selector)
        means.append(mean)
        errs.append(3 * se)
        print(f"   {selector}: {mean:.1f} +- {3 * se:.1f}")
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(names, means, yerr=errs)
    ax.set(ylabel="expected spread (nodes)", title="Seed selection on a scale-free graph")
    save(fig, "influence_maximisation")


def wom_reduces_to_si() -> None:
    print("7. Word-of-mouth model reduced to SI vs the sir preset (gamma = 0), 40 seeds")
    from sim.compose import compose_config as make_config
    from sim.run import run
    common = ["graph=ws", "graph.n=1000", "graph.k=6", "steps=25"]
    wom = np.array([run(make_config(*common, *si_overrides(0.05), f"seed={s}"))
                    .timeseries["reach"] for s in range(40)])
    sir = np.array([run(make_config(*common, "model=sir", "model.beta=0.05", "model.gamma=0",
                                    "model.initial_infected=10", f"seed={s}"))
                    .timeseries["reach"] for s in range(40)])
    print(f"   largest gap of the mean curves: {np.abs(wom.mean(0) - sir.mean(0)).max():.4f}")
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for data, label in ((wom, "word-of-mouth model"), (sir, "sir preset, gamma = 0")):
        mean = data.mean(0)
        band = data.std(0)
        ax.plot(mean, label=label)
        ax.fill_between(range(mean.size), mean - band, mean + band, alpha=0.2)
    ax.set(xlabel="day", ylabel="reach", title="WOM model reduced to SI (mean +- sd)")
    ax.legend()
    save(fig, "wom_vs_si")


# ------------------------------------------------------------------------ marketing findings

#: the seeding scenario of tests/test_findings.py (Hinz et al. 2011)
SEEDING = ("graph=file", "graph.path=data/ca-HepTh-lcc.txt", "steps=45", "baseline=none",
           "output.plot=false", "output.summary=false")
SELECTORS = ("degree", "betweenness", "random", "fringe")


def seeding_gains(seeds: range) -> dict[str, list[float]]:
    """Per selector and seed: consumers won beyond the 20 KOLs themselves by day 45, as a
    fraction of all consumers, against the same seed without a strategy."""
    from sim.compose import compose_config
    from sim.run import run

    gains: dict[str, list[float]] = {selector: [] for selector in SELECTORS}
    for seed in seeds:
        without = run(compose_config(*SEEDING, f"seed={seed}")).model.state.ever_customer
        for selector in SELECTORS:
            model = run(compose_config(*SEEDING, "strategy=kol", "strategy.kol.k=20",
                                       f"strategy.kol.selector={selector}",
                                       f"seed={seed}")).model
            others = np.ones(model.graph.n, dtype=bool)
            others[model.strategies[0].kols] = False
            won = int(model.state.ever_customer[others].sum() - without[others].sum())
            gains[selector].append(won / model.graph.n)
    return gains


def findings_seeding() -> None:
    print("F1. Seeding (Hinz et al. 2011): ca-HepTh, 20 KOLs, gain at day 45, seeds 0-4")
    gains = seeding_gains(range(5))
    mean = {selector: float(np.mean(values)) for selector, values in gains.items()}
    for selector in SELECTORS:
        print(f"   {selector}: {mean[selector]:.4f}")
    print(f"   degree / random {mean['degree'] / mean['random']:.2f}, degree / fringe "
          f"{mean['degree'] / mean['fringe']:.2f}, betweenness / degree "
          f"{mean['betweenness'] / mean['degree']:.2f}")
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(SELECTORS, [mean[s] for s in SELECTORS],
           yerr=[np.std(gains[s], ddof=1) for s in SELECTORS])
    ax.set(ylabel="consumers won beyond the KOLs (fraction)",
           title="Seeding 20 KOLs on ca-HepTh, day 45 (mean, sd of 5 seeds)")
    save(fig, "findings_seeding")


def post_ratios(graph: tuple[str, ...], seeds: range) -> list[float]:
    """Positive / negative posts of the default model over 180 days, one per seed."""
    from sim.compose import compose_config
    from sim.run import run

    ratios = []
    for seed in seeds:
        m = run(compose_config(*graph, "baseline=none", "output.plot=false",
                               "output.summary=false", f"seed={seed}")).metrics
        ratios.append(m["positive_messages"] / max(1, m["negative_messages"]))
    return ratios


def findings_valence() -> None:
    print("F2. Positive vs negative WOM (East, Hammond & Wright 2007): posts over 180 days")
    ba = post_ratios(("graph.n=3000",), range(10))
    fb = post_ratios(("graph=file", "graph.path=data/facebook_combined.txt"), range(20))
    print(f"   BA n=3,000, seeds 0-9: median {np.median(ba):.2f} (runs {min(ba):.2f}-"
          f"{max(ba):.2f})")
    print(f"   facebook, seeds 0-19: median {np.median(fb):.2f}, lowest {min(fb):.2f}, runs "
          f"with positive <= negative: {sum(r <= 1 for r in fb)}")
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.boxplot([ba, fb], tick_labels=["BA n=3,000 (10 seeds)", "facebook (20 seeds)"])
    ax.axhline(3.0, color="black", linewidth=1, linestyle="--", label="East et al.: about 3")
    ax.axhline(1.0, color="grey", linewidth=1, label="as many negative as positive")
    ax.set(ylabel="positive / negative posts", title="Valence of word of mouth, defaults")
    ax.legend(fontsize=8)
    save(fig, "findings_valence")


#: a product failure for the whole horizon, the scenario of tests/test_findings.py
BAD_NEWS = ("baseline=none", "output.plot=false", "output.summary=false", "model.crisis.day=1",
            "model.crisis.duration=180")


def findings_bad_news() -> None:
    from sim.compose import compose_config
    from sim.run import run

    print("F4. The NPV of bad news (Goldenberg et al. 2007): a failure for the whole 180 days, "
          "seeds 0-4")
    shares = (0.02, 0.05, 0.10)
    loss: dict[float, list[float]] = {share: [] for share in shares}
    direct: dict[float, list[float]] = {share: [] for share in shares}
    for seed in range(5):
        ref = run(compose_config(*BAD_NEWS, "model.crisis.share=0", f"seed={seed}"))
        customers = int(ref.model.state.ever_customer.sum())
        for share in shares:
            result = run(compose_config(*BAD_NEWS, f"model.crisis.share={share}",
                                        f"seed={seed}"))
            loss[share].append(1 - result.metrics["npv"] / ref.metrics["npv"])
            direct[share].append(int(result.model.crisis.hit.sum()) / customers)
    for share in shares:
        print(f"   share {share:.2f}: NPV lost {np.mean(loss[share]):.3f}; the hit customers' "
              f"share of all customers {np.mean(direct[share]):.3f} (loss "
              f"{np.mean(loss[share]) / np.mean(direct[share]):.1f}x that)")
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    x = [100 * share for share in shares]
    ax.errorbar(x, [np.mean(loss[s]) for s in shares],
                yerr=[np.std(loss[s], ddof=1) for s in shares], marker="o", label="NPV lost")
    ax.plot(x, [np.mean(direct[s]) for s in shares], marker="s", color="grey",
            label="hit customers' share of customers (losing them all)")
    ax.set(xlabel="share of the market the product fails for (%)",
           ylabel="fraction of NPV (mean, sd of 5 seeds)",
           title="The NPV of bad news, default model, 180 days")
    ax.legend(fontsize=8)
    save(fig, "findings_bad_news")


#: the ties' part of the damage (tests/test_findings.py): a 2 % failure on 20,000 consumers with
#: one class of ties, or both, silenced (strength 1e-6), each against its own run at share 0
TIE_SETTINGS = {"default ties": (1.0, 0.3), "weak ties silenced": (1.0, 1e-6),
                "strong ties silenced": (1e-6, 0.3), "all ties silenced": (1e-6, 1e-6)}


def bad_news_run(seed: int, share: float, strong: float, weak: float) -> tuple[float, int]:
    """(NPV, consumers who ever bought) of the bad-news scenario on 20,000 consumers with
    strong and weak ties of the given strengths (the same ties, population and draws)."""
    from sim.compose import compose_config
    from sim.run import build_model
    from sim.value import run_value

    cfg = compose_config(*BAD_NEWS, "graph.n=20000", f"model.crisis.share={share}",
                         f"seed={seed}")
    graph = build_graph(cfg.graph, Streams(seed).get("graph"))
    weight = graph.edges()[2]
    model = build_model(cfg, graph=graph.with_edge_weights(np.where(weight == 1.0, strong,
                                                                    weak)))
    model.run(cfg.steps)
    npv = run_value(model.records, model.graph.n, cfg.value).npv
    return npv, int(model.state.ever_customer.sum())


def findings_bad_news_ties() -> None:
    print("F4b. The ties' part of the damage: a 2 % failure, 20,000 consumers, seeds 0-4")
    loss: dict[str, float] = {}
    lost: dict[str, float] = {}
    for name, (strong, weak) in TIE_SETTINGS.items():
        losses, losts = [], []
        for seed in range(5):
            (ref, customers), (hit, kept) = (bad_news_run(seed, share, strong, weak)
                                             for share in (0, 0.02))
            losses.append(1 - hit / ref)
            losts.append((customers - kept) / customers)
        loss[name], lost[name] = float(np.mean(losses)), float(np.mean(losts))
        print(f"   {name}: NPV lost {loss[name]:.3f}, customers never won "
              f"{lost[name]:.4f} of the customers")
    default = "default ties"
    print(f"   share of the customers lost carried by weak ties "
          f"{1 - lost['weak ties silenced'] / lost[default]:.2f}, by strong ties "
          f"{1 - lost['strong ties silenced'] / lost[default]:.2f}; of the NPV lost by weak ties "
          f"{1 - loss['weak ties silenced'] / loss[default]:.2f}, left without any ties "
          f"{loss['all ties silenced'] / loss[default]:.2f}")

#: the carryover scenario of tests/test_findings.py (Trusov, Bucklin & Pauwels 2009): the same
#: seed with and without one day of ads or of extra word of mouth on day 90 of 180
CARRYOVER_DAY = 90
CARRYOVER = ("graph.n=20000", "steps=180", "baseline=none")
SHOCKS = {
    "one day of ads (2.5 impressions a consumer)": (
        "strategy=ads", f"strategy.ads.start={CARRYOVER_DAY}",
        f"strategy.ads.end={CARRYOVER_DAY}", "strategy.ads.impressions_per_day=50000"),
    "one day of extra word of mouth (customers post x20)": (
        "strategy=ugc", f"strategy.ugc.start={CARRYOVER_DAY}", "strategy.ugc.duration=1",
        "strategy.ugc.talk_boost=20", "strategy.ugc.content_quality=1",
        "strategy.ugc.credibility=1", "strategy.ugc.winners=0"),
}


def daily_signups(*overrides: str) -> np.ndarray:
    """New customers on each day of the carryover scenario with ``overrides``."""
    from sim.compose import compose_config
    from sim.run import build_model

    cfg = compose_config(*CARRYOVER, *overrides)
    model = build_model(cfg)
    model.run(cfg.steps)
    adoption = np.array([row["adoption"] for row in model.records])
    return np.rint(np.diff(adoption) * model.graph.n)


def findings_carryover() -> None:
    print("F5. Carryover (Trusov, Bucklin & Pauwels 2009): excess sign-ups after a one-day shock "
          "on day 90, 20,000 consumers, seeds 0-4")
    excess: dict[str, list[np.ndarray]] = {name: [] for name in SHOCKS}
    for seed in range(5):
        without = daily_signups(f"seed={seed}")
        for name, shock in SHOCKS.items():
            excess[name].append((daily_signups(*shock, f"seed={seed}") - without)
                                [CARRYOVER_DAY - 1:])
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    for name, rows in excess.items():
        mean = np.mean(rows, axis=0)
        lag = np.arange(mean.size)
        share = np.cumsum(mean) / mean.sum()
        print(f"   {name}: {mean.sum():.1f} sign-ups, mean lag "
              f"{(lag * mean).sum() / mean.sum():.1f} days, half by day "
              f"{int(np.argmax(share >= 0.5))}, 90 % by day {int(np.argmax(share >= 0.9))}")
        ax.plot(lag, share, label=name)
    ax.set(xlabel="days since the shock", ylabel="share of its excess sign-ups (cumulative)",
           title="Carryover of one day's shock, 90 days (mean of 5 seeds)")
    ax.legend(fontsize=8)
    save(fig, "findings_carryover")


FINDINGS = (findings_seeding, findings_valence, findings_bad_news, findings_bad_news_ties,
            findings_carryover)
THEORY = (bass_complete, bass_bounds, ic_exact, ic_percolation, sir_final_size,
          influence_maximisation, wom_reduces_to_si)


def main(argv: list[str] | None = None) -> int:
    """Run every section (``--findings``: only the marketing findings; ``--help``: say
    so)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--help" in argv or "-h" in argv:
        print(__doc__.strip())
        return 0
    unknown = [a for a in argv if a != "--findings"]
    if unknown:
        print(f"validation.py: error: {unknown[0]} is not an option (allowed: --findings, "
              "--help)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    for section in (FINDINGS if argv else THEORY + FINDINGS):
        section()
    print(f"done in {time.perf_counter() - start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
