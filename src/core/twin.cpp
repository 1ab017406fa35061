// TwinExperiment (see twin.h): two Experiments built from specs that differ only in norm.
// Not here: metrics or batching logic, which the Experiments own.
#include "core/twin.h"

namespace nl {

ExperimentSpec TwinExperiment::without_norm(const ExperimentSpec& spec) {
  ExperimentSpec plain = spec;
  for (auto& h : plain.net.hidden) h.norm = NormKind::kNone;
  return plain;
}

Result<TwinExperiment> TwinExperiment::create(const ExperimentSpec& spec) {
  auto data = make_dataset(spec.data);
  if (!data.ok()) return data.error();
  return create(spec, *data);
}

Result<TwinExperiment> TwinExperiment::create(const ExperimentSpec& spec, const Dataset& data) {
  auto a = Experiment::create(spec, data);
  if (!a.ok()) return a.error();
  auto b = Experiment::create(without_norm(spec), data);
  if (!b.ok()) return b.error();
  return TwinExperiment(std::move(*a), std::move(*b));
}

Result<TwinMetrics> TwinExperiment::step() {
  if (normalized_.diverged() && plain_.diverged())
    return make_error("Both twins diverged; training stopped.", "Reset with a smaller learning rate.");
  TwinMetrics m;
  if (!normalized_.diverged()) {
    auto r = normalized_.step();
    // A failed step that did not diverge changed nothing: report it, plain stays in lockstep.
    if (!r.ok() && !normalized_.diverged()) return r.error();
  }
  if (!plain_.diverged()) {
    auto r = plain_.step();
    if (!r.ok() && !plain_.diverged()) return r.error();
  }
  m.normalized = normalized_.metrics();
  m.plain = plain_.metrics();
  m.normalized_diverged = normalized_.diverged();
  m.plain_diverged = plain_.diverged();
  return m;
}

}  // namespace nl
