#!/usr/bin/python3
"""PyTorch 1.13 on one CPU thread, the same items as normlab-bench (bench.cpp), same JSON.

Run with Debian's interpreter: /usr/bin/python3 bench_torch.py [--quick]
Not a reference for numbers (tests/ has those); only for the "faster than PyTorch" ratio.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)

QUICK = "--quick" in sys.argv
BUDGET = 0.05 if QUICK else 0.3
MIN_SAMPLES = 3 if QUICK else 7


def median_seconds(f, budget=BUDGET, min_samples=MIN_SAMPLES):
    t0 = time.perf_counter()
    f()  # warm-up
    once = max(time.perf_counter() - t0, 1e-7)
    reps = max(1, min(100000, int(1e-3 / once)))
    samples = []
    start = time.perf_counter()
    while (time.perf_counter() - start < budget or len(samples) < min_samples) and len(samples) < 2000:
        t0 = time.perf_counter()
        for _ in range(reps):
            f()
        samples.append((time.perf_counter() - t0) / reps)
    samples.sort()
    return samples[len(samples) // 2], len(samples)


def bench_bn(shape):
    c = shape[1]
    bn = torch.nn.BatchNorm1d(c) if len(shape) == 2 else torch.nn.BatchNorm2d(c)
    bn.train()
    x = (torch.randn(*shape) * 2.0).requires_grad_(True)
    dy = torch.randn(*shape)

    def step():
        y = bn(x)
        y.backward(dy)

    return median_seconds(step)


def mlp(widths):
    layers, prev = [], 2
    for w in widths:
        layers += [torch.nn.Linear(prev, w), torch.nn.BatchNorm1d(w), torch.nn.ReLU()]
        prev = w
    layers.append(torch.nn.Linear(prev, 2))
    return torch.nn.Sequential(*layers)


def xor_batch(n):
    x = torch.rand(n, 2) * 3.0 - 1.5
    labels = ((x[:, 0] * x[:, 1]) < 0).long()
    return x, labels


def bench_mlp(widths, batch):
    net = mlp(widths)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    x, labels = xor_batch(batch)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), labels)
        loss.backward()
        opt.step()

    s, n = median_seconds(step)
    return 1.0 / s, n


def bench_grid(widths, side):
    net = mlp(widths)
    net.eval()
    lin = (torch.arange(side, dtype=torch.float32) + 0.5) / side * 3.0 - 1.5
    yy, xx = torch.meshgrid(lin, lin, indexing="ij")
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)

    def run():
        with torch.no_grad():
            torch.softmax(net(points), dim=1)

    s, n = median_seconds(run, min_samples=2 * MIN_SAMPLES + 1)
    return s * 1e3, n


def main():
    items = []

    def add(id_, label, unit, value_samples, scale=1.0):
        value, samples = value_samples
        items.append({"id": id_, "label": label, "unit": unit, "value": value * scale, "samples": samples})

    add("bn_32x16", "BN fwd+bwd (N,C)=(32,16)", "us", bench_bn((32, 16)), 1e6)
    add("bn_256x64", "BN fwd+bwd (N,C)=(256,64)", "us", bench_bn((256, 64)), 1e6)
    add("bn_1024x256", "BN fwd+bwd (N,C)=(1024,256)", "us", bench_bn((1024, 256)), 1e6)
    add("bn_32x16x16x16", "BN fwd+bwd (N,C,H,W)=(32,16,16,16)", "us", bench_bn((32, 16, 16, 16)), 1e6)
    add("mlp_2-16-16-2_b32", "MLP 2-16-16-2 +BN step, batch 32", "steps/s", bench_mlp([16, 16], 32))
    add("mlp_2-16-16-2_b256", "MLP 2-16-16-2 +BN step, batch 256", "steps/s", bench_mlp([16, 16], 256))
    add("mlp_2-64-64-64-2_b32", "MLP 2-64-64-64-2 +BN step, batch 32", "steps/s", bench_mlp([64, 64, 64], 32))
    add("mlp_2-64-64-64-2_b256", "MLP 2-64-64-64-2 +BN step, batch 256", "steps/s", bench_mlp([64, 64, 64], 256))
    add("grid_256x256", "Decision grid 256x256, 2-64-64-64-2", "ms", bench_grid([64, 64, 64], 256))
    print(json.dumps({"variant": "pytorch-%s-1thread" % torch.__version__.split("a")[0],
                      "kernels": "pytorch", "items": items}))


if __name__ == "__main__":
    main()
