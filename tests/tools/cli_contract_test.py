#!/usr/bin/env python3
"""Contract tests for normlab-cli (stdlib only; CTest runs one group per test).

  cli_contract_test.py --cli PATH GROUP
  GROUP: bn_trace_fixtures | bn_trace_errors | train | bench | study

bn_trace_fixtures compares every output with PyTorch 1.13 (bn_trace_cases.json, made by
make_bn_trace_fixtures.py) with a mixed absolute + relative tolerance and prints the largest
difference. bn_trace_errors feeds every class of bad input the issue lists and requires exit
status 2, nothing on stdout and exactly one stderr line starting with "error:".
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cli, args, stdin=""):
    p = subprocess.run([cli] + args, input=stdin.encode(), capture_output=True, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def flatten(v):
    if isinstance(v, list):
        out = []
        for e in v:
            out.extend(flatten(e))
        return out
    return [v]


def shape(v):
    s = []
    while isinstance(v, list):
        s.append(len(v))
        v = v[0] if v else None
    return s


def compare(case, key, got, want, atol, rtol):
    if shape(got) != shape(want):
        return fail("%s: %s has shape %s, want %s" % (case, key, shape(got), shape(want)))
    g, w = flatten(got), flatten(want)
    worst, worst_i = 0.0, 0
    for i, (a, b) in enumerate(zip(g, w)):
        if not isinstance(a, (int, float)) or isinstance(a, bool) or not math.isfinite(a):
            return fail("%s: %s[%d] = %r is not a finite number" % (case, key, i, a))
        ratio = abs(a - b) / (atol + rtol * abs(b))
        if ratio > worst:
            worst, worst_i = ratio, i
    diff = abs(g[worst_i] - w[worst_i]) if g else 0.0
    print("  %-28s %-13s max|diff| %.3g (%.2f of tolerance)" % (case, key, diff, worst))
    if worst > 1.0:
        fail("%s: %s[%d] = %.9g, PyTorch %.9g (|diff| %.3g > %.3g + %.3g*|want|)"
             % (case, key, worst_i, g[worst_i], w[worst_i], diff, atol, rtol))


def bn_trace_fixtures(cli):
    with open(os.path.join(HERE, "bn_trace_cases.json")) as f:
        cases = json.load(f)["cases"]
    assert len(cases) >= 10
    for c in cases:
        name = c["name"]
        code, out, err = run(cli, ["bn-trace"], json.dumps(c["input"]))
        if code != 0:
            fail("%s: exit %d, stderr %r" % (name, code, err))
            continue
        if err:
            fail("%s: unexpected stderr %r" % (name, err))
        got = json.loads(out)
        want = c["expected"]
        if set(got) != set(want):
            fail("%s: keys %s, want %s" % (name, sorted(got), sorted(want)))
            continue
        x = c["input"]["x"]
        # Scale of the data: xhat inherits float rounding of x - mean (ulp(|x|) * inv_std).
        xmax = max(abs(v) for v in flatten(x))
        for key, w in want.items():
            g = got[key]
            if w is None or isinstance(w, int) and key == "num_batches_tracked":
                if g != w:
                    fail("%s: %s = %r, want %r" % (name, key, g, w))
                continue
            inv_std_max = max(flatten(want["inv_std"]))
            atol = 1e-5
            if key in ("xhat", "y", "dx", "dgamma"):
                atol = 1e-5 + 4 * xmax * 1.2e-7 * inv_std_max * (10 if key == "dx" else 1)
            if key == "dx":
                dy = c["input"]["dy"]
                gmax = max([abs(v) for v in flatten(c["input"].get("gamma", [1.0]))] + [1.0])
                atol *= gmax * max(abs(v) for v in flatten(dy))
            if key == "dgamma":
                atol *= len(flatten(x))
            compare(name, key, g, w, atol, 1e-5)


# (name, stdin) pairs; each must be rejected with exit 2.
ERROR_CASES = [
    ("invalid JSON: truncated", '{"x": [[1, 2], [3, 4]]'),
    ("invalid JSON: garbage", "this is not json"),
    ("invalid JSON: empty input", ""),
    ("invalid JSON: NaN literal", '{"x": [[NaN, 1], [2, 3]]}'),
    ("invalid JSON: Infinity literal", '{"x": [[1, -Infinity], [2, 3]]}'),
    ("not an object", "[[1, 2], [3, 4]]"),
    ("missing x", "{}"),
    ("unknown key", '{"x": [[1, 2], [3, 4]], "gama": [1, 1]}'),
    ("ragged 2-D", '{"x": [[1, 2], [3]]}'),
    ("ragged 2-D, longer row", '{"x": [[1, 2], [3, 4, 5]]}'),
    ("ragged 4-D", '{"x": [[[[1, 2]]], [[[3]]]]}'),
    ("mixed depth", '{"x": [[1, 2], [[3], [4]]]}'),
    ("x is a number", '{"x": 5}'),
    ("x is 1-D", '{"x": [1, 2, 3]}'),
    ("x is 3-D", '{"x": [[[1, 2]], [[3, 4]]]}'),
    ("x is 5-D", '{"x": [[[[[1]]]], [[[[2]]]]]}'),
    ("x nested 100000 levels deep", '{"x": ' + "[" * 100000 + "1" + "]" * 100000 + "}"),
    ("x empty", '{"x": []}'),
    ("x has an empty row", '{"x": [[], []]}'),
    ("string element", '{"x": [[1, "a"], [3, 4]]}'),
    ("null element", '{"x": [[1, null], [3, 4]]}'),
    ("bool element", '{"x": [[1, true], [3, 4]]}'),
    ("non-finite: overflows double", '{"x": [[1e999, 1], [2, 3]]}'),
    ("non-finite: overflows float", '{"x": [[1e39, 1], [2, 3]]}'),
    ("non-finite gamma", '{"x": [[1, 2], [3, 4]], "gamma": [1, 1e40]}'),
    ("non-finite dy", '{"x": [[1, 2], [3, 4]], "dy": [[1, 2], [3, -1e40]]}'),
    ("non-finite eps", '{"x": [[1, 2], [3, 4]], "eps": 1e300}'),
    ("gamma wrong length", '{"x": [[1, 2], [3, 4]], "gamma": [1, 1, 1]}'),
    ("beta wrong length", '{"x": [[1, 2], [3, 4]], "beta": [0]}'),
    ("running_mean wrong length", '{"x": [[1, 2], [3, 4]], "running_mean": [0, 0, 0]}'),
    ("running_var wrong length", '{"x": [[1, 2], [3, 4]], "running_var": [1]}'),
    ("gamma 2-D", '{"x": [[1, 2], [3, 4]], "gamma": [[1, 1]]}'),
    ("gamma per element of 4-D", '{"x": [[[[1, 2]], [[3, 4]]], [[[1, 2]], [[3, 4]]]], "gamma": [1, 1, 1, 1]}'),
    ("dy wrong shape", '{"x": [[1, 2], [3, 4]], "dy": [[1, 2]]}'),
    ("dy transposed shape", '{"x": [[1, 2, 3], [3, 4, 5]], "dy": [[1, 2], [3, 4], [5, 6]]}'),
    ("dy ragged", '{"x": [[1, 2], [3, 4]], "dy": [[1, 2], [3]]}'),
    ("one value per channel, training", '{"x": [[1, 2, 3]]}'),
    ("one value per channel, training explicit", '{"x": [[1, 2]], "training": true}'),
    ("one value per channel, 4-D 1x1", '{"x": [[[[1]], [[2]]]]}'),
    ("one value per channel, eval without running stats",
     '{"x": [[1, 2]], "training": false, "track_running_stats": false}'),
    ("training not a bool", '{"x": [[1, 2], [3, 4]], "training": "yes"}'),
    ("affine not a bool", '{"x": [[1, 2], [3, 4]], "affine": 1}'),
    ("eps zero", '{"x": [[1, 2], [3, 4]], "eps": 0}'),
    ("eps negative", '{"x": [[1, 2], [3, 4]], "eps": -1e-5}'),
    ("eps a string", '{"x": [[1, 2], [3, 4]], "eps": "1e-5"}'),
    ("momentum out of range", '{"x": [[1, 2], [3, 4]], "momentum": 2}'),
    ("momentum a string", '{"x": [[1, 2], [3, 4]], "momentum": "none"}'),
    ("negative running_var", '{"x": [[1, 2], [3, 4]], "running_var": [1, -1]}'),
    ("num_batches_tracked negative", '{"x": [[1, 2], [3, 4]], "num_batches_tracked": -1}'),
    ("num_batches_tracked fractional", '{"x": [[1, 2], [3, 4]], "num_batches_tracked": 1.5}'),
    ("gamma with affine off", '{"x": [[1, 2], [3, 4]], "affine": false, "gamma": [1, 1]}'),
    ("running stats without tracking",
     '{"x": [[1, 2], [3, 4]], "track_running_stats": false, "running_mean": [0, 0]}'),
    ("result overflows float", '{"x": [[3e38, 1], [-3e38, 2]], "gamma": [3e38, 1]}'),
]


def check_rejected(cli, name, args, stdin, status=2, one_line=True):
    """Exit `status`, empty stdout, stderr starting with an "error:" line (bn-trace: only
    that one line; train/bench may add their usage lines after it)."""
    code, out, err = run(cli, args, stdin)
    lines = err.splitlines()
    if code != status:
        return fail("%s: exit %d, want %d (stdout %r, stderr %r)" % (name, code, status, out[:200], err))
    if out:
        return fail("%s: stdout must be empty, got %r" % (name, out[:200]))
    if not lines or not lines[0].startswith("error:") or (one_line and len(lines) != 1):
        return fail("%s: stderr must be %s starting with 'error:', got %r"
                    % (name, "one line" if one_line else "a first line", err))
    print("  rejected: %-48s %s" % (name, lines[0][:110]))


def bn_trace_errors(cli):
    for name, stdin in ERROR_CASES:
        check_rejected(cli, name, ["bn-trace"], stdin)
    check_rejected(cli, "bn-trace with an argument", ["bn-trace", "--x"], "{}")
    # Near-misses of the error cases are accepted (so the checks above are not vacuous).
    for name, stdin in [
        ("one value per channel in eval with running stats", '{"x": [[1, 2]], "training": false}'),
        ("N = 1 but S = 4 in training", '{"x": [[[[1, 2], [3, 4]]]]}'),
        ("momentum null", '{"x": [[1, 2], [3, 4]], "momentum": null}'),
        ("dy null means no backward", '{"x": [[1, 2], [3, 4]], "dy": null}'),
    ]:
        code, out, err = run(cli, ["bn-trace"], stdin)
        if code != 0 or err or not json.loads(out).get("y"):
            fail("%s: should succeed, got exit %d stderr %r" % (name, code, err))
        else:
            print("  accepted: %s" % name)


def train(cli):
    config = {"data": {"kind": "xor", "size": 120, "seed": 3},
              "net": {"hidden": [{"width": 8}, {"width": 8, "activation": "tanh", "placement": "after"}],
                      "norm": {"momentum": None}},
              "optimizer": {"kind": "adam", "learning_rate": 0.01},
              "batch_size": 16}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "config.json")
        with open(path, "w") as f:
            json.dump(config, f)
        code, out, err = run(cli, ["train", "--config", path, "--steps", "12"])
        if code != 0:
            return fail("train: exit %d, stderr %r" % (code, err))
        rows = out.strip().splitlines()
        header = "step,epoch,batch_loss,train_loss,test_loss,train_acc,test_acc"
        if rows[0] != header:
            fail("train: header %r, want %r" % (rows[0], header))
        if len(rows) != 13:
            fail("train: %d data rows, want 12" % (len(rows) - 1))
        for i, row in enumerate(rows[1:], start=1):
            fields = row.split(",")
            if len(fields) != 7 or int(fields[0]) != i:
                fail("train: bad row %d: %r" % (i, row))
                continue
            vals = [float(v) for v in fields[2:]]
            if not all(math.isfinite(v) for v in vals) or not (0 <= vals[3] <= 1 and 0 <= vals[4] <= 1):
                fail("train: bad values in row %d: %r" % (i, row))
        # 90 training points, batch 16: 6 batches per epoch, so step 12 ends epoch 2.
        if rows[-1].split(",")[1] != "2":
            fail("train: epoch after 12 steps is %s, want 2" % rows[-1].split(",")[1])
        code2, out2, _ = run(cli, ["train", "--config", "-", "--steps", "12"], json.dumps(config))
        if code2 != 0 or out2 != out:
            fail("train: same config from stdin must give identical CSV")
        else:
            print("  train: 12 steps, deterministic, stdin == file")
        # Divergence: exit 3, the rows before it on stdout, the reason on stderr.
        diverging = {"optimizer": {"learning_rate": 100, "momentum": 0.99},
                     "net": {"hidden": [{"width": 64, "norm": "none", "activation": "identity"},
                                        {"width": 64, "norm": "none", "activation": "identity"}]}}
        code, out, err = run(cli, ["train", "--config", "-", "--steps", "200"], json.dumps(diverging))
        rows = out.strip().splitlines()
        if code != 3 or not err.startswith("error: step") or "diverged" not in err or not 1 < len(rows) < 201:
            fail("train: divergence should exit 3 with rows up to it (exit %d, %d rows, stderr %r)"
                 % (code, len(rows) - 1, err))
        elif any(f in ("-nan", "-inf") or ("nan" in f and f != "nan") for r in rows for f in r.split(",")):
            fail("train: non-finite metrics must print as nan/inf: %r" % rows[-1])
        else:
            print("  train: divergence after %d steps, exit 3" % (len(rows) - 1))
        check_rejected(cli, "train: missing file", ["train", "--config", os.path.join(tmp, "nope.json")],
                       "", one_line=False)
        for name, text in [("train: invalid JSON", "{"),
                           ("train: unknown key", '{"net": {"hiden": []}}'),
                           ("train: wrong type", '{"batch_size": "32"}'),
                           ("train: out of range", '{"data": {"test_fraction": 0.95}}'),
                           ("train: bad enum", '{"net": {"hidden": [{"activation": "gelu"}]}}'),
                           ("train: groups do not divide width",
                            '{"net": {"hidden": [{"width": 6, "norm": "groupnorm"}], "norm": {"groups": 4}}}')]:
            check_rejected(cli, name, ["train", "--config", "-"], text)
        check_rejected(cli, "train: missing --config", ["train"], "", one_line=False)
        check_rejected(cli, "train: bad --steps", ["train", "--config", "-", "--steps", "x"], "{}",
                       one_line=False)


def bench(cli):
    code, out, err = run(cli, ["bench", "--native-only", "--quick", "--json"])
    if code != 0:
        return fail("bench: exit %d, stderr %r" % (code, err))
    j = json.loads(out)
    items = j["variants"]["native"]["items"]
    ids = [it["id"] for it in items]
    want = ["bn_32x16", "bn_256x64", "bn_1024x256", "bn_32x16x16x16", "mlp_2-8-8-2_b32",
            "mlp_2-16-16-2_b32", "mlp_2-16-16-2_b256", "mlp_2-64-64-64-2_b32",
            "mlp_2-64-64-64-2_b256", "mlp_8x128_b32", "grid_256x256", "app_frame_default",
            "app_frame_8x128", "app_play_2-8-8-2", "app_play_2-64-64-64-2", "app_play_8x128"]
    if ids != want:
        fail("bench: items %s, want %s" % (ids, want))
    if not all(it["value"] > 0 and it["samples"] >= 3 for it in items):
        fail("bench: every item needs a positive median over >= 3 samples: %r" % items)
    # App playing items: the ratio to the core item of the same run, and the frame's split.
    by_id = {it["id"]: it for it in items}
    for it in items:
        if not it["id"].startswith("app_play_"):
            continue
        core = by_id.get(it.get("core_id"))
        if core is None or abs(it["vs_core"] - it["value"] / core["value"]) > 1e-3 * it["vs_core"]:
            fail("bench: %s: vs_core must be value / its core item's value: %r" % (it["id"], it))
        parts = it.get("parts", {})
        split = sum(v for k, v in parts.items() if k not in ("frame", "frame_wall", "steps_per_frame",
                                                              "measured_steps_per_frame"))
        if not parts.get("frame", 0) > 0 or not 0 < split <= parts["frame_wall"] * 1.01:
            fail("bench: %s: the parts must add up to at most the frame: %r" % (it["id"], parts))
    if len(j["targets"]) < 10 or any(t["value"] is not None for t in j["targets"]
                                    if "wasm" in t["name"]):
        fail("bench: wasm targets must be null when wasm was not run")
    check_rejected(cli, "bench: unknown option", ["bench", "--fast"], "", one_line=False)
    print("  bench: %d items, %d targets" % (len(items), len(j["targets"])))


def study(cli):
    code, out, err = run(cli, ["study", "--list"])
    kinds = out.split()
    if code != 0 or err or len(kinds) < 8 or len(set(kinds)) != len(kinds):
        return fail("study --list: exit %d, kinds %r, stderr %r" % (code, kinds, err))
    # Every kind runs with a seed the claim tests do not use, prints one JSON object with its
    # readouts (numbers or null) and a verdict, and the same seed gives the same output.
    differs = 0
    for kind in kinds:
        code, out, err = run(cli, ["study", kind, "--seed", "11", "--json"])
        if code != 0 or err:
            fail("study %s: exit %d, stderr %r" % (kind, code, err))
            continue
        j = json.loads(out)
        readouts = j.get("readouts", {})
        if (j.get("study") != kind or j.get("seed") != 11 or not j.get("verdict")
                or not isinstance(j.get("claim_holds"), bool) or not readouts
                or not all(v is None or isinstance(v, (int, float)) for v in readouts.values())
                or set(j.get("labels", {})) != set(readouts)):
            fail("study %s: bad JSON %r" % (kind, out[:300]))
            continue
        code2, out2, _ = run(cli, ["study", kind, "--seed", "11", "--json"])
        if code2 != 0 or out2 != out:
            fail("study %s: the same seed must print the same JSON" % kind)
        code3, text, _ = run(cli, ["study", kind, "--seed", "11"])
        if code3 != 0 or ("verdict: " + j["verdict"]) not in text or not all(k in text for k in readouts):
            fail("study %s: the text form must list every readout and the verdict: %r" % (kind, text[:300]))
        print("  study %-16s %2d readouts, claim holds: %s" % (kind, len(readouts), j["claim_holds"]))
    # Another seed gives other numbers (the seed reaches the study), the default seed is 1.
    _, a, _ = run(cli, ["study", "conv_stats", "--json"])
    _, b, _ = run(cli, ["study", "conv_stats", "--seed", "1", "--json"])
    _, c, _ = run(cli, ["study", "conv_stats", "--seed", "2", "--json"])
    if a != b or json.loads(a)["readouts"] == json.loads(c)["readouts"]:
        fail("study: the default seed must be 1 and seed 2 must change the readouts")
    _, hi, _ = run(cli, ["study", "conv_stats", "--seed", "4294967295", "--json"])
    if json.loads(hi or "{}").get("seed") != 4294967295:
        fail("study: the largest seed must be accepted")
    for name, args in [("study: no kind", ["study"]),
                       ("study: unknown kind", ["study", "batch_norm"]),
                       ("study: seed 0", ["study", "conv_stats", "--seed", "0"]),
                       ("study: seed too large", ["study", "conv_stats", "--seed", "4294967296"]),
                       ("study: seed not a number", ["study", "conv_stats", "--seed", "x"]),
                       ("study: seed missing", ["study", "conv_stats", "--seed"]),
                       ("study: unknown option", ["study", "conv_stats", "--fast"]),
                       ("study: --list with a kind", ["study", "--list", "conv_stats"])]:
        check_rejected(cli, name, args, "", one_line=False)
    code, _, err = run(cli, ["study", "batch_norm"])
    if not all(k in err for k in kinds):
        fail("study: the unknown-kind message must list the kinds: %r" % err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("group", choices=["bn_trace_fixtures", "bn_trace_errors", "train", "bench", "study"])
    a = ap.parse_args()
    globals()[a.group](a.cli)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
