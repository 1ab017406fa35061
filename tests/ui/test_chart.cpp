// The chart toolkit: pure functions (ticks, binning, number text) and headless draws of
// every chart kind (vertices emitted; NaN/Inf input neither drawn nor crashing).
#include <catch2/catch.hpp>
#include <imgui.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ui/chart.h"

using namespace nl::ui;

namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// A bare ImGui context and one window to draw into; returns the vertex count drawn by `f`.
template <class F>
int vertices_of(F&& f) {
  ImGuiContext* ctx = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(800, 600);
  io.IniFilename = nullptr;
  unsigned char* px = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  io.DeltaTime = 1.0f / 60.0f;
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(800, 600));
  ImGui::Begin("charts");
  const int before = ImGui::GetWindowDrawList()->VtxBuffer.Size;
  f();
  const int after = ImGui::GetWindowDrawList()->VtxBuffer.Size;
  ImGui::End();
  ImGui::Render();
  ImGui::DestroyContext(ctx);
  return after - before;
}

}  // namespace

TEST_CASE("chart: nice ticks are round, cover the range, at most ~6", "[ui][chart]") {
  // raw step (hi - lo)/(n - 1) rounds up to 1, 2 or 5 times a power of ten.
  CHECK(nice_ticks(0.0f, 1.0f, 5) == std::vector<float>{0.0f, 0.5f, 1.0f});  // raw 0.25 -> 0.5
  const std::vector<float> big = nice_ticks(0.0f, 1000.0f, 5);  // step 250 -> 500
  CHECK(big == std::vector<float>{0.0f, 500.0f, 1000.0f});
  const std::vector<float> neg = nice_ticks(-3.0f, 7.0f, 5);  // raw 2.5 -> step 5
  CHECK(neg == std::vector<float>{0.0f, 5.0f});
  for (float v : nice_ticks(0.013f, 0.87f, 6)) {
    CHECK(v >= 0.013f);
    CHECK(v <= 0.87f + 1e-6f);
  }
  CHECK(nice_ticks(1.0f, 1.0f).empty());
  CHECK(nice_ticks(kNan, 1.0f).empty());
  CHECK(nice_ticks(0.0f, kInf).empty());
}

TEST_CASE("chart: log ticks are powers of ten inside the range", "[ui][chart]") {
  CHECK(log_ticks(0.005f, 20.0f) == std::vector<float>{0.01f, 0.1f, 1.0f, 10.0f});
  CHECK(log_ticks(1e-9f, 1e9f).size() <= 7);
  CHECK(log_ticks(0.0f, 10.0f).empty());
  CHECK(log_ticks(-1.0f, 10.0f).empty());
}

TEST_CASE("chart: histogram binning counts every finite value once", "[ui][chart]") {
  // Values 0..9 into 5 bins over [0, 10): two per bin.
  std::vector<float> v;
  for (int i = 0; i < 10; ++i) v.push_back(static_cast<float>(i));
  const Histogram h = histogram_bins(v, 5, 0.0f, 10.0f);
  CHECK(h.counts == std::vector<float>{2, 2, 2, 2, 2});
  // Out-of-range values clamp into the end bins; the top edge belongs to the last bin.
  const Histogram c = histogram_bins(std::vector<float>{-5.0f, 10.0f, 99.0f}, 5, 0.0f, 10.0f);
  CHECK(c.counts == std::vector<float>{1, 0, 0, 0, 2});
  // NaN and Inf are skipped and counted as skipped.
  const Histogram n = histogram_bins(std::vector<float>{1.0f, kNan, kInf, -kInf, 2.0f}, 2);
  CHECK(n.skipped == 3);
  CHECK(n.lo == 1.0f);
  CHECK(n.hi == 2.0f);
  CHECK(n.counts == std::vector<float>{1, 1});
  // All equal: the range widens so there is something to bin.
  const Histogram e = histogram_bins(std::vector<float>{3.0f, 3.0f}, 4);
  CHECK(e.lo < 3.0f);
  CHECK(e.hi > 3.0f);
  float total = 0.0f;
  for (float x : e.counts) total += x;
  CHECK(total == 2.0f);
  // Nothing finite, bad bins or range: no counts.
  CHECK(histogram_bins(std::vector<float>{kNan}, 4).counts.empty());
  CHECK(histogram_bins(v, 0, 0.0f, 1.0f).counts.empty());
  CHECK(histogram_bins(v, 4, 1.0f, 1.0f).counts.empty());
}

TEST_CASE("chart: format_number never prints nan or inf", "[ui][chart]") {
  const std::string dash = "\xE2\x80\x94";
  CHECK(format_number(std::nan("")) == dash);
  CHECK(format_number(kInf) == dash);
  CHECK(format_number(-kInf) == dash);
  CHECK(format_number(0.0) == "0");
  CHECK(format_number(1.5) == "1.5");
  CHECK(format_number(123456.0) == "1.235e+05");
  CHECK(format_number(0.0001234) == "1.234e-04");
  CHECK(format_number(-2.0) == "-2");
}

TEST_CASE("chart: every kind emits vertices; NaN-only input draws no data, does not crash", "[ui][chart]") {
  const ChartSeries line{"a", {1.0f, 2.0f, kNan, 3.0f, 2.5f}, IM_COL32(255, 0, 0, 255)};
  const ChartSeries scatter{"b", {1.0f, 0.5f}, IM_COL32(0, 255, 0, 255), {0.0f, 4.0f}, SeriesKind::kScatter};
  const ChartRibbon ribbon{"r", {}, {0.0f, 0.5f, kNan, 1.0f}, {1.0f, 1.5f, 2.0f, 2.0f}, {2.0f, 2.5f, 3.0f, 3.0f},
                           IM_COL32(0, 0, 255, 255)};
  int drawn = -1;
  const int with_data = vertices_of([&] {
    const ChartSeries both[] = {line, scatter};
    drawn = draw_chart("c", ImVec2(400, 200), both, std::span(&ribbon, 1), ChartOptions{});
  });
  CHECK(drawn == 3);
  const int empty = vertices_of([&] { drawn = draw_chart("e", ImVec2(400, 200), {}, {}, ChartOptions{}); });
  CHECK(drawn == 0);
  CHECK(with_data > empty + 100);

  const ChartSeries nan_only{"n", {kNan, kInf, -kInf}, IM_COL32(255, 0, 0, 255)};
  const int nan_vertices = vertices_of([&] { drawn = draw_chart("n", ImVec2(400, 200), std::span(&nan_only, 1), {}, {}); });
  CHECK(drawn == 0);
  CHECK(nan_vertices == empty);  // only the frame and the "no data" text

  ChartOptions log;
  log.log_y = true;
  const ChartSeries pos{"p", {0.001f, 0.1f, -1.0f, 10.0f}, IM_COL32(255, 0, 0, 255)};
  const int log_vertices = vertices_of([&] { drawn = draw_chart("l", ImVec2(400, 200), std::span(&pos, 1), {}, log); });
  CHECK(drawn == 1);
  CHECK(log_vertices > empty);

  std::vector<float> values;
  for (int i = 0; i < 100; ++i) values.push_back(std::sin(static_cast<float>(i)));
  values.push_back(kNan);
  const HistogramSeries hs{"h", histogram_bins(values, 10), IM_COL32(255, 255, 0, 255)};
  const int hist_vertices = vertices_of([&] { drawn = draw_histogram("h", ImVec2(400, 200), std::span(&hs, 1), {}); });
  CHECK(drawn == 1);
  CHECK(hist_vertices > empty + 10 * 4);  // at least a filled rect per bin
}

namespace {

// A bare ImGui context whose frames draw one chart in a fixed window with the mouse at a
// given point; returns what the chart's hover readout showed.
class HoverHarness {
 public:
  HoverHarness() {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.IniFilename = nullptr;
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  }
  ~HoverHarness() { ImGui::DestroyContext(ctx_); }
  HoverHarness(const HoverHarness&) = delete;
  HoverHarness& operator=(const HoverHarness&) = delete;

  template <class F>
  ChartHover frame(ImVec2 mouse, F&& draw) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = mouse;
    ChartHover out;
    for (int i = 0; i < 2; ++i) {  // the second frame sees the hover of the first
      ImGui::NewFrame();
      ImGui::SetNextWindowPos(ImVec2(0, 0));
      ImGui::SetNextWindowSize(ImVec2(800, 600));
      ImGui::Begin("charts");
      out = draw();
      ImGui::End();
      ImGui::Render();
    }
    return out;
  }

 private:
  ImGuiContext* ctx_ = nullptr;
};

// Screen x of data x on a chart's axis (as the readout reported it).
float screen_x(const ChartHover& h, float x) {
  return h.plot_min.x + (x - h.x_lo) / (h.x_hi - h.x_lo) * (h.plot_max.x - h.plot_min.x);
}

}  // namespace

TEST_CASE("chart: nearest_index picks the recorded x closest to the mouse", "[ui][chart]") {
  ChartOptions o;
  o.x_start = 10.0f;
  o.x_step = 2.0f;  // x = 10, 12, 14, 16
  CHECK(nearest_index({}, 4, o, 0.0f) == 0);
  CHECK(nearest_index({}, 4, o, 12.9f) == 1);
  CHECK(nearest_index({}, 4, o, 13.1f) == 2);
  CHECK(nearest_index({}, 4, o, 99.0f) == 3);
  const std::vector<float> xs = {0.0f, 1.0f, 5.0f, 6.0f};  // explicit, unevenly spaced
  CHECK(nearest_index(xs, 4, o, 2.9f) == 1);
  CHECK(nearest_index(xs, 4, o, 3.1f) == 2);
}

TEST_CASE("chart: hovering a line chart reads out the point under the mouse", "[ui][chart]") {
  HoverHarness ui;
  const ChartSeries loss{"train loss", {0.9f, 0.5f, 0.25f, 0.125f, 0.0625f, 0.03125f}, IM_COL32(255, 0, 0, 255)};
  const ChartSeries test{"test loss", {1.0f, 0.8f, kNan, 0.4f, 0.3f, 0.2f}, IM_COL32(0, 0, 255, 255)};
  ChartOptions o;
  o.x_label = "step";
  o.x_start = 1.0f;  // steps 1..6
  const ChartSeries both[] = {loss, test};
  auto draw = [&] {
    ChartHover h;
    draw_chart("loss", ImVec2(600, 300), both, {}, o, &h);
    return h;
  };
  // Away from the chart: no readout, but the axis is known.
  const ChartHover away = ui.frame(ImVec2(790, 590), draw);
  CHECK_FALSE(away.active);
  REQUIRE(away.x_hi > away.x_lo);
  CHECK(away.x_lo <= 1.0f);
  CHECK(away.x_hi >= 6.0f);
  const float mid_y = 0.5f * (away.plot_min.y + away.plot_max.y);
  for (int step = 1; step <= 6; ++step) {
    // Off the point by 0.3 of a step (towards the middle of the axis): still this step.
    const float off = step < 4 ? 0.3f : -0.3f;
    const ChartHover h = ui.frame(ImVec2(screen_x(away, static_cast<float>(step) + off), mid_y), draw);
    INFO("hovering step " << step << " at data x " << h.x);
    REQUIRE(h.active);
    CHECK(std::abs(h.x - (static_cast<float>(step) + off)) < 0.05f);
    CHECK(h.title == "step " + format_number(h.x));
    REQUIRE(h.lines.size() == 2);
    const auto i = static_cast<std::size_t>(step - 1);
    CHECK(h.lines[0].index == i);
    CHECK(h.lines[0].text == "train loss: " + format_number(loss.y[i]));
    CHECK(h.lines[1].index == i);
    CHECK(h.lines[1].text == "test loss: " + format_number(test.y[i]));  // a gap reads "—"
  }
  // Explicit x (steps 10, 20, 40): the readout follows the recorded x, not the index spacing.
  const ChartSeries sparse{"acc", {0.5f, 0.75f, 0.9f}, IM_COL32(0, 255, 0, 255), {10.0f, 20.0f, 40.0f}};
  auto draw_sparse = [&] {
    ChartHover h;
    draw_chart("sparse", ImVec2(600, 300), std::span(&sparse, 1), {}, ChartOptions{}, &h);
    return h;
  };
  const ChartHover axis = ui.frame(ImVec2(790, 590), draw_sparse);
  const ChartHover h = ui.frame(ImVec2(screen_x(axis, 33.0f), mid_y), draw_sparse);
  REQUIRE(h.active);
  REQUIRE(h.lines.size() == 1);
  CHECK(h.lines[0].index == 2);
  CHECK(h.lines[0].text == "acc: 0.9");
}

TEST_CASE("chart: hovering a ribbon and a histogram reads out the band and the bin", "[ui][chart]") {
  HoverHarness ui;
  const ChartRibbon ribbon{"unit", {}, {-1.0f, -0.5f, 0.0f}, {0.0f, 0.25f, 0.5f}, {1.0f, 1.5f, 2.0f}, IM_COL32(0, 0, 255, 255)};
  auto draw_ribbon = [&] {
    ChartHover h;
    draw_chart("r", ImVec2(600, 300), {}, std::span(&ribbon, 1), ChartOptions{}, &h);
    return h;
  };
  const ChartHover axis = ui.frame(ImVec2(790, 590), draw_ribbon);
  const float y = 0.5f * (axis.plot_min.y + axis.plot_max.y);
  const ChartHover r = ui.frame(ImVec2(screen_x(axis, 1.1f), y), draw_ribbon);
  REQUIRE(r.active);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0].index == 1);
  CHECK(r.lines[0].text == "unit: 15th -0.5, median 0.25, 85th 1.5");

  // Values 0..9 in 5 bins over [0, 10): two per bin; one more value in bin [4, 6).
  std::vector<float> v = {5.5f};
  for (int i = 0; i < 10; ++i) v.push_back(static_cast<float>(i));
  const HistogramSeries hs{"x", histogram_bins(v, 5, 0.0f, 10.0f), IM_COL32(255, 255, 0, 255)};
  auto draw_hist = [&] {
    ChartHover h;
    draw_histogram("h", ImVec2(600, 300), std::span(&hs, 1), ChartOptions{}, &h);
    return h;
  };
  const ChartHover hist_axis = ui.frame(ImVec2(790, 590), draw_hist);
  const ChartHover b = ui.frame(ImVec2(screen_x(hist_axis, 5.0f), y), draw_hist);
  REQUIRE(b.active);
  REQUIRE(b.lines.size() == 1);
  CHECK(b.lines[0].index == 2);
  CHECK(b.lines[0].text == "x: [4, 6): 3");
  const ChartHover first = ui.frame(ImVec2(screen_x(hist_axis, 0.5f), y), draw_hist);
  REQUIRE(first.lines.size() == 1);
  CHECK(first.lines[0].text == "x: [0, 2): 2");
}
