// The playground's limits (app/limits.h): networks deeper than 8 or wider than 128 and setups
// whose working memory would exceed the budget are refused with a message, by every path a
// spec arrives through (settings actions, state import, CSV import), and the session is left
// as it was; the largest accepted setup trains within the browser's memory (measured, printed).
// Not here: the extreme settings themselves (test_stress.cpp).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "app/actions.h"
#include "app/limits.h"
#include "app/settings_json.h"
#include "app/state_json.h"
#include "app_fixtures.h"
#include "test_stress_checks.h"

namespace nl::app {
namespace {

using testing::fresh_session;

double memory_mb() {
#ifdef __EMSCRIPTEN__
  return static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0 / (1024.0 * 1024.0);
#else
  std::ifstream status("/proc/self/status");  // peak resident set (VmHWM)
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0.0;
#endif
}

ExperimentSpec wide(int layers, int width) {
  ExperimentSpec spec = default_spec();
  spec.net.hidden.assign(static_cast<std::size_t>(layers), HiddenLayerSpec{width});
  return spec;
}

// Applies `spec` and requires a refusal that names `words`, with the session unchanged.
void require_refused(Session& s, const ExperimentSpec& spec, const std::string& words) {
  const std::string before = state_to_json_text(s, true);
  s.notice.reset();
  apply(s, act::SetSpec{spec});
  REQUIRE(s.notice.has_value());
  INFO(s.notice->message);
  CHECK(s.notice->message.find(words) != std::string::npos);
  CHECK(state_to_json_text(s, true) == before);
  // The same settings through a state document: refused, untouched.
  nlohmann::json doc = state_to_json(s, false);
  doc["settings"] = settings_to_json(spec);
  const Status st = import_state_json(s, doc.dump());
  CHECK_FALSE(st.ok());
  CHECK(state_to_json_text(s, true) == before);
}

TEST_CASE("limits: more than 8 hidden layers or more than 128 units are refused and the state kept", "[app][limits]") {
  Session s = fresh_session();
  apply(s, act::Step{2});
  require_refused(s, wide(9, 8), "at most 8 hidden layers");
  require_refused(s, wide(2, 129), "net.hidden[0].width must be an integer in [1, 128]");
  require_refused(s, wide(16, 4096), "at most 8 hidden layers");
  // At the limit: accepted.
  s.notice.reset();
  apply(s, act::SetSpec{wide(8, 128)});
  CHECK_FALSE(s.notice.has_value());
  CHECK(s.spec.net.hidden.size() == 8);
}

TEST_CASE("limits: a batch of the whole 100000-point set on 8 layers of 128 is refused with its memory need", "[app][limits]") {
  Session s = fresh_session();
  ExperimentSpec spec = wide(8, 128);
  spec.data.size = 100000;
  spec.batch_size = 75000;
  CHECK(estimate_working_bytes(spec, 75000, 25000) > kMaxWorkingBytes);
  require_refused(s, spec, "MB while training");
  CHECK(s.notice->hint.find("smaller batch") != std::string::npos);
}

TEST_CASE("limits: CSV imports beyond the point limit are refused and the state kept", "[app][limits]") {
  Session s = fresh_session();
  apply(s, act::Step{2});
  const std::string before = state_to_json_text(s, true);
  std::string csv;
  for (std::size_t i = 0; i <= kMaxStatePoints; ++i)
    csv += std::to_string(static_cast<float>(i % 100) * 0.01f) + ",0.5," + std::to_string(i % 2) + "\n";
  apply(s, act::ImportPoints{csv});
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message.rfind("Import failed", 0) == 0);
  CHECK(state_to_json_text(s, true) == before);
  // Text beyond the size limit is refused before it is parsed.
  apply(s, act::ImportPoints{std::string(kMaxStateJsonBytes + 1, '1')});
  CHECK(s.notice->message.find("too large") != std::string::npos);
  CHECK(state_to_json_text(s, true) == before);
}

TEST_CASE("limits: the largest accepted setup trains one step within the memory budget", "[app][limits]") {
  // 8 layers of 128 on 100000 points with the largest batch the budget accepts.
  ExperimentSpec spec = wide(8, 128);
  spec.data.size = 100000;
  int lo = 1, hi = 75000;
  while (lo < hi) {  // largest accepted batch size
    const int mid = (lo + hi + 1) / 2;
    spec.batch_size = mid;
    if (check_playground_limits(spec, 75000, 25000).ok()) lo = mid;
    else hi = mid - 1;
  }
  spec.batch_size = lo;
  REQUIRE(lo >= 256);  // the limit leaves real batch sizes on the biggest network and data
  const double estimate_mb = static_cast<double>(estimate_working_bytes(spec, 75000, 25000)) / (1024.0 * 1024.0);
  if (testing::sanitized_build()) {
    std::printf("limits: largest batch %d on 8x128 with 100000 points (estimate %.0f MB); not run under ASan\n", lo,
                estimate_mb);
    return;  // an eval pass over 100000 points through 8x128 takes minutes under ASan
  }
  const double before = memory_mb();
  Result<Session> s = make_session(spec);
  REQUIRE(s.ok());
  apply(*s, act::Step{1});
  REQUIRE(s->exp().metrics().step == 1);
  REQUIRE(testing::first_non_finite(*s).empty());
  const double after = memory_mb();
  std::printf("limits: largest batch %d on 8x128 with 100000 points: estimate %.0f MB, memory %.0f MB -> %.0f MB "
              "(peak)\n", lo, estimate_mb, before, after);
  CHECK(after - before <= estimate_mb);  // the estimate is an upper bound
  CHECK(after < 512.0);                  // the browser build's maximum memory
}

}  // namespace
}  // namespace nl::app
