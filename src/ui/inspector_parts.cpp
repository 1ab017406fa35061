// Selectors, strip plot and boundary pair shared by the inspector and backprop views.
// Draws on ImDrawList with chart.h's ticks and number formatting; keeps no state.
#include "ui/inspector_parts.h"

#include <algorithm>
#include <cmath>

#include "ui/chart.h"
#include "ui/theme.h"

namespace nl::ui {

ImU32 to_colour(const ImVec4& c, float alpha) {
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.x, c.y, c.z, c.w * alpha));
}

std::string num(double value) { return format_number(value); }

std::string term(double value) {
  if (value >= 0) return num(value);
  std::string out = "(";  // built by appending: GCC 12 warns (-Wrestrict) on "(" + s + ")"
  out += num(value);
  out += ')';
  return out;
}

void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

void text_disabled_wrapped(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

void draw_bn_selectors(const app::Session& session, const app::InspectorModel& model,
                       app::ActionQueue& actions, UiProbe* probe, const char* prefix) {
  const std::string p = prefix;
  const float font = ImGui::GetFontSize();
  const std::string current = model.layer >= 0 ? "hidden layer " + std::to_string(model.layer + 1) : "none";
  ImGui::SetNextItemWidth(font * 9.0f);
  if (ImGui::BeginCombo(("BN layer##" + p).c_str(), current.c_str())) {
    for (int h : model.bn_layers) {
      const std::string name = "hidden layer " + std::to_string(h + 1);
      if (ImGui::Selectable(name.c_str(), h == model.layer) && h != model.layer)
        actions.push_back(app::act::InspectLayer{h});
    }
    ImGui::EndCombo();
  }
  if (probe) probe->record(p + ":layer");
  if (!model.ok) return;
  same_line_if_fits(font * 11.0f);
  int feature = model.feature + 1;
  ImGui::SetNextItemWidth(font * 7.0f);
  if (ImGui::SliderInt(("feature##" + p).c_str(), &feature, 1, std::max(1, model.features)) &&
      feature - 1 != session.inspector.feature)
    actions.push_back(app::act::InspectFeature{feature - 1});
  if (probe) probe->record(p + ":feature");
  same_line_if_fits(font * 12.0f);
  int sample = model.sample + 1;
  ImGui::SetNextItemWidth(font * 8.0f);
  if (ImGui::SliderInt(("sample##" + p).c_str(), &sample, 1, static_cast<int>(model.x.size())) &&
      sample - 1 != session.inspector.sample)
    actions.push_back(app::act::InspectSample{sample - 1});
  if (probe) probe->record(p + ":sample");
}

StripResult draw_strip(const char* id, ImVec2 size, const StripPlot& plot) {
  StripResult result;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::PushID(id);
  const float left = o.x + font * 0.8f, right = o.x + size.x - font * 0.8f;
  const float axis_y = o.y + size.y - font * 1.6f;
  const float hist_top = o.y + font * (0.4f + 1.1f * static_cast<float>(std::max<std::size_t>(1, plot.markers.size())));
  const float hist_bottom = std::max(hist_top + font * 2.0f, o.y + size.y * 0.45f);
  // While a handle is dragged the axis keeps the range it had at the press (ImGui storage:
  // presentation only), so the values moving under the mouse do not move the scale.
  ImGuiStorage* st = ImGui::GetStateStorage();
  const ImGuiID k_lo = ImGui::GetID("drag_lo"), k_hi = ImGui::GetID("drag_hi"), k_v0 = ImGui::GetID("drag_v0");
  const ImGuiID k_on = ImGui::GetID("drag_on");  // a handle was held last frame
  float lo = plot.lo, hi = plot.hi > plot.lo ? plot.hi : plot.lo + 1.0f;
  if (st->GetBool(k_on, false) && !plot.handles.empty()) lo = st->GetFloat(k_lo, lo), hi = st->GetFloat(k_hi, hi);
  bool any_active = false;
  auto sx = [&](float v) { return left + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (right - left); };
  // Handles first: the first item under the mouse takes the hover, so they sit above the plot.
  const float grip = std::max(font * 0.7f, 8.0f);
  struct Grip { ImVec2 c; bool active, hovered; };
  std::vector<Grip> grips;
  for (std::size_t i = 0; i < plot.handles.size(); ++i) {
    const StripHandle& h = plot.handles[i];
    const ImVec2 c(sx(h.value), axis_y - grip);
    ImGui::SetCursorScreenPos(ImVec2(c.x - grip, c.y - grip));
    ImGui::InvisibleButton(h.id.c_str(), ImVec2(grip * 2.0f, grip * 2.0f));
    result.handle_rects.push_back({ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
    if (ImGui::IsItemActivated()) {
      st->SetFloat(k_lo, lo);
      st->SetFloat(k_hi, hi);
      st->SetFloat(k_v0, h.value);
    }
    const bool active = ImGui::IsItemActive(), hovered = ImGui::IsItemHovered();
    any_active = any_active || active;
    if (active) {
      const float delta = ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 0.0f).x;
      result.dragged = static_cast<int>(i);
      result.value = st->GetFloat(k_v0, h.value) + delta / (right - left) * (hi - lo);
    }
    if (active || hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
    grips.push_back({c, active, hovered});
  }
  st->SetBool(k_on, any_active);
  ImGui::SetCursorScreenPos(o);
  ImGui::InvisibleButton("plot", size);
  ImGui::PopID();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddRectFilled(o, ImVec2(o.x + size.x, o.y + size.y), ImGui::GetColorU32(ImGuiCol_FrameBg), 4.0f);

  for (const StripBand& b : plot.bands)
    dl->AddRectFilled(ImVec2(sx(b.lo), hist_top), ImVec2(sx(b.hi), axis_y), b.colour);
  // Histogram of the values.
  constexpr int kBins = 24;
  float counts[kBins] = {};
  for (float v : plot.values)
    if (std::isfinite(v)) counts[std::clamp(static_cast<int>((v - lo) / (hi - lo) * kBins), 0, kBins - 1)] += 1.0f;
  float max_count = 1.0f;
  for (float c : counts) max_count = std::max(max_count, c);
  for (int i = 0; i < kBins; ++i) {
    const float x0 = left + (right - left) * static_cast<float>(i) / kBins;
    const float x1 = left + (right - left) * static_cast<float>(i + 1) / kBins;
    const float y0 = hist_bottom - (hist_bottom - hist_top) * counts[i] / max_count;
    if (counts[i] > 0) dl->AddRectFilled(ImVec2(x0 + 1, y0), ImVec2(x1 - 1, hist_bottom), to_colour(palette().test_loss, 0.45f));
  }
  // Dots in 6 rows under the histogram.
  const float row_h = (axis_y - hist_bottom - font * 0.6f) / 6.0f;
  const float r = std::max(3.0f, font * 0.28f);
  for (std::size_t i = 0; i < plot.values.size(); ++i) {
    if (!std::isfinite(plot.values[i])) continue;
    const ImVec2 c(sx(plot.values[i]), hist_bottom + font * 0.5f + row_h * (0.5f + static_cast<float>(i % 6)));
    const ImU32 col = i < plot.dot_colours.size() ? plot.dot_colours[i] : text;
    dl->AddCircleFilled(c, r, col);
  }
  // Markers: vertical lines with labels at the top.
  float label_y = o.y + font * 0.2f;
  for (const StripMarker& m : plot.markers) {
    if (!std::isfinite(m.value)) continue;
    const float x = sx(m.value);
    dl->AddLine(ImVec2(x, hist_top - font * 0.2f), ImVec2(x, axis_y), m.colour, 2.0f);
    const ImVec2 ts = ImGui::CalcTextSize(m.label.c_str());
    const float tx = std::clamp(x - ts.x * 0.5f, o.x + 2.0f, o.x + size.x - ts.x - 2.0f);
    dl->AddText(ImVec2(tx, label_y), m.colour, m.label.c_str());
    label_y += font * 1.1f;  // one label line per marker
  }
  // The highlighted sample: a ring and its value.
  if (plot.highlight >= 0 && static_cast<std::size_t>(plot.highlight) < plot.values.size() &&
      std::isfinite(plot.values[static_cast<std::size_t>(plot.highlight)])) {
    const auto k = static_cast<std::size_t>(plot.highlight);
    const ImVec2 c(sx(plot.values[k]), hist_bottom + font * 0.5f + row_h * (0.5f + static_cast<float>(k % 6)));
    dl->AddCircle(c, r * 2.2f, to_colour(palette().warning), 0, 2.5f);
  }
  // Axis with ticks.
  dl->AddLine(ImVec2(left, axis_y), ImVec2(right, axis_y), faint);
  for (float t : nice_ticks(lo, hi, 7)) {
    const float x = sx(t);
    const std::string label = format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddLine(ImVec2(x, axis_y), ImVec2(x, axis_y + font * 0.3f), text);
    dl->AddText(ImVec2(x - ts.x * 0.5f, axis_y + font * 0.35f), text, label.c_str());
  }
  // Handles on top: a diamond on the marker line, brighter while hovered or dragged.
  for (std::size_t i = 0; i < grips.size(); ++i) {
    const ImVec2 c = grips[i].c;
    const bool lit = grips[i].active || grips[i].hovered;
    const ImVec2 t(c.x, c.y - grip), rt(c.x + grip, c.y), b(c.x, c.y + grip), l(c.x - grip, c.y);
    const ImU32 fill = (plot.handles[i].colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(lit ? 255 : 200) << IM_COL32_A_SHIFT);
    dl->AddQuadFilled(t, rt, b, l, fill);
    dl->AddQuad(t, rt, b, l, text, grips[i].active ? 2.5f : 1.2f);
  }
  return result;
}

void draw_path_plot(const char* id, ImVec2 size, const std::vector<PathRow>& rows,
                    const std::vector<ImU32>& dot_colours, int highlight) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  if (rows.empty()) return;
  float label_w = 0.0f;
  for (const PathRow& r : rows) label_w = std::max(label_w, ImGui::CalcTextSize(r.label.c_str()).x);
  const float left = o.x + label_w + font * 0.8f, right = o.x + size.x - font * 4.5f;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 ring = to_colour(palette().warning);
  // One shared axis (always including 0): the rows show how the layer shifts and scales.
  float lo = 0.0f, hi = 0.0f;
  for (const PathRow& r : rows)
    for (float x : r.values) if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (hi - lo < 1e-6f) hi = lo + 1.0f;
  auto sx = [&](float x) { return left + (x - lo) / (hi - lo) * (right - left); };
  const float axis_y = o.y + size.y - font * 1.4f;
  const float row_h = (axis_y - o.y) / static_cast<float>(rows.size());
  dl->AddLine(ImVec2(sx(0.0f), o.y), ImVec2(sx(0.0f), axis_y), faint);
  dl->AddLine(ImVec2(left, axis_y), ImVec2(right, axis_y), faint);
  for (float t : nice_ticks(lo, hi, 7)) {
    const std::string label = format_number(t);
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    dl->AddLine(ImVec2(sx(t), axis_y), ImVec2(sx(t), axis_y + font * 0.3f), text);
    dl->AddText(ImVec2(sx(t) - w * 0.5f, axis_y + font * 0.3f), text, label.c_str());
  }
  std::vector<ImVec2> path;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::vector<float>& v = rows[r].values;
    const float y = o.y + row_h * (static_cast<float>(r) + 0.5f);
    dl->AddText(ImVec2(o.x, y - font * 0.5f), text, rows[r].label.c_str());
    dl->AddLine(ImVec2(left, y), ImVec2(right, y), faint);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) continue;
      dl->AddCircleFilled(ImVec2(sx(v[i]), y), std::max(2.5f, font * 0.2f), i < dot_colours.size() ? dot_colours[i] : text);
    }
    if (highlight >= 0 && static_cast<std::size_t>(highlight) < v.size() && std::isfinite(v[static_cast<std::size_t>(highlight)])) {
      const float hv = v[static_cast<std::size_t>(highlight)];
      path.emplace_back(sx(hv), y);
      dl->AddText(ImVec2(right + font * 0.5f, y - font * 0.5f), ring, format_number(hv).c_str());
    }
  }
  for (std::size_t i = 0; i + 1 < path.size(); ++i) dl->AddLine(path[i], path[i + 1], ring, 2.0f);
  for (const ImVec2& p : path) dl->AddCircle(p, std::max(5.0f, font * 0.4f), ring, 0, 2.0f);
}

namespace {

ImU32 heat(float p, float alpha) {
  const Palette& pal = palette();
  const ImVec4& t = p < 0.5f ? pal.class0 : pal.class1;
  const float c = std::min(1.0f, std::abs(p - 0.5f) * 2.0f) * 0.75f;
  auto mix = [&](float a, float b) { return a + (b - a) * c; };
  return to_colour(ImVec4(mix(pal.neutral.x, t.x), mix(pal.neutral.y, t.y), mix(pal.neutral.z, t.z), 1.0f), alpha);
}

void draw_mini_heatmap(const app::Session& s, const std::vector<float>& p, int res, const std::vector<int>& batch,
                       ImVec2 o, float side, const char* title) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const app::DecisionGrid& g = s.grid;
  const float cell = side / static_cast<float>(res);
  for (int j = 0; j < res; ++j)
    for (int i = 0; i < res; ++i) {
      const float v = p[static_cast<std::size_t>(j * res + i)];
      const ImVec2 a(o.x + cell * static_cast<float>(i), o.y + side - cell * static_cast<float>(j + 1));
      dl->AddRectFilled(a, ImVec2(a.x + cell + 0.5f, a.y + cell + 0.5f), heat(v, 1.0f));
    }
  // Decision boundary: cells whose right or upper neighbour is on the other side of 0.5.
  for (int j = 0; j + 1 < res; ++j)
    for (int i = 0; i + 1 < res; ++i) {
      const bool here = p[static_cast<std::size_t>(j * res + i)] >= 0.5f;
      const bool right = p[static_cast<std::size_t>(j * res + i + 1)] >= 0.5f;
      const bool up = p[static_cast<std::size_t>((j + 1) * res + i)] >= 0.5f;
      // Cell (i, j) spans x in [i, i+1]·cell and, on screen, y in side − [j, j+1]·cell.
      const float x0 = o.x + cell * static_cast<float>(i), x1 = x0 + cell;
      const float y1 = o.y + side - cell * static_cast<float>(j), y0 = y1 - cell;
      if (here != right) dl->AddLine(ImVec2(x1, y0), ImVec2(x1, y1), IM_COL32(20, 20, 20, 255), 2.0f);  // shared right edge
      if (here != up) dl->AddLine(ImVec2(x0, y0), ImVec2(x1, y0), IM_COL32(20, 20, 20, 255), 2.0f);     // shared top edge
    }
  const Dataset& d = s.exp().dataset();
  const float r = std::max(2.0f, ImGui::GetFontSize() * 0.2f);
  for (int idx : batch) {
    const float x = o.x + (d.x_train(0, idx) - g.x_min) / (g.x_max - g.x_min) * side;
    const float y = o.y + side - (d.x_train(1, idx) - g.y_min) / (g.y_max - g.y_min) * side;
    const ImVec4& c = d.y_train[static_cast<std::size_t>(idx)] == 0 ? palette().class0 : palette().class1;
    dl->AddCircleFilled(ImVec2(x, y), r, to_colour(c));
    dl->AddCircle(ImVec2(x, y), r, IM_COL32(255, 255, 255, 220));
  }
  dl->AddRect(o, ImVec2(o.x + side, o.y + side), IM_COL32(200, 200, 200, 255));
  dl->AddText(ImVec2(o.x, o.y + side + 2.0f), ImGui::GetColorU32(ImGuiCol_Text), title);
}

}  // namespace

void draw_boundary_pair(const app::Session& session, const app::InspectorModel& model, float width,
                        UiProbe* probe, const char* prefix) {
  // 28 cells a side for small networks; 16 when a grid pass costs more (it runs every frame).
  std::size_t cost = 0, prev_width = 2;
  for (const HiddenLayerSpec& h : session.exp().spec().net.hidden) {
    cost += prev_width * static_cast<std::size_t>(h.width);
    prev_width = static_cast<std::size_t>(h.width);
  }
  const int res = cost > 4096 ? 16 : 28;
  const app::BoundaryPair b = app::inspector_boundaries(session, res);
  const float font = ImGui::GetFontSize();
  if (b.resolution != res) {
    ImGui::TextDisabled("No decision boundary for this data (2-D inputs only).");
    return;
  }
  const float side = std::clamp((width - font * 2.0f) * 0.5f, font * 6.0f, font * 14.0f);
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton((std::string(prefix) + "_boundaries").c_str(), ImVec2(side * 2.0f + font * 2.0f, side + font * 1.5f));
  if (probe) probe->record(std::string(prefix) + ":boundaries");
  draw_mini_heatmap(session, b.batch_stats, res, model.batch, o, side, "batch statistics (training)");
  draw_mini_heatmap(session, b.running_stats, res, model.batch, ImVec2(o.x + side + font * 2.0f, o.y), side,
                    "running statistics (eval)");
}

}  // namespace nl::ui
