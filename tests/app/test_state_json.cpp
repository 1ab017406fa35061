// State JSON: export -> import round trips (predictions and the next training step identical),
// and every kind of bad document leaving the session bit-identical.
#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "app/actions.h"
#include "app/state_json.h"
#include "app_fixtures.h"
#include "core/rng.h"

using nl::app::testing::fresh_session;
using nlohmann::json;

namespace nl::app {
namespace {

Matrix probe_points() {
  Matrix p(2, 5);
  p << -1.2f, -0.3f, 0.0f, 0.7f, 1.5f,  //
      0.4f, -0.9f, 0.25f, 1.1f, -0.6f;
  return p;
}

// A session with some training, an edited point set and a non-default view.
Session trained_session() {
  Session s = fresh_session();
  apply(s, act::AddPoint{0.5f, 0.5f, 1});
  apply(s, act::SetLearningRate{0.05f});
  apply(s, act::Step{37});
  apply(s, act::ShowPanel{Panel::kInspector});
  apply(s, act::SetInspectorStage{InspectorStage::kVariance});
  apply(s, act::SetTheme{Theme::kLight});
  REQUIRE_FALSE(s.notice);
  REQUIRE(s.exp().metrics().step == 37);
  return s;
}

std::string snapshot(const Session& s) { return state_to_json_text(s, true); }

// Import must fail, name `key` in its message, and leave the session bit-identical.
void expect_rejected(const std::string& text, const std::string& key) {
  Session s = trained_session();
  const std::string before = snapshot(s);
  const std::uint64_t version = s.model_version;
  const Status st = import_state_json(s, text);
  REQUIRE_FALSE(st.ok());
  INFO(st.error().message);
  CHECK(st.error().message.find(key) != std::string::npos);
  CHECK(snapshot(s) == before);
  CHECK(s.model_version == version);
}

json exported() { return state_to_json(trained_session(), true); }

TEST_CASE("state json: import after training predicts exactly what the export predicted", "[app][state]") {
  Session a = trained_session();
  const std::string text = state_to_json_text(a, true, 2);
  Session b = fresh_session();
  const Status st = import_state_json(b, text);
  REQUIRE(st.ok());
  const Matrix pa = a.exp().predict_proba(probe_points());
  const Matrix pb = b.exp().predict_proba(probe_points());
  CHECK(pa == pb);  // bit-identical
  CHECK(b.exp().metrics().step == 37);
  CHECK(b.view.panel == Panel::kInspector);
  CHECK(b.view.theme == Theme::kLight);
  CHECK(b.inspector.stage == InspectorStage::kVariance);
  REQUIRE(b.user_data.has_value());
  CHECK(b.exp().dataset().x_train == a.exp().dataset().x_train);
  CHECK(b.exp().dataset().y_test == a.exp().dataset().y_test);
  CHECK(snapshot(b) == snapshot(a));
  refresh_grid(a);  // steps leave the grid to the next frame; the import computes it
  CHECK(b.grid.class1_probability == a.grid.class1_probability);
}

TEST_CASE("state json: the next training steps after import are identical", "[app][state]") {
  for (const char* optimizer : {"sgd", "adam"}) {
    INFO(optimizer);
    Session a = fresh_session();
    apply(a, act::SetBatchSize{48});  // 150 training points: epochs of 3 batches, a reshuffle soon
    OptimizerSpec o = a.spec.optimizer;
    o.kind = std::string(optimizer) == "adam" ? OptimizerKind::kAdam : OptimizerKind::kSgd;
    o.learning_rate = 0.01f;
    o.weight_decay = 1e-3f;
    apply(a, act::SetOptimizer{o});
    apply(a, act::Step{7});
    REQUIRE_FALSE(a.notice);
    Session b = fresh_session();
    REQUIRE(import_state_json(b, state_to_json_text(a, true)).ok());
    apply(a, act::Step{5});
    apply(b, act::Step{5});
    CHECK(a.exp().last_batch() == b.exp().last_batch());
    CHECK(a.exp().predict_proba(probe_points()) == b.exp().predict_proba(probe_points()));
    CHECK(a.exp().metrics().batch_loss == b.exp().metrics().batch_loss);
    CHECK(a.exp().metrics().epoch == b.exp().metrics().epoch);
    CHECK(snapshot(a) == snapshot(b));
  }
}

TEST_CASE("state json: every normalization kind round-trips its parameters", "[app][state]") {
  for (const char* norm : {"none", "batchnorm", "layernorm", "groupnorm", "batchrenorm"}) {
    INFO(norm);
    Session a = fresh_session();
    ExperimentSpec spec = a.spec;
    for (auto& h : spec.net.hidden) h.norm = NormKind::kNone;
    auto& h0 = spec.net.hidden[0];
    const std::string n = norm;
    h0.norm = n == "batchnorm" ? NormKind::kBatchNorm
              : n == "layernorm" ? NormKind::kLayerNorm
              : n == "groupnorm" ? NormKind::kGroupNorm
              : n == "batchrenorm" ? NormKind::kBatchRenorm
                                   : NormKind::kNone;
    h0.placement = NormPlacement::kAfterActivation;
    spec.net.norm.momentum = std::nullopt;  // cumulative average
    apply(a, act::SetSpec{spec});
    apply(a, act::Step{20});
    REQUIRE_FALSE(a.notice);
    Session b = fresh_session();
    const Status st = import_state_json(b, state_to_json_text(a, true));
    REQUIRE(st.ok());
    CHECK(a.exp().predict_proba(probe_points()) == b.exp().predict_proba(probe_points()));
    CHECK(snapshot(a) == snapshot(b));
  }
}

TEST_CASE("state json: without weights the import restarts training from the settings", "[app][state]") {
  Session a = trained_session();
  Session b = fresh_session();
  REQUIRE(import_state_json(b, state_to_json_text(a, false)).ok());
  CHECK(b.exp().metrics().step == 0);
  CHECK(state_to_json(b, false)["settings"] == state_to_json(a, false)["settings"]);
  CHECK(b.view.panel == Panel::kInspector);
}

TEST_CASE("state json: non-finite metrics are written as null", "[app][state]") {
  Session s = fresh_session();
  const json j = state_to_json(s, false);
  CHECK(j["format"] == "normlab-state");
  CHECK(j["version"] == kStateJsonVersion);
  CHECK(!j.contains("data"));     // points not edited
  CHECK(!j.contains("weights"));  // not asked for
  const std::string text = j.dump();
  CHECK(text.find("NaN") == std::string::npos);
  CHECK(text.find("nan") == std::string::npos);
}

TEST_CASE("state json: the step the metrics were measured at travels with them", "[app][state]") {
  json j = exported();
  const std::int64_t step = j["training"]["step"].get<std::int64_t>();
  REQUIRE(step > 5);
  CHECK(j["training"]["metrics_step"] == step);  // trained with Step: every step measured
  // Numbers carried over from an earlier step (paced evals while playing fast) say so after an
  // import, as they did before the export.
  j["training"]["metrics_step"] = step - 3;
  Session b = fresh_session();
  REQUIRE(import_state_json(b, j.dump()).ok());
  CHECK(b.exp().metrics().step == step);
  CHECK(b.exp().metrics().metrics_step == step - 3);
  CHECK(state_to_json(b, false)["training"]["metrics_step"] == step - 3);
  // Older files without it: measured at their step.
  j["training"].erase("metrics_step");
  Session c = fresh_session();
  REQUIRE(import_state_json(c, j.dump()).ok());
  CHECK(c.exp().metrics().metrics_step == step);
  // Past the step, negative or not an integer: refused.
  j["training"]["metrics_step"] = step + 1;
  expect_rejected(j.dump(), "training.metrics_step");
  j["training"]["metrics_step"] = -1;
  expect_rejected(j.dump(), "training.metrics_step");
  j["training"]["metrics_step"] = 2.5;
  expect_rejected(j.dump(), "training.metrics_step");
}

TEST_CASE("state json: malformed documents are rejected and the session is untouched", "[app][state]") {
  const std::string good = exported().dump();
  expect_rejected(good.substr(0, good.size() / 2), "not valid JSON");  // truncated
  expect_rejected("[1, 2, 3]", "JSON object");
  expect_rejected("", "not valid JSON");

  json j = exported();
  j["format"] = "something-else";
  expect_rejected(j.dump(), "format");
  j = exported();
  j["version"] = 2;
  expect_rejected(j.dump(), "version");
  j = exported();
  j.erase("version");
  expect_rejected(j.dump(), "version");
  j = exported();
  j["extra"] = 1;
  expect_rejected(j.dump(), "extra");
  j = exported();
  j["settings"]["batch_size"] = "big";
  expect_rejected(j.dump(), "settings");
  j = exported();
  j["steps_per_frame"] = 1000;
  expect_rejected(j.dump(), "steps_per_frame");
  j = exported();
  j["playing"] = "yes";
  expect_rejected(j.dump(), "playing");
}

TEST_CASE("state json: wrong weight shapes name the key and the shapes", "[app][state]") {
  json j = exported();
  json& w = j["weights"]["hidden"][1]["linear"]["weight"];  // 8x8
  for (auto& row : w) row.erase(row.size() - 1);            // -> 8x7
  expect_rejected(j.dump(), "weights.hidden[1].linear.weight has 8x7 numbers, the network needs 8x8");

  j = exported();
  j["weights"]["hidden"][0]["linear"]["bias"].push_back(0.5);
  expect_rejected(j.dump(), "weights.hidden[0].linear.bias has 9 numbers");
  j = exported();
  j["weights"]["hidden"].erase(1);
  expect_rejected(j.dump(), "weights.hidden");
  j = exported();
  j["weights"]["hidden"][0]["norm"]["running_var"] = {1, 2};
  expect_rejected(j.dump(), "weights.hidden[0].norm.running_var has 2 numbers");
  j = exported();
  j["weights"]["hidden"][0]["norm"]["kind"] = "layernorm";
  expect_rejected(j.dump(), "weights.hidden[0].norm.kind");
  j = exported();
  j["weights"]["output"]["linear"]["weight"] = json::array();
  expect_rejected(j.dump(), "weights.output.linear.weight has 0x0 numbers, the network needs 2x8");
  j = exported();
  j["weights"]["optimizer"]["buffers"].erase(0);
  expect_rejected(j.dump(), "weights.optimizer.buffers");
}

TEST_CASE("state json: NaN, strings and huge numbers in weights are rejected", "[app][state]") {
  json j = exported();
  j["weights"]["hidden"][0]["linear"]["weight"][2][1] = nullptr;  // how NaN would be written
  expect_rejected(j.dump(), "weights.hidden[0].linear.weight[2][1] must be a finite number");
  j = exported();
  j["weights"]["hidden"][0]["linear"]["bias"][3] = "NaN";
  expect_rejected(j.dump(), "weights.hidden[0].linear.bias[3] must be a finite number");
  j = exported();
  j["weights"]["hidden"][1]["norm"]["gamma"][0] = 1e300;  // beyond float
  expect_rejected(j.dump(), "weights.hidden[1].norm.gamma[0]");
  j = exported();
  j["weights"]["hidden"][1]["norm"]["running_var"][0] = -1.0;
  expect_rejected(j.dump(), "running_var[0] must not be negative");
  std::string text = exported().dump();
  const auto at = text.find("\"bias\":[") + 8;
  text.insert(at, "NaN,");  // not JSON at all
  expect_rejected(text, "not valid JSON");
}

TEST_CASE("state json: bad points, views and oversize documents are rejected", "[app][state]") {
  json j = exported();
  j["data"]["points"][0][2] = 5;
  expect_rejected(j.dump(), "data.points[0][2] must be a class label");
  j = exported();
  j["data"]["points"][1][0] = "1.0";
  expect_rejected(j.dump(), "data.points[1][0] must be a finite number");
  j = exported();
  j["data"]["points"][1][3] = "validation";
  expect_rejected(j.dump(), "data.points[1][3]");
  j = exported();
  j["data"]["points"] = json::array();
  expect_rejected(j.dump(), "data.points needs at least 2 training points");
  j = exported();
  json many = json::array();
  for (std::size_t i = 0; i <= kMaxStatePoints; ++i) many.push_back({0.0, 0.0, 0, "train"});
  j["data"]["points"] = many;
  expect_rejected(j.dump(), "at most");
  j = exported();
  j["view"]["panel"] = "settings";
  expect_rejected(j.dump(), "view.panel");
  j = exported();
  j["view"]["selected_layer"] = 7;
  expect_rejected(j.dump(), "view.selected_layer");
  j = exported();
  j["view"]["inspector"]["stage"] = 3;
  expect_rejected(j.dump(), "view.inspector.stage");
  j = exported();
  j["training"]["step"] = -4;
  expect_rejected(j.dump(), "training.step");
  expect_rejected(std::string(kMaxStateJsonBytes + 1, ' '), "KiB");
}

TEST_CASE("state json: a patch merges settings key by key and keeps the rest", "[app][state]") {
  Session s = fresh_session();
  apply(s, act::Step{10});
  // Optimizer-only change: training goes on (step kept).
  REQUIRE(apply_state_patch(s, json::parse(R"({"settings": {"optimizer": {"learning_rate": 0.02}}})")).ok());
  CHECK(s.spec.optimizer.learning_rate == 0.02f);
  CHECK(s.spec.optimizer.momentum == 0.9f);  // untouched key of the same object
  CHECK(s.exp().metrics().step == 10);
  // Network change: rebuilt (training restarts); null replaces (cumulative momentum).
  REQUIRE(apply_state_patch(s, json::parse(R"({"settings": {"net": {"norm": {"momentum": null}}, "batch_size": 16}})")).ok());
  CHECK(!s.spec.net.norm.momentum.has_value());
  CHECK(s.spec.net.norm.eps == 1e-5f);
  CHECK(s.spec.batch_size == 16);
  CHECK(s.exp().metrics().step == 0);
  CHECK(s.spec.net.hidden.size() == 2);
  REQUIRE(apply_state_patch(s, json::parse(R"({"view": {"panel": "why", "why_view": "cost"}, "playing": true,
                                               "steps_per_frame": 7})")).ok());
  CHECK(s.view.panel == Panel::kWhyBnHelps);
  CHECK(s.view.why_view == WhyView::kCost);
  CHECK(s.playing);
  CHECK(s.steps_per_frame == 7);
  REQUIRE(apply_state_patch(s, json::parse(R"({"settings": {"net": {"hidden": [{"width": 3}]}}})")).ok());
  CHECK(s.spec.net.hidden.size() == 1);  // arrays replace
  CHECK(s.spec.net.hidden[0].width == 3);
}

TEST_CASE("state json: a bad patch names the key and changes nothing", "[app][state]") {
  const char* bad[][2] = {
      {R"({"settings": {"batch_size": 0}})", "settings"},
      {R"({"settings": {"net": {"hidden": [{"width": -1}]}}})", "settings"},
      {R"({"settings": 3})", "settings"},
      {R"({"view": {"theme": "blue"}})", "view.theme"},
      {R"({"view": {"panel": "data", "why_unit": 99}})", "view.why_unit"},
      {R"({"playing": 1})", "playing"},
      {R"({"steps_per_frame": 0})", "steps_per_frame"},
      {R"({"colour": "red"})", "colour"},
      {R"({"settings": {"batch_size": 16}, "steps_per_frame": "fast"})", "steps_per_frame"},
      {R"([1])", "object"},
  };
  for (const auto& [text, key] : bad) {
    INFO(text);
    Session s = fresh_session();
    apply(s, act::Step{3});
    const std::string before = snapshot(s);
    const Status st = apply_state_patch(s, json::parse(text));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find(key) != std::string::npos);
    CHECK(snapshot(s) == before);
  }
}

}  // namespace
}  // namespace nl::app

namespace nl::app {
namespace {

TEST_CASE("state json: import keeps what the document does not describe", "[app][state]") {
  Session a = trained_session();
  Session b = fresh_session();
  StopCondition stop;
  stop.on_steps = true;
  stop.max_steps = 77;
  apply(b, act::SetStopCondition{stop});
  b.outbox.push_back(ExportFile{ExportKind::kCurvesCsv, "normlab-curves.csv", "text/csv", "step\n"});
  b.notice = Notice{"before", {}};
  const std::uint64_t version = b.model_version;
  REQUIRE(import_state_json(b, state_to_json_text(a, true)).ok());
  CHECK(b.stop.on_steps);
  CHECK(b.stop.max_steps == 77);
  CHECK(b.outbox.size() == 1);
  CHECK(b.model_version > version);
  CHECK(b.neuron_maps.model_version == 0);  // recomputed for the imported model
}

TEST_CASE("state json: a patch that cannot build the network keeps the old notice", "[app][state]") {
  Session s = fresh_session();
  s.notice = Notice{"earlier message", {}};
  const std::string before = state_to_json_text(s, true);
  // Valid by the schema, but GroupNorm's 3 groups do not divide the width 8.
  const Status st = apply_state_patch(
      s, nlohmann::json::parse(R"({"settings": {"net": {"norm": {"groups": 3}, "hidden": [{"norm": "groupnorm"}]}}})"));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.rfind("settings", 0) == 0);
  CHECK(state_to_json_text(s, true) == before);
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message == "earlier message");
}

}  // namespace
}  // namespace nl::app

namespace nl::app {
namespace {

// Every JSON pointer in `j` (objects and arrays included), for seeded mutations.
void collect_pointers(const nlohmann::json& j, const nlohmann::json::json_pointer& at,
                      std::vector<nlohmann::json::json_pointer>& out) {
  out.push_back(at);
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) collect_pointers(*it, at / it.key(), out);
  else if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) collect_pointers(j[i], at / i, out);
}

TEST_CASE("state json: seeded mutations either import cleanly or change nothing", "[app][state]") {
  Session base = trained_session();
  const nlohmann::json doc = state_to_json(base, true);
  std::vector<nlohmann::json::json_pointer> pointers;
  collect_pointers(doc, nlohmann::json::json_pointer(), pointers);
  const nlohmann::json replacements[] = {nullptr, -1, 0, 1, 2.5, 1e40, -1e300, "x", "NaN", true,
                                         nlohmann::json::array(), nlohmann::json::object(),
                                         std::numeric_limits<std::uint64_t>::max(), 1000000000};
  Rng rng{2024};
  int imported = 0, refused = 0;
  for (int trial = 0; trial < 300; ++trial) {
    nlohmann::json j = doc;
    const int edits = 1 + static_cast<int>(rng.below(3));
    for (int e = 0; e < edits; ++e) {
      const auto& p = pointers[rng.below(static_cast<std::uint32_t>(pointers.size()))];
      if (p.empty() || !j.contains(p)) continue;
      j[p] = replacements[rng.below(static_cast<std::uint32_t>(std::size(replacements)))];
    }
    Session s = base;
    const std::string before = snapshot(s);
    const Status st = import_state_json(s, j.dump());
    INFO("trial " << trial);
    if (st.ok()) {
      ++imported;
      const std::string after = snapshot(s);
      CHECK(after.find("NaN") == std::string::npos);
      CHECK(after.find("Infinity") == std::string::npos);
      CHECK(s.exp().predict_proba(probe_points()).allFinite());
    } else {
      ++refused;
      CHECK_FALSE(st.error().message.empty());
      CHECK(snapshot(s) == before);
    }
  }
  CHECK(refused > 100);  // most mutations break something
  CHECK(imported > 0);   // some (e.g. a view flag) are valid documents
}

}  // namespace
}  // namespace nl::app
