// NormLab's one chart toolkit on ImDrawList: lines, scatter, ribbons (a band between two
// series with its median line) and histograms, over axes with "nice" ticks, x/y labels, a
// legend, an optional log-y axis and a hover readout for every kind. Every panel that plots
// uses it. Non-finite values are gaps: never drawn, never printed as numbers.
// Not here: any state across frames (ImGui keeps hover state), any app logic.
#pragma once

#include <imgui.h>

#include <span>
#include <string>
#include <utility>
#include <vector>

namespace nl::ui {

enum class SeriesKind { kLine, kScatter };

// One y value per x. x empty: x = options.x_start + i * options.x_step.
struct ChartSeries {
  ChartSeries() = default;
  ChartSeries(std::string label_, std::vector<float> y_, ImU32 colour_, std::vector<float> x_ = {},
              SeriesKind kind_ = SeriesKind::kLine)
      : label(std::move(label_)), y(std::move(y_)), colour(colour_), x(std::move(x_)), kind(kind_) {}
  std::string label;
  std::vector<float> y;   // NaN/Inf are gaps
  ImU32 colour = IM_COL32_WHITE;
  std::vector<float> x;   // empty, or same length as y (increasing for lines)
  SeriesKind kind = SeriesKind::kLine;
};

// A filled band lo..hi with a line at mid (e.g. 15th/50th/85th percentiles over time).
struct ChartRibbon {
  std::string label;
  std::vector<float> x;   // empty: x_start + i * x_step
  std::vector<float> lo, mid, hi;  // same length; a non-finite entry breaks the band
  ImU32 colour = IM_COL32_WHITE;   // mid line; the band uses it translucent
};

struct ChartOptions {
  std::string x_label;
  std::string y_label;
  float x_start = 0.0f;   // x of index 0 (series without explicit x)
  float x_step = 1.0f;    // x distance between consecutive indices
  bool y_from_zero = true;  // ignored with log_y
  bool log_y = false;     // log10 axis; values <= 0 are gaps
  const char* empty_text = "no data yet: press Play or Step";
  bool legend_bottom = false;  // legend in the bottom-right corner instead of the top-right
};

// What a chart's hover readout shows (the tooltip's lines, as text) and where its axes
// are, for tests and for callers that want the hovered point. Filled on every draw when
// asked for; `active` only while the mouse is over the plot.
struct ChartHoverLine {
  std::string label;       // series / ribbon / histogram label
  std::size_t index = 0;   // data index (or bin) under the mouse
  std::string text;        // the tooltip line, e.g. "train loss: 0.5"
};
struct ChartHover {
  bool active = false;
  float x = 0.0f;          // data x under the mouse
  std::string title;       // first tooltip line, e.g. "step 12"
  std::vector<ChartHoverLine> lines;
  ImVec2 plot_min, plot_max;  // the plot area on screen
  float x_lo = 0.0f, x_hi = 1.0f;  // the x axis range over it
};

// Index (< n) whose x (xs[i], or x_start + i*x_step when xs is empty) is nearest to x.
std::size_t nearest_index(const std::vector<float>& xs, std::size_t n, const ChartOptions& options, float x);

// Draws a chart of lines/scatter series and ribbons in a box of `size` at the cursor and
// advances the cursor. Returns the number of series + ribbons that had something to draw.
// Hovering shows each series' value at the recorded x nearest to the mouse (`hover`, if
// given, receives the same lines).
//   ChartSeries loss{"loss", ys, IM_COL32(255, 0, 0, 255)};
//   ChartOptions o; o.x_label = "step";
//   draw_chart("loss", ImVec2(400, 200), std::span(&loss, 1), {}, o);
int draw_chart(const char* id, ImVec2 size, std::span<const ChartSeries> series,
               std::span<const ChartRibbon> ribbons, const ChartOptions& options,
               ChartHover* hover = nullptr);

// Lines only (the original widget; kept for existing callers).
void draw_line_chart(const char* id, ImVec2 size, std::span<const ChartSeries> series,
                     const ChartOptions& options);

// Bin counts over [lo, hi) in `bins` equal bins (the last bin includes hi).
struct Histogram {
  float lo = 0.0f, hi = 1.0f;
  std::vector<float> counts;  // one per bin (float: may be normalized)
  int skipped = 0;            // non-finite inputs, never counted
};

// Bins `values` (non-finite ones are skipped and counted in `skipped`). Values outside
// [lo, hi] are clamped into the end bins. Needs bins >= 1 and lo < hi (else empty counts).
Histogram histogram_bins(std::span<const float> values, int bins, float lo, float hi);
// Same, with [lo, hi] = the finite range of `values` (widened when all are equal).
Histogram histogram_bins(std::span<const float> values, int bins);

struct HistogramSeries {
  std::string label;
  Histogram hist;
  ImU32 colour = IM_COL32_WHITE;
};

// Overlaid translucent histograms (all series should share lo/hi); hover shows each bin's
// range and counts. Returns the number of series drawn.
int draw_histogram(const char* id, ImVec2 size, std::span<const HistogramSeries> series,
                   const ChartOptions& options, ChartHover* hover = nullptr);

// Up to ~6 round tick values covering [lo, hi].
std::vector<float> nice_ticks(float lo, float hi, int target_count = 5);
// Powers of ten covering [lo, hi] (both > 0), thinned to at most ~6.
std::vector<float> log_ticks(float lo, float hi);

// A number as a learner should read it: up to 4 significant digits; "—" if not finite.
std::string format_number(double value);

}  // namespace nl::ui
