// CSV exports (export_csv.h): plain comma-separated text, '\n' line ends, no quoting needed
// (layer names are identifiers).
#include "app/export_csv.h"

#include <cmath>

#include "app/settings_json.h"  // float_shortest

namespace nl::app {

namespace {

void cell(std::string& out, float v) {
  out += ',';
  if (std::isfinite(v)) out += float_shortest(v);  // non-finite: empty cell
}

}  // namespace

std::string curves_csv(const std::vector<StepMetrics>& history) {
  std::string out = "step,epoch,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy\n";
  for (const StepMetrics& m : history) {
    out += std::to_string(m.step) + ',' + std::to_string(m.epoch);
    for (float v : {m.batch_loss, m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy}) cell(out, v);
    out += '\n';
  }
  return out;
}

std::string layers_csv(const std::vector<StepMetrics>& history) {
  std::string out = "step,layer,preact_mean,preact_std,preact_p15,preact_p50,preact_p85,weight_norm,grad_norm\n";
  for (const StepMetrics& m : history) {
    for (const LayerMetrics& l : m.layers) {
      out += std::to_string(m.step) + ',' + l.name;
      for (float v : {l.preact_mean, l.preact_std, l.preact_p15, l.preact_p50, l.preact_p85, l.weight_norm,
                      l.grad_norm})
        cell(out, v);
      out += '\n';
    }
  }
  return out;
}

}  // namespace nl::app
