// The playground's controls driven headless through the real UI: adding and removing
// points on the data area, the network builder, neuron and weight selection, weight
// editing, the stop condition, the epoch key, the theme switch, and the two layouts.
#include <imgui_internal.h>

#include <cmath>

#include "app/builder.h"
#include "headless_ui.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::ui::testing::HeadlessUi;

namespace {

Index n_train(const Session& s) { return s.exp().dataset().x_train.cols(); }

// Screen position of a data point, from the plot square the data view records.
ImVec2 to_screen(const HeadlessUi& ui, const Session& s, float x, float y) {
  const auto r = ui.probe().rects.at("data_plot");
  const DecisionGrid& g = s.grid;
  return ImVec2(r.min.x + (x - g.x_min) / (g.x_max - g.x_min) * (r.max.x - r.min.x),
                r.max.y - (y - g.y_min) / (g.y_max - g.y_min) * (r.max.y - r.min.y));
}

ImVec2 centre(const nl::ui::UiProbe::Rect& r) { return ImVec2(0.5f * (r.min.x + r.max.x), 0.5f * (r.min.y + r.max.y)); }

bool overlap(const ImRect& a, const ImRect& b) {
  return a.Min.x < b.Max.x && b.Min.x < a.Max.x && a.Min.y < b.Max.y && b.Min.y < a.Max.y;
}

}  // namespace

TEST_CASE("ui: a click on the data area adds a point of the chosen class there", "[ui][data]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.click(s, "point_class1");
  REQUIRE(s.view.new_point_class == 1);
  const Index before = n_train(s);
  const ImVec2 at = to_screen(ui, s, 0.3f, -1.2f);
  ui.click_at(s, at);
  REQUIRE(n_train(s) == before + 1);
  const Dataset& d = s.exp().dataset();
  bool near = false;
  for (Index i = 0; i < d.x_train.cols(); ++i) {
    if (std::abs(d.x_train(0, i) - 0.3f) < 0.02f && std::abs(d.x_train(1, i) + 1.2f) < 0.02f &&
        d.y_train[static_cast<std::size_t>(i)] == 1) {
      near = true;
    }
  }
  CHECK(near);
}

TEST_CASE("ui: shift-click and right-click remove the nearest training point", "[ui][data]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  const Index before = n_train(s);
  ImVec2 at = to_screen(ui, s, s.exp().dataset().x_train(0, 0), s.exp().dataset().x_train(1, 0));
  ui.shift_click_at(s, at);
  REQUIRE(n_train(s) == before - 1);
  at = to_screen(ui, s, s.exp().dataset().x_train(0, 5), s.exp().dataset().x_train(1, 5));
  ui.right_click_at(s, at);
  CHECK(n_train(s) == before - 2);
  // Hiding test points and the discretized heatmap are view switches.
  ui.click(s, "show_test");
  CHECK_FALSE(s.view.show_test_points);
  ui.click(s, "discretize");
  CHECK(s.view.discretize_heatmap);
  ui.click(s, "regenerate");
  CHECK(s.spec.data.seed == 2);
  CHECK(n_train(s) == before);  // regenerated points replace the edited ones
}

TEST_CASE("ui: the builder changes the number of hidden layers", "[ui][network]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.click(s, "panel:Network");
  REQUIRE(s.view.panel == Panel::kNetwork);
  ui.frames(s, 2);
  ui.click(s, "layers_plus");
  CHECK(s.spec.net.hidden.size() == 3);
  CHECK(s.exp().network().hidden().size() == 3);
  ui.click(s, "layers_minus");
  ui.click(s, "layers_minus");
  CHECK(s.spec.net.hidden.size() == 1);
  const auto r = ui.probe().rects.at("hidden_layers");
  ui.click_at(s, ImVec2(r.min.x + 1.0f, 0.5f * (r.min.y + r.max.y)));  // slider's left end
  CHECK(s.spec.net.hidden.empty());
  ui.click_at(s, ImVec2(r.max.x - 1.0f, 0.5f * (r.min.y + r.max.y)));  // right end
  CHECK(s.spec.net.hidden.size() == 8);
  ui.frames(s, 10);
  for (int h = 0; h < 8; ++h) CHECK(ui.probe().rects.count("neuron:" + std::to_string(h) + ":0") == 1);
  CHECK(ui.probe().rects.count("norm_block:7") == 1);
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("ui: clicking a neuron selects it; clicking a link and +0.1 edits that weight", "[ui][network]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kNetwork});
  apply(s, act::SetLayerWidth{0, 1});  // one neuron in layer 1: every link has its own midpoint
  ui.frames(s, 10);
  REQUIRE(s.neuron_maps.layers.size() == 2);
  ui.click(s, "neuron:1:3");
  CHECK(s.view.selected_layer == 1);
  CHECK(s.view.selected_unit == 3);
  ui.click(s, "weight:1:3:0");  // hidden 2 neuron 4 <- hidden 1 neuron 1
  REQUIRE(s.view.weight_layer == 1);
  CHECK(s.view.weight_row == 3);
  CHECK(s.view.weight_col == 0);
  const int li = linear_index(s.exp().network(), 1);
  const float before = std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(li)]).weight(3, 0);
  const auto version = s.model_version;
  ui.click(s, "weight_plus");
  const float after = std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(li)]).weight(3, 0);
  CHECK(after == Approx(before + 0.1f).margin(1e-4));
  CHECK(s.model_version > version);
  ui.click(s, "weight_zero");
  CHECK(std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(li)]).weight(3, 0) == 0.0f);
  // Hovering the link and turning the mouse wheel edits it in place (0.05 per notch).
  ImGui::GetIO().MousePos = ui.probe().centre("weight:1:3:0");
  ui.frame(s);
  ImGui::GetIO().MouseWheel = 2.0f;
  ui.frame(s);
  CHECK(std::get<Linear>(s.exp().network().layers()[static_cast<std::size_t>(li)]).weight(3, 0) ==
        Approx(0.1f).margin(1e-5));
}

TEST_CASE("ui: the step stop condition pauses training with a notice; e trains one epoch", "[ui][training]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.type_char(s, 'e');
  CHECK(s.exp().metrics().epoch == 1);
  const std::int64_t after_epoch = s.exp().metrics().step;
  CHECK(after_epoch == n_train(s) / s.spec.batch_size);
  ui.click(s, "stop_steps");
  REQUIRE(s.stop.on_steps);
  apply(s, act::SetSpeed{100});
  ui.click(s, "play");
  for (int i = 0; i < 100 && s.playing; ++i) ui.frame(s);
  CHECK_FALSE(s.playing);
  CHECK(s.exp().metrics().step == s.stop.max_steps);
  REQUIRE(s.notice.has_value());
  ui.frames(s, 2);
  CHECK(ui.probe().rects.count("dismiss_notice") == 1);
}

TEST_CASE("ui: the theme button switches light and dark", "[ui][theme]") {
  HeadlessUi ui;
  Session s = fresh_session();
  ui.frames(s, 2);
  ui.click(s, "theme");
  CHECK(s.view.theme == Theme::kLight);
  ui.frames(s, 1);
  CHECK(ImGui::GetStyle().Colors[ImGuiCol_WindowBg].x > 0.9f);
  CHECK(ImGui::GetStyle().Colors[ImGuiCol_Text].x < 0.2f);
  ui.click(s, "theme");
  CHECK(s.view.theme == Theme::kDark);
  ui.frames(s, 1);
  CHECK(ImGui::GetStyle().Colors[ImGuiCol_WindowBg].x < 0.2f);
}

TEST_CASE("ui: at 1280x720 the windows do not overlap and fit the screen", "[ui][layout]") {
  for (Panel panel : {Panel::kData, Panel::kNetwork}) {
    HeadlessUi ui(1280.0f, 720.0f);
    Session s = fresh_session();
    apply(s, act::ShowPanel{panel});
    ui.frames(s, 3);
    ImGuiWindow* controls = ImGui::FindWindowByName("Training");
    ImGuiWindow* panels = ImGui::FindWindowByName("Panels");
    REQUIRE(controls != nullptr);
    REQUIRE(panels != nullptr);
    const ImRect screen(0.0f, 0.0f, 1280.0f, 720.0f);
    CHECK_FALSE(overlap(controls->Rect(), panels->Rect()));
    CHECK(screen.Contains(controls->Rect()));
    CHECK(screen.Contains(panels->Rect()));
    // The main controls are on screen without scrolling.
    for (const char* name : {"play", "step", "epoch", "reset", "dataset", "learning_rate", "batch_size"}) {
      INFO(name);
      CHECK(screen.Contains(ImRect(ui.probe().rects.at(name).min, ui.probe().rects.at(name).max)));
    }
    if (panel == Panel::kNetwork) {
      const auto canvas = ui.probe().rects.at("network_canvas");
      CHECK(canvas.max.x <= 1280.0f);
      CHECK(canvas.max.x - canvas.min.x > 400.0f);
    }
  }
}

TEST_CASE("ui: at 360 px wide the stacked layout shows every control with touch-sized targets", "[ui][layout]") {
  HeadlessUi ui(360.0f, 740.0f);
  Session s = fresh_session();
  ui.frames(s, 3);
  ImGuiWindow* controls = ImGui::FindWindowByName("Training");
  ImGuiWindow* panels = ImGui::FindWindowByName("Panels");
  REQUIRE(controls != nullptr);
  REQUIRE(panels != nullptr);
  CHECK_FALSE(overlap(controls->Rect(), panels->Rect()));
  CHECK(controls->Rect().GetWidth() == 360.0f);
  for (const char* name : {"play", "step", "epoch", "reset", "speed", "stop_loss", "stop_steps", "dataset", "regenerate",
                           "noise", "data_size", "test_fraction", "data_seed", "show_test", "discretize", "point_class0",
                           "point_class1", "batchnorm", "optimizer", "weight_decay", "learning_rate", "batch_size", "theme",
                           "data_area"}) {
    INFO(name);
    REQUIRE(ui.probe().rects.count(name) == 1);
    const auto r = ui.probe().rects.at(name);
    CHECK(r.min.x >= 0.0f);
    CHECK(r.max.x <= 360.0f);
    CHECK(r.max.x - r.min.x >= 24.0f);
  }
  for (const char* name : {"play", "step", "epoch", "reset", "speed", "dataset", "learning_rate", "batch_size"}) {
    INFO(name);
    const auto r = ui.probe().rects.at(name);
    CHECK(r.max.y - r.min.y >= 31.0f);
  }
  // A button far down the scrolled panel still works by touch once scrolled to.
  ui.click(s, "play");
  CHECK(s.playing);
  apply(s, act::ShowPanel{Panel::kNetwork});
  ui.frames(s, 3);
  for (const char* name : {"layers_plus", "layers_minus", "hidden_layers", "width:0", "norm:1", "init", "network_canvas"}) {
    INFO(name);
    REQUIRE(ui.probe().rects.count(name) == 1);
    const auto r = ui.probe().rects.at(name);
    CHECK(r.min.x >= 0.0f);
    CHECK(r.max.x <= 360.0f);
  }
  CHECK(centre(ui.probe().rects.at("network_canvas")).x > 0.0f);
}

TEST_CASE("ui: divergence is shown as such, with a Reset button in the notice", "[ui][training]") {
  HeadlessUi ui;
  Session s = fresh_session();
  apply(s, act::SetNormalization{NormKind::kNone});
  apply(s, act::Step{1});
  // Poison the output layer so the next loss overflows (as the core's divergence test does).
  Linear& out = std::get<Linear>(s.exp().network().layers().back());
  out.weight.array() *= 1e38f;
  out.weight(0, 0) = 3e38f;
  ui.frames(s, 2);
  ui.click(s, "step");
  REQUIRE(s.exp().diverged());
  REQUIRE(s.notice.has_value());
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("notice_reset") == 1);
  ui.click(s, "notice_reset");
  CHECK_FALSE(s.exp().diverged());
  CHECK_FALSE(s.notice.has_value());
  CHECK(s.exp().metrics().step == 0);
}
