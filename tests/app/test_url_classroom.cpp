// Classroom mode (app/classroom.h, classroom_gate.h): hidden controls and locked settings
// refuse UI actions with a notice, the host and lessons still apply(), the Share dialog
// state, and every action's gate names a known control.
#include <set>
#include <string>
#include <variant>

#include "app_fixtures.h"
#include "app/action_json.h"
#include "app/classroom_gate.h"
#include "app/settings_json.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;

namespace {
std::string spec_text(const Session& s) { return settings_to_json_text(s.spec); }
}  // namespace

TEST_CASE("classroom: every action's gate names a known control or none", "[app][classroom]") {
  int gated = 0;
  for (std::size_t i = 0; i < std::variant_size_v<Action>; ++i) {
    const ActionGate g = gate_of(action_example(i, 1));
    INFO(action_type_name(action_example(i, 1)) << " -> " << g.control);
    if (!g.control.empty()) {
      CHECK(is_classroom_id(g.control));
      ++gated;
    }
  }
  CHECK(gated > 20);
  CHECK(gate_of(act::ShowPanel{Panel::kBackprop}).control == "panel:backprop");
  CHECK(gate_of(act::SetLearningRate{0.5f}).control == "lr");
  CHECK(gate_of(act::SetLearningRate{0.5f}).setting);
  CHECK_FALSE(gate_of(act::Play{}).setting);
}

TEST_CASE("classroom: ids list every control and panel once", "[app][classroom]") {
  const auto& ids = classroom_ids();
  for (const char* id : {"play", "step", "reset", "speed", "stop", "dataset", "data_edit", "network", "optimizer", "lr",
                         "batch_size", "norm", "theme", "share", "panel:data", "panel:network", "panel:inspector",
                         "panel:backprop", "panel:why"}) {
    INFO(id);
    CHECK(is_classroom_id(id));
  }
  CHECK_FALSE(is_classroom_id("panel:settings"));
  CHECK(normalized_ids({"lr", "zz", "play", "lr"}) == std::vector<std::string>{"lr", "play"});
  CHECK(ids.size() == std::set<std::string>(ids.begin(), ids.end()).size());
}

TEST_CASE("classroom: locked settings refuse every setting action from the UI", "[app][classroom]") {
  Session s = fresh_session();
  apply(s, act::SetClassroom{ClassroomOptions{{}, true, false}});
  const std::string before = spec_text(s);
  int refused = 0;
  for (std::size_t i = 0; i < std::variant_size_v<Action>; ++i) {
    const Action a = action_example(i, 3);
    if (!gate_of(a).setting) continue;
    INFO(action_to_json(a).dump());
    s.notice.reset();
    apply_from_ui(s, a);
    CHECK(spec_text(s) == before);
    REQUIRE(s.notice.has_value());
    CHECK(s.notice->message == "Settings are locked by this link.");
    CHECK(s.classroom.options.locked);
    ++refused;
  }
  CHECK(refused > 15);
  // Imports and weight scaling change settings, weights or data too.
  CHECK(gate_of(act::ImportState{}).setting);
  CHECK(gate_of(act::ImportPoints{}).setting);
  CHECK(gate_of(act::ScaleLayerWeights{}).setting);
  // Training controls stay usable.
  apply_from_ui(s, act::Step{3});
  CHECK(s.exp().metrics().step == 3);
}

TEST_CASE("classroom: the host and lessons change settings of a locked session with apply()", "[app][classroom]") {
  Session s = fresh_session();
  apply(s, act::SetClassroom{ClassroomOptions{{"lr"}, true, false}});
  apply(s, act::SetLearningRate{0.5f});  // the host page's dispatch
  CHECK(s.spec.optimizer.learning_rate == 0.5f);
  ExperimentSpec preset = default_spec();
  preset.data.kind = DatasetKind::kSpiral;
  apply(s, act::SetSpec{preset});  // a lesson's preset: the experiment is rebuilt ...
  CHECK(s.spec.data.kind == DatasetKind::kSpiral);
  CHECK(s.classroom.options.locked);  // ... and the classroom options survive it
  CHECK(s.classroom.options.hidden == std::vector<std::string>{"lr"});
  apply_from_ui(s, act::SetClassroom{});  // a learner cannot unlock from the UI
  CHECK(s.classroom.options.locked);
  apply(s, act::SetClassroom{});  // the host can
  CHECK_FALSE(s.classroom.options.locked);
  apply_from_ui(s, act::SetLearningRate{0.25f});
  CHECK(s.spec.optimizer.learning_rate == 0.25f);
}

TEST_CASE("classroom: hidden controls refuse their actions from the UI", "[app][classroom]") {
  Session s = fresh_session();
  apply(s, act::SetClassroom{ClassroomOptions{{"play", "panel:why"}, false, false}});
  apply_from_ui(s, act::TogglePlay{});
  CHECK_FALSE(s.playing);
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message == "\"play\" is hidden by this link.");
  apply_from_ui(s, act::ShowPanel{Panel::kWhyBnHelps});
  CHECK(s.view.panel == Panel::kData);
  apply_from_ui(s, act::ShowPanel{Panel::kNetwork});
  CHECK(s.view.panel == Panel::kNetwork);
  apply_from_ui(s, act::SetLearningRate{0.5f});  // not locked, not hidden
  CHECK(s.spec.optimizer.learning_rate == 0.5f);
}

TEST_CASE("classroom: hiding the current panel shows the first visible one and start paused pauses", "[app][classroom]") {
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kData});
  apply(s, act::Play{});
  apply(s, act::SetClassroom{ClassroomOptions{{"panel:data", "panel:network", "bogus"}, false, true}});
  CHECK(s.view.panel == Panel::kInspector);
  CHECK_FALSE(s.playing);
  CHECK(s.classroom.options.hidden == std::vector<std::string>{"panel:data", "panel:network"});
  CHECK(first_visible_panel(s.classroom) == Panel::kInspector);
}

TEST_CASE("classroom: the Share dialog's open state and link options", "[app][classroom]") {
  Session s = fresh_session();
  apply(s, act::SetClassroom{ClassroomOptions{{"lr"}, false, false}});
  apply(s, act::SetShareOpen{true});
  CHECK(s.classroom.share_open);
  CHECK(s.classroom.share_link.hidden == std::vector<std::string>{"lr"});  // starts from the session's options
  apply(s, act::SetShareLink{ClassroomOptions{{"theme", "zz", "batch_size"}, true, true}});
  CHECK(s.classroom.share_link.hidden == std::vector<std::string>{"batch_size", "theme"});
  CHECK(s.classroom.share_link.locked);
  CHECK(s.classroom.options.hidden == std::vector<std::string>{"lr"});  // the session itself is unchanged
  CHECK_FALSE(s.classroom.options.locked);
  apply(s, act::SetShareOpen{false});
  CHECK_FALSE(s.classroom.share_open);
  // The dialog works while locked (it builds a link; it changes no setting).
  apply(s, act::SetClassroom{ClassroomOptions{{}, true, false}});
  apply_from_ui(s, act::SetShareOpen{true});
  CHECK(s.classroom.share_open);
}
