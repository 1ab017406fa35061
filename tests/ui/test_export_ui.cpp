// Headless UI test of the Export button and window: opening it, each export button putting
// its file into the outbox, closing it; and at phone width the button still reachable.
#include <catch2/catch.hpp>

#include "app/export_actions.h"
#include "headless_ui.h"

using nl::app::testing::fresh_session;
using nl::ui::testing::HeadlessUi;

namespace nl::ui {
namespace {

TEST_CASE("export ui: the Export window queues each kind of file and closes", "[ui][export]") {
  for (float width : {1280.0f, 390.0f}) {
    INFO("width " << width);
    HeadlessUi ui(width, 800.0f);
    app::Session s = fresh_session();
    app::apply(s, app::act::Step{5});
    ui.frames(s, 3);
    REQUIRE(ui.probe().rects.count("export") == 1);
    CHECK(ui.probe().rects.count("export.curves_csv") == 0);  // closed at first
    ui.click(s, "export");
    REQUIRE(s.view.show_export);
    ui.frames(s, 2);
    for (int k = 0; k < app::kExportKindCount; ++k) {
      const auto kind = static_cast<app::ExportKind>(k);
      if (kind == app::ExportKind::kPng) continue;  // closes the window; checked below
      const std::string name = "export." + std::string(app::kExportKindNames[static_cast<std::size_t>(k)]);
      s.outbox.clear();  // the platform would have delivered it
      ui.click(s, name);
      REQUIRE(s.outbox.size() == 1);
      CHECK(s.outbox[0].kind == kind);
      CHECK_FALSE(s.outbox[0].content.empty());
    }
    s.outbox.clear();
    ui.click(s, "export.png");
    REQUIRE(s.outbox.size() == 1);
    CHECK(s.outbox[0].kind == app::ExportKind::kPng);
    CHECK_FALSE(s.view.show_export);  // the picture shows the playground, not this window
    ui.click(s, "export");
    REQUIRE(s.view.show_export);
    ui.frames(s, 2);
    ui.click(s, "export.close");
    CHECK_FALSE(s.view.show_export);
  }
}

}  // namespace
}  // namespace nl::ui
