"""Support duration and repeat referrals (issue 16): coverage over many seeds, and the whole analysis on 1M episodes.

    .venv/bin/python benchmarks/duration_bench.py --coverage 100            # 100 seeds, planted effect and none
    .venv/bin/python benchmarks/duration_bench.py --episodes 1000000        # timing, beside lifelines' plain Cox
    .venv/bin/python benchmarks/duration_bench.py --bias 4 --episodes-each 1000000   # point estimate against truth
    .venv/bin/python benchmarks/duration_bench.py --bias 6 --weights true --amplified --episodes-each 300000

Coverage: for each seed, 3,000 simulated women (carehub.insight.duration.simulate, one episode each); does the
emulated trial's 95% interval contain the truth (the same women's potential outcomes under both strategies), and
does the naive end-of-support comparison's? With no planted effect, does the trial's interval contain zero?
Timing: the simulated extract is written to Parquet first (not timed); then `carehub duration run`'s work is timed
from Parquet to results in memory, bootstrap included, and lifelines' CoxPHFitter is timed alone on the rows of the
adjusted model (ended episodes, time from the end of support, band and confounders, no clustering), as lifelines
ships it (CoxPHFitter, not the analysis's lighter subclass), with its BLAS as shipped and on one thread, beside the
analysis's own `efron_fit` on the same rows; wall and CPU seconds for each.
Bias: for each seed, the trial's point estimate (no bootstrap) on many simulated women against their own truth; at
a million women the estimate's own noise is a tenth of a point, so a systematic error shows.
The machine is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from threadpoolctl import threadpool_limits

from carehub.insight.duration import analyse, load, load_spec
from carehub.insight.duration.analysis import after_end, band_of, naive
from carehub.insight.duration.cox import efron_fit
from carehub.insight.duration.data import design
from carehub.insight.duration.simulate import Planted, end_hazards, simulate
from carehub.insight.duration.trial import clone_arm, emulate, fit_censoring_model, weekly_risks
from carehub.insight.equality.backends import connect

AMPLIFIED = Planted(confounding=0.0, during_support=0.1, yearly_repeat_rate=0.5)


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def coverage(seeds: int, women: int) -> None:
    spec = load_spec()
    con = connect("duckdb")
    for label, planted in (("planted effect", Planted()), ("no effect", Planted(hazard_ratio=1.0, during_support=1.0))):
        trial_hits = naive_hits = 0
        errors = []
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as work:
            for seed in range(seeds):
                simulated = simulate(women, seed=seed, planted=planted)
                folder = simulated.write(Path(work) / str(seed))
                episodes = load(con, folder, spec, extract_date=simulated.extract_date)
                x, _ = design(episodes.covariates, spec)
                boot, _, _ = emulate(episodes, x, spec)
                difference = boot.replicates["26 weeks"] - boot.replicates["12 weeks"]
                low, high = np.percentile(difference, [2.5, 97.5])
                truth = simulated.truth["risk_difference"]
                trial_hits += low <= truth <= high
                errors.append(boot.estimate["26 weeks"] - boot.estimate["12 weeks"] - truth)
                n_low, n_high = naive(episodes, spec)["risk_difference"]["ci"]
                naive_hits += n_low <= truth <= n_high
        print(
            f"{label}: trial interval covers the truth in {trial_hits}/{seeds} seeds; naive in {naive_hits}/{seeds}; "
            f"mean error {np.mean(errors):+.4f}, sd {np.std(errors):.4f}; {time.perf_counter() - started:.0f} s; "
            f"load {load_average()}"
        )


def timing(episodes_n: int) -> None:
    spec = load_spec()
    with tempfile.TemporaryDirectory() as work:
        tick = time.perf_counter()
        simulated = simulate(episodes_n, seed=1)
        folder = simulated.write(Path(work))
        print(f"simulated and written {episodes_n:,} episodes in {time.perf_counter() - tick:.1f} s (not timed)")
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        tick = time.perf_counter()
        episodes = load(connect("duckdb"), folder, spec, extract_date=simulated.extract_date)
        loaded = time.perf_counter() - tick
        document = analyse(episodes, spec)
        total = time.perf_counter() - tick
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        print(f"whole analysis: {total:.1f} s wall ({used:.1f} s CPU), reading {loaded:.1f} s")
        print(f"  parts, wall: {document['seconds']}")
        print(f"  parts, CPU: {document['cpu_seconds']}")
        print(f"  load average {load_average()}; peak memory {after.ru_maxrss / 1024:.0f} MiB")
        print(f"  headline: {document['findings'][0]}")
        print(f"  truth: {simulated.truth}")
        ended, day, status = after_end(episodes)
        x, names = design(episodes.covariates, spec)
        bands = band_of(episodes.support_days, spec)[ended]
        xx = np.hstack([np.column_stack([(bands == b).astype(float) for b in (1, 2)]), x[ended]])
        frame = pd.DataFrame(xx, columns=["band 2", "band 3", *names])
        frame["_days"] = np.round(day[ended]).astype(np.int64)
        frame["_event"] = (status[ended] == 1).astype(np.int64)
        for label, threads in (("as shipped", None), ("one BLAS thread", 1)):
            cpu, tick = process_cpu(), time.perf_counter()
            with threadpool_limits(limits=threads, user_api="blas"):
                CoxPHFitter().fit(frame, "_days", "_event")
            print(
                f"lifelines CoxPHFitter alone ({label}) on the same {int(ended.sum()):,} rows: "
                f"{time.perf_counter() - tick:.1f} s wall, {process_cpu() - cpu:.1f} s CPU; load {load_average()}"
            )
        cpu, tick = process_cpu(), time.perf_counter()
        with threadpool_limits(limits=1, user_api="blas"):
            fit = efron_fit(frame["_days"].to_numpy(), frame["_event"].to_numpy(), xx, list(frame.columns[:-2]))
        print(
            f"efron_fit (the analysis's Cox, one BLAS thread) on the same rows: {time.perf_counter() - tick:.1f} s "
            f"wall, {process_cpu() - cpu:.1f} s CPU, {fit.iterations} Newton steps; load {load_average()}"
        )


WEIGHTS = ("fitted", "all", "true")


def bias(seeds: int, women: int, weights: list[str], planted: Planted, first_seed: int = 1) -> None:
    """Point estimates against the same women's truth, with the censoring model as shipped ("fitted": on
    `weight_model_episodes`), fitted on every episode ("all"), or the simulator's true hazards ("true": the rest of
    the estimator alone, without the weight model's noise, which at a million women is most of the noise left)."""
    spec = load_spec()
    con = connect("duckdb")
    errors = {(w, arm): [] for w in weights for arm in ("12 weeks", "26 weeks", "difference")}
    with tempfile.TemporaryDirectory() as work:
        for seed in range(first_seed, first_seed + seeds):
            simulated = simulate(women, seed=seed, planted=planted)
            folder = simulated.write(Path(work) / str(seed))
            episodes = load(con, folder, spec, extract_date=simulated.extract_date)
            x, _ = design(episodes.covariates, spec)
            truth = simulated.truth
            for kind in weights:
                if kind == "true":
                    hazard = end_hazards(episodes.covariates, planted, spec.long_weeks + spec.grace_weeks)
                else:
                    fit_on = spec if kind == "fitted" else replace(spec, weight_model_episodes=len(episodes))
                    hazard = fit_censoring_model(episodes, x, fit_on, np.random.default_rng(spec.seed)).hazard
                arms = [clone_arm(episodes, hazard, w, spec) for w in (spec.short_weeks, spec.long_weeks)]
                estimate = weekly_risks(arms, [episodes.person] * 2, spec.horizon_weeks, 1, spec.seed).estimate
                errors[kind, "12 weeks"].append(estimate["12 weeks"] - truth["risk_short"])
                errors[kind, "26 weeks"].append(estimate["26 weeks"] - truth["risk_long"])
                difference = estimate["26 weeks"] - estimate["12 weeks"]
                errors[kind, "difference"].append(difference - truth["risk_difference"])
                print(
                    f"seed {seed}, weights {kind}: truth {truth['risk_difference']:+.4f}; errors "
                    + ", ".join(f"{arm} {v[-1]:+.4f}" for (k, arm), v in errors.items() if k == kind)
                    + f"; load {load_average()}",
                    flush=True,
                )
    for (kind, arm), values in errors.items():
        sd = np.std(values, ddof=1) if len(values) > 1 else float("nan")
        print(
            f"weights {kind}, {arm}: mean error {np.mean(values):+.4f} (sd {sd:.4f}, "
            f"standard error of the mean {sd / np.sqrt(len(values)):.4f}) over {seeds} seeds"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coverage", type=int, default=0, metavar="SEEDS")
    parser.add_argument("--women", type=int, default=3000)
    parser.add_argument("--episodes", type=int, default=0)
    parser.add_argument("--bias", type=int, default=0, metavar="SEEDS")
    parser.add_argument("--episodes-each", type=int, default=1_000_000)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--weights", default="fitted,true", help=f"comma-separated, of {', '.join(WEIGHTS)}")
    parser.add_argument(
        "--amplified",
        action="store_true",
        help="no confounding, support 10 times protective, repeats 4 times as common: the grace week's error large",
    )
    args = parser.parse_args()
    if args.bias:
        planted = AMPLIFIED if args.amplified else Planted()
        bias(args.bias, args.episodes_each, args.weights.split(","), planted, args.first_seed)
    if args.coverage:
        coverage(args.coverage, args.women)
    if args.episodes:
        timing(args.episodes)


if __name__ == "__main__":
    main()
