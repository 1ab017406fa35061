// Session construction and the decision grid the heatmap shows.
#include <cmath>

#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;

TEST_CASE("session: the default session builds with two moons and BatchNorm", "[app][session]") {
  const Session s = fresh_session();
  CHECK(s.spec.data.kind == DatasetKind::kTwoMoons);
  REQUIRE(s.spec.net.hidden.size() == 2);
  CHECK(s.spec.net.hidden[0].norm == NormKind::kBatchNorm);
  CHECK(s.exp().dataset().x_train.cols() > 0);
  CHECK_FALSE(s.playing);
}

TEST_CASE("session: the decision grid holds probabilities and covers every point", "[app][session]") {
  const Session s = fresh_session();
  const DecisionGrid& g = s.grid;
  REQUIRE(g.class1_probability.size() == static_cast<std::size_t>(g.resolution * g.resolution));
  for (float p : g.class1_probability) {
    REQUIRE(std::isfinite(p));
    REQUIRE(p >= 0.0f);
    REQUIRE(p <= 1.0f);
  }
  const Dataset& d = s.exp().dataset();
  for (const Matrix* pts : {&d.x_train, &d.x_test}) {
    for (Index i = 0; i < pts->cols(); ++i) {
      CHECK((*pts)(0, i) > g.x_min);
      CHECK((*pts)(0, i) < g.x_max);
      CHECK((*pts)(1, i) > g.y_min);
      CHECK((*pts)(1, i) < g.y_max);
    }
  }
  CHECK(g.x_max - g.x_min == Approx(g.y_max - g.y_min));  // square cells
}

TEST_CASE("session: grid cells equal the network's eval-mode prediction at the cell centre", "[app][session]") {
  Session s = fresh_session();
  apply(s, act::Step{25});
  refresh_grid(s);
  const DecisionGrid& g = s.grid;
  const int n = g.resolution;
  for (int row : {0, n / 3, n - 1}) {
    for (int col : {0, n / 2, n - 1}) {
      Matrix point(2, 1);
      point(0, 0) = g.x_min + (static_cast<float>(col) + 0.5f) * (g.x_max - g.x_min) / static_cast<float>(n);
      point(1, 0) = g.y_min + (static_cast<float>(row) + 0.5f) * (g.y_max - g.y_min) / static_cast<float>(n);
      const Matrix p = s.exp().predict_proba(point);
      INFO("row " << row << " col " << col);
      CHECK(g.class1_probability[static_cast<std::size_t>(row * n + col)] == Approx(p(1, 0)).margin(1e-5));
    }
  }
}

TEST_CASE("session: the grid is recomputed only when the model changed", "[app][session]") {
  Session s = fresh_session();
  const std::vector<float> before = s.grid.class1_probability;
  refresh_grid(s);
  CHECK(s.grid.class1_probability == before);
  apply(s, act::Step{5});
  refresh_grid(s);
  CHECK(s.grid.model_version == s.model_version);
  CHECK(s.grid.class1_probability != before);
}

TEST_CASE("session: an invalid spec is refused with a message", "[app][session]") {
  ExperimentSpec spec = default_spec();
  spec.net.hidden[0].width = 0;
  Result<Session> s = make_session(spec);
  REQUIRE_FALSE(s.ok());
  CHECK_FALSE(s.error().message.empty());
}

TEST_CASE("session: panel names round-trip and unknown names are refused", "[app][session]") {
  for (Panel p : {Panel::kData, Panel::kNetwork, Panel::kInspector, Panel::kBackprop, Panel::kWhyBnHelps}) {
    const std::optional<Panel> back = parse_panel(panel_name(p));
    REQUIRE(back.has_value());
    CHECK(*back == p);
  }
  CHECK_FALSE(parse_panel("").has_value());
  CHECK_FALSE(parse_panel("Data").has_value());
  CHECK_FALSE(parse_panel("inspector ").has_value());
}
