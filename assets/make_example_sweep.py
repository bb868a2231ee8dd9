#!/usr/bin/env python3
"""Writes example_sweep.csv: a realistic learning-rate x batch-size sweep of a video DiT.

The losses follow the paper's published laws (Yin et al. 2025, science.md 3.1-3.2) with a
quadratic penalty for off-optimal hyperparameters and multiplicative noise, so the page opens on
something a user would recognise. Seeded: re-running gives the same file.
"""
import math
import random

random.seed(20251125)
BILLION = 1e9
E, A, ALPHA, B, BETA = 0.4856, 0.0082, 0.3188, 0.0373, 0.2917


def loss_law(n, t):
    return E + A * (n / BILLION) ** -ALPHA + B * (t / BILLION) ** -BETA


def lr_opt(n, t):
    return 2e-4 * (t / BILLION) ** -0.0453 * (n / BILLION) ** -0.1619


def batch_opt(n, t):
    return 2.1797e4 * (t / BILLION) ** 0.8080 * (n / BILLION) ** 0.1906


TOKENS_PER_CLIP = 1280
rows = []
for n in (17e6, 34e6, 68e6, 130e6, 260e6):
    for t in (2e9, 4e9, 8e9, 12e9):
        for lr in (1e-4, 1.4e-4, 2e-4, 2.8e-4, 4e-4, 5.6e-4):
            for clips in (16, 32, 64, 128, 256):
                batch = clips * TOKENS_PER_CLIP
                u = math.log(lr / lr_opt(n, t))
                v = math.log(batch / batch_opt(n, t))
                penalty = 0.004 * u * u + 0.002 * v * v + 0.001 * u * v
                loss = loss_law(n, t) * (1 + penalty) * (1 + random.gauss(0, 1.5e-4))
                rows.append((n, t, lr, clips, loss))

with open("example_sweep.csv", "w") as out:
    out.write("# Example video DiT sweep (synthetic, from the paper's published laws; see\n")
    out.write("# assets/make_example_sweep.py). batch_size is in clips; tokens_per_sample latent tokens per clip.\n")
    out.write("params,tokens,lr,batch_size,tokens_per_sample,val_loss\n")
    for n, t, lr, clips, loss in rows:
        out.write(f"{n:.4g},{t:.4g},{lr:.3g},{clips},{TOKENS_PER_CLIP},{loss:.6f}\n")
print(f"wrote {len(rows)} runs")
