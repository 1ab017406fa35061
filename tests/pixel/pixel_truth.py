#!/usr/bin/python3
"""Pixel truth: what the learner sees, checked against the model.

Reads screenshots of the app (desktop window or browser canvas) with the rectangles each frame
drew (and `display`, the window in the same units), the exported state (settings, weights and
the data points, which must be the learner's own: imported or edited) and the exported PyTorch
module. PyTorch, not NormLab, computes P(class 1) and the hidden outputs at every sampled input,
so the checks are independent of the app's numerics and of its grids.

Checks (data panel, always):
  legend   the colour bar is a gradient from one class colour through grey to the other; its
           32 steps are the lookup table for the checks below.
  heatmap  at 50 or more points of the plot (away from data points and from the boundary
           line, where the map is smooth), the pixel's colour decodes through the legend's
           own colours to PyTorch's P(class 1) at that input within TOLERANCE; no pixel is a
           colour the legend does not have.
  y up     the same samples decoded with the y axis flipped disagree (so the check above can
           tell the orientation, on this data).
  points   training points are drawn in their class's colour (the legend's markers) where
           their coordinates say.
Why panel (--why): the boundary of the learner's own network (the "with" side for a network
  with normalization, else "without"), cell by cell, decoded through the data panel's legend.
Network panel (--network): the neuron maps, cell by cell, against PyTorch's hidden outputs.

Restated app rules (a change there must change these): the plot's data window is a square
centred on the points' bounding box, 1.1 times its larger side (app/session.cpp); the Why
panel's grid has TWIN_CELLS cells a side, the neuron maps NEURON_CELLS.

usage: pixel_truth.py --data PNG RECTS [--why PNG RECTS] [--network PNG RECTS]
                      --state STATE.json --model MODEL.py [--label NAME]
Exit status 0 when every check holds, 1 otherwise (each failure is printed).
"""
import argparse
import importlib.util
import json
import struct
import sys
import zlib

import numpy as np

TOLERANCE = 0.05        # |P decoded from the pixel - P from PyTorch|
MAX_COLOUR_DIST = 14.0  # RGB units (0..255) from the legend's gradient
MIN_SAMPLES = 50
LEGEND_STEPS = 32       # the legend draws P = 1 - (i + 0.5) / 32, i = 0..31, top to bottom
TWIN_CELLS = 28         # the Why panel's coarse grid (app/twin_run.h, grid_resolution)
NEURON_CELLS = 16       # a neuron map's cells per side (app/builder.cpp; 16 below 8e6 MACs per map)
NEURON_TOLERANCE = 0.05 # |shown - model| of a neuron map's |v| / max|v|


def read_png(path):
    """RGB array (height, width, 3) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"{path}: only 8-bit RGB/RGBA non-interlaced PNGs are read (got depth {depth}, type {colour})")
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + prev) & 255
        else:  # Sub, Average, Paeth depend on the left neighbour: byte by byte
            cur = np.zeros(stride, dtype=np.int32)
            for i in range(stride):
                a = cur[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                if kind == 1:
                    pred = a
                elif kind == 3:
                    pred = (a + b) >> 1
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (line[i] + pred) & 255
        out[y] = cur
        prev = cur
    return out.reshape(height, width, channels)[:, :, :3].astype(np.float64)


class Legend:
    """The legend bar's colours as a lookup table from colour to P(class 1)."""

    def __init__(self, image, rect, scale):
        x0, y0, x1, y1 = [v * scale for v in rect]
        xc = int((x0 + x1) / 2)
        self.p = np.array([1.0 - (i + 0.5) / LEGEND_STEPS for i in range(LEGEND_STEPS)])
        self.colours = np.array([image[int(y0 + (y1 - y0) * (i + 0.5) / LEGEND_STEPS), xc] for i in range(LEGEND_STEPS)])

    def problems(self):
        top, mid, bottom = self.colours[0], self.colours[LEGEND_STEPS // 2], self.colours[-1]
        out = []
        if np.linalg.norm(top - bottom) < 60:
            out.append(f"the legend's ends are nearly the same colour ({top} vs {bottom})")
        # Grey in the middle (P = 0.5: no class), far from both ends.
        if np.ptp(mid) > 30 or min(np.linalg.norm(top - mid), np.linalg.norm(bottom - mid)) < 60:
            out.append(f"the legend's middle {mid} is not a grey apart from its ends {top} and {bottom}")
        return out

    def decode(self, colour):
        """(P, distance): the nearest point on the legend's piecewise-linear colour path."""
        best = (None, float("inf"))
        for i in range(LEGEND_STEPS - 1):
            a, b = self.colours[i], self.colours[i + 1]
            ab = b - a
            t = 0.0 if not ab.any() else float(np.clip(np.dot(colour - a, ab) / np.dot(ab, ab), 0.0, 1.0))
            d = float(np.linalg.norm(a + t * ab - colour))
            if d < best[1]:
                best = (self.p[i] + t * (self.p[i + 1] - self.p[i]), d)
        return best


def plot_window(points):
    """The app's rule for the heatmap's data window (app/session.cpp)."""
    xy = np.array([[p[0], p[1]] for p in points], dtype=np.float64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    centre = (lo + hi) / 2
    half = 0.5 * max(hi[0] - lo[0], hi[1] - lo[1], 1e-3) * 1.1
    return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


class Model:
    """The exported PyTorch module with NormLab's weights: P(class 1) and hidden outputs."""

    def __init__(self, model_path, state):
        import torch
        spec = importlib.util.spec_from_file_location("normlab_model", model_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.torch, self.module = torch, module
        self.model = module.make_model()
        module.load_normlab_weights(self.model, state)
        self.model.eval()

    def proba(self, xy):
        return self.module.predict_proba(self.model, [[float(a), float(b)] for a, b in xy]).detach().numpy()[:, 1]

    def hidden(self, xy):
        """Each hidden layer's output (the input of the next Linear), as arrays (points, width)."""
        out, x = [], self.torch.tensor(np.asarray(xy, dtype=np.float32))
        linears = 0
        with self.torch.no_grad():
            for m in self.model:
                if isinstance(m, self.torch.nn.Linear):
                    if linears:
                        out.append(x.numpy().copy())
                    linears += 1
                x = m(x)
        return out


def rect_px(rects, name, scale):
    return [v * scale for v in rects[name]]


def check_heatmap(image, rects, scale, window, points, model, legend, class_colour, failures, label):
    """The data panel's heatmap, its y axis and the training points."""
    px0, py0, px1, py1 = rect_px(rects, "data_plot", scale)
    side = px1 - px0
    xmin, xmax, ymin, ymax = window
    marker = rects["data_legend_class0"]
    radius = (marker[2] - marker[0]) / 2 * scale
    screen_points = np.array([[px0 + (p[0] - xmin) / (xmax - xmin) * side, py1 - (p[1] - ymin) / (ymax - ymin) * side]
                              for p in points])
    # Samples: a 20 x 20 lattice over the plot, 3% in from its border.
    lattice = np.linspace(0.03, 0.97, 20)
    candidates = [(u, v) for u in lattice for v in lattice]
    to_data = lambda u, v: (xmin + u * (xmax - xmin), ymin + v * (ymax - ymin))
    step = 1.5 / 64  # a grid cell and a half: the model must be smooth there for the texture to follow it
    xy, around = [], []
    for u, v in candidates:
        xy.append(to_data(u, v))
        around += [to_data(u + du, v + dv) for du, dv in ((step, 0), (-step, 0), (0, step), (0, -step))]
    p_model = model.proba(xy)
    p_around = model.proba(around).reshape(-1, 4)
    samples = []
    for k, (u, v) in enumerate(candidates):
        sx, sy = px0 + u * side, py1 - v * side
        if np.min(np.hypot(screen_points[:, 0] - sx, screen_points[:, 1] - sy)) < radius + 4 * scale:
            continue  # a data point is drawn here
        if abs(p_model[k] - 0.5) < 0.1 or np.max(np.abs(p_around[k] - p_model[k])) > 0.03:
            continue  # near the boundary line, or the model changes faster than the grid shows
        samples.append((k, u, v, sx, sy))
    compare(image, samples, lambda k: p_model[k], legend, "heatmap", failures, label)

    # y up: the same samples read with the plot upside down must disagree.
    flipped = wrong = 0
    for k, u, v, sx, sy in samples:
        got, _ = legend.decode(image[int(py0 + v * side), int(sx)])
        flipped += abs(got - p_model[k]) > TOLERANCE
        got, _ = legend.decode(image[int(sy), int(sx)])
        wrong += abs(got - p_model[k]) > TOLERANCE
    if samples and flipped < 0.25 * len(samples):
        failures.append(f"read upside down only {flipped} of {len(samples)} samples disagree with the model (right side "
                        f"up: {wrong}): " + ("the heatmap is drawn with y pointing down" if wrong > flipped
                                             else "this data cannot tell the orientation"))
    print(f"{label}: y up: read upside down, {flipped} of {len(samples)} samples would disagree")

    # Training points in their class colour (the legend's markers), where their coordinates say.
    checked = hit = 0
    for i, p in enumerate(points):
        if p[3] != "train":
            continue
        sx, sy = screen_points[i]
        crowded = any(j != i and q[2] != p[2] and np.hypot(*(screen_points[j] - screen_points[i])) < 2.5 * radius
                      for j, q in enumerate(points))
        if crowded or not (px0 + radius < sx < px1 - radius and py0 + radius < sy < py1 - radius):
            continue
        checked += 1
        hit += np.linalg.norm(image[int(sy), int(sx)] - class_colour[p[2]]) < 24
    if checked < 20 or hit < 0.95 * checked:
        failures.append(f"{hit} of {checked} training points show their class colour at their coordinates (need 95% of 20 or more)")
    print(f"{label}: points: {hit} of {checked} training points drawn in their class colour at their place")


def compare(image, samples, expected, legend, what, failures, label):
    """Decodes each sample's pixel through the legend and compares it with the model's P."""
    if len(samples) < MIN_SAMPLES:
        failures.append(f"{what}: only {len(samples)} samples away from points and boundary (need {MIN_SAMPLES})")
    wrong, off_map, errors = [], [], []
    for sample in samples:
        k, sx, sy = sample[0], sample[-2], sample[-1]
        colour = image[int(sy), int(sx)]
        got, dist = legend.decode(colour)
        errors.append(abs(got - expected(k)))
        if dist > MAX_COLOUR_DIST:
            off_map.append(f"pixel ({sx:.0f}, {sy:.0f}) colour {colour} is {dist:.0f} from the legend")
        elif abs(got - expected(k)) > TOLERANCE:
            wrong.append(f"pixel ({sx:.0f}, {sy:.0f}) shows P {got:.3f}, PyTorch says {expected(k):.3f}")
    if off_map:
        failures.append(f"{what}: {len(off_map)} of {len(samples)} pixels are colours the legend does not have: " + "; ".join(off_map[:4]))
    if wrong:
        failures.append(f"{what}: {len(wrong)} of {len(samples)} pixels disagree with the model by more than {TOLERANCE}: " + "; ".join(wrong[:4]))
    print(f"{label}: {what}: {len(samples)} samples, |P shown - P model| max {max(errors, default=float('nan')):.3f}, "
          f"mean {np.mean(errors) if errors else float('nan'):.3f} (tolerance {TOLERANCE})")


def legend_class_colours(image, rects, scale):
    return [image[int((r[1] + r[3]) / 2 * scale), int((r[0] + r[2]) / 2 * scale)]
            for r in (rects["data_legend_class0"], rects["data_legend_class1"])]


def check_twin(image, rects, scale, window, points, model, legend, side_name, failures, label):
    """The Why panel's boundary of the learner's own network: TWIN_CELLS x TWIN_CELLS cells,
    each the model's P at the cell's centre (no interpolation), in the legend's colours."""
    x0, y0, x1, y1 = rect_px(rects, f"why:heatmap_{side_name}_plot", scale)
    side = x1 - x0
    xmin, xmax, ymin, ymax = window
    cell = side / TWIN_CELLS
    screen_points = np.array([[x0 + (p[0] - xmin) / (xmax - xmin) * side, y1 - (p[1] - ymin) / (ymax - ymin) * side]
                              for p in points if p[3] == "train"])
    cells = [(row, col) for row in range(1, TWIN_CELLS - 1) for col in range(1, TWIN_CELLS - 1)]
    xy = [(xmin + (col + 0.5) / TWIN_CELLS * (xmax - xmin), ymin + (row + 0.5) / TWIN_CELLS * (ymax - ymin))
          for row, col in cells]
    p_model = model.proba(xy)
    samples = []
    for k, (row, col) in enumerate(cells):
        sx, sy = x0 + (col + 0.5) * cell, y1 - (row + 0.5) * cell
        if np.min(np.hypot(screen_points[:, 0] - sx, screen_points[:, 1] - sy)) < 4.5 * scale:
            continue  # a training point (radius 2.5) covers the cell's centre
        if abs(p_model[k] - 0.5) < 0.02:
            continue  # the colour map's kink: either side's grey is right
        samples.append((k, sx, sy))
    compare(image, samples, lambda k: p_model[k], legend, f"twin boundary ({side_name})", failures, label)


def check_neurons(image, rects, scale, window, model, class_colour, failures, label):
    """The network panel's neuron maps: each hidden neuron's output over the input plane on
    NEURON_CELLS x NEURON_CELLS cells, coloured grey -> class colour by |v| / max|v| (the map's
    own maximum), class 1's colour for v > 0, class 0's for v < 0 (the panel's legend)."""
    xmin, xmax, ymin, ymax = window
    n = NEURON_CELLS
    xy = [(xmin + (col + 0.5) / n * (xmax - xmin), ymin + (row + 0.5) / n * (ymax - ymin))
          for row in range(n) for col in range(n)]
    layers = model.hidden(xy)

    def cells():
        """(map name, row, col, the screen pixel at the cell's centre, t = v / max|v| of the
        map (3 x 3 around the cell)) for every inner cell of every map drawn large enough."""
        for h, values in enumerate(layers):
            for k in range(values.shape[1]):
                name = f"neuron:{h}:{k}"
                if name not in rects:
                    continue
                q0x, q0y, q1x, q1y = rect_px(rects, name, scale)
                if (q1x - q0x) / n < 2.0:
                    continue  # cells too small to read one by one
                v = values[:, k].reshape(n, n)
                t = v / max(1e-6, float(np.max(np.abs(v))))
                for row in range(1, n - 1):
                    for col in range(1, n - 1):
                        sx, sy = q0x + (col + 0.5) * (q1x - q0x) / n, q1y - (row + 0.5) * (q1y - q0y) / n
                        yield name, row, col, image[int(sy), int(sx)], t[row - 1:row + 2, col - 1:col + 2]

    # The maps' grey (v = 0) is the theme's frame colour, which no legend shows: estimate it
    # from the cells PyTorch says are near 0 (colour = grey + |t| (class colour - grey)).
    near_zero = [colour for _, _, _, colour, t in cells() if abs(t[1, 1]) < 0.02 and np.max(np.abs(t)) < 0.05]
    if len(near_zero) < 10:
        failures.append(f"neuron maps: only {len(near_zero)} cells near 0 to find the maps' grey")
        return
    neutral = np.median(np.array(near_zero), axis=0)
    errors, wrong, maps = [], [], set()
    for name, row, col, colour, t in cells():
        maps.add(name)
        if np.max(np.abs(t - t[1, 1])) > 0.15:
            continue  # a neighbour differs: the cell's edges blend
        axis = (class_colour[1] if t[1, 1] >= 0 else class_colour[0]) - neutral
        got = float(np.dot(colour - neutral, axis) / np.dot(axis, axis))
        errors.append(abs(got - abs(t[1, 1])))
        if errors[-1] > NEURON_TOLERANCE:
            wrong.append(f"{name} cell ({row}, {col}) shows {got:.2f}, PyTorch's |v|/max is {abs(t[1, 1]):.2f}")
    checked_maps = len(maps)
    if checked_maps < 3 or len(errors) < MIN_SAMPLES:
        failures.append(f"neuron maps: only {checked_maps} maps and {len(errors)} cells could be read (need 3 and {MIN_SAMPLES})")
    if wrong:
        failures.append(f"neuron maps: {len(wrong)} of {len(errors)} cells disagree by more than {NEURON_TOLERANCE}: " + "; ".join(wrong[:4]))
    print(f"{label}: neuron maps: {checked_maps} maps, {len(errors)} cells, |shown - model| max "
          f"{max(errors, default=float('nan')):.3f} (tolerance {NEURON_TOLERANCE})")


def load_view(pair, needed, failures):
    png, rects_path = pair
    image = read_png(png)
    with open(rects_path) as f:
        rects = json.load(f)
    for key in needed + ["display"]:
        if key not in rects:
            failures.append(f"{png}: the frame did not draw '{key}' (rectangles: {sorted(rects)[:12]}...)")
    return image, rects, (image.shape[1] / rects["display"][2] if "display" in rects else 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs=2, metavar=("PNG", "RECTS"), required=True, help="the data panel")
    ap.add_argument("--why", nargs=2, metavar=("PNG", "RECTS"), help="the Why panel (twin boundaries)")
    ap.add_argument("--network", nargs=2, metavar=("PNG", "RECTS"), help="the network panel (neuron maps)")
    ap.add_argument("--state", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--label", default="pixel truth")
    args = ap.parse_args()

    with open(args.state) as f:
        state = json.load(f)
    failures = []
    if "data" not in state or "weights" not in state:
        return report(args.label, ["the state has no learner's points or no weights (import points and export with weights)"])
    image, rects, scale = load_view(args.data, ["data_plot", "data_legend_bar", "data_legend_class0", "data_legend_class1"],
                                    failures)
    if failures:
        return report(args.label, failures)
    points = state["data"]["points"]
    window = plot_window(points)
    model = Model(args.model, state)
    legend = Legend(image, rects["data_legend_bar"], scale)
    failures += legend.problems()
    class_colour = legend_class_colours(image, rects, scale)
    check_heatmap(image, rects, scale, window, points, model, legend, class_colour, failures, args.label)
    if args.why:
        with_norm = any(h["norm"] != "none" for h in state["settings"]["net"]["hidden"])
        side_name = "with" if with_norm else "without"
        why_image, why_rects, why_scale = load_view(args.why, [f"why:heatmap_{side_name}_plot"], failures)
        if f"why:heatmap_{side_name}_plot" in why_rects:
            check_twin(why_image, why_rects, why_scale, window, points, model, legend, side_name, failures, args.label)
    if args.network:
        net_image, net_rects, net_scale = load_view(args.network, ["neuron:0:0"], failures)
        check_neurons(net_image, net_rects, net_scale, window, model, class_colour, failures, args.label)
    return report(args.label, failures)


def report(label, failures):
    for f in failures:
        print(f"{label}: FAIL: {f}")
    print(f"{label}: {'ok' if not failures else 'FAILED'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
