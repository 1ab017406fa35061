// The BN inspector and backprop stepper panels, headless: real clicks and drags on the
// recorded controls, asserting on the Session they change.
#include <variant>

#include "app/inspector.h"
#include "headless_ui.h"

using namespace nl;
using namespace nl::app;
using nl::ui::testing::HeadlessUi;

namespace {

Session inspector_session(Panel panel) {
  Result<Session> r = make_session(default_spec());
  REQUIRE(r.ok());
  Session s = std::move(r.value());
  apply(s, act::Step{3});
  apply(s, act::ShowPanel{panel});
  return s;
}

float gamma_of(const Session& s, int hidden, int feature) {
  const Network& net = s.exp().network();
  const auto li = static_cast<std::size_t>(net.hidden()[static_cast<std::size_t>(hidden)].norm);
  return std::get<BatchNorm>(net.layers()[li]).gamma[feature];
}

// Presses the left button at `from`, moves to `to` over a few frames, releases.
void drag(HeadlessUi& ui, Session& s, ImVec2 from, ImVec2 to) {
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = from;
  ui.frame(s);
  io.MouseDown[0] = true;
  ui.frame(s);
  for (int i = 1; i <= 6; ++i) {
    io.MousePos = ImVec2(from.x + (to.x - from.x) * static_cast<float>(i) / 6.0f, from.y + (to.y - from.y) * static_cast<float>(i) / 6.0f);
    ui.frame(s);
  }
  io.MouseDown[0] = false;
  ui.frame(s);
}

}  // namespace

TEST_CASE("ui: the inspector steps through every stage with its buttons", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("inspector:plot") == 1);
  CHECK(ui.probe().rects.count("inspector:path") == 1);  // one sample's path, on the batch path
  CHECK(s.inspector.stage == InspectorStage::kRaw);
  for (int i = 1; i < kInspectorStageCount; ++i) {
    ui.click(s, "inspector:next");
    CHECK(static_cast<int>(s.inspector.stage) == i);
  }
  // The eval stage shows the batch vs running boundaries.
  ui.frames(s, 30);  // past the 0.4 s animation
  CHECK(ui.probe().rects.count("inspector:boundaries") == 1);
  ui.click(s, "inspector:prev");
  CHECK(s.inspector.stage == InspectorStage::kRunning);
  ui.click(s, "inspector:stage:2");
  CHECK(s.inspector.stage == InspectorStage::kCentred);
  CHECK_FALSE(s.notice.has_value());
  CHECK(s.exp().metrics().step == 3);  // inspecting never trains
}

TEST_CASE("ui: dragging the γ slider changes the real network's gamma and the loss", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  ui.frames(s, 2);
  const float gamma_before = gamma_of(s, 0, 0);
  const float loss_before = inspector_model(s).batch_loss;
  const auto version = s.model_version;
  REQUIRE(ui.probe().rects.count("inspector:gamma") == 1);
  const auto r = ui.probe().rects.at("inspector:gamma");
  const float y = (r.min.y + r.max.y) * 0.5f;
  drag(ui, s, ImVec2(r.min.x + (r.max.x - r.min.x) * 0.55f, y), ImVec2(r.min.x + (r.max.x - r.min.x) * 0.9f, y));
  CHECK(s.model_version > version);
  const float gamma_after = gamma_of(s, 0, 0);
  INFO("gamma " << gamma_before << " -> " << gamma_after);
  CHECK(gamma_after != gamma_before);
  CHECK(gamma_after > 1.5f);  // dragged to 90% of [-3, 3]
  CHECK(inspector_model(s).gamma == gamma_after);
  CHECK(inspector_model(s).batch_loss != loss_before);
  // The "γ = 1, β = 0" button puts it back.
  ui.click(s, "inspector:reset_affine");
  CHECK(gamma_of(s, 0, 0) == 1.0f);
}

TEST_CASE("ui: the train/eval switch and the feature slider change the inspector state", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  ui.frames(s, 2);
  CHECK_FALSE(s.inspector.eval_view);
  ui.click(s, "inspector:eval");
  CHECK(s.inspector.eval_view);
  CHECK(ui.probe().rects.count("inspector:boundaries") == 1);
  ui.click(s, "inspector:eval");
  CHECK_FALSE(s.inspector.eval_view);
  // Click near the right end of the feature slider: the last feature (8).
  // The slider's frame is 7 font heights wide (its label follows it).
  const auto r = ui.probe().rects.at("inspector:feature");
  const float font = ImGui::GetIO().Fonts->Fonts[0]->FontSize * ImGui::GetIO().FontGlobalScale;
  ui.click_at(s, ImVec2(r.min.x + font * 7.0f - 3.0f, (r.min.y + r.max.y) * 0.5f));
  CHECK(s.inspector.feature == 7);
}

TEST_CASE("ui: the backprop stepper walks every gradient and the numeric check agrees", "[ui][backprop]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kBackprop);
  ui.frames(s, 2);
  CHECK(s.inspector.backprop_step == BackpropStep::kForward);
  for (int i = 1; i < kBackpropStepCount; ++i) {
    ui.click(s, "backprop:next");
    CHECK(static_cast<int>(s.inspector.backprop_step) == i);
  }
  ui.click(s, "backprop:prev");
  CHECK(s.inspector.backprop_step == BackpropStep::kDx);
  CHECK_FALSE(s.inspector.grad_check.has_value());
  ui.frame(s);  // the step text above the button changed length: let the layout settle
  ui.click(s, "backprop:check");
  INFO("notice: " << (s.notice ? s.notice->message : std::string("none")) << "; check button at y "
                  << ui.probe().rects.at("backprop:check").min.y);
  REQUIRE(s.inspector.grad_check.has_value());
  CHECK(s.inspector.grad_check->entries.size() == 5);
  CHECK(s.inspector.grad_check->max_rel_error < 1e-4);
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("ui: a network without BatchNorm shows a message, not a crash", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  apply(s, act::SetNormalization{NormKind::kNone});
  ui.frames(s, 3);
  CHECK(ui.probe().rects.count("inspector:layer") == 1);
  apply(s, act::ShowPanel{Panel::kBackprop});
  ui.frames(s, 3);
  CHECK(ui.probe().rects.count("backprop:layer") == 1);
}

TEST_CASE("ui: on a 390 px wide screen the backprop graph becomes a table and still steps", "[ui][backprop]") {
  HeadlessUi ui(390.0f, 1000.0f);  // tall enough that the stacked panel's stage buttons are on screen
  Session s = inspector_session(Panel::kBackprop);
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("backprop:next") == 1);
  CHECK(ui.probe().rects.at("backprop:next").max.x <= 390.0f);
  ui.click(s, "backprop:next");
  CHECK(s.inspector.backprop_step == BackpropStep::kDy);
  apply(s, act::ShowPanel{Panel::kInspector});
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("inspector:next") == 1);
  CHECK(ui.probe().rects.at("inspector:next").max.x <= 390.0f);  // stage buttons wrap
  ui.click(s, "inspector:next");
  CHECK(s.inspector.stage == InspectorStage::kMean);
}

namespace {

const BatchNorm& norm_of(const Session& s, int hidden) {
  const Network& net = s.exp().network();
  const auto li = static_cast<std::size_t>(net.hidden()[static_cast<std::size_t>(hidden)].norm);
  if (const auto* brn = std::get_if<BatchRenorm>(&net.layers()[li])) return brn->bn;
  return std::get<BatchNorm>(net.layers()[li]);
}

Session session_with(NormKind norm, Panel panel) {
  ExperimentSpec spec = default_spec();
  for (HiddenLayerSpec& h : spec.net.hidden) h.norm = norm;
  Result<Session> r = make_session(spec);
  REQUIRE(r.ok());
  Session s = std::move(r.value());
  apply(s, act::Step{3});
  apply(s, act::ShowPanel{panel});
  return s;
}

}  // namespace

TEST_CASE("ui: dragging the beta handle on the affine plot moves beta and the loss", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  apply(s, act::SetInspectorStage{InspectorStage::kAffine});
  ui.frames(s, 30);  // past the stage animation
  REQUIRE(ui.probe().rects.count("inspector:beta_handle") == 1);
  REQUIRE(ui.probe().rects.count("inspector:gamma_handle") == 1);
  const float beta_before = norm_of(s, 0).beta[0], gamma_before = norm_of(s, 0).gamma[0];
  const float loss_before = inspector_model(s).batch_loss;
  const ImVec2 from = ui.probe().centre("inspector:beta_handle");
  ui.drag(s, from, ImVec2(from.x + 120.0f, from.y));
  const float beta_after = norm_of(s, 0).beta[0];
  INFO("beta " << beta_before << " -> " << beta_after);
  CHECK(beta_after > beta_before + 0.05f);           // dragged to the right: larger β
  CHECK(norm_of(s, 0).gamma[0] == gamma_before);     // γ untouched
  CHECK(inspector_model(s).beta == beta_after);
  CHECK(inspector_model(s).batch_loss != loss_before);  // the readout's number
  CHECK_FALSE(s.notice.has_value());
  CHECK(s.exp().metrics().step == 3);
}

TEST_CASE("ui: dragging the beta-plus-gamma handle left shrinks gamma only", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  apply(s, act::SetInspectorStage{InspectorStage::kAffine});
  ui.frames(s, 30);
  REQUIRE(ui.probe().rects.count("inspector:gamma_handle") == 1);
  const float beta_before = norm_of(s, 0).beta[0], gamma_before = norm_of(s, 0).gamma[0];
  const float loss_before = inspector_model(s).batch_loss;
  const ImVec2 from = ui.probe().centre("inspector:gamma_handle");
  ui.drag(s, from, ImVec2(from.x - 60.0f, from.y));
  const float gamma_after = norm_of(s, 0).gamma[0];
  INFO("gamma " << gamma_before << " -> " << gamma_after);
  CHECK(gamma_after < gamma_before - 0.05f);
  CHECK(norm_of(s, 0).beta[0] == beta_before);
  CHECK(inspector_model(s).batch_loss != loss_before);
}

TEST_CASE("ui: handles show only on the affine stage of the batch path", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kInspector);
  ui.frames(s, 2);
  CHECK(ui.probe().rects.count("inspector:beta_handle") == 0);
}

TEST_CASE("ui: a Batch Renorm layer is inspected through every stage and its check agrees", "[ui][inspector][renorm]") {
  HeadlessUi ui;
  Session s = session_with(NormKind::kBatchRenorm, Panel::kInspector);
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("inspector:plot") == 1);
  for (int i = 1; i < kInspectorStageCount; ++i) {
    ui.click(s, "inspector:next");
    CHECK(static_cast<int>(s.inspector.stage) == i);
  }
  CHECK_FALSE(s.notice.has_value());
  ui.click(s, "inspector:stage:4");  // x̂, r, d
  CHECK(s.inspector.stage == InspectorStage::kNormalized);
  ui.frames(s, 30);
  CHECK(ui.probe().rects.count("inspector:path") == 1);
  // γ handle on a Batch Renorm layer edits its γ.
  ui.click(s, "inspector:stage:5");
  ui.frames(s, 30);
  REQUIRE(ui.probe().rects.count("inspector:gamma_handle") == 1);
  const float gamma_before = norm_of(s, 0).gamma[0];
  const ImVec2 from = ui.probe().centre("inspector:gamma_handle");
  ui.drag(s, from, ImVec2(from.x + 80.0f, from.y));
  CHECK(norm_of(s, 0).gamma[0] > gamma_before);
  // Backprop stepper and its numeric check on the same layer.
  apply(s, act::ShowPanel{Panel::kBackprop});
  ui.frames(s, 2);
  for (int i = 1; i < kBackpropStepCount; ++i) ui.click(s, "backprop:next");
  ui.frame(s);
  ui.click(s, "backprop:check");
  REQUIRE(s.inspector.grad_check.has_value());
  CHECK(s.inspector.grad_check->max_rel_error < 1e-4);
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("ui: LayerNorm and GroupNorm networks explain why the inspector does not apply", "[ui][inspector]") {
  for (NormKind norm : {NormKind::kLayerNorm, NormKind::kGroupNorm}) {
    HeadlessUi ui;
    Session s = session_with(norm, Panel::kInspector);
    ui.frames(s, 3);
    CHECK(ui.probe().rects.count("inspector:layer") == 1);
    CHECK(ui.probe().rects.count("inspector:plot") == 0);
    CHECK_FALSE(inspector_model(s).ok);
    CHECK(inspector_model(s).message.find("no batch statistics") != std::string::npos);
    apply(s, act::ShowPanel{Panel::kBackprop});
    ui.frames(s, 3);
    CHECK(ui.probe().rects.count("backprop:layer") == 1);
    CHECK(ui.probe().rects.count("backprop:next") == 0);
  }
}

TEST_CASE("ui: a selected neuron opens in the BN inspector on its layer and unit", "[ui][inspector]") {
  HeadlessUi ui;
  Session s = inspector_session(Panel::kNetwork);
  apply(s, act::SelectNeuron{1, 5});
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("neuron_inspect") == 1);
  ui.click(s, "neuron_inspect");
  CHECK(s.view.panel == Panel::kInspector);
  CHECK(s.inspector.layer == 1);
  CHECK(s.inspector.feature == 5);
  CHECK_FALSE(s.notice.has_value());
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  CHECK(m.layer == 1);
  CHECK(m.feature == 5);
}
