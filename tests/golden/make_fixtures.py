#!/usr/bin/python3
"""Generates the PyTorch reference fixtures for NormLab's core tests (tests/core/test_golden.cpp).

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_fixtures.py
Writes small JSON files next to this script. Every tensor is stored flat in PyTorch's
contiguous order, which for (N, C) and (N, C, H, W) is exactly NormLab's batch layout
(element (n, c, s) at (n*C + c)*S + s); Linear weights are (out, in) row-major.
Not here: any comparison (the C++ tests do that, with a mixed abs + rel tolerance).
"""
import json
import os

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def bn_case(name, shape, calls, momentum=0.1, affine=True, track=True, eps=1e-5, seed=0,
            init_running=False):
    """calls: list of (training, with_dy). Each call uses a fresh random x (and dy)."""
    g = torch.Generator().manual_seed(seed)
    C = shape[1]
    mod_cls = torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d
    bn = mod_cls(C, eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
    if affine:
        with torch.no_grad():
            bn.weight.copy_(torch.rand(C, generator=g) + 0.5)
            bn.bias.copy_(torch.randn(C, generator=g))
    if track and init_running:
        bn.running_mean.copy_(torch.randn(C, generator=g))
        bn.running_var.copy_(torch.rand(C, generator=g) + 0.5)
    case = {
        "name": name,
        "shape": list(shape),
        "eps": eps,
        "momentum": momentum,
        "affine": affine,
        "track_running_stats": track,
        "gamma": flat(bn.weight) if affine else [1.0] * C,
        "beta": flat(bn.bias) if affine else [0.0] * C,
        "running_mean": flat(bn.running_mean) if track else [],
        "running_var": flat(bn.running_var) if track else [],
        "calls": [],
    }
    for training, with_dy in calls:
        x = (torch.randn(*shape, generator=g) * 2.0 + 1.0).requires_grad_(True)
        bn.train(training)
        if affine:
            bn.weight.grad = None
            bn.bias.grad = None
        y = bn(x)
        call = {"training": training, "x": flat(x), "y": flat(y)}
        if track:
            call["running_mean"] = flat(bn.running_mean)
            call["running_var"] = flat(bn.running_var)
            call["num_batches_tracked"] = int(bn.num_batches_tracked)
        if with_dy:
            dy = torch.randn(*shape, generator=g)
            y.backward(dy)
            call["dy"] = flat(dy)
            call["dx"] = flat(x.grad)
            if affine:
                call["dgamma"] = flat(bn.weight.grad)
                call["dbeta"] = flat(bn.bias.grad)
        case["calls"].append(call)
    return case


def network_case(name, optimizer, bn_after_activation=False, steps=4, seed=1):
    """Linear(2,5)-BN(5)-ReLU-Linear(5,5)-BN(5)-Tanh-Linear(5,3), softmax cross-entropy;
    with bn_after_activation, each BN follows its activation instead.
    (Adam uses BN after the activation: with BN right after a Linear, that Linear's bias has
    an exactly-zero gradient whose float rounding noise Adam would amplify to +-lr steps.)"""
    g = torch.Generator().manual_seed(seed)
    h1 = [torch.nn.BatchNorm1d(5), torch.nn.ReLU()]
    h2 = [torch.nn.BatchNorm1d(5), torch.nn.Tanh()]
    if bn_after_activation:
        h1.reverse()
        h2.reverse()
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), *h1, torch.nn.Linear(5, 5), *h2, torch.nn.Linear(5, 3))
    with torch.no_grad():
        for m in net:
            if isinstance(m, torch.nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.7)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    init = [{"weight": flat(m.weight), "bias": flat(m.bias)} for m in net if isinstance(m, torch.nn.Linear)]
    if optimizer == "sgd":
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
        opt_spec = {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-3}
    else:
        opt = torch.optim.Adam(net.parameters(), lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-3)
        opt_spec = {"kind": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-3}
    case = {"name": name, "optimizer": opt_spec, "bn_after_activation": bn_after_activation, "init": init,
            "steps": []}
    loss_fn = torch.nn.CrossEntropyLoss()
    net.train()
    for _ in range(steps):
        x = torch.randn(8, 2, generator=g)
        labels = torch.randint(0, 3, (8,), generator=g)
        opt.zero_grad()
        loss = loss_fn(net(x), labels)
        loss.backward()
        opt.step()
        case["steps"].append({"x": flat(x), "labels": [int(v) for v in labels], "loss": float(loss)})
    case["final"] = {
        "linear": [{"weight": flat(m.weight), "bias": flat(m.bias)} for m in net if isinstance(m, torch.nn.Linear)],
        "bn": [{"gamma": flat(m.weight), "beta": flat(m.bias), "running_mean": flat(m.running_mean),
                "running_var": flat(m.running_var), "num_batches_tracked": int(m.num_batches_tracked)}
               for m in net if isinstance(m, torch.nn.BatchNorm1d)],
    }
    net.eval()
    xe = torch.randn(6, 2, generator=g)
    case["eval"] = {"x": flat(xe), "logits": flat(net(xe))}
    return case


def norm_case(name, kind, shape, groups=1, affine=True, eps=1e-5, seed=0):
    """LayerNorm over (C[,H,W]) with per-element affine, or GroupNorm(groups, C)."""
    g = torch.Generator().manual_seed(seed)
    C = shape[1]
    if kind == "layer_norm":
        mod = torch.nn.LayerNorm(list(shape[1:]), eps=eps, elementwise_affine=affine)
    else:
        mod = torch.nn.GroupNorm(groups, C, eps=eps, affine=affine)
    if affine:
        with torch.no_grad():
            mod.weight.copy_(torch.rand(mod.weight.shape, generator=g) + 0.5)
            mod.bias.copy_(torch.randn(mod.bias.shape, generator=g))
    x = (torch.randn(*shape, generator=g) * 2.0 + 1.0).requires_grad_(True)
    y = mod(x)
    dy = torch.randn(*shape, generator=g)
    y.backward(dy)
    case = {"name": name, "kind": kind, "shape": list(shape), "groups": groups, "affine": affine, "eps": eps,
            "gamma": flat(mod.weight) if affine else [], "beta": flat(mod.bias) if affine else [],
            "x": flat(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad)}
    if affine:
        case["dgamma"] = flat(mod.weight.grad)
        case["dbeta"] = flat(mod.bias.grad)
    # The same computation in float64: with few values per group (GroupNorm over 2 features)
    # the float32 dx is ill-conditioned, so the C++ test compares dx with this reference.
    mod64 = mod.double()
    x64 = x.detach().double().requires_grad_(True)
    mod64(x64).backward(dy.double())
    case["dx_f64"] = flat(x64.grad)
    return case


def conv_case(name, seed=0):
    """Conv2d(2, 3, 3, padding=1) then 2x2 max pool and 2x2 avg pool on (2, 2, 4, 6)."""
    g = torch.Generator().manual_seed(seed)
    conv = torch.nn.Conv2d(2, 3, 3, stride=1, padding=1)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=g))
        conv.bias.copy_(torch.randn(conv.bias.shape, generator=g))
    x = torch.randn(2, 2, 4, 6, generator=g).requires_grad_(True)
    y = conv(x)
    ymax = torch.nn.functional.max_pool2d(y, 2)
    yavg = torch.nn.functional.avg_pool2d(y, 2)
    dmax = torch.randn(*ymax.shape, generator=g)
    davg = torch.randn(*yavg.shape, generator=g)
    (ymax * dmax).sum().add((yavg * davg).sum()).backward()
    return {"name": name, "weight": flat(conv.weight), "bias": flat(conv.bias), "x": flat(x), "y": flat(y),
            "max": flat(ymax), "avg": flat(yavg), "dmax": flat(dmax), "davg": flat(davg), "dx": flat(x.grad),
            "dweight": flat(conv.weight.grad), "dbias": flat(conv.bias.grad)}


def main():
    T, E = True, False
    bn_cases = [
        bn_case("bn1d_train_momentum_0.1", (6, 3), [(T, True), (T, True), (E, True)], seed=1),
        bn_case("bn1d_train_momentum_none", (5, 4), [(T, False), (T, False), (T, True), (E, False)],
                momentum=None, seed=2),
        bn_case("bn1d_eval_given_running", (4, 3), [(E, True)], seed=3, init_running=True),
        bn_case("bn1d_affine_off", (6, 3), [(T, True), (E, True)], affine=False, seed=4),
        bn_case("bn1d_tracking_off", (6, 3), [(T, True), (E, True)], track=False, seed=5),
        bn_case("bn1d_batch_of_two", (2, 3), [(T, True)], seed=6),
        bn_case("bn2d_train_momentum_0.1", (3, 4, 3, 2), [(T, True), (T, True), (E, True)], seed=7),
        bn_case("bn2d_train_momentum_none", (2, 3, 2, 2), [(T, False), (T, True), (E, True)],
                momentum=None, seed=8),
        bn_case("bn2d_affine_off_tracking_off", (2, 2, 3, 3), [(T, True), (E, True)],
                affine=False, track=False, seed=9),
        bn_case("bn2d_one_sample", (1, 2, 2, 2), [(T, True)], seed=10),
    ]
    with open(os.path.join(HERE, "batchnorm_pytorch.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": bn_cases}, f, indent=0)
    other = [
        norm_case("layer_norm_1d", "layer_norm", (4, 6), seed=11),
        norm_case("layer_norm_2d", "layer_norm", (2, 3, 2, 2), seed=12),
        norm_case("group_norm_1d", "group_norm", (3, 6), groups=3, seed=13),
        norm_case("group_norm_2d", "group_norm", (2, 4, 3, 3), groups=2, seed=14),
        norm_case("group_norm_no_affine", "group_norm", (2, 4, 2, 2), groups=4, affine=False, seed=15),
    ]
    with open(os.path.join(HERE, "norm_conv_pytorch.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "norms": other, "conv": conv_case("conv3x3_pool", seed=16)},
                  f, indent=0)
    net_cases = [network_case("mlp_bn_sgd", "sgd"), network_case("mlp_bn_after_act_adam", "adam", bn_after_activation=True, seed=2)]
    with open(os.path.join(HERE, "network_pytorch.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": net_cases}, f, indent=0)


if __name__ == "__main__":
    main()
