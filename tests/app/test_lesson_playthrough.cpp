// Every embedded lesson file: validated, then played through headlessly (each step applied,
// no Notice, finite numbers), and every step replayed by jumping to it must reproduce the
// state reached by stepping forward. One CTest test per lesson, registered at start-up from
// the embedded files ("lesson 01-what-bn-computes plays through"), so new files are covered
// without editing this file. Not here: loader errors (test_lesson_loader.cpp), claims.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/action_json.h"
#include "app/actions.h"
#include "app/lesson.h"
#include "app/lesson_actions.h"
#include "app/settings_json.h"
#include "app_fixtures.h"

namespace nl::app {
namespace {

// What must be the same however a step was reached: settings, training position, every
// parameter and running statistic, the view and inspector selections, the scale record.
std::string fingerprint(const Session& s) {
  std::ostringstream out;
  out << settings_to_json_text(s.spec) << "|step " << s.exp().metrics().step << "|panel "
      << panel_name(s.view.panel) << "|why " << static_cast<int>(s.view.why_view) << "|stage "
      << static_cast<int>(s.inspector.stage) << "|bp " << static_cast<int>(s.inspector.backprop_step) << "|il "
      << s.inspector.layer << "|if " << s.inspector.feature << "|eval " << s.inspector.eval_view << "|playing "
      << s.playing << "|scaled " << s.lesson.scale.has_value();
  Network net = s.exp().network();
  for (const auto& p : net.params()) {
    double sum = 0.0, sum_sq = 0.0;
    for (Index i = 0; i < p.size; ++i) {
      sum += p.value[i] * (1.0 + 1e-3 * static_cast<double>(i));
      sum_sq += static_cast<double>(p.value[i]) * p.value[i];
    }
    out << "|" << p.name << " " << sum << " " << sum_sq;
  }
  for (const Layer& layer : net.layers())
    if (const auto* bn = std::get_if<BatchNorm>(&layer))
      out << "|rm " << bn->running_mean.sum() << " rv " << bn->running_var.sum() << " n " << bn->num_batches_tracked;
  return out.str();
}

void check_finite(const Session& s, const std::string& where) {
  const StepMetrics& m = s.exp().metrics();
  INFO(where);
  CHECK(std::isfinite(m.train_loss));
  CHECK(std::isfinite(m.test_loss));
  CHECK(std::isfinite(m.batch_loss));
  CHECK_FALSE(s.exp().diverged());
}

void play_through(const std::string& id) {
  const LessonFile* file = nullptr;
  for (const LessonFile& f : lesson_files())
    if (id == f.id) file = &f;
  REQUIRE(file != nullptr);
  Result<Lesson> parsed = parse_lesson(file->text, file->id);
  if (!parsed.ok()) FAIL(id << ".json does not validate: " << parsed.error().message);
  const Lesson& lesson = *parsed;
  REQUIRE(find_lesson(id) != nullptr);
  const int n = static_cast<int>(lesson.steps.size());

  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{id});
  if (s.notice) FAIL("opening " << id << ": " << s.notice->message);
  REQUIRE(s.lesson.id == id);
  REQUIRE(s.lesson.count == n);
  std::vector<std::string> forward;
  for (int k = 1; k <= n; ++k) {
    if (k > 1) apply(s, act::LessonNext{});
    INFO(id << " step " << k);
    if (s.notice) FAIL("step " << k << " left a notice: " << s.notice->message);
    REQUIRE(s.lesson.step == k);
    const LessonStep& st = lesson.steps[static_cast<std::size_t>(k - 1)];
    if (st.predict) {  // predict first: nothing runs until the learner's answer locks
      CHECK(lesson_prediction_pending(s));
      CHECK_FALSE(s.study.running);
      CHECK(lesson_progress_json(s)["predict_pending"] == true);
      apply(s, act::LessonPredictChoice{st.predict->answer});
      if (s.notice) FAIL("step " << k << "'s prediction left a notice: " << s.notice->message);
      CHECK_FALSE(lesson_prediction_pending(s));
    }
    if (st.panel) CHECK(s.view.panel == *st.panel);
    check_finite(s, id + " step " + std::to_string(k));
    const nlohmann::json progress = lesson_progress_json(s);
    CHECK(progress["id"] == id);
    CHECK(progress["step"] == k);
    CHECK(progress["count"] == n);
    forward.push_back(fingerprint(s));
  }
  // Next at the last step changes nothing.
  apply(s, act::LessonNext{});
  CHECK(s.lesson.step == n);
  CHECK(fingerprint(s) == forward.back());
  // Jumping back to any step replays it exactly; Back from the last step too.
  for (int k = n; k >= 1; --k) {
    apply(s, act::LessonGoTo{k});
    INFO(id << " replay of step " << k);
    REQUIRE_FALSE(s.notice.has_value());
    CHECK(s.lesson.step == k);
    CHECK(fingerprint(s) == forward[static_cast<std::size_t>(k - 1)]);
  }
  if (n >= 2) {
    apply(s, act::LessonGoTo{n});
    apply(s, act::LessonBack{});
    CHECK(s.lesson.step == n - 1);
    CHECK(fingerprint(s) == forward[static_cast<std::size_t>(n - 2)]);
  }
  apply(s, act::CloseLesson{});
  CHECK_FALSE(s.lesson.open());
  CHECK(lesson_progress_json(s)["id"].is_null());
}

// One Catch2 test case per embedded lesson file, registered before main() runs.
struct LessonInvoker : Catch::ITestInvoker {
  explicit LessonInvoker(std::string lesson_id) : id(std::move(lesson_id)) {}
  void invoke() const override { play_through(id); }
  std::string id;
};

struct Registrar {
  Registrar() {
    for (const LessonFile& f : lesson_files()) {
      names.push_back(std::make_unique<std::string>(std::string("lesson ") + f.id + " plays through"));
      regs.push_back(std::make_unique<Catch::AutoReg>(new LessonInvoker(f.id), CATCH_INTERNAL_LINEINFO,
                                                      Catch::StringRef(), Catch::NameAndTags(*names.back(), "[lesson]")));
    }
  }
  std::vector<std::unique_ptr<std::string>> names;
  std::vector<std::unique_ptr<Catch::AutoReg>> regs;
};
const Registrar registrar;

TEST_CASE("lessons: every embedded file validates and the catalog is sorted with unique ids", "[lesson]") {
  for (const std::string& e : lesson_catalog_errors()) FAIL_CHECK(e);
  CHECK(lesson_catalog_errors().empty());
  CHECK(lesson_catalog().size() == lesson_files().size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < lesson_catalog().size(); ++i) {
    CHECK(ids.insert(lesson_catalog()[i].id).second);
    if (i > 0) CHECK(lesson_catalog()[i - 1].id < lesson_catalog()[i].id);
  }
}

TEST_CASE("lessons: the fourteen lessons of the course are all there", "[lesson]") {
  const char* const kIds[] = {"01-what-bn-computes",       "02-backprop-through-bn", "03-train-vs-inference",
                              "04-internal-covariate-shift", "05-loss-landscape",      "06-gradient-flow",
                              "07-higher-learning-rates",  "08-scale-invariance",    "09-regularization",
                              "10-small-batches",          "11-non-iid-data",        "12-bn-in-convnets",
                              "13-folding-bn",             "14-cost-of-bn"};
  for (const char* id : kIds) {
    INFO("missing or invalid: assets/lessons/" << id << ".json");
    CHECK(find_lesson(id) != nullptr);
  }
}

TEST_CASE("lessons: open, next, back, go to and close through the action JSON codec", "[lesson]") {
  REQUIRE_FALSE(lesson_catalog().empty());
  const Lesson& l = lesson_catalog().front();
  Session s = testing::fresh_session();
  for (const char* text : {"{\"type\":\"show_lesson_catalog\",\"open\":true}", "{\"type\":\"lesson_next\"}"}) {
    auto a = action_from_json(nlohmann::json::parse(text));
    REQUIRE(a.ok());
    nl::app::apply(s, *a);
  }
  CHECK(s.lesson.catalog_open);
  CHECK(s.notice.has_value());  // next without an open lesson says so
  apply(s, act::DismissNotice{});
  auto open = action_from_json(nlohmann::json{{"type", "open_lesson"}, {"id", l.id}});
  REQUIRE(open.ok());
  nl::app::apply(s, *open);
  CHECK_FALSE(s.notice.has_value());
  CHECK(s.lesson.step == 1);
  CHECK_FALSE(s.lesson.catalog_open);
  CHECK(action_to_json(act::LessonGoTo{2}) == nlohmann::json{{"type", "lesson_go_to"}, {"step", 2}});
  apply(s, act::LessonGoTo{0});
  CHECK(s.notice.has_value());
  CHECK(s.lesson.step == 1);
  apply(s, act::DismissNotice{});
  apply(s, act::OpenLesson{"99-no-such-lesson"});
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message.find("99-no-such-lesson") != std::string::npos);
  CHECK(s.lesson.id == l.id);  // the open lesson stays
}

TEST_CASE("lessons: try-it checks follow the session", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"08-scale-invariance"});
  apply(s, act::LessonGoTo{4});
  const Lesson* l = find_lesson("08-scale-invariance");
  REQUIRE(l != nullptr);
  const LessonCheck& scaled = l->steps[3].try_it->checks.at(0);
  CHECK_FALSE(lesson_check_holds(s, scaled));  // step 2 scaled by 10, not 0.1
  CHECK(lesson_progress_json(s)["try_done"] == false);
  apply(s, act::ScaleLayerWeights{0, 0.1f});
  CHECK(lesson_check_holds(s, scaled));
  CHECK(lesson_progress_json(s)["try_done"] == true);

  apply(s, act::OpenLesson{"03-train-vs-inference"});
  apply(s, act::LessonGoTo{3});
  const LessonCheck& batch4 = find_lesson("03-train-vs-inference")->steps[2].try_it->checks.at(0);
  CHECK_FALSE(lesson_check_holds(s, batch4));
  apply(s, act::SetBatchSize{4});
  CHECK(lesson_check_holds(s, batch4));
  CHECK(s.lesson.step == 3);  // the rebuild kept the lesson open
  apply(s, act::LessonGoTo{6});
  const LessonCheck& notice = find_lesson("03-train-vs-inference")->steps[5].try_it->checks.at(0);
  CHECK_FALSE(lesson_check_holds(s, notice));
  apply(s, act::SetBatchSize{1});
  apply(s, act::Step{1});
  CHECK(lesson_check_holds(s, notice));  // the batch-of-one refusal
  CHECK(lesson_progress_json(s)["done"] == true);
}

TEST_CASE("lessons: a lesson stays open when the learner changes a setting", "[lesson]") {
  REQUIRE_FALSE(lesson_catalog().empty());
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{lesson_catalog().front().id});
  apply(s, act::SetBatchSize{17});
  CHECK(s.spec.batch_size == 17);
  CHECK(s.lesson.open());
  CHECK(s.lesson.step == 1);
}

}  // namespace
}  // namespace nl::app
