#!/usr/bin/python3
"""Reference for fit_bench: Epoch AI's Chinchilla refit method, re-implemented with scipy.

Besiroglu et al. 2024 ("Chinchilla Scaling: A replication attempt", repository
epoch-research/analyzing-chinchilla) fit L = E + A N^-alpha + B D^-beta to the 240 points below
the 5 highest losses by minimising the SUM over points of Huber(delta = 1e-3) of
log L - LSE(a - alpha log N, b - beta log D, e), with A = exp(a), B = exp(b), E = exp(e), from
every point of a 4,500-point grid of starts:
  alpha, beta in {0, 0.5, ..., 2}, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25},
keeping the best result. Here each start runs scipy.optimize.minimize(method="L-BFGS-B") with the
analytic gradient (Epoch used JAX's BFGS with autodiff gradients).

Usage: reference_epoch.py [--data FILE] [--every K]   (--every K: every K-th start, for a quick run)
Needs Debian's python3-numpy and python3-scipy (run with /usr/bin/python3).
"""
import argparse
import csv
import itertools
import os
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

DELTA = 1e-3


def load(path):
    n, d, loss = [], [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            size = float(row["Model Size"])
            n.append(size)
            d.append(float(row["Training FLOP"]) / (6.0 * size))
            loss.append(float(row["loss"]))
    n, d, loss = np.array(n), np.array(d), np.array(loss)
    keep = loss < np.sort(loss)[-5]  # Epoch: drop the 5 highest losses
    return n[keep], d[keep], loss[keep], len(loss)


def huber(r):
    a = np.abs(r)
    return np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA))


def objective_and_gradient(x, log_n, log_d, log_l):
    a, b, e, alpha, beta = x
    terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
    pred = logsumexp(terms, axis=0)
    r = pred - log_l
    weights = np.exp(terms - pred)  # softmax: d pred / d (term k)
    psi = np.clip(r, -DELTA, DELTA)
    grad = np.array([
        np.sum(psi * weights[0]),
        np.sum(psi * weights[1]),
        np.sum(psi * weights[2]),
        -np.sum(psi * weights[0] * log_n),
        -np.sum(psi * weights[1] * log_d),
    ])
    return float(np.sum(huber(r))), grad


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.environ.get("SCALECALC_EXTERNAL_DATA_DIR",
                             os.path.join(here, "..", "..", "shared", "data", "external"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(default, "chinchilla_epoch_svg_extracted.csv"))
    parser.add_argument("--every", type=int, default=1, help="use every K-th start")
    args = parser.parse_args()

    n, d, loss, total = load(args.data)
    log_n, log_d, log_l = np.log(n), np.log(d), np.log(loss)
    grid = list(itertools.product(
        np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5), np.arange(-1, 1.5, 0.5),
        np.arange(0, 30, 5), np.arange(0, 30, 5)))
    starts = grid[::max(1, args.every)]
    print(f"reference_epoch: {len(n)} of {total} points, {len(starts)} of {len(grid)} starts, "
          f"scipy L-BFGS-B")
    best = None
    successes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for alpha, beta, e, a, b in starts:
        x0 = np.array([a, b, e, alpha, beta], dtype=float)
        res = minimize(objective_and_gradient, x0, args=(log_n, log_d, log_l), jac=True,
                       method="L-BFGS-B")
        successes += bool(res.success)
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    a, b, e, alpha, beta = best.x
    big_a, big_b, big_e = np.exp(a), np.exp(b), np.exp(e)
    print(f"best objective {best.fun:.10g}  E {big_e:.8g}  A {big_a:.8g}  alpha {alpha:.8g}  "
          f"B {big_b:.8g}  beta {beta:.8g}")
    print(f"{len(starts)} starts in {cpu:.2f} s CPU, {wall:.2f} s wall ({successes} converged)")
    print(f"RESULT objective {best.fun:.12g}")
    print(f"RESULT E {big_e:.10g}\nRESULT A {big_a:.10g}\nRESULT alpha {alpha:.10g}")
    print(f"RESULT B {big_b:.10g}\nRESULT beta {beta:.10g}")
    print(f"RESULT starts {len(starts)}")
    print(f"RESULT fit_seconds {cpu:.9g}")
    print(f"RESULT fit_wall_seconds {wall:.9g}")


if __name__ == "__main__":
    main()
