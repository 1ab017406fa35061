#!/usr/bin/python3
"""Regenerates bn_trace_cases.json: inputs for `normlab-cli bn-trace` and PyTorch 1.13's
answers (torch.nn.BatchNorm1d/2d in float32; batch statistics and xhat in float64).

Run with Debian's interpreter (it has python3-torch): /usr/bin/python3 make_bn_trace_fixtures.py
The fixture is committed; the contract test (cli_contract_test.py) needs only the stdlib.
"""
import json
import os

import torch

torch.manual_seed(1234)
torch.set_num_threads(1)


def tolist(t):
    return t.detach().double().tolist()


def case(name, x, training=True, eps=1e-5, momentum=0.1, affine=True, track=True,
         gamma=None, beta=None, running_mean=None, running_var=None, nbt=None, dy=None):
    x = x.float()
    c = x.shape[1]
    bn_cls = torch.nn.BatchNorm1d if x.dim() == 2 else torch.nn.BatchNorm2d
    bn = bn_cls(c, eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
    with torch.no_grad():
        if affine and gamma is not None:
            bn.weight.copy_(gamma)
        if affine and beta is not None:
            bn.bias.copy_(beta)
        if track and running_mean is not None:
            bn.running_mean.copy_(running_mean)
        if track and running_var is not None:
            bn.running_var.copy_(running_var)
        if track and nbt is not None:
            bn.num_batches_tracked.fill_(nbt)
    bn.train(training)

    inp = {"x": tolist(x)}
    if not training:
        inp["training"] = False
    if eps != 1e-5:
        inp["eps"] = eps
    if momentum != 0.1:
        inp["momentum"] = momentum
    if not affine:
        inp["affine"] = False
    if not track:
        inp["track_running_stats"] = False
    if gamma is not None:
        inp["gamma"] = tolist(gamma)
    if beta is not None:
        inp["beta"] = tolist(beta)
    if running_mean is not None:
        inp["running_mean"] = tolist(running_mean)
    if running_var is not None:
        inp["running_var"] = tolist(running_var)
    if nbt is not None:
        inp["num_batches_tracked"] = nbt

    # Statistics actually used to normalize (before the running update).
    dims = [0] + list(range(2, x.dim()))
    use_batch = training or not track
    xd = x.double()
    if use_batch:
        mean = xd.mean(dim=dims)
        var = xd.var(dim=dims, unbiased=False)
    else:
        mean = bn.running_mean.double().clone()
        var = bn.running_var.double().clone()
    inv_std = 1.0 / torch.sqrt(var + eps)
    shape = [1, c] + [1] * (x.dim() - 2)
    xhat = (xd - mean.view(shape)) * inv_std.view(shape)

    xin = x.clone().requires_grad_(dy is not None)
    y = bn(xin)
    out = {"y": tolist(y), "mean": tolist(mean), "var": tolist(var), "inv_std": tolist(inv_std),
           "xhat": tolist(xhat),
           "running_mean": tolist(bn.running_mean) if track else None,
           "running_var": tolist(bn.running_var) if track else None,
           "num_batches_tracked": int(bn.num_batches_tracked.item()) if track else None}
    if dy is not None:
        inp["dy"] = tolist(dy.float())
        y.backward(dy.float())
        out["dx"] = tolist(xin.grad)
        if affine:
            out["dgamma"] = tolist(bn.weight.grad)
            out["dbeta"] = tolist(bn.bias.grad)
    return {"name": name, "input": inp, "expected": out}


def main():
    r = torch.randn
    cases = [
        # The hand-computable batch: running_var after one step = [1.3, 2.5].
        case("hand_1d_train", torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])),
        case("1d_train_affine_dy", r(8, 5) * 3 + 1, gamma=r(5), beta=r(5), dy=r(8, 5)),
        case("1d_train_momentum_null", r(6, 3) * 2 - 1, momentum=None, running_mean=r(3),
             running_var=r(3).abs() + 0.5, nbt=4, dy=r(6, 3)),
        case("1d_train_n2_odd_c", r(2, 7) * 5, gamma=r(7), beta=r(7), dy=r(2, 7)),
        case("1d_eval_running", r(5, 4) * 2 + 3, training=False, running_mean=r(4),
             running_var=r(4).abs() + 0.1, gamma=r(4), beta=r(4), dy=r(5, 4)),
        case("1d_eval_batch_of_one", r(1, 3), training=False, running_mean=r(3),
             running_var=r(3).abs() + 0.1, nbt=10),
        case("1d_affine_off", r(9, 3) * 4, affine=False, dy=r(9, 3)),
        case("1d_no_tracking_eval", r(7, 3) + 2, training=False, track=False, dy=r(7, 3)),
        case("1d_no_tracking_train", r(7, 3) - 2, track=False, gamma=r(3), dy=r(7, 3)),
        case("1d_eps_momentum", r(10, 2), eps=1e-3, momentum=0.3, dy=r(10, 2)),
        case("1d_large_offset", r(16, 3) * 0.01 + 1000.0, dy=r(16, 3)),
        case("2d_train", r(4, 3, 2, 5) * 2 + 0.5, gamma=r(3), beta=r(3), dy=r(4, 3, 2, 5)),
        case("2d_train_n1", r(1, 2, 3, 3), dy=r(1, 2, 3, 3)),
        case("2d_eval", r(3, 2, 4, 4), training=False, running_mean=r(2),
             running_var=r(2).abs() + 0.2, dy=r(3, 2, 4, 4)),
        case("2d_no_tracking_momentum_null", r(2, 3, 3, 2), track=False, momentum=None,
             dy=r(2, 3, 3, 2)),
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bn_trace_cases.json")
    with open(path, "w") as f:
        json.dump({"generator": "make_bn_trace_fixtures.py, torch " + torch.__version__,
                   "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
