#!/usr/bin/python3
"""Writes the pixel-truth tests' points as a CSV (x,y,label): two interleaved half moons,
180 points, noise 0.12, from a fixed seed. Their own points, so the tests know every
coordinate the plot must show without asking the app.

usage: make_points.py OUT.csv
"""
import sys

import numpy as np


def main():
    rng = np.random.default_rng(20261202)
    n = 90
    t = np.pi * rng.random(n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    xy = np.concatenate([upper, lower]) + rng.normal(0.0, 0.12, (2 * n, 2))
    labels = [0] * n + [1] * n
    with open(sys.argv[1], "w") as f:
        f.write("x,y,label\n")
        for (x, y), label in zip(xy, labels):
            f.write(f"{x:.5f},{y:.5f},{label}\n")


if __name__ == "__main__":
    main()
