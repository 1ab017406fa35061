#!/usr/bin/python3
"""Generates the PyTorch reference fixtures for NormLab's core tests (tests/core/test_golden.cpp).

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/make_fixtures.py
Writes small JSON files next to this script. Every tensor is stored flat in PyTorch's
contiguous order, which for (N, C) and (N, C, H, W) is exactly NormLab's batch layout
(element (n, c, s) at (n*C + c)*S + s); Linear weights are (out, in) row-major.
Not here: any comparison (the C++ tests do that, with a mixed abs + rel tolerance).

Fixtures:
  batchnorm_pytorch.json      torch.nn.BatchNorm1d/2d: train/eval, momentum 0.1/None, affine and
                              tracking on/off (forward, backward, running statistics)
  norm_conv_pytorch.json      torch.nn.LayerNorm, GroupNorm, Conv2d 3x3, max/avg pooling
  network_pytorch.json        a small MLP with BatchNorm trained with SGD and Adam
  batchrenorm_reference.json  Batch Renormalization (Ioffe 2017), which PyTorch does not ship:
                              an independent reference written here from the paper with torch
                              ops in float64 (see brn_reference_step) -- forward in training
                              with r and d clipped and unclipped, backward with r and d held
                              constant (autograd through the forward with r, d detached),
                              running statistics over several steps, and eval outputs.
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


def brn_reference_step(x, gamma, beta, running_mean, running_var, r_max, d_max, eps, momentum,
                       num_batches_tracked):
    """One training-mode Batch Renorm step, from Ioffe 2017 ("Batch Renormalization: Towards
    Reducing Minibatch Dependence in Batch-Normalized Models"), Algorithm 1, per channel c over
    the m = N*H*W values of the batch:
        mu_B    = (1/m) sum x
        sigma_B = sqrt((1/m) sum (x - mu_B)^2 + eps)          (biased variance, eps inside)
        sigma   = sqrt(running_var + eps)                      (running statistics BEFORE this step)
        r       = stop_gradient(clip(sigma_B / sigma, 1/r_max, r_max))
        d       = stop_gradient(clip((mu_B - running_mean) / sigma, -d_max, d_max))
        xhat    = (x - mu_B) / sigma_B * r + d
        y       = gamma * xhat + beta
    Running statistics: the paper moves mu and sigma themselves (mu += alpha (mu_B - mu),
    sigma += alpha (sigma_B - sigma)). NormLab deliberately keeps BatchNorm's buffers and
    PyTorch's convention instead (the project's numerics follow PyTorch; eval is then exactly
    BatchNorm's): running_mean = (1-f) running_mean + f mu_B and running_var = (1-f) running_var
    + f var_B m/(m-1) (unbiased, no eps), with f = momentum, or 1/num_batches_tracked when
    momentum is None; sigma above is sqrt(running_var + eps), as BatchNorm's eval uses.
    x: (N, C) or (N, C, H, W) float64 leaf with requires_grad; gamma, beta leaves (C).
    Returns y, r, d and the updated running_mean, running_var, num_batches_tracked."""
    dims = [0] + list(range(2, x.dim()))
    bshape = [1, -1] + [1] * (x.dim() - 2)
    m = x.numel() // x.shape[1]
    mu_b = x.mean(dim=dims)
    var_b = ((x - mu_b.view(bshape)) ** 2).mean(dim=dims)
    sigma_b = torch.sqrt(var_b + eps)
    sigma_run = torch.sqrt(running_var + eps)
    r = torch.clamp(sigma_b / sigma_run, 1.0 / r_max, r_max).detach()
    d = torch.clamp((mu_b - running_mean) / sigma_run, -d_max, d_max).detach()
    xhat = (x - mu_b.view(bshape)) / sigma_b.view(bshape) * r.view(bshape) + d.view(bshape)
    y = gamma.view(bshape) * xhat + beta.view(bshape)
    num_batches_tracked += 1
    f = momentum if momentum is not None else 1.0 / num_batches_tracked
    with torch.no_grad():
        new_mean = (1.0 - f) * running_mean + f * mu_b
        new_var = (1.0 - f) * running_var + f * var_b * m / (m - 1)
    return y, r, d, new_mean, new_var, num_batches_tracked


def brn_case(name, shape, r_max, d_max, calls, scale, shift, running_mean, running_var,
             momentum=0.1, eps=1e-5, seed=0):
    """calls: list of (training, with_dy). Channel c's x is randn*scale[c] + shift[c] (fresh each
    call), chosen with the initial running statistics so that r and d land where the case wants
    them (clipped above or below, or inside the limits). Inputs are float32 values; the
    reference runs in float64. Each training call also records which r and d were clipped
    (-1 at the lower limit, +1 at the upper, 0 inside), requiring a margin of 1e-3 (relative)
    from each limit so that the label does not depend on the precision."""
    g = torch.Generator().manual_seed(seed)
    C = shape[1]
    bshape = [1, -1] + [1] * (len(shape) - 2)
    f64 = torch.float64
    gamma = (torch.rand(C, generator=g) + 0.5).to(f64).requires_grad_(True)
    beta = torch.randn(C, generator=g).to(f64).requires_grad_(True)
    # Initial buffers as float32 values, so both sides start from the same numbers.
    rm = torch.tensor(running_mean, dtype=torch.float32).to(f64)
    rv = torch.tensor(running_var, dtype=torch.float32).to(f64)
    scale_t = torch.tensor(scale, dtype=torch.float32).view(bshape)
    shift_t = torch.tensor(shift, dtype=torch.float32).view(bshape)
    nbt = 0
    case = {"name": name, "shape": list(shape), "eps": eps, "momentum": momentum, "r_max": r_max,
            "d_max": d_max, "gamma": flat(gamma), "beta": flat(beta), "running_mean": flat(rm),
            "running_var": flat(rv), "calls": []}

    def clip_label(value, lo, hi):
        labels = []
        for v in value.tolist():
            if abs(v - hi) <= 1e-3 * max(abs(hi), 1.0) and v != hi or abs(v - lo) <= 1e-3 * max(abs(lo), 1.0) and v != lo:
                raise ValueError(f"{name}: {v} too close to a clipping limit [{lo}, {hi}]")
            labels.append(1 if v >= hi else -1 if v <= lo else 0)
        return labels

    for training, with_dy in calls:
        x32 = torch.randn(*shape, generator=g) * scale_t + shift_t
        x = x32.to(f64).requires_grad_(True)
        gamma.grad = None
        beta.grad = None
        call = {"training": training, "x": flat(x32)}
        if training:
            sigma_run = torch.sqrt(rv + eps)
            dims = [0] + list(range(2, len(shape)))
            mu_b = x.detach().mean(dim=dims)
            sigma_b = torch.sqrt(((x.detach() - mu_b.view(bshape)) ** 2).mean(dim=dims) + eps)
            call["r_clip"] = clip_label(sigma_b / sigma_run, 1.0 / r_max, r_max)
            call["d_clip"] = clip_label((mu_b - rm) / sigma_run, -d_max, d_max)
            y, r, d, rm, rv, nbt = brn_reference_step(x, gamma, beta, rm, rv, r_max, d_max, eps,
                                                      momentum, nbt)
            call["r"] = flat(r)
            call["d"] = flat(d)
        else:
            # Eval: BatchNorm with the running statistics (r = 1, d = 0); nothing changes.
            y = (gamma.view(bshape) * (x - rm.view(bshape)) / torch.sqrt(rv.view(bshape) + eps)
                 + beta.view(bshape))
        call["y"] = flat(y)
        call["running_mean"] = flat(rm)
        call["running_var"] = flat(rv)
        call["num_batches_tracked"] = nbt
        if with_dy:
            dy = torch.randn(*shape, generator=g)
            y.backward(dy.to(f64))
            call["dy"] = flat(dy)
            call["dx"] = flat(x.grad)
            call["dgamma"] = flat(gamma.grad)
            call["dbeta"] = flat(beta.grad)
        case["calls"].append(call)
    return case


def brn_check_against_batchnorm(case):
    """With r_max = 1 and d_max = 0 Batch Renorm is BatchNorm: the reference must then agree
    with torch.nn.BatchNorm (float64) on every number, a check of the reference itself."""
    shape = case["shape"]
    C = shape[1]
    mod_cls = torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d
    bn = mod_cls(C, eps=case["eps"], momentum=case["momentum"]).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(case["gamma"]))
        bn.bias.copy_(torch.tensor(case["beta"]))
        bn.running_mean.copy_(torch.tensor(case["running_mean"]))
        bn.running_var.copy_(torch.tensor(case["running_var"]))
    for call in case["calls"]:
        bn.train(call["training"])
        bn.zero_grad()
        x = torch.tensor(call["x"], dtype=torch.float64).view(*shape).requires_grad_(True)
        y = bn(x)
        pairs = [(y, call["y"]), (bn.running_mean, call["running_mean"]), (bn.running_var, call["running_var"])]
        if "dy" in call:
            y.backward(torch.tensor(call["dy"], dtype=torch.float64).view(*shape))
            pairs += [(x.grad, call["dx"]), (bn.weight.grad, call["dgamma"]), (bn.bias.grad, call["dbeta"])]
        for got, want in pairs:
            if not torch.allclose(got.detach().reshape(-1), torch.tensor(want, dtype=torch.float64), rtol=1e-12, atol=1e-12):
                raise AssertionError(f"{case['name']}: reference disagrees with torch.nn.BatchNorm")


def brn_cases():
    T, E = True, False
    train4_eval = [(T, True), (T, True), (E, True), (T, True), (T, True), (E, True)]
    cases = [
        # r_max = 1, d_max = 0: every r and d clipped to exactly 1 and 0, i.e. BatchNorm.
        brn_case("brn1d_rmax1_dmax0_is_batchnorm", (6, 3), 1.0, 0.0, train4_eval,
                 scale=[2.0, 0.5, 1.0], shift=[1.0, -1.0, 0.0], running_mean=[0.0, 0.0, 0.0],
                 running_var=[1.0, 1.0, 1.0], seed=21),
        # Small limits, running statistics far from the batch's: channel 0 has sigma_B/sigma
        # ~ 4 > r_max and (mu_B - mean)/sigma ~ 3 > d_max; channel 1 ~ 1/4 < 1/r_max and
        # ~ -2.5 < -d_max; channel 2 sits inside both limits. The running statistics move 10%
        # a step, so the ratios drift over the steps.
        brn_case("brn1d_small_limits_clip", (8, 3), 1.5, 0.5, train4_eval,
                 scale=[2.0, 0.5, 1.0], shift=[3.0, -1.0, 0.1], running_mean=[0.0, 1.5, 0.0],
                 running_var=[0.25, 4.0, 1.0], seed=22),
        # Large limits: nothing clipped, r and d far from 1 and 0.
        brn_case("brn1d_large_limits_unclipped", (8, 3), 100.0, 100.0, train4_eval,
                 scale=[3.0, 0.3, 1.5], shift=[2.0, -2.0, 0.5], running_mean=[-1.0, 0.5, 0.0],
                 running_var=[0.5, 2.0, 1.0], seed=23),
        # Per channel over (N, H, W), the default limits (3, 5), cumulative averaging
        # (momentum None): channel 0 clipped above in r and d, channel 1 clipped below in r
        # and d, channel 2 inside both.
        brn_case("brn2d_default_limits_mixed_momentum_none", (3, 3, 2, 2), 3.0, 5.0, train4_eval,
                 scale=[4.0, 0.1, 1.0], shift=[7.0, -8.0, 0.3], running_mean=[0.0, 0.0, 0.0],
                 running_var=[0.5, 1.5, 1.0], momentum=None, seed=24),
    ]
    brn_check_against_batchnorm(cases[0])
    return cases


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
    with open(os.path.join(HERE, "batchrenorm_reference.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": brn_cases()}, f, indent=0)


if __name__ == "__main__":
    main()
