// The "Why BN helps" panel, headless: open it by its tab, train 200 frames, switch
// sub-views and units by clicking, and check state, drawn charts and the visible text.
#include <cmath>
#include <string>

#include "headless_ui.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::ui::testing::HeadlessUi;

namespace {

// Every text the panel recorded ("text:<slot>=<text>"): none may show a NaN or Inf.
void check_no_nan_text(const HeadlessUi& ui) {
  int texts = 0;
  for (const auto& [name, rect] : ui.probe().rects) {
    if (name.rfind("text:", 0) != 0) continue;
    ++texts;
    INFO(name);
    CHECK(name.find("nan") == std::string::npos);
    CHECK(name.find("inf") == std::string::npos);
  }
  CHECK(texts > 0);
  CHECK(texts < 20);  // one entry per text slot: the probe does not grow with the run
}

int vertices() { return ImGui::GetDrawData()->TotalVtxCount; }

}  // namespace

TEST_CASE("why ui: the tab opens the panel; 200 frames of training draw both networks", "[ui][why]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.click(s, "panel:Why BN helps");
  REQUIRE(s.view.panel == Panel::kWhyBnHelps);
  ui.click(s, "play");
  REQUIRE(s.playing);
  ui.frames(s, 200);
  CHECK(s.exp().metrics().step >= 200);
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin->metrics().step == s.exp().metrics().step);
  CHECK(s.twin.main_grid.size() == static_cast<std::size_t>(s.twin.grid_resolution * s.twin.grid_resolution));
  for (const char* name : {"why:heatmap_with", "why:heatmap_without", "why:chart_loss", "why:chart_accuracy"}) {
    INFO(name);
    CHECK(ui.probe().rects.count(name) == 1);
  }
  CHECK(vertices() > 5000);  // two 28x28 heatmaps alone are ~6000 vertices
  check_no_nan_text(ui);
}

TEST_CASE("why ui: sub-views switch by click and each draws its chart", "[ui][why]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  apply(s, act::Step{60});
  ui.frames(s, 6);
  const struct { const char* button; WhyView view; const char* chart; } kCases[] = {
      {"why:dist", WhyView::kDistribution, "why:chart_ribbons"},
      {"why:grad", WhyView::kGradients, "why:chart_grads"},
      {"why:hist", WhyView::kHistograms, "why:hist1"},
      {"why:cost", WhyView::kCost, "why:cost_bars"},
      {"why:twin", WhyView::kTwin, "why:chart_loss"}};
  for (const auto& c : kCases) {
    INFO(c.button);
    ui.click(s, c.button);
    CHECK(s.view.why_view == c.view);
    ui.frames(s, 5);
    CHECK(ui.probe().rects.count(c.chart) == 1);
    CHECK(vertices() > 1500);
    check_no_nan_text(ui);
  }
  // The cost view's bytes: the real cache of the default net (2 BN layers x 1120 bytes).
  ui.click(s, "why:cost");
  CHECK(ui.probe().rects.count("text:total=2240 bytes (batch size 32)") == 1);
  CHECK(ui.probe().rects.count("text:total_needed=2112 bytes") == 1);  // x̂ and inv_std only
}

TEST_CASE("why ui: unit and layer arrows select what the ribbons show", "[ui][why]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  apply(s, act::SetWhyView{WhyView::kDistribution});
  ui.frames(s, 3);
  ui.click(s, "why:unit+");
  CHECK(s.view.why_unit == 1);
  ui.click(s, "why:unit+");
  CHECK(s.view.why_unit == 2);
  ui.click(s, "why:unit-");
  CHECK(s.view.why_unit == 1);
  ui.click(s, "why:layer+");
  CHECK(s.view.why_layer == 1);
  CHECK(s.view.why_unit == 0);
  ui.click(s, "why:layer+");  // already the last layer: nothing changes
  CHECK(s.view.why_layer == 1);
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("why ui: a diverged network is shown as diverged, never as NaN", "[ui][why]") {
  HeadlessUi ui;
  ExperimentSpec spec = default_spec();
  for (HiddenLayerSpec& h : spec.net.hidden) {
    h.norm = NormKind::kNone;
    h.activation = Activation::kIdentity;  // at lr 10 this plain net diverges within ~10 steps
  }
  spec.optimizer.learning_rate = 10.0f;
  Session s = fresh_session(spec);
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  for (int i = 0; i < 200 && !s.exp().diverged(); ++i) apply(s, act::Step{1});
  REQUIRE(s.exp().diverged());
  for (WhyView v : {WhyView::kTwin, WhyView::kDistribution, WhyView::kGradients, WhyView::kHistograms, WhyView::kCost}) {
    apply(s, act::SetWhyView{v});
    ui.frames(s, 3);
    check_no_nan_text(ui);
  }
  bool shown = false;
  for (const auto& [name, rect] : ui.probe().rects) {
    if (name.rfind("text:status_without=without: diverged at step " + std::to_string(s.twin.main_diverged_at), 0) == 0) shown = true;
  }
  CHECK(shown);
}

TEST_CASE("why ui: edge cases draw every sub-view without a crash or NaN text", "[ui][why]") {
  HeadlessUi ui;
  // No hidden layers: both networks are the same; histograms and ribbons say so.
  Session s = fresh_session();
  apply(s, act::SetHiddenLayers{0});
  REQUIRE(s.spec.net.hidden.empty());
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  apply(s, act::Step{5});
  for (WhyView v : {WhyView::kTwin, WhyView::kDistribution, WhyView::kGradients, WhyView::kHistograms, WhyView::kCost}) {
    apply(s, act::SetWhyView{v});
    ui.frames(s, 2);
    check_no_nan_text(ui);
  }
  // A plain main network at batch size 1: its BN twin cannot train (a batch of one has no
  // variance); the main network goes on and the panel says why the twin stopped.
  ExperimentSpec spec = default_spec();
  for (HiddenLayerSpec& h : spec.net.hidden) h.norm = NormKind::kNone;
  spec.batch_size = 1;
  Session p = fresh_session(spec);
  apply(p, act::ShowPanel{Panel::kWhyBnHelps});
  apply(p, act::Step{3});
  CHECK(p.exp().metrics().step == 3);
  CHECK_FALSE(p.twin.twin_error.empty());
  ui.frames(p, 3);
  check_no_nan_text(ui);
  bool said = false;
  for (const auto& [name, rect] : ui.probe().rects) {
    if (name.rfind("text:status_with=with BN: step 0, stopped: ", 0) == 0) said = true;
  }
  CHECK(said);
}

TEST_CASE("why ui: the histograms switch between activation inputs and outputs", "[ui][why]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  apply(s, act::SetWhyView{WhyView::kHistograms});
  apply(s, act::Step{20});
  ui.frames(s, 3);
  CHECK_FALSE(s.view.why_post_activation);
  ui.click(s, "why:post_activation");
  CHECK(s.view.why_post_activation);
  ui.frames(s, 3);
  ui.click(s, "why:post_activation");
  CHECK_FALSE(s.view.why_post_activation);
}
