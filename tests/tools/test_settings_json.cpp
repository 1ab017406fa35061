// The settings schema (app/settings_json): JSON <-> ExperimentSpec round trips, defaults for
// missing keys, and an error naming the key for every kind of bad value.
// Not here: running experiments from settings (the CLI train contract test does that).
#include <cstdlib>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "app/session.h"
#include "app/settings_json.h"

namespace {

using nl::ExperimentSpec;

// True when every field of the two specs is equal.
bool same(const ExperimentSpec& a, const ExperimentSpec& b) {
  if (a.data.kind != b.data.kind || a.data.size != b.data.size || a.data.noise != b.data.noise ||
      a.data.test_fraction != b.data.test_fraction || a.data.seed != b.data.seed)
    return false;
  const auto &n = a.net, &m = b.net;
  if (n.input_width != m.input_width || n.output_width != m.output_width || n.init != m.init ||
      n.seed != m.seed || n.hidden.size() != m.hidden.size())
    return false;
  for (std::size_t i = 0; i < n.hidden.size(); ++i) {
    const auto &h = n.hidden[i], &k = m.hidden[i];
    if (h.width != k.width || h.activation != k.activation || h.norm != k.norm ||
        h.placement != k.placement)
      return false;
  }
  const auto &p = n.norm, &q = m.norm;
  if (p.eps != q.eps || p.momentum != q.momentum || p.affine != q.affine ||
      p.track_running_stats != q.track_running_stats || p.groups != q.groups ||
      p.r_max != q.r_max || p.d_max != q.d_max)
    return false;
  const auto &o = a.optimizer, &r = b.optimizer;
  return o.kind == r.kind && o.learning_rate == r.learning_rate && o.momentum == r.momentum &&
         o.weight_decay == r.weight_decay && o.beta1 == r.beta1 && o.beta2 == r.beta2 &&
         o.adam_eps == r.adam_eps && a.batch_size == b.batch_size &&
         a.shuffle_seed == b.shuffle_seed;
}

}  // namespace

TEST_CASE("settings json: an empty object gives the playground's defaults", "[tools][settings]") {
  const auto spec = nl::settings_from_json_text("{}");
  REQUIRE(spec.ok());
  CHECK(same(*spec, nl::app::default_spec()));
  CHECK(spec->data.size == 300);  // the points a learner sees first (the settings reference's default)
  // A missing key inside a given object is the playground's too.
  const auto partial = nl::settings_from_json_text(R"({"data": {"noise": 0.2}, "batch_size": 16})");
  REQUIRE(partial.ok());
  CHECK(partial->data.size == nl::app::default_spec().data.size);
  CHECK(partial->data.noise == 0.2f);
  CHECK(partial->batch_size == 16);
}

TEST_CASE("settings json: round trip keeps every field", "[tools][settings]") {
  ExperimentSpec s;
  s.data.kind = nl::DatasetKind::kSpiral;
  s.data.size = 321;
  s.data.noise = 0.037f;
  s.data.test_fraction = 0.3f;
  s.data.seed = 99;
  s.net.hidden = {{5, nl::Activation::kTanh, nl::NormKind::kLayerNorm, nl::NormPlacement::kAfterActivation},
                  {6, nl::Activation::kLeakyReLU, nl::NormKind::kGroupNorm, nl::NormPlacement::kBeforeActivation},
                  {7, nl::Activation::kSigmoid, nl::NormKind::kNone, nl::NormPlacement::kBeforeActivation}};
  s.net.init = nl::InitScheme::kXavier;
  s.net.seed = 1234567890123ull;
  s.net.norm.eps = 1e-3f;
  s.net.norm.momentum = std::nullopt;
  s.net.norm.affine = false;
  s.net.norm.track_running_stats = false;
  s.net.norm.groups = 3;
  s.optimizer.kind = nl::OptimizerKind::kAdam;
  s.optimizer.learning_rate = 0.003f;
  s.optimizer.weight_decay = 1e-4f;
  s.batch_size = 17;
  s.shuffle_seed = 5;
  const std::string text = nl::settings_to_json_text(s);
  const auto back = nl::settings_from_json_text(text);
  INFO(text);
  REQUIRE(back.ok());
  CHECK(same(*back, s));
  CHECK(text.find("\"momentum\":null") != std::string::npos);  // null = cumulative average
  CHECK(text.find("\"learning_rate\":0.003,") != std::string::npos);  // shortest float text
}

TEST_CASE("settings json: shortest float text reads back exactly", "[tools][settings]") {
  CHECK(nl::float_shortest(0.1f) == "0.1");
  CHECK(nl::float_shortest(1e-5f) == "1e-05");
  CHECK(nl::float_shortest(1.3000001f) == "1.3000001");
  for (const float v : {0.1f, 1.0f / 3.0f, 1e-38f, 3.4e38f, -2.5f, 123456.79f})
    CHECK(std::strtof(nl::float_shortest(v).c_str(), nullptr) == v);
}

TEST_CASE("settings json: every bad value is an error naming its key", "[tools][settings]") {
  const std::pair<const char*, const char*> cases[] = {
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"dataa": {}})", "unknown key dataa"},
      {R"({"data": {"kind": "moons"}})", "data.kind must be one of"},
      {R"({"data": {"size": 7}})", "data.size must be an integer in [8, 100000]"},
      {R"({"data": {"size": 10.5}})", "data.size must be an integer"},
      {R"({"data": {"noise": -0.1}})", "data.noise must be in"},
      {R"({"data": {"noise": "0.1"}})", "data.noise must be a number"},
      {R"({"data": {"test_fraction": 0.95}})", "data.test_fraction must be in"},
      {R"({"data": {"seed": -1}})", "data.seed must be an integer"},
      {R"({"data": 3})", "data must be a JSON object"},
      {R"({"net": {"hidden": {}}})", "net.hidden must be an array"},
      {R"({"net": {"hidden": [{"width": 0}]}})", "net.hidden[0].width must be an integer in [1, 128]"},
      {R"({"net": {"hidden": [{}, {"activation": "gelu"}]}})", "net.hidden[1].activation must be one of"},
      {R"({"net": {"hidden": [{"norm": "batch"}]}})", "net.hidden[0].norm must be one of"},
      {R"({"net": {"hidden": [{"placement": "middle"}]}})", "net.hidden[0].placement must be one of"},
      {R"({"net": {"hidden": [{"widht": 3}]}})", "unknown key net.hidden[0].widht"},
      {R"({"net": {"init": "zeros"}})", "net.init must be one of"},
      {R"({"net": {"output_width": 1}})", "net.output_width must be an integer in [2, 128]"},
      {R"({"net": {"norm": {"eps": 0}}})", "net.norm.eps must be in (0"},
      {R"({"net": {"norm": {"momentum": 1.5}}})", "net.norm.momentum must be in"},
      {R"({"net": {"norm": {"affine": 1}}})", "net.norm.affine must be true or false"},
      {R"({"net": {"norm": {"groups": 0}}})", "net.norm.groups must be an integer"},
      {R"({"net": {"hidden": [{"width": 6, "norm": "groupnorm"}], "norm": {"groups": 4}}})",
       "must be divisible by net.norm.groups"},
      {R"({"optimizer": {"kind": "rmsprop"}})", "optimizer.kind must be one of"},
      {R"({"optimizer": {"learning_rate": 0}})", "optimizer.learning_rate must be in (0"},
      {R"({"optimizer": {"beta2": 1}})", "optimizer.beta2 must be in [0, 1) (got 1)"},
      {R"({"optimizer": {"lr": 0.1}})", "unknown key optimizer.lr"},
      {R"({"batch_size": 0})", "batch_size must be an integer in [1, 100000]"},
      {R"({"batch_size": 1e300})", "batch_size must be an integer"},
      {R"({"shuffle_seed": true})", "shuffle_seed must be an integer"},
  };
  for (const auto& [text, expected] : cases) {
    const auto r = nl::settings_from_json_text(text);
    INFO(text);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find(expected) != std::string::npos);
  }
}

TEST_CASE("settings json: near misses of the error cases are accepted", "[tools][settings]") {
  for (const char* text : {R"({"data": {"size": 8, "noise": 0, "test_fraction": 0.9}})",
                           R"({"data": {"size": 32.0}})", R"({"net": {"hidden": []}})",
                           R"({"net": {"hidden": [{"width": 8, "norm": "groupnorm"}], "norm": {"groups": 4}}})",
                           R"({"net": {"norm": {"momentum": null}}})",
                           R"({"optimizer": {"beta2": 0.9999}})"}) {
    const auto r = nl::settings_from_json_text(text);
    INFO(text << " -> " << (r.ok() ? "" : r.error().message));
    CHECK(r.ok());
  }
}
