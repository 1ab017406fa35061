// Action <-> JSON (see action_json.h for the schema). One Codec entry per Action alternative
// lists its type name and fields once; the same list drives reading, writing and the test
// examples. Not here: carrying actions out (actions.cpp).
//
// HOW TO ADD AN ACTION: after adding act::Foo to the Action variant, add one entry below:
//   template <> struct Codec<act::Foo> {
//     static constexpr const char* name = "foo";   // snake_case of the struct name
//     template <class F> static void fields(F& f, act::Foo& a) {
//       f.integer("count", a.count, 1, 100);        // snake_case field names
//       f.number("rate", a.rate, 0.0, 10.0);        // finite floats in [lo, hi]
//       f.choice("panel", a.panel);                  // enums with an enum_names<E>() table
//     }
//   };
// (an action without fields derives from NoFields and only names itself). A variant
// alternative without an entry does not compile (static_assert below), and the round-trip
// test in tests/app/test_url_action_json.cpp iterates every alternative. Field kinds:
// integer, uint64, number, boolean, choice, text, spec, norm_options, optimizer, stop,
// classroom ({"hidden": [ids of classroom.h], "locked": bool, "start_paused": bool}).
#include "app/action_json.h"

#include <array>
#include <cmath>
#include <concepts>
#include <cstdio>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "app/classroom.h"
#include "app/settings_json.h"
#include "app/settings_schema.h"
#include "app/state_json.h"  // kMaxStateJsonBytes

namespace nl::app {

using nlohmann::json;

namespace {

// ---- the entries -----------------------------------------------------------------------

template <class T>
struct Codec {};  // no entry: fails the static_assert below

struct NoFields {
  template <class F, class T>
  static void fields(F&, T&) {}
};

constexpr int kMaxIndex = 1 << 20;  // layer / unit / sample indices (apply() checks the real range)
constexpr double kMaxCoord = 1e6;   // data-space coordinates

template <> struct Codec<act::Play> : NoFields { static constexpr const char* name = "play"; };
template <> struct Codec<act::Pause> : NoFields { static constexpr const char* name = "pause"; };
template <> struct Codec<act::TogglePlay> : NoFields { static constexpr const char* name = "toggle_play"; };
template <> struct Codec<act::Step> {
  static constexpr const char* name = "step";
  template <class F> static void fields(F& f, act::Step& a) { f.integer("count", a.count, 1, 10000); }
};
template <> struct Codec<act::Reset> : NoFields { static constexpr const char* name = "reset"; };
template <> struct Codec<act::SetSpeed> {
  static constexpr const char* name = "set_speed";
  template <class F> static void fields(F& f, act::SetSpeed& a) { f.integer(field::kSpeed, a.steps_per_frame); }
};
template <> struct Codec<act::SetDataset> {
  static constexpr const char* name = "set_dataset";
  template <class F> static void fields(F& f, act::SetDataset& a) { f.choice("kind", a.kind); }
};
template <> struct Codec<act::SetNoise> {
  static constexpr const char* name = "set_noise";
  template <class F> static void fields(F& f, act::SetNoise& a) { f.number(field::kNoise, a.noise); }
};
template <> struct Codec<act::SetLearningRate> {
  static constexpr const char* name = "set_learning_rate";
  template <class F> static void fields(F& f, act::SetLearningRate& a) { f.number(field::kLearningRate, a.learning_rate); }
};
template <> struct Codec<act::SetBatchSize> {
  static constexpr const char* name = "set_batch_size";
  template <class F> static void fields(F& f, act::SetBatchSize& a) { f.integer(field::kBatchSize, a.batch_size); }
};
template <> struct Codec<act::SetNormalization> {
  static constexpr const char* name = "set_normalization";
  template <class F> static void fields(F& f, act::SetNormalization& a) { f.choice("norm", a.norm); }
};
template <> struct Codec<act::SetSpec> {
  static constexpr const char* name = "set_spec";
  template <class F> static void fields(F& f, act::SetSpec& a) { f.spec("spec", a.spec); }
};
template <> struct Codec<act::DismissNotice> : NoFields { static constexpr const char* name = "dismiss_notice"; };
template <> struct Codec<act::ShowPanel> {
  static constexpr const char* name = "show_panel";
  template <class F> static void fields(F& f, act::ShowPanel& a) { f.choice("panel", a.panel); }
};
template <> struct Codec<act::ToggleHelp> : NoFields { static constexpr const char* name = "toggle_help"; };
// playground_actions.h
template <> struct Codec<act::AddPoint> {
  static constexpr const char* name = "add_point";
  template <class F> static void fields(F& f, act::AddPoint& a) {
    f.number("x", a.x, -kMaxCoord, kMaxCoord);
    f.number("y", a.y, -kMaxCoord, kMaxCoord);
    f.integer("label", a.label, 0, kMaxLayerWidth - 1);
  }
};
template <> struct Codec<act::RemovePoint> {
  static constexpr const char* name = "remove_point";
  template <class F> static void fields(F& f, act::RemovePoint& a) {
    f.number("x", a.x, -kMaxCoord, kMaxCoord);
    f.number("y", a.y, -kMaxCoord, kMaxCoord);
    f.number("radius", a.radius, 0.0, kMaxCoord);
  }
};
template <> struct Codec<act::SetDataSize> {
  static constexpr const char* name = "set_data_size";
  template <class F> static void fields(F& f, act::SetDataSize& a) { f.integer(field::kDataSize, a.size); }
};
template <> struct Codec<act::SetTestFraction> {
  static constexpr const char* name = "set_test_fraction";
  template <class F> static void fields(F& f, act::SetTestFraction& a) { f.number(field::kTestFraction, a.test_fraction); }
};
template <> struct Codec<act::SetDataSeed> {
  static constexpr const char* name = "set_data_seed";
  template <class F> static void fields(F& f, act::SetDataSeed& a) { f.uint64("seed", a.seed); }
};
template <> struct Codec<act::Regenerate> : NoFields { static constexpr const char* name = "regenerate"; };
template <> struct Codec<act::SetHiddenLayers> {
  static constexpr const char* name = "set_hidden_layers";
  template <class F> static void fields(F& f, act::SetHiddenLayers& a) { f.integer("count", a.count, field::kHidden.lo, field::kHidden.hi); }
};
template <> struct Codec<act::SetLayerWidth> {
  static constexpr const char* name = "set_layer_width";
  template <class F> static void fields(F& f, act::SetLayerWidth& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.integer(field::kLayerWidth, a.width);
  }
};
template <> struct Codec<act::SetLayerActivation> {
  static constexpr const char* name = "set_layer_activation";
  template <class F> static void fields(F& f, act::SetLayerActivation& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.choice("activation", a.activation);
  }
};
template <> struct Codec<act::SetLayerNorm> {
  static constexpr const char* name = "set_layer_norm";
  template <class F> static void fields(F& f, act::SetLayerNorm& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.choice("norm", a.norm);
  }
};
template <> struct Codec<act::SetLayerPlacement> {
  static constexpr const char* name = "set_layer_placement";
  template <class F> static void fields(F& f, act::SetLayerPlacement& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.choice("placement", a.placement);
  }
};
template <> struct Codec<act::SetInit> {
  static constexpr const char* name = "set_init";
  template <class F> static void fields(F& f, act::SetInit& a) { f.choice("init", a.init); }
};
template <> struct Codec<act::SetNormOptions> {
  static constexpr const char* name = "set_norm_options";
  template <class F> static void fields(F& f, act::SetNormOptions& a) { f.norm_options("options", a.options); }
};
template <> struct Codec<act::SetOptimizer> {
  static constexpr const char* name = "set_optimizer";
  template <class F> static void fields(F& f, act::SetOptimizer& a) { f.optimizer("optimizer", a.optimizer); }
};
template <> struct Codec<act::StepEpoch> : NoFields { static constexpr const char* name = "step_epoch"; };
template <> struct Codec<act::SetStopCondition> {
  static constexpr const char* name = "set_stop_condition";
  template <class F> static void fields(F& f, act::SetStopCondition& a) { f.stop("stop", a.stop); }
};
template <> struct Codec<act::SetWeight> {
  static constexpr const char* name = "set_weight";
  template <class F> static void fields(F& f, act::SetWeight& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.integer("row", a.row, 0, kMaxIndex);
    f.integer("col", a.col, 0, kMaxIndex);
    f.number("value", a.value, -1e6, 1e6);
  }
};
template <> struct Codec<act::SetTheme> {
  static constexpr const char* name = "set_theme";
  template <class F> static void fields(F& f, act::SetTheme& a) { f.choice("theme", a.theme); }
};
template <> struct Codec<act::SetShowTestPoints> {
  static constexpr const char* name = "set_show_test_points";
  template <class F> static void fields(F& f, act::SetShowTestPoints& a) { f.boolean("show", a.show); }
};
template <> struct Codec<act::SetDiscretize> {
  static constexpr const char* name = "set_discretize";
  template <class F> static void fields(F& f, act::SetDiscretize& a) { f.boolean("on", a.on); }
};
template <> struct Codec<act::SetPointClass> {
  static constexpr const char* name = "set_point_class";
  template <class F> static void fields(F& f, act::SetPointClass& a) { f.integer("label", a.label, 0, kMaxLayerWidth - 1); }
};
template <> struct Codec<act::SelectNeuron> {
  static constexpr const char* name = "select_neuron";
  template <class F> static void fields(F& f, act::SelectNeuron& a) {
    f.integer("layer", a.layer, -1, kMaxHiddenLayers);
    f.integer("unit", a.unit, -1, kMaxIndex);
  }
};
template <> struct Codec<act::SelectWeight> {
  static constexpr const char* name = "select_weight";
  template <class F> static void fields(F& f, act::SelectWeight& a) {
    f.integer("layer", a.layer, -1, kMaxHiddenLayers);
    f.integer("row", a.row, -1, kMaxIndex);
    f.integer("col", a.col, -1, kMaxIndex);
  }
};
// inspector_state.h
template <> struct Codec<act::InspectLayer> {
  static constexpr const char* name = "inspect_layer";
  template <class F> static void fields(F& f, act::InspectLayer& a) { f.integer("layer", a.layer, 0, kMaxHiddenLayers); }
};
template <> struct Codec<act::InspectFeature> {
  static constexpr const char* name = "inspect_feature";
  template <class F> static void fields(F& f, act::InspectFeature& a) { f.integer("feature", a.feature, 0, kMaxIndex); }
};
template <> struct Codec<act::InspectSample> {
  static constexpr const char* name = "inspect_sample";
  template <class F> static void fields(F& f, act::InspectSample& a) { f.integer("sample", a.sample, 0, kMaxIndex); }
};
template <> struct Codec<act::InspectorNextStage> : NoFields { static constexpr const char* name = "inspector_next_stage"; };
template <> struct Codec<act::InspectorPrevStage> : NoFields { static constexpr const char* name = "inspector_prev_stage"; };
template <> struct Codec<act::SetInspectorStage> {
  static constexpr const char* name = "set_inspector_stage";
  template <class F> static void fields(F& f, act::SetInspectorStage& a) { f.choice("stage", a.stage); }
};
template <> struct Codec<act::SetInspectorEval> {
  static constexpr const char* name = "set_inspector_eval";
  template <class F> static void fields(F& f, act::SetInspectorEval& a) { f.boolean("on", a.on); }
};
template <> struct Codec<act::SetBnAffine> {
  static constexpr const char* name = "set_bn_affine";
  template <class F> static void fields(F& f, act::SetBnAffine& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.integer("feature", a.feature, 0, kMaxIndex);
    f.number("gamma", a.gamma, -1e6, 1e6);
    f.number("beta", a.beta, -1e6, 1e6);
  }
};
template <> struct Codec<act::BackpropNext> : NoFields { static constexpr const char* name = "backprop_next"; };
template <> struct Codec<act::BackpropPrev> : NoFields { static constexpr const char* name = "backprop_prev"; };
template <> struct Codec<act::SetBackpropStep> {
  static constexpr const char* name = "set_backprop_step";
  template <class F> static void fields(F& f, act::SetBackpropStep& a) { f.choice("step", a.step); }
};
template <> struct Codec<act::CheckGradients> : NoFields { static constexpr const char* name = "check_gradients"; };
// Why panel (twin_run.h)
template <> struct Codec<act::SetWhyView> {
  static constexpr const char* name = "set_why_view";
  template <class F> static void fields(F& f, act::SetWhyView& a) { f.choice("view", a.view); }
};
template <> struct Codec<act::SelectWhyUnit> {
  static constexpr const char* name = "select_why_unit";
  template <class F> static void fields(F& f, act::SelectWhyUnit& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.integer("unit", a.unit, 0, kMaxIndex);
  }
};
template <> struct Codec<act::SetWhyHistogramSide> {
  static constexpr const char* name = "set_why_histogram_side";
  template <class F> static void fields(F& f, act::SetWhyHistogramSide& a) { f.boolean("post_activation", a.post_activation); }
};
// export_actions.h
template <> struct Codec<act::ImportState> {
  static constexpr const char* name = "import_state";
  template <class F> static void fields(F& f, act::ImportState& a) { f.text("json_text", a.json_text, kMaxStateJsonBytes); }
};
template <> struct Codec<act::Export> {
  static constexpr const char* name = "export";
  template <class F> static void fields(F& f, act::Export& a) { f.choice("kind", a.kind); }
};
template <> struct Codec<act::ShowExportWindow> {
  static constexpr const char* name = "show_export_window";
  template <class F> static void fields(F& f, act::ShowExportWindow& a) { f.boolean("open", a.open); }
};
template <> struct Codec<act::ImportPoints> {
  static constexpr const char* name = "import_points";
  template <class F> static void fields(F& f, act::ImportPoints& a) { f.text("csv_text", a.csv_text, kMaxStateJsonBytes); }
};

// lesson_actions.h
template <> struct Codec<act::OpenLesson> {
  static constexpr const char* name = "open_lesson";
  template <class F> static void fields(F& f, act::OpenLesson& a) { f.text("id", a.id, 64); }
};
template <> struct Codec<act::LessonNext> : NoFields { static constexpr const char* name = "lesson_next"; };
template <> struct Codec<act::LessonBack> : NoFields { static constexpr const char* name = "lesson_back"; };
template <> struct Codec<act::LessonGoTo> {
  static constexpr const char* name = "lesson_go_to";
  template <class F> static void fields(F& f, act::LessonGoTo& a) { f.integer("step", a.step, 1, 1000); }
};
template <> struct Codec<act::CloseLesson> : NoFields { static constexpr const char* name = "close_lesson"; };
template <> struct Codec<act::ShowLessonCatalog> {
  static constexpr const char* name = "show_lesson_catalog";
  template <class F> static void fields(F& f, act::ShowLessonCatalog& a) { f.boolean("open", a.open); }
};
template <> struct Codec<act::LessonPredictChoice> {
  static constexpr const char* name = "lesson_predict";
  template <class F> static void fields(F& f, act::LessonPredictChoice& a) { f.integer("choice", a.choice, 0, 4); }
};
template <> struct Codec<act::ScaleLayerWeights> {
  static constexpr const char* name = "scale_layer_weights";
  template <class F> static void fields(F& f, act::ScaleLayerWeights& a) {
    f.integer("layer", a.layer, 0, kMaxHiddenLayers);
    f.number("factor", a.factor, 0.001, 1000.0);
  }
};
// study_actions.h
template <> struct Codec<act::SelectStudy> {
  static constexpr const char* name = "select_study";
  template <class F> static void fields(F& f, act::SelectStudy& a) { f.choice("kind", a.kind); }
};
template <> struct Codec<act::RunStudy> {
  static constexpr const char* name = "run_study";
  template <class F> static void fields(F& f, act::RunStudy& a) {
    f.choice("kind", a.kind);
    f.uint64("seed", a.seed);
  }
};
template <> struct Codec<act::CancelStudy> : NoFields { static constexpr const char* name = "cancel_study"; };
// classroom.h
template <> struct Codec<act::SetClassroom> {
  static constexpr const char* name = "set_classroom";
  template <class F> static void fields(F& f, act::SetClassroom& a) { f.classroom("options", a.options); }
};
template <> struct Codec<act::SetShareOpen> {
  static constexpr const char* name = "set_share_open";
  template <class F> static void fields(F& f, act::SetShareOpen& a) { f.boolean("open", a.open); }
};
template <> struct Codec<act::SetShareLink> {
  static constexpr const char* name = "set_share_link";
  template <class F> static void fields(F& f, act::SetShareLink& a) { f.classroom("options", a.options); }
};

// ---- compile-time checks ---------------------------------------------------------------

template <class T>
concept HasCodec = requires {
  { Codec<T>::name } -> std::convertible_to<const char*>;
};

template <class T>
constexpr bool check_codec() {
  static_assert(HasCodec<T>, "this Action alternative has no Codec entry in src/app/action_json.cpp "
                             "(see 'HOW TO ADD AN ACTION' at the top of that file)");
  return true;
}

template <class V>
struct VariantNames;
template <class... Ts>
struct VariantNames<std::variant<Ts...>> {
  static constexpr bool checked = (check_codec<Ts>() && ...);
  static constexpr std::array<std::string_view, sizeof...(Ts)> names = {std::string_view(Codec<Ts>::name)...};
};
using Names = VariantNames<Action>;
static_assert(Names::checked);

constexpr bool names_unique() {
  for (std::size_t i = 0; i < Names::names.size(); ++i)
    for (std::size_t j = i + 1; j < Names::names.size(); ++j)
      if (Names::names[i] == Names::names[j]) return false;
  return true;
}
static_assert(names_unique(), "two Action Codec entries share a type name");

// ---- field visitors --------------------------------------------------------------------

std::string fmt_number(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", d);
  return buf;
}

// Reads fields from a JSON object; the first error sticks, later reads are no-ops.
class Reader {
 public:
  Reader(const json& obj, std::string path, std::optional<Error>& err) : obj_(obj), path_(std::move(path)), err_(err) {}

  void integer(const char* key, int& out, std::int64_t lo, std::int64_t hi) {
    std::int64_t v = out;
    if (integer64(key, v, lo, hi)) out = static_cast<int>(v);
  }
  void integer(const char* key, std::int64_t& out, std::int64_t lo, std::int64_t hi) { integer64(key, out, lo, hi); }

  void uint64(const char* key, std::uint64_t& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (v->is_number_unsigned()) {
      out = v->get<std::uint64_t>();
    } else if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
      out = static_cast<std::uint64_t>(v->get<std::int64_t>());
    } else {
      fail(path(key) + " must be a non-negative integer");
    }
  }

  void number(const char* key, float& out, double lo, double hi) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_number()) return fail(path(key) + " must be a number");
    const double d = v->get<double>();
    const auto f = static_cast<float>(d);
    if (!std::isfinite(d) || !std::isfinite(f)) return fail(path(key) + " must be a finite number");
    if (d < lo || d > hi)
      return fail(path(key) + " must be a number in [" + fmt_number(lo) + ", " + fmt_number(hi) + "] (got " +
                  fmt_number(d) + ")");
    out = f;
  }

  // A setting (settings_schema.h): the type is checked here, the range by refusal(), which
  // names the setting's key as a settings file, a link and apply() do.
  void number(const Field& f, float& out) {
    const std::string key(f.leaf());
    float value = out;
    number(key.c_str(), value, -std::numeric_limits<double>::max(), std::numeric_limits<double>::max());
    if (err_ || value == out) return;
    if (auto why = refusal(f, value)) return fail(path(key) + ": " + *why, range_hint(f));
    out = value;
  }
  template <class I>
  void integer(const Field& f, I& out) {
    const std::string key(f.leaf());
    std::int64_t value = out;
    if (!integer64(key.c_str(), value, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()))
      return;
    if (auto why = refusal(f, static_cast<double>(value))) return fail(path(key) + ": " + *why, range_hint(f));
    out = static_cast<I>(value);
  }

  void boolean(const char* key, bool& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) return fail(path(key) + " must be true or false");
    out = v->get<bool>();
  }

  void text(const char* key, std::string& out, std::size_t max_length = 4096) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_string() || v->get_ref<const std::string&>().size() > max_length)
      return fail(path(key) + " must be a string of at most " + std::to_string(max_length) + " characters");
    out = v->get<std::string>();
  }

  template <class E>
  void choice(const char* key, E& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (v->is_string()) {
      if (auto e = enum_from_name<E>(v->get_ref<const std::string&>())) {
        out = *e;
        return;
      }
    }
    fail(path(key) + " must be one of: " + enum_choices<E>() + " (got " + v->dump() + ")");
  }

  void spec(const char* key, ExperimentSpec& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    Result<ExperimentSpec> r = settings_from_json(*v);
    if (!r) return fail(path(key) + ": " + r.error().message, r.error().hint);
    out = *r;
  }

  // The settings schema's "net.norm" object.
  void norm_options(const char* key, NormOptions& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    Result<ExperimentSpec> r = settings_from_json(json{{"net", {{"norm", *v}}}});
    if (!r) return fail(rename(r.error().message, "net.norm", path(key)), r.error().hint);
    out = r->net.norm;
  }

  // The settings schema's "optimizer" object.
  void optimizer(const char* key, OptimizerSpec& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    Result<ExperimentSpec> r = settings_from_json(json{{"optimizer", *v}});
    if (!r) return fail(rename(r.error().message, "optimizer", path(key)), r.error().hint);
    out = r->optimizer;
  }

  void stop(const char* key, StopCondition& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    Reader r(*v, path(key), err_);
    r.start();
    r.boolean("on_loss", out.on_loss);
    r.number(field::kStopLossTarget, out.target_train_loss);
    r.boolean("on_steps", out.on_steps);
    r.integer(field::kStopMaxSteps, out.max_steps);
    r.finish();
  }

  void classroom(const char* key, ClassroomOptions& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    Reader r(*v, path(key), err_);
    r.start();
    if (const json* h = r.get("hidden")) {
      std::vector<std::string> ids;
      if (!h->is_array()) return fail(r.path("hidden") + " must be an array of control ids");
      for (const json& id : *h) {
        if (!id.is_string() || !is_classroom_id(id.get<std::string>())) {
          std::string known;
          for (const auto& k : classroom_ids()) known += (known.empty() ? "" : ", ") + k;
          return fail(r.path("hidden") + " has an unknown control id " + id.dump().substr(0, 64), "Known ids: " + known + ".");
        }
        ids.push_back(id.get<std::string>());
      }
      out.hidden = normalized_ids(std::move(ids));
    }
    r.boolean("locked", out.locked);
    r.boolean("start_paused", out.start_paused);
    r.finish();
  }

  void start() {
    if (!obj_.is_object()) fail(path_ + " must be a JSON object");
  }
  void skip(const char* key) { seen_.insert(key); }
  // Any key not read is an error (a typo must not pass silently).
  void finish() {
    if (err_ || !obj_.is_object()) return;
    for (const auto& item : obj_.items()) {
      if (seen_.count(item.key()) == 0) {
        std::string known;
        for (const auto& s : seen_)
          if (s != "type") known += (known.empty() ? "" : ", ") + s;
        return fail("unknown field " + path(item.key().c_str()),
                    known.empty() ? "This action has no fields besides \"type\"." : "Known fields: " + known + ".");
      }
    }
  }

 private:
  std::string path(const std::string& key) const { return path_ + "." + key; }

  const json* get(const char* key) {
    seen_.insert(key);
    if (err_ || !obj_.is_object()) return nullptr;
    const auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  bool integer64(const char* key, std::int64_t& out, std::int64_t lo, std::int64_t hi) {
    const json* v = get(key);
    if (v == nullptr) return false;
    const std::string range = " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    std::int64_t i = 0;
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(hi)) return fail(path(key) + range), false;
      i = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      i = v->get<std::int64_t>();
    } else if (v->is_number_float() && std::isfinite(v->get<double>()) && v->get<double>() == std::floor(v->get<double>()) &&
               std::abs(v->get<double>()) < 9e15) {
      i = static_cast<std::int64_t>(v->get<double>());  // 3.0 is accepted as 3
    } else {
      return fail(path(key) + range), false;
    }
    if (i < lo || i > hi) return fail(path(key) + range + " (got " + std::to_string(i) + ")"), false;
    out = i;
    return true;
  }

  static std::string range_hint(const Field& f) {
    return std::string(f.key) + " is " + std::string(f.help) + ", in " + range_text(f) + ".";
  }

  static std::string rename(std::string message, const std::string& from, const std::string& to) {
    if (message.compare(0, from.size(), from) == 0) message.replace(0, from.size(), to);
    return message;
  }

  void fail(const std::string& message, const std::string& hint = "See the action schema in src/app/action_json.h.") {
    if (!err_) err_ = make_error(message, hint);
  }

  const json& obj_;
  std::string path_;
  std::optional<Error>& err_;
  std::set<std::string> seen_;
};

// Writes every field.
struct Writer {
  json& out;
  template <class I>
  void integer(const char* key, const I& v, std::int64_t, std::int64_t) { out[key] = v; }
  void uint64(const char* key, std::uint64_t v) { out[key] = v; }
  void number(const char* key, float v, double, double) { out[key] = float_for_json(v); }
  void number(const Field& f, float v) { out[std::string(f.leaf())] = float_for_json(v); }
  template <class I>
  void integer(const Field& f, const I& v) { out[std::string(f.leaf())] = v; }
  void boolean(const char* key, bool v) { out[key] = v; }
  void text(const char* key, const std::string& v, std::size_t = 0) { out[key] = v; }
  template <class E>
  void choice(const char* key, E v) { out[key] = enum_to_name(v); }
  void spec(const char* key, const ExperimentSpec& v) { out[key] = settings_to_json(v); }
  void norm_options(const char* key, const NormOptions& v) {
    ExperimentSpec s;
    s.net.norm = v;
    out[key] = settings_to_json(s)["net"]["norm"];
  }
  void optimizer(const char* key, const OptimizerSpec& v) {
    ExperimentSpec s;
    s.optimizer = v;
    out[key] = settings_to_json(s)["optimizer"];
  }
  void classroom(const char* key, const ClassroomOptions& v) {
    out[key] = {{"hidden", v.hidden}, {"locked", v.locked}, {"start_paused", v.start_paused}};
  }
  void stop(const char* key, const StopCondition& v) {
    out[key] = {{"on_loss", v.on_loss},
                {"target_train_loss", float_for_json(v.target_train_loss)},
                {"on_steps", v.on_steps},
                {"max_steps", v.max_steps}};
  }
};

// Sets every field to a valid value derived from a seed (tests' round-trip examples).
class Randomizer {
 public:
  explicit Randomizer(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}

  template <class I>
  void integer(const char*, I& v, std::int64_t lo, std::int64_t hi) {
    const std::int64_t span = std::min<std::int64_t>(hi - lo, 50);
    v = static_cast<I>(lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(span + 1)));
  }
  void uint64(const char*, std::uint64_t& v) { v = next(); }
  void number(const char*, float& v, double lo, double hi) {
    const double span = std::min(hi - lo, 10.0);
    v = static_cast<float>(lo + span * unit());
  }
  // Settings: within the control's range (always valid, and what a learner would pick).
  void number(const Field& f, float& v) {
    do number("", v, f.control_lo(), f.control_hi());
    while (!accepts(f, v));
  }
  template <class I>
  void integer(const Field& f, I& v) {
    integer("", v, static_cast<std::int64_t>(f.control_lo()), static_cast<std::int64_t>(f.control_hi()));
  }
  void boolean(const char*, bool& v) { v = (next() & 1) != 0; }
  void text(const char*, std::string& v, std::size_t = 0) {
    v = "t";  // appended, not "t" + ...: GCC 12 warns -Wrestrict on that (a false positive)
    v += std::to_string(next() % 1000);
  }
  template <class E>
  void choice(const char*, E& v) {
    v = static_cast<E>(next() % enum_names<E>().size());
  }
  void spec(const char*, ExperimentSpec& s) {
    s = ExperimentSpec{};
    choice("", s.data.kind);
    integer(field::kDataSize, s.data.size);
    number(field::kNoise, s.data.noise);
    uint64("", s.data.seed);
    s.data.seed >>= 1;  // settings_json keeps seeds within int64
    s.net.hidden.resize(1 + next() % 3);
    for (auto& h : s.net.hidden) {
      integer("", h.width, 1, 16);  // small: the round-trip examples build networks
      choice("", h.activation);
      h.norm = (next() & 1) ? NormKind::kBatchNorm : NormKind::kLayerNorm;
      choice("", h.placement);
    }
    norm_options("", s.net.norm);
    optimizer("", s.optimizer);
    integer("", s.batch_size, 1, 64);
  }
  void norm_options(const char*, NormOptions& o) {
    number("", o.eps, 1e-6, 0.1);
    if (next() & 1) {
      o.momentum = std::nullopt;
    } else {
      float m = 0.0f;
      number("", m, 0.0, 1.0);
      o.momentum = m;
    }
    boolean("", o.affine);
    boolean("", o.track_running_stats);
    o.groups = 1;
    number("", o.r_max, 1.0, 5.0);
    number("", o.d_max, 0.0, 5.0);
  }
  void optimizer(const char*, OptimizerSpec& o) {
    choice("", o.kind);
    number("", o.learning_rate, 0.001, 1.0);
    number("", o.momentum, 0.0, 0.99);
    number("", o.weight_decay, 0.0, 0.1);
    number("", o.beta1, 0.0, 0.99);
    number("", o.beta2, 0.0, 0.999);
    number("", o.adam_eps, 1e-9, 1e-3);
  }
  void classroom(const char*, ClassroomOptions& o) {
    o.hidden.clear();
    for (const auto& id : classroom_ids())
      if (next() % 3 == 0) o.hidden.push_back(id);
    o.hidden = normalized_ids(std::move(o.hidden));
    boolean("", o.locked);
    boolean("", o.start_paused);
  }
  void stop(const char*, StopCondition& s) {
    boolean("", s.on_loss);
    number("", s.target_train_loss, 0.0, 1.0);
    boolean("", s.on_steps);
    integer("", s.max_steps, 1, 100000);
  }

 private:
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  std::uint64_t state_;
};

template <class T>
Result<Action> read_one(const json& j) {
  T a{};
  std::optional<Error> err;
  Reader r(j, Codec<T>::name, err);
  r.skip("type");
  Codec<T>::fields(r, a);
  r.finish();
  if (err) return *err;
  return Action{std::move(a)};
}

template <std::size_t... I>
Result<Action> read_by_index(std::size_t index, const json& j, std::index_sequence<I...>) {
  using Fn = Result<Action> (*)(const json&);
  static constexpr Fn kReaders[] = {&read_one<std::variant_alternative_t<I, Action>>...};
  return kReaders[index](j);
}

template <std::size_t... I>
Action example_by_index(std::size_t index, std::uint64_t seed, std::index_sequence<I...>) {
  using Fn = Action (*)(std::uint64_t);
  static constexpr Fn kMakers[] = {[](std::uint64_t s) -> Action {
    using T = std::variant_alternative_t<I, Action>;
    T a{};
    if (s != 0) {
      Randomizer r(s);
      Codec<T>::fields(r, a);
    }
    return a;
  }...};
  return kMakers[index](seed);
}

constexpr auto kIndices = std::make_index_sequence<std::variant_size_v<Action>>{};

}  // namespace

Result<Action> action_from_json(const json& j) {
  const std::string hint = "An action is an object like {\"type\": \"step\", \"count\": 3}; see src/app/action_json.h.";
  if (!j.is_object()) return make_error("an action must be a JSON object", hint);
  const auto t = j.find("type");
  if (t == j.end()) return make_error("the action has no \"type\"", hint);
  if (!t->is_string()) return make_error("the action's \"type\" must be a string", hint);
  const auto& type = t->get_ref<const std::string&>();
  for (std::size_t i = 0; i < Names::names.size(); ++i) {
    if (Names::names[i] == type) return read_by_index(i, j, kIndices);
  }
  std::string known;
  for (const auto n : Names::names) known += (known.empty() ? "" : ", ") + std::string(n);
  return make_error("unknown action type \"" + type.substr(0, 64) + "\"", "Known types: " + known + ".");
}

json action_to_json(const Action& a) {
  return std::visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        json out = json::object();
        out["type"] = Codec<T>::name;
        T copy = v;  // fields() takes a mutable reference (the reader fills the same list)
        Writer w{out};
        Codec<T>::fields(w, copy);
        return out;
      },
      a);
}

std::string action_type_name(const Action& a) { return std::string(Names::names[a.index()]); }

Action action_example(std::size_t index, std::uint64_t seed) {
  if (index >= std::variant_size_v<Action>) index = 0;
  return example_by_index(index, seed, kIndices);
}

}  // namespace nl::app
