// Fuzz target: CSV point import (core parse_csv_dataset, then the app's ImportPoints action).
// Checks: accepted points are finite with labels in range and none is lost; an import that
// fails leaves the session exactly as it was; an accepted one leaves only finite numbers.
// Not here: the state JSON importer (fuzz_state_json.cpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/actions.h"
#include "app/test_stress_checks.h"
#include "core/dataset.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const nl::Result<nl::Dataset> parsed = nl::parse_csv_dataset(text, 0.25f, 7);
  if (parsed.ok()) {
    const nl::Dataset& d = *parsed;
    NL_FUZZ_CHECK(d.x_train.cols() == static_cast<nl::Index>(d.y_train.size()), "train columns = labels");
    NL_FUZZ_CHECK(d.x_test.cols() == static_cast<nl::Index>(d.y_test.size()), "test columns = labels");
    for (nl::Index i = 0; i < d.x_train.size(); ++i) NL_FUZZ_CHECK(std::isfinite(d.x_train.data()[i]), "finite x");
    for (nl::Index i = 0; i < d.x_test.size(); ++i) NL_FUZZ_CHECK(std::isfinite(d.x_test.data()[i]), "finite x");
    for (int y : d.y_train) NL_FUZZ_CHECK(y >= 0 && y < d.num_classes, "label in range");
    for (int y : d.y_test) NL_FUZZ_CHECK(y >= 0 && y < d.num_classes, "label in range");
  } else {
    NL_FUZZ_CHECK(!parsed.error().message.empty(), "an error says why");
  }

  // Through the app: a failed import changes nothing but the Notice.
  nl::app::Session s = nl::fuzz::base_session();
  const std::string before = nl::fuzz::fingerprint(s);
  nl::app::apply(s, nl::app::act::ImportPoints{text});
  NL_FUZZ_CHECK(s.notice.has_value(), "an import always says what happened");
  if (s.notice->message.rfind("Import failed", 0) == 0) {
    NL_FUZZ_CHECK(nl::fuzz::fingerprint(s) == before, "failed import left the state untouched");
  } else {
    const std::string bad = nl::app::testing::first_non_finite(s);
    NL_FUZZ_CHECK(bad.empty(), "finite after import: " + bad);
    (void)s.exp().step();  // training on the imported points must not crash either
  }
  return 0;
}
