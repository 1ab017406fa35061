// Lesson 14 (the cost of BN) on its own setup: the bytes its text quotes are what the real
// caches hold, and the x̂ part doubles with the batch. The plain twin (no BN) is the control:
// it caches nothing of the kind.
#include <catch2/catch.hpp>

#include "app/actions.h"
#include "app/lesson.h"
#include "app/lesson_actions.h"
#include "app/twin_run.h"
#include "app_fixtures.h"

namespace nl::app {
namespace {

using nl::app::apply;  // not std::apply (ADL on std::variant)

TEST_CASE("lesson 14-cost-of-bn claim: 1120 bytes kept and 1056 needed per layer, x-hat doubling with the batch",
          "[lesson]") {
  CHECK(testing::predicted_answer("14-cost-of-bn", 2) == "About twice as many");
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"14-cost-of-bn"});
  REQUIRE(s.lesson.step == 1);
  REQUIRE(s.spec.batch_size == 32);
  const std::vector<BnCacheBytes> at32 = bn_cache_bytes(s.exp().network());
  REQUIRE(at32.size() == s.spec.net.hidden.size());
  const std::size_t c = static_cast<std::size_t>(s.spec.net.hidden[0].width);
  REQUIRE(c == 8);  // "for 8 features and a batch of 32"
  for (const BnCacheBytes& b : at32) {
    INFO(b.name);
    CHECK(b.bytes == 1120);   // 4·(C·m + 3C): x̂, μ_B, σ²_B, 1/√(σ²_B + ε)
    CHECK(b.needed == 1056);  // 4·(C·m + C): x̂ and 1/√(σ²_B + ε)
  }
  // Step 2: doubling the batch doubles the x̂ part (C·m floats); the per-feature part stays.
  apply(s, act::LessonNext{});
  apply(s, act::LessonPredictChoice{1});
  apply(s, act::SetBatchSize{64});
  apply(s, act::Step{1});
  const std::vector<BnCacheBytes> at64 = bn_cache_bytes(s.exp().network());
  REQUIRE(at64.size() == at32.size());
  for (std::size_t i = 0; i < at64.size(); ++i) {
    CHECK(at64[i].needed == 2080);  // the prediction's outcome: 4·(8·64 + 8)
    CHECK(at64[i].needed - 4 * c == 2 * (at32[i].needed - 4 * c));
    CHECK(at64[i].bytes - 12 * c == 2 * (at32[i].bytes - 12 * c));
  }
  // The control: the twin without normalization keeps no such cache.
  REQUIRE(s.twin.twin.has_value());
  CHECK(bn_cache_bytes(s.twin.twin->network()).empty());
}

}  // namespace
}  // namespace nl::app
