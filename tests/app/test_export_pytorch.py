#!/usr/bin/python3
"""Golden test of the PyTorch export: runs each generated snippet with PyTorch, checks its
modules and BatchNorm hyperparameters against NormLab's settings, loads NormLab's exported
weights into it and compares predict_proba with NormLab's own numbers (within 1e-5).

usage: test_export_pytorch.py FIXTURE_WRITER WORK_DIR   (needs Debian's python3-torch)
"""
import importlib.util
import json
import os
import subprocess
import sys

import torch
from torch import nn

NORM_TYPES = {"batchnorm": nn.BatchNorm1d, "batchrenorm": nn.BatchNorm1d, "layernorm": nn.LayerNorm,
              "groupnorm": nn.GroupNorm}
ACTIVATIONS = {"identity": nn.Identity, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "tanh": nn.Tanh,
               "sigmoid": nn.Sigmoid}


def expected_modules(net):
    """(type, details) per module, in order, from NormLab's settings."""
    out, width = [], net["input_width"]
    for h in net["hidden"]:
        out.append((nn.Linear, (width, h["width"])))
        norm = (NORM_TYPES[h["norm"]], h["width"]) if h["norm"] != "none" else None
        act = (ACTIVATIONS[h["activation"]], None)
        out += [m for m in ([norm, act] if h["placement"] == "before" else [act, norm]) if m]
        width = h["width"]
    out.append((nn.Linear, (width, net["output_width"])))
    return out


def check_case(base):
    with open(base + "_expect.json") as f:
        expect = json.load(f)
    settings, net = expect["settings"], expect["settings"]["net"]
    spec = importlib.util.spec_from_file_location(os.path.basename(base), base + ".py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.make_model()
    layers = list(model)
    want = expected_modules(net)
    assert len(layers) == len(want), f"{base}: {len(layers)} modules, expected {len(want)}: {model}"
    opts = net["norm"]
    for layer, (kind, detail) in zip(layers, want):
        assert type(layer) is kind, f"{base}: {layer} is not a {kind.__name__}"
        if kind is nn.Linear:
            assert (layer.in_features, layer.out_features) == detail, f"{base}: {layer}"
        elif kind is nn.BatchNorm1d:
            assert layer.num_features == detail
            assert abs(layer.eps - opts["eps"]) < 1e-12, f"{base}: eps {layer.eps}"
            assert layer.momentum == opts["momentum"], f"{base}: momentum {layer.momentum}"
            assert layer.affine == opts["affine"] and layer.track_running_stats == opts["track_running_stats"]
        elif kind is nn.LayerNorm:
            assert layer.normalized_shape == (detail,) and layer.elementwise_affine == opts["affine"]
            assert abs(layer.eps - opts["eps"]) < 1e-12
        elif kind is nn.GroupNorm:
            assert layer.num_groups == opts["groups"] and layer.num_channels == detail
            assert layer.affine == opts["affine"] and abs(layer.eps - opts["eps"]) < 1e-12
    if any(h["activation"] == "leaky_relu" for h in net["hidden"]):
        assert all(m.negative_slope == 0.01 for m in layers if isinstance(m, nn.LeakyReLU))
    optimizer = module.make_optimizer(model)
    o, group = settings["optimizer"], optimizer.param_groups[0]
    assert abs(group["lr"] - o["learning_rate"]) < 1e-9 and abs(group["weight_decay"] - o["weight_decay"]) < 1e-9
    if o["kind"] == "sgd":
        assert isinstance(optimizer, torch.optim.SGD) and abs(group["momentum"] - o["momentum"]) < 1e-9
    else:
        assert isinstance(optimizer, torch.optim.Adam)
        assert abs(group["betas"][0] - o["beta1"]) < 1e-9 and abs(group["betas"][1] - o["beta2"]) < 1e-9
    assert module.BATCH_SIZE == settings["batch_size"]

    module.load_normlab_weights(model, base + "_weights.json")
    got = module.predict_proba(model, expect["points"])
    diff = (got - torch.tensor(expect["proba"], dtype=torch.float32)).abs().max().item()
    assert diff < 1e-5, f"{base}: PyTorch and NormLab probabilities differ by {diff}"
    print(f"{os.path.basename(base)}: {len(layers)} modules match, max |p_torch - p_normlab| = {diff:.2e}")


def main():
    writer, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    subprocess.run([writer, work], check=True)
    cases = sorted(n[:-3] for n in os.listdir(work) if n.endswith(".py"))
    assert cases, "no cases written"
    for name in cases:
        check_case(os.path.join(work, name))
    print(f"{len(cases)} PyTorch snippets checked")


if __name__ == "__main__":
    main()
