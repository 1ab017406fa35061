// The network diagram: input, hidden and output columns; normalization layers as their own
// block nodes next to the neurons they normalize; each hidden neuron as a mini heatmap of
// its output over the input plane (session.neuron_maps); links coloured by sign and sized
// by |weight|. Hover a link: its value; click a neuron or a link: select it (inspector below).
// Shows at most kMaxShown neurons per layer ("+N more" for the rest). No state of its own.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/builder.h"
#include "ui/chart.h"
#include "ui/network_parts.h"
#include "ui/theme.h"

namespace nl::ui {

namespace {

constexpr int kMaxShown = 10;

ImU32 mix_u32(const ImVec4& a, const ImVec4& b, float t, float alpha = 1.0f) {
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, alpha));
}

float dist_to_segment(ImVec2 p, ImVec2 a, ImVec2 b) {
  const float vx = b.x - a.x, vy = b.y - a.y;
  const float len2 = vx * vx + vy * vy;
  float t = len2 > 0.0f ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  const float dx = a.x + t * vx - p.x, dy = a.y + t * vy - p.y;
  return std::sqrt(dx * dx + dy * dy);
}

std::string column_name(int column, int hidden) {
  if (column == 0) return "input";
  if (column == hidden + 1) return "output";
  return "hidden " + std::to_string(column);
}

bool is_hidden_column(int column, int hidden) { return column >= 1 && column <= hidden; }

// Geometry of one frame's diagram.
struct Layout {
  int hidden = 0;
  float node = 20.0f, pitch = 27.0f, cy = 0.0f;
  std::vector<float> x;      // column centre x, per column (input, hidden..., output)
  std::vector<int> units;    // neurons per column
  std::vector<bool> norm;    // column has a norm block (hidden columns only)
  float node_y(int column, int k) const {
    const int shown = std::min(units[static_cast<std::size_t>(column)], kMaxShown);
    return cy + (static_cast<float>(k) - 0.5f * static_cast<float>(shown - 1)) * pitch;
  }
  float bar_x0(int column) const { return x[static_cast<std::size_t>(column)] + node * 0.5f + node * 0.2f; }
  float out_x(int column) const {  // where a column's outgoing links start
    return norm[static_cast<std::size_t>(column)] ? bar_x0(column) + node * 0.45f : x[static_cast<std::size_t>(column)] + node * 0.5f;
  }
};

Layout make_layout(const app::Session& s, ImVec2 p0, ImVec2 size) {
  Layout L;
  const float font = ImGui::GetFontSize();
  L.hidden = static_cast<int>(s.spec.net.hidden.size());
  L.units.push_back(s.spec.net.input_width);
  L.norm.push_back(false);
  for (const HiddenLayerSpec& h : s.spec.net.hidden) {
    L.units.push_back(h.width);
    L.norm.push_back(h.norm != NormKind::kNone);
  }
  L.units.push_back(s.spec.net.output_width);
  L.norm.push_back(false);
  int most = 1;
  for (int u : L.units) most = std::max(most, std::min(u, kMaxShown));
  const int columns = L.hidden + 2;
  const float usable_h = size.y - font * 5.2f;  // titles above, "+N more" and the legend's 3 lines below
  L.node = std::clamp(std::min(usable_h / (static_cast<float>(most) * 1.35f), size.x / (static_cast<float>(columns) * 2.4f)),
                      font * 0.9f, font * 2.6f);
  L.pitch = L.node * 1.35f;
  L.cy = p0.y + font * 1.6f + 0.5f * usable_h;
  const float left = p0.x + font * 0.8f + L.node * 0.5f, right = p0.x + size.x - font * 2.5f - L.node * 0.5f;
  for (int c = 0; c < columns; ++c) {
    L.x.push_back(columns == 1 ? left : left + (right - left) * static_cast<float>(c) / static_cast<float>(columns - 1));
  }
  return L;
}

struct Hover {
  int neuron_layer = -1, neuron_unit = -1;        // hidden neuron under the mouse
  int weight_layer = -1, weight_row = -1, weight_col = -1;
  float weight_value = 0.0f;
};

}  // namespace

void draw_network_diagram(const app::Session& s, app::ActionQueue& actions, const ViewResources& /*resources*/,
                          UiProbe* probe, ImVec2 size) {
  const float font = ImGui::GetFontSize();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("network_canvas", size);
  if (probe) probe->record("network_canvas");
  const bool hovered = ImGui::IsItemHovered();
  const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(p0, ImVec2(p0.x + size.x, p0.y + size.y), true);
  const Palette& pal = palette();
  const ImVec4 neutral = ImGui::GetStyleColorVec4(ImGuiCol_FrameBg);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const Layout L = make_layout(s, p0, size);
  const Network& net = s.exp().network();
  Hover hover;

  // Links, layer by layer: weight (out, in) of the Linear feeding column l + 1.
  float best = std::max(4.0f, font * 0.3f);
  for (int l = 0; l <= L.hidden; ++l) {
    const int li = app::linear_index(net, l);
    if (li < 0) continue;
    const Matrix& w = std::get<Linear>(net.layers()[static_cast<std::size_t>(li)]).weight;  // (out, in)
    const int n_out = std::min<int>(static_cast<int>(w.rows()), kMaxShown);
    const int n_in = std::min<int>(static_cast<int>(w.cols()), kMaxShown);
    float max_abs = 1e-6f;
    for (int r = 0; r < n_out; ++r)
      for (int c = 0; c < n_in; ++c)
        if (std::isfinite(w(r, c))) max_abs = std::max(max_abs, std::abs(w(r, c)));
    for (int r = 0; r < n_out; ++r) {
      for (int c = 0; c < n_in; ++c) {
        const float v = w(r, c);
        const ImVec2 a(L.out_x(l), L.node_y(l, c)), b(L.x[static_cast<std::size_t>(l + 1)] - L.node * 0.5f, L.node_y(l + 1, r));
        const float t = std::isfinite(v) ? std::abs(v) / max_abs : 0.0f;
        dl->AddLine(a, b, mix_u32(v < 0.0f ? pal.class0 : pal.class1, v < 0.0f ? pal.class0 : pal.class1, 0.0f, 0.15f + 0.85f * t),
                    0.6f + 3.0f * t);
        if (probe) {
          const ImVec2 m(0.5f * (a.x + b.x), 0.5f * (a.y + b.y));
          probe->rects["weight:" + std::to_string(l) + ":" + std::to_string(r) + ":" + std::to_string(c)] =
              UiProbe::Rect{ImVec2(m.x - 1.0f, m.y - 1.0f), ImVec2(m.x + 1.0f, m.y + 1.0f)};
        }
        if (hovered) {
          const float d = dist_to_segment(mouse, a, b);
          if (d < best) {
            best = d;
            hover.weight_layer = l;
            hover.weight_row = r;
            hover.weight_col = c;
            hover.weight_value = v;
          }
        }
        if (s.view.weight_layer == l && s.view.weight_row == r && s.view.weight_col == c) {
          dl->AddLine(a, b, text, 3.5f);
        }
      }
    }
  }

  // Columns: titles, nodes, norm blocks.
  const app::NeuronMaps& maps = s.neuron_maps;
  for (int c = 0; c <= L.hidden + 1; ++c) {
    const int units = L.units[static_cast<std::size_t>(c)];
    const int shown = std::min(units, kMaxShown);
    const float x = L.x[static_cast<std::size_t>(c)], half = L.node * 0.5f;
    // Narrow columns (many layers): "h3" instead of "hidden 3", "+118" instead of "+118 more".
    const float spacing = L.x.size() > 1 ? L.x[1] - L.x[0] : size.x;
    const bool tight = spacing < ImGui::CalcTextSize("hidden 8 ").x;
    const std::string title = tight && is_hidden_column(c, L.hidden) ? "h" + std::to_string(c) : column_name(c, L.hidden);
    const float top = L.node_y(c, 0) - half, bottom = L.node_y(c, shown - 1) + half;
    dl->AddText(ImVec2(x - ImGui::CalcTextSize(title.c_str()).x * 0.5f, p0.y + font * 0.2f), text, title.c_str());
    if (units > shown) {
      std::string more = "+";  // appended, not "+" + s: GCC 12 warns (-Wrestrict) on that
      more += std::to_string(units - shown);
      if (!tight) more += " more";
      dl->AddText(ImVec2(x - ImGui::CalcTextSize(more.c_str()).x * 0.5f, bottom + font * 0.3f), dim, more.c_str());
    }
    const int h = c - 1;  // hidden layer index
    const bool is_hidden = c >= 1 && c <= L.hidden;
    const bool has_map = is_hidden && static_cast<int>(maps.layers.size()) == L.hidden &&
                         maps.layers[static_cast<std::size_t>(h)].rows() == units;
    for (int k = 0; k < shown; ++k) {
      const ImVec2 q0(x - half, L.node_y(c, k) - half), q1(x + half, L.node_y(c, k) + half);
      if (c == 0) {  // inputs: a ramp along x (left to right) or y (bottom to top)
        const ImU32 lo = mix_u32(neutral, pal.class0, 0.8f), hi = mix_u32(neutral, pal.class1, 0.8f);
        if (k == 0) dl->AddRectFilledMultiColor(q0, q1, lo, hi, hi, lo);
        else dl->AddRectFilledMultiColor(q0, q1, hi, hi, lo, lo);
        dl->AddText(ImVec2(q0.x - font * 0.7f, q0.y), text, k == 0 ? "x" : "y");
      } else if (!is_hidden) {  // outputs: class colours
        dl->AddRectFilled(q0, q1, ImGui::ColorConvertFloat4ToU32(k == 0 ? pal.class0 : pal.class1), 3.0f);
        dl->AddText(ImVec2(q1.x + font * 0.2f, q0.y), text, k == 0 ? "0" : "1");
      } else if (has_map) {  // the neuron's output over the input plane, row 0 = y_min at the bottom
        const Matrix& m = maps.layers[static_cast<std::size_t>(h)];
        const int n = maps.resolution;
        float scale = 1e-6f;
        for (Index i = 0; i < m.cols(); ++i)
          if (std::isfinite(m(k, i))) scale = std::max(scale, std::abs(m(k, i)));
        // Small nodes: sample every stride-th cell so a cell stays >= ~1.5 px (bounded vertices).
        const int stride = std::max(1, static_cast<int>(static_cast<float>(n) * 1.5f / L.node));
        const float cell = L.node / static_cast<float>(n) * static_cast<float>(stride);
        for (int row = 0; row < n; row += stride) {
          for (int col = 0; col < n; col += stride) {
            const float v = m(k, row * n + col);
            const float t = std::isfinite(v) ? std::clamp(v / scale, -1.0f, 1.0f) : 0.0f;
            const ImVec2 c0(q0.x + cell * static_cast<float>(col / stride), q1.y - cell * static_cast<float>(row / stride + 1));
            dl->AddRectFilled(ImVec2(c0.x, std::max(c0.y, q0.y)),
                              ImVec2(std::min(c0.x + cell + 0.3f, q1.x), std::min(c0.y + cell + 0.3f, q1.y)),
                              mix_u32(neutral, t < 0.0f ? pal.class0 : pal.class1, std::abs(t)));
          }
        }
      } else {
        dl->AddRectFilled(q0, q1, ImGui::ColorConvertFloat4ToU32(neutral));
      }
      dl->AddRect(q0, q1, dim);
      if (is_hidden) {
        if (probe) probe->rects["neuron:" + std::to_string(h) + ":" + std::to_string(k)] = UiProbe::Rect{q0, q1};
        if (hovered && mouse.x >= q0.x && mouse.x <= q1.x && mouse.y >= q0.y && mouse.y <= q1.y) {
          hover.neuron_layer = h;
          hover.neuron_unit = k;
        }
        if (s.view.selected_layer == h && s.view.selected_unit == k) dl->AddRect(q0, q1, text, 0.0f, 0, 3.0f);
      }
    }
    if (is_hidden && L.norm[static_cast<std::size_t>(c)]) {  // the norm layer: its own block node
      const HiddenLayerSpec& spec = s.spec.net.hidden[static_cast<std::size_t>(h)];
      const ImVec2 b0(L.bar_x0(c), top), b1(L.bar_x0(c) + L.node * 0.45f, bottom);
      dl->AddRectFilled(b0, b1, ImGui::ColorConvertFloat4ToU32(pal.with_bn), 4.0f);
      const char* name = norm_short_name(spec.norm);
      const float cx = 0.5f * (b0.x + b1.x);
      dl->AddText(ImVec2(cx - ImGui::CalcTextSize(name).x * 0.5f, top - font * 1.15f), text, name);
      const char* where = spec.placement == NormPlacement::kBeforeActivation ? "pre" : "post";
      dl->AddText(ImVec2(cx - ImGui::CalcTextSize(where).x * 0.5f, bottom + font * (units > shown ? 1.3f : 0.3f)), dim, where);
      if (probe) probe->rects["norm_block:" + std::to_string(h)] = UiProbe::Rect{b0, b1};
    }
  }
  const char* legend =
      "links: orange w > 0, blue w < 0, width \xE2\x88\x9D |w|;  squares: each neuron's output over the input plane "
      "(x right, y up), orange > 0, blue < 0, full colour at the neuron's largest |output|";
  dl->AddText(nullptr, 0.0f, ImVec2(p0.x + font * 0.3f, p0.y + size.y - font * 3.6f), dim, legend, nullptr, size.x - font * 0.6f);
  dl->PopClipRect();

  if (hover.neuron_layer >= 0) {
    ImGui::SetTooltip("hidden %d, neuron %d: click to inspect", hover.neuron_layer + 1, hover.neuron_unit + 1);
    if (clicked) actions.push_back(app::act::SelectNeuron{hover.neuron_layer, hover.neuron_unit});
  } else if (hover.weight_layer >= 0) {
    ImGui::SetTooltip("weight %s %d \xE2\x86\x90 %s %d = %s\nclick to edit, or turn the mouse wheel",
                      column_name(hover.weight_layer + 1, L.hidden).c_str(),
                      hover.weight_row + 1, column_name(hover.weight_layer, L.hidden).c_str(), hover.weight_col + 1,
                      format_number(hover.weight_value).c_str());
    if (clicked) actions.push_back(app::act::SelectWeight{hover.weight_layer, hover.weight_row, hover.weight_col});
    // The wheel edits the hovered weight in place: 0.05 per notch.
    const float wheel = ImGui::GetIO().MouseWheel;
    if (wheel != 0.0f && std::isfinite(hover.weight_value)) {
      actions.push_back(app::act::SetWeight{hover.weight_layer, hover.weight_row, hover.weight_col,
                                            std::clamp(hover.weight_value + 0.05f * wheel, -100.0f, 100.0f)});
    }
  }
}

}  // namespace nl::ui
