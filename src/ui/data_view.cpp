// The data panel: the decision heatmap (rendered by the platform's shader from
// session.grid), the training and test points on top, axes in data units and a
// colour legend for P(class 1).
#include <algorithm>
#include <cmath>
#include <string>

#include "ui/chart.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

ImU32 to_u32(const ImVec4& c, float alpha = 1.0f) {
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.x, c.y, c.z, c.w * alpha));
}

}  // namespace

void draw_data_view(const app::Session& session, app::ActionQueue& actions,
                    const ViewResources& resources, UiProbe* probe) {
  const app::DecisionGrid& grid = session.grid;
  const float font = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float legend_w = font * 7.0f, axis_h = font * 2.0f, axis_w = font * 2.6f;
  // Phones (a narrow panel): the plot takes the whole width and the legend goes below it.
  const bool legend_below = avail.x < font * 28.0f;
  const float legend_h = font * 7.5f;
  const float side = legend_below ? std::max(font * 6.0f, avail.x - axis_w - font * 0.5f)
                                  : std::max(font * 6.0f, std::min(avail.x - legend_w - axis_w, avail.y - axis_h));
  const ImVec2 cursor = ImGui::GetCursorScreenPos();
  const ImVec2 p0(cursor.x + axis_w, cursor.y);
  const ImVec2 p1(p0.x + side, p0.y + side);
  ImDrawList* dl = ImGui::GetWindowDrawList();

  // Heatmap: the texture's row 0 is y_min, screen y grows downwards, so flip v.
  if (resources.heatmap_texture != nullptr) {
    dl->AddImage(resources.heatmap_texture, p0, p1, ImVec2(0, 1), ImVec2(1, 0));
  } else {
    dl->AddRectFilled(p0, p1, IM_COL32(40, 40, 40, 255));
  }
  ImGui::InvisibleButton("data_area", ImVec2(side + axis_w, side + axis_h + (legend_below ? legend_h : 0.0f)),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  if (probe) probe->record("data_area");
  if (probe) probe->rects["data_plot"] = UiProbe::Rect{p0, p1};  // the heatmap square itself

  auto to_screen = [&](float x, float y) {
    return ImVec2(p0.x + (x - grid.x_min) / (grid.x_max - grid.x_min) * side,
                  p1.y - (y - grid.y_min) / (grid.y_max - grid.y_min) * side);
  };
  // Click inside the plot: add a point of the chosen class; shift-click or right-click:
  // remove the nearest training point (within about a point's diameter on screen).
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool in_plot = mouse.x >= p0.x && mouse.x <= p1.x && mouse.y >= p0.y && mouse.y <= p1.y;
  if (in_plot && ImGui::IsItemHovered()) {
    const float mx = grid.x_min + (mouse.x - p0.x) / side * (grid.x_max - grid.x_min);
    const float my = grid.y_min + (p1.y - mouse.y) / side * (grid.y_max - grid.y_min);
    const float radius = font * 0.8f / side * (grid.x_max - grid.x_min);
    const bool remove = ImGui::IsMouseClicked(ImGuiMouseButton_Right) ||
                        (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && ImGui::GetIO().KeyShift);
    if (remove) {
      actions.push_back(app::act::RemovePoint{mx, my, radius});
    } else if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      actions.push_back(app::act::AddPoint{mx, my, session.view.new_point_class});
    }
    ImGui::SetTooltip("(%s, %s)  click: add class %d; shift/right-click: remove", format_number(mx).c_str(),
                      format_number(my).c_str(), session.view.new_point_class);
  }

  // Points: training filled, test hollow; class colours from the shared palette.
  const Dataset& data = session.exp().dataset();
  const Palette& pal = palette();
  const float r = std::max(2.5f, font * 0.28f);
  dl->PushClipRect(p0, p1, true);
  for (Index i = 0; i < data.x_train.cols(); ++i) {
    const ImVec2 p = to_screen(data.x_train(0, i), data.x_train(1, i));
    const ImVec4& c = data.y_train[static_cast<std::size_t>(i)] == 0 ? pal.class0 : pal.class1;
    dl->AddCircleFilled(p, r, to_u32(c));
    dl->AddCircle(p, r, IM_COL32(255, 255, 255, 200), 0, 1.0f);
  }
  for (Index i = 0; session.view.show_test_points && i < data.x_test.cols(); ++i) {
    const ImVec2 p = to_screen(data.x_test(0, i), data.x_test(1, i));
    const ImVec4& c = data.y_test[static_cast<std::size_t>(i)] == 0 ? pal.class0 : pal.class1;
    dl->AddCircle(p, r, to_u32(c), 0, 2.0f);
  }
  dl->PopClipRect();
  dl->AddRect(p0, p1, IM_COL32(200, 200, 200, 255));

  // Axes in data units.
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  for (float t : nice_ticks(grid.x_min, grid.x_max, 5)) {
    const ImVec2 p = to_screen(t, grid.y_min);
    const std::string label = format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddLine(p, ImVec2(p.x, p.y + font * 0.3f), text);
    dl->AddText(ImVec2(p.x - ts.x * 0.5f, p.y + font * 0.35f), text, label.c_str());
  }
  for (float t : nice_ticks(grid.y_min, grid.y_max, 5)) {
    const ImVec2 p = to_screen(grid.x_min, t);
    const std::string label = format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddLine(p, ImVec2(p.x - font * 0.3f, p.y), text);
    dl->AddText(ImVec2(p.x - ts.x - font * 0.4f, p.y - ts.y * 0.5f), text, label.c_str());
  }

  // Legend: the heatmap's colour scale, and the point markers.
  // Beside the plot: the bar, then the markers below it. Below the plot (phones): the bar on
  // the left, the markers in a column to its right.
  const float lx = legend_below ? p0.x : p1.x + font * 1.0f;
  const float legend_top = legend_below ? p1.y + axis_h : p0.y;
  dl->AddText(ImVec2(lx, legend_top), text, "P(class 1)");
  const float bar_top = legend_top + font * 1.5f;
  const float bar_h = legend_below ? legend_h - font * 2.0f : std::min(side * 0.5f, font * 12.0f);
  const int steps = 32;
  for (int i = 0; i < steps; ++i) {
    const float p = 1.0f - (static_cast<float>(i) + 0.5f) / steps;
    const float y0 = bar_top + bar_h * static_cast<float>(i) / steps;
    const int bands = session.view.discretize_heatmap ? kHeatmapBands : 0;
    dl->AddRectFilled(ImVec2(lx, y0), ImVec2(lx + font * 1.0f, y0 + bar_h / steps + 0.5f), to_u32(heatmap_colour(p, bands)));
  }
  if (probe) probe->rects["data_legend_bar"] = UiProbe::Rect{ImVec2(lx, bar_top), ImVec2(lx + font * 1.0f, bar_top + bar_h)};
  dl->AddText(ImVec2(lx + font * 1.3f, bar_top - font * 0.5f), text, "1");
  dl->AddText(ImVec2(lx + font * 1.3f, bar_top + bar_h * 0.5f - font * 0.5f), text, "0.5");
  dl->AddText(ImVec2(lx + font * 1.3f, bar_top + bar_h - font * 0.5f), text, "0");
  const float mx = legend_below ? lx + font * 5.0f : lx;
  float ly = legend_below ? legend_top : bar_top + bar_h + font * 1.0f;
  dl->AddCircleFilled(ImVec2(mx + r, ly + font * 0.5f), r, to_u32(pal.class0));
  if (probe) probe->rects["data_legend_class0"] = UiProbe::Rect{ImVec2(mx, ly + font * 0.5f - r), ImVec2(mx + 2 * r, ly + font * 0.5f + r)};
  dl->AddText(ImVec2(mx + font * 1.0f, ly), text, "class 0");
  ly += font * 1.3f;
  dl->AddCircleFilled(ImVec2(mx + r, ly + font * 0.5f), r, to_u32(pal.class1));
  if (probe) probe->rects["data_legend_class1"] = UiProbe::Rect{ImVec2(mx, ly + font * 0.5f - r), ImVec2(mx + 2 * r, ly + font * 0.5f + r)};
  dl->AddText(ImVec2(mx + font * 1.0f, ly), text, "class 1");
  ly += font * 1.3f;
  dl->AddCircleFilled(ImVec2(mx + r, ly + font * 0.5f), r, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  dl->AddText(ImVec2(mx + font * 1.0f, ly), text, "train");
  ly += font * 1.3f;
  dl->AddCircle(ImVec2(mx + r, ly + font * 0.5f), r, ImGui::GetColorU32(ImGuiCol_TextDisabled), 0, 2.0f);
  dl->AddText(ImVec2(mx + font * 1.0f, ly), text, "test");
  ly += font * 1.6f;
  // Which statistics the heatmap uses: eval mode, BN's running mean and variance.
  // Below the plot: a third column, right of the markers.
  const ImVec2 note_at = legend_below ? ImVec2(mx + font * 5.5f, legend_top) : ImVec2(lx, ly);
  const float wrap_w = legend_below ? std::max(font * 5.0f, p1.x - note_at.x) : legend_w - font * 1.2f;
  dl->AddText(nullptr, 0.0f, note_at, ImGui::GetColorU32(ImGuiCol_TextDisabled),
              "heatmap: eval mode (running statistics)", nullptr, wrap_w);
}

}  // namespace nl::ui
