// Headless UI under stress: every panel (and every Why sub-view) drawn for a few frames at
// extreme settings (lr 10 divergence on 8x128, zero-variance points with a tiny eps, batch
// size 1 with BatchNorm, no hidden layers). The text the frame really drew is read back from
// ImGui's draw lists: each glyph quad's texture coordinates are looked up in the font atlas,
// giving the characters in drawing order; a formatted non-finite number ("nan", "-nan",
// "inf") must never appear. Not here: what the panels show when all is well (test_ui*).
#include <cctype>
#include <map>
#include <string>
#include <utility>

#include "../app/test_stress_checks.h"
#include "headless_ui.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::ui::testing::HeadlessUi;
using nl::ui::testing::drawn_text;

namespace {

// "nan" or "inf" as a word of its own (what printf makes of NaN and Inf).
std::string non_finite_word(const std::string& text) {
  for (const char* word : {"nan", "inf"}) {
    for (std::size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) {
      const bool left = p == 0 || !std::isalpha(static_cast<unsigned char>(text[p - 1]));
      const bool right = p + 3 >= text.size() || !std::isalpha(static_cast<unsigned char>(text[p + 3]));
      if (left && right) return text.substr(p >= 30 ? p - 30 : 0, 60);
    }
  }
  return "";
}

// Every panel and Why sub-view for `frames` frames each; the drawn text checked after each.
void every_panel(HeadlessUi& ui, Session& s, int frames) {
  const Panel panels[] = {Panel::kData, Panel::kNetwork, Panel::kInspector, Panel::kBackprop, Panel::kWhyBnHelps};
  for (Panel p : panels) {
    apply(s, act::ShowPanel{p});
    if (p == Panel::kNetwork) apply(s, act::SelectNeuron{0, 0});
    const int views = p == Panel::kWhyBnHelps ? 5 : 1;
    for (int v = 0; v < views; ++v) {
      if (p == Panel::kWhyBnHelps) apply(s, act::SetWhyView{static_cast<WhyView>(v)});
      ui.frames(s, frames);
      const std::string text = drawn_text();
      INFO("panel " << panel_name(p) << " view " << v << ": '" << non_finite_word(text) << "'");
      CHECK(non_finite_word(text).empty());
      CHECK(text.size() > 100);  // the panel drew text
    }
  }
  INFO(nl::app::testing::first_non_finite(s));
  CHECK(nl::app::testing::first_non_finite(s).empty());
}

}  // namespace

TEST_CASE("ui stress: the drawn-text reader reads what the controls print", "[ui][stress]") {
  HeadlessUi ui;
  REQUIRE(ui.font_loaded());
  Session s = fresh_session();
  apply(s, act::Step{3});
  ui.frames(s, 3);
  const std::string text = drawn_text();
  INFO(text.substr(0, 600));
  CHECK(text.find("loss") != std::string::npos);
  CHECK(text.find("Play") != std::string::npos);
  CHECK(non_finite_word("loss nan\n").size() > 0);  // the matcher finds a formatted NaN
  CHECK(non_finite_word("loss -inf").size() > 0);
  CHECK(non_finite_word("information, NaN or Inf").empty());  // words are not numbers
}

TEST_CASE("ui stress: every panel after divergence at lr 10 on 8 layers of 128 shows no nan or inf", "[ui][stress]") {
  HeadlessUi ui;
  ExperimentSpec spec = default_spec();
  spec.net.hidden.assign(8, HiddenLayerSpec{128, Activation::kReLU, NormKind::kNone});
  spec.optimizer.learning_rate = 10.0f;
  Session s = fresh_session(spec);
  apply(s, act::SetSpeed{20});
  apply(s, act::Play{});
  ui.frames(s, 30);
  every_panel(ui, s, 3);
  apply(s, act::SetNormalization{NormKind::kBatchNorm});
  apply(s, act::Step{50});
  apply(s, act::InspectLayer{7});
  every_panel(ui, s, 3);
}

TEST_CASE("ui stress: every panel with zero-variance points and eps 1e-30 shows no nan or inf", "[ui][stress]") {
  HeadlessUi ui;
  ExperimentSpec spec = default_spec();
  spec.net.norm.eps = 1e-30f;
  Session s = fresh_session(spec);
  apply(s, act::ImportPoints{"0.5,0.5,0\n0.5,0.5,1\n0.5,0.5,0\n0.5,0.5,1\n0.5,0.5,0\n0.5,0.5,1\n0.5,0.5,0\n0.5,0.5,1\n"});
  REQUIRE(s.user_data.has_value());
  apply(s, act::InspectLayer{0});
  apply(s, act::Step{20});
  every_panel(ui, s, 3);
}

TEST_CASE("ui stress: every panel at batch size 1 with BatchNorm and with no hidden layer shows no nan or inf", "[ui][stress]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::SetBatchSize{1});
  apply(s, act::Play{});
  every_panel(ui, s, 3);  // training refused: before any step
  apply(s, act::SetHiddenLayers{0});
  apply(s, act::SetBatchSize{32});
  apply(s, act::Step{20});
  every_panel(ui, s, 3);
}
