// URL state (app/url_state.h): every setting round-trips through the hash, defaults give an
// empty hash, malformed values are clamped or kept at the default and listed, and hundreds
// of seeded random hashes leave a working session with finite settings.
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app_fixtures.h"
#include "app/action_json.h"
#include "app/settings_json.h"
#include "app/url_state.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;

namespace {

// Everything the URL carries, as comparable text.
std::string state_text(const Session& s) {
  const ViewState& v = s.view;
  const InspectorState& i = s.inspector;
  std::string out = settings_to_json_text(s.spec);
  out += " p" + std::to_string(static_cast<int>(v.panel)) + " th" + std::to_string(static_cast<int>(v.theme)) +
         " tp" + std::to_string(v.show_test_points) + " disc" + std::to_string(v.discretize_heatmap) + " pc" +
         std::to_string(v.new_point_class) + " why" + std::to_string(static_cast<int>(v.why_view)) + " wl" +
         std::to_string(v.why_layer) + " wu" + std::to_string(v.why_unit) + " wpost" + std::to_string(v.why_post_activation);
  out += " il" + std::to_string(i.layer) + " if" + std::to_string(i.feature) + " ix" + std::to_string(i.sample) + " is" +
         std::to_string(static_cast<int>(i.stage)) + " ie" + std::to_string(i.eval_view) + " bp" +
         std::to_string(static_cast<int>(i.backprop_step));
  out += " sp" + std::to_string(s.steps_per_frame) + " sl" + std::to_string(s.stop.on_loss) + " slt" +
         float_shortest(s.stop.target_train_loss) + " ss" + std::to_string(s.stop.on_steps) + " ssn" +
         std::to_string(s.stop.max_steps);
  out += " hide";
  for (const auto& id : s.classroom.options.hidden) out += " " + id;
  out += " lock" + std::to_string(s.classroom.options.locked) + " paused" + std::to_string(s.classroom.options.start_paused);
  return out;
}

void set_spec(Session& s, const std::function<void(ExperimentSpec&)>& change) {
  ExperimentSpec spec = s.spec;
  change(spec);
  s.notice.reset();
  apply(s, act::SetSpec{spec});
  REQUIRE_FALSE(s.notice.has_value());
}

void act_ok(Session& s, const Action& a) {
  s.notice.reset();
  apply(s, a);
  INFO(action_to_json(a).dump());
  REQUIRE_FALSE(s.notice.has_value());
}

float next_up(float v) { return std::nextafter(v, 1e30f); }

struct Change {
  const char* key;  // a key the hash must contain
  std::function<void(Session&)> apply_to;
};

const std::vector<Change>& changes() {
  static const std::vector<Change> list = {
      {"ds", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.data.kind = DatasetKind::kCircles; }); }},
      {"n", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.data.size = 517; }); }},
      {"noise", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.data.noise = next_up(0.2f); }); }},
      {"tf", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.data.test_fraction = 0.3f; }); }},
      {"dseed", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.data.seed = 9007199254740993ull; }); }},
      {"h", [](Session& s) {
         set_spec(s, [](ExperimentSpec& p) {
           p.net.hidden = {{16, Activation::kTanh, NormKind::kLayerNorm, NormPlacement::kAfterActivation},
                           {4, Activation::kSigmoid, NormKind::kNone, NormPlacement::kBeforeActivation},
                           {6, Activation::kLeakyReLU, NormKind::kGroupNorm, NormPlacement::kBeforeActivation},
                           {3, Activation::kIdentity, NormKind::kBatchRenorm, NormPlacement::kAfterActivation}};
         });
       }},
      {"h", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.hidden.clear(); }); }},
      {"init", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.init = InitScheme::kSmallGaussian; }); }},
      {"nseed", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.seed = 0; }); }},
      {"eps", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.eps = next_up(1e-3f); }); }},
      {"mom", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.momentum = 0.3f; }); }},
      {"mom", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.momentum = std::nullopt; }); }},
      {"aff", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.affine = false; }); }},
      {"trs", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.track_running_stats = false; }); }},
      {"grp", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.groups = 4; }); }},
      {"rmax", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.r_max = 2.5f; }); }},
      {"dmax", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.net.norm.d_max = 1.25f; }); }},
      {"opt", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.kind = OptimizerKind::kAdam; }); }},
      {"lr", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.learning_rate = next_up(0.0123f); }); }},
      {"om", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.momentum = 0.5f; }); }},
      {"wd", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.weight_decay = 1e-4f; }); }},
      {"b1", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.beta1 = 0.8f; }); }},
      {"b2", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.beta2 = std::nextafter(1.0f, 0.0f); }); }},
      {"aeps", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.optimizer.adam_eps = 1e-6f; }); }},
      {"bs", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.batch_size = 16; }); }},
      {"sseed", [](Session& s) { set_spec(s, [](ExperimentSpec& p) { p.shuffle_seed = 42; }); }},
      {"p", [](Session& s) { act_ok(s, act::ShowPanel{Panel::kWhyBnHelps}); }},
      {"th", [](Session& s) { act_ok(s, act::SetTheme{Theme::kLight}); }},
      {"tp", [](Session& s) { act_ok(s, act::SetShowTestPoints{false}); }},
      {"disc", [](Session& s) { act_ok(s, act::SetDiscretize{true}); }},
      {"pc", [](Session& s) { act_ok(s, act::SetPointClass{1}); }},
      {"why", [](Session& s) { act_ok(s, act::SetWhyView{WhyView::kGradients}); }},
      {"wu", [](Session& s) { act_ok(s, act::SelectWhyUnit{1, 3}); }},
      {"wpost", [](Session& s) { act_ok(s, act::SetWhyHistogramSide{true}); }},
      {"il", [](Session& s) { act_ok(s, act::InspectLayer{1}); }},
      {"if", [](Session& s) { act_ok(s, act::InspectFeature{5}); }},
      {"ix", [](Session& s) { act_ok(s, act::InspectSample{7}); }},
      {"is", [](Session& s) { act_ok(s, act::SetInspectorStage{InspectorStage::kNormalized}); }},
      {"ie", [](Session& s) { act_ok(s, act::SetInspectorEval{true}); }},
      {"bp", [](Session& s) { act_ok(s, act::SetBackpropStep{BackpropStep::kDxhat}); }},
      {"sp", [](Session& s) { act_ok(s, act::SetSpeed{7}); }},
      {"slt", [](Session& s) { act_ok(s, act::SetStopCondition{StopCondition{true, 0.2f, false, 1000}}); }},
      {"ssn", [](Session& s) { act_ok(s, act::SetStopCondition{StopCondition{false, 0.05f, true, 12345}}); }},
      {"hide", [](Session& s) { act_ok(s, act::SetClassroom{ClassroomOptions{{"lr", "batch_size", "panel:why"}, false, false}}); }},
      {"lock", [](Session& s) { act_ok(s, act::SetClassroom{ClassroomOptions{{}, true, false}}); }},
      {"paused", [](Session& s) { act_ok(s, act::SetClassroom{ClassroomOptions{{}, false, true}}); }},
      // Lessons (lesson_actions.h): opening one replays its preset, so it is its own change.
      {"lesson", [](Session& s) { act_ok(s, act::OpenLesson{"01-what-bn-computes"}); }},
      {"ls", [](Session& s) {
         act_ok(s, act::OpenLesson{"01-what-bn-computes"});
         act_ok(s, act::LessonGoTo{3});
       }},
  };
  return list;
}

bool spec_finite(const ExperimentSpec& p) {
  const float values[] = {p.data.noise, p.data.test_fraction, p.net.norm.eps, p.net.norm.momentum.value_or(0.0f),
                          p.net.norm.r_max, p.net.norm.d_max, p.optimizer.learning_rate, p.optimizer.momentum,
                          p.optimizer.weight_decay, p.optimizer.beta1, p.optimizer.beta2, p.optimizer.adam_eps};
  for (float v : values)
    if (!std::isfinite(v)) return false;
  return true;
}

bool printable(const std::string& s) {
  for (char c : s)
    if (c < 32 || c > 126) return false;
  return true;
}

}  // namespace

TEST_CASE("url state: the defaults give an empty hash", "[app][url]") {
  Session s = fresh_session();
  CHECK(encode_url_state(s).empty());
  const UrlStateReport r = apply_url_state(s, "");
  CHECK(r.ignored.empty());
  CHECK(encode_url_state(s).empty());
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("url state: keys are unique and every key has a round-trip case", "[app][url]") {
  const std::vector<std::string> keys = url_state_keys();
  const std::set<std::string> unique(keys.begin(), keys.end());
  CHECK(unique.size() == keys.size());
  std::set<std::string> covered;
  for (const Change& c : changes()) covered.insert(c.key);
  for (const char* implied : {"sl", "ss", "wl"}) covered.insert(implied);  // set together with slt, ssn, wu
  for (const auto& k : keys) {
    INFO(k);
    CHECK(covered.count(k) == 1);
  }
}

TEST_CASE("url state: every setting round-trips through the hash", "[app][url]") {
  for (const Change& change : changes()) {
    Session s = fresh_session();
    change.apply_to(s);
    const std::string hash = encode_url_state(s);
    INFO("key " << change.key << ", hash " << hash);
    CHECK(hash.find(std::string(change.key) + "=") != std::string::npos);
    Session t = fresh_session();
    const UrlStateReport r = apply_url_state(t, "#" + hash);
    CHECK(r.ignored.empty());
    CHECK(r.unknown.empty());
    CHECK(state_text(t) == state_text(s));
    CHECK(encode_url_state(t) == hash);
    // Applying the empty hash brings every key back to its default.
    apply_url_state(t, "");
    CHECK(encode_url_state(t).empty());
  }
}

TEST_CASE("url state: all changes at once round-trip and build the experiment once", "[app][url]") {
  Session s = fresh_session();
  for (const Change& change : changes()) {
    if (std::string(change.key) == "h" || std::string(change.key) == "grp" || std::string(change.key) == "hide") continue;
    if (std::string(change.key) == "lesson" || std::string(change.key) == "ls") continue;  // a lesson resets the settings
    change.apply_to(s);
  }
  const std::string hash = encode_url_state(s);
  INFO(hash);
  Session t = fresh_session();
  const std::uint64_t version = t.model_version;
  const UrlStateReport r = apply_url_state(t, hash);
  CHECK(r.ignored.empty());
  CHECK(state_text(t) == state_text(s));
  CHECK(t.model_version == version + 1);  // one rebuild (rebuild bumps the version once)
}

TEST_CASE("url state: examples of the key format", "[app][url]") {
  Session s = fresh_session();
  apply(s, act::SetSpec{[] {
          ExperimentSpec p = default_spec();
          p.data.kind = DatasetKind::kCircles;
          p.optimizer.learning_rate = 0.03f;
          p.net.hidden[1].norm = NormKind::kNone;
          return p;
        }()});
  apply(s, act::ShowPanel{Panel::kInspector});
  apply(s, act::SetClassroom{ClassroomOptions{{"panel:why", "lr"}, true, false}});
  CHECK(encode_url_state(s) == "ds=circles&h=8r-b,8r-n&lr=0.03&p=inspector&hide=lr,panel:why&lock=1");
}

TEST_CASE("url state: malformed values are listed and the valid keys still apply", "[app][url]") {
  Session s = fresh_session();
  const UrlStateReport r = apply_url_state(s, "#lr=abc&ds=circles&bs=16&zz=1&noise=nan&tf=5&h=8x-b&p=why");
  CHECK(s.spec.data.kind == DatasetKind::kCircles);
  CHECK(s.spec.batch_size == 16);
  CHECK(s.view.panel == Panel::kWhyBnHelps);
  CHECK(s.spec.optimizer.learning_rate == default_spec().optimizer.learning_rate);
  CHECK(s.spec.data.noise == default_spec().data.noise);
  CHECK(s.spec.data.test_fraction == 0.9f);  // clamped
  CHECK(s.spec.net.hidden.size() == default_spec().net.hidden.size());
  REQUIRE(r.ignored.size() == 4);
  CHECK(r.ignored[0] == "lr=abc is not a number: kept 0.1");
  CHECK(r.ignored[1] == "noise=nan is not a number: kept 0.1");
  CHECK(r.ignored[2] == "tf=5 is out of range [0, 0.9]: clamped to 0.9");
  CHECK(r.ignored[3].rfind("h=8x-b is not a list of layers", 0) == 0);
  CHECK(r.unknown == std::vector<std::string>{"zz"});
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message.find("lr=abc is not a number: kept 0.1") != std::string::npos);
  apply(s, act::DismissNotice{});
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("url state: huge and tiny and infinite numbers are clamped and never non-finite", "[app][url]") {
  Session s = fresh_session();
  const UrlStateReport r = apply_url_state(s, "lr=1e999&eps=-1&n=99999999999999999999999&dseed=-5&wd=inf&sp=0");
  CHECK(s.spec.optimizer.learning_rate == 100.0f);
  CHECK(s.spec.net.norm.eps > 0.0f);
  CHECK(s.spec.data.size == 100000);
  CHECK(s.spec.data.seed == default_spec().data.seed);
  CHECK(s.spec.optimizer.weight_decay == 0.0f);
  CHECK(s.steps_per_frame == 1);
  CHECK(r.ignored.size() == 6);
  CHECK(spec_finite(s.spec));
}

TEST_CASE("url state: percent-encoding and a leading hash and empty pairs are accepted", "[app][url]") {
  Session s = fresh_session();
  const UrlStateReport r = apply_url_state(s, "#&p=%77hy&&hide=panel%3Adata,lr&ds=%");
  CHECK(s.view.panel == Panel::kWhyBnHelps);
  CHECK(s.classroom.options.hidden == std::vector<std::string>{"lr", "panel:data"});
  CHECK(r.ignored.size() == 1);  // ds=% is not a dataset
}

TEST_CASE("url state: settings that do not fit together fall back to defaults section by section", "[app][url]") {
  Session s = fresh_session();
  UrlStateReport r = apply_url_state(s, "n=8&tf=0.9&lr=0.5");  // one training point is too few
  CHECK(s.spec.data.size == default_spec().data.size);
  CHECK(s.spec.optimizer.learning_rate == 0.5f);
  REQUIRE(r.ignored.size() == 1);
  CHECK(r.ignored[0].rfind("the data keys", 0) == 0);
  // GroupNorm groups that do not divide a width become a common divisor.
  r = apply_url_state(s, "h=6r-g,8r-g&grp=4");
  CHECK(s.spec.net.norm.groups == 2);
  CHECK(s.spec.net.hidden.size() == 2);
  CHECK(r.ignored.size() == 1);
}

TEST_CASE("url state: inspector keys that do not fit the network are reported", "[app][url]") {
  Session s = fresh_session();
  const UrlStateReport r = apply_url_state(s, "h=8r-n,8r-b&il=0&is=normalized");
  CHECK(s.inspector.stage == InspectorStage::kNormalized);
  REQUIRE(r.ignored.size() == 1);
  CHECK(r.ignored[0].rfind("il: ", 0) == 0);
}

TEST_CASE("url state: seeded random and malformed hashes never break the session", "[app][url]") {
  const std::vector<std::string> keys = [] {
    std::vector<std::string> k = url_state_keys();
    for (const char* extra : {"", "zz", "lesson", "%", "=", "h%3D", "LR"}) k.emplace_back(extra);
    return k;
  }();
  const std::vector<std::string> values = {
      "", "abc", "nan", "NaN", "inf", "-inf", "1e999", "-1e999", "1e-999", "0", "-0", "1", "-1", "2", "0.5",
      "99999999999999999999999", "-99999999999999999999999", "%", "%zz", "%00", "%FF%FE", "0x10", "1,2", "none",
      "cma", "8r-b", "999r-b,0t-x", "128s-ga,1i-r", "3r-g", "why", "inspector", "panel:why,lr", "normalized",
      "adam", "spiral", "light", "dxhat", "1e-45", "3.4028235e38", "12.5", "+7", "--1", "1e", "."};
  std::uint64_t state = 2024;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::size_t>(state >> 33);
  };
  Session s = fresh_session();
  for (int round = 0; round < 300; ++round) {
    std::string hash = (next() % 2) ? "#" : "";
    const std::size_t pairs = next() % 8;
    for (std::size_t i = 0; i < pairs; ++i) {
      if (i > 0) hash += '&';
      hash += keys[next() % keys.size()];
      if (next() % 8 != 0) hash += "=" + values[next() % values.size()];
      if (next() % 16 == 0) hash += static_cast<char>(next() % 256);  // raw byte garbage
    }
    // Half the rounds start fresh, half apply on top of the last state.
    if (round % 2 == 0) s = fresh_session();
    const UrlStateReport r = apply_url_state(s, hash);
    INFO("round " << round << ", hash " << hash);
    REQUIRE(s.experiment.has_value());
    CHECK(spec_finite(s.spec));
    for (const auto& why : r.ignored) CHECK(printable(why));
    if (s.notice) CHECK(printable(s.notice->message));
    // What the session shows now is itself a link that reproduces it.
    const std::string again = encode_url_state(s);
    Session t = fresh_session();
    const UrlStateReport r2 = apply_url_state(t, again);
    CHECK(r2.ignored.empty());
    CHECK(state_text(t) == state_text(s));
  }
}
