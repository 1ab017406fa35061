// The BN inspector panel: one feature of one BatchNorm layer over the mini-batch, stage by
// stage (x → μ_B → x − μ_B → σ²_B → x̂ → y → running stats → eval path), each with its
// formula and the real numbers, animated from the previous stage; γ/β sliders edit the
// real network. Numbers come from app::inspector_model (no math here beyond display).
#include <algorithm>
#include <cmath>
#include <string>

#include "app/inspector.h"
#include "ui/chart.h"
#include "ui/inspector_parts.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

using app::InspectorStage;

struct StageView {
  std::vector<float> values;
  std::vector<StripMarker> markers;
  std::vector<StripBand> bands;
};

// What the strip plot shows at a stage, on the batch path or on the eval path.
StageView stage_view(const app::InspectorModel& m, InspectorStage stage, bool eval) {
  const Palette& pal = palette();
  const ImU32 mark = to_colour(pal.with_bn), band = to_colour(pal.with_bn, 0.18f), run = to_colour(pal.without_bn);
  const float mu = eval ? m.eval_mean : m.mean;
  const float sd = eval ? std::sqrt(m.eval_var + m.eps) : m.std_dev;
  const std::vector<float>& x = eval ? m.x_eval : m.x;
  std::vector<float> centred(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) centred[i] = x[i] - mu;
  const std::string mu_name = eval ? "running_mean = " : "μ_B = ";
  switch (stage) {
    case InspectorStage::kRaw: return {x, {}, {}};
    case InspectorStage::kMean: return {x, {{mu, mu_name + num(mu), mark}}, {}};
    case InspectorStage::kCentred: return {centred, {{0.0f, "0 (was " + mu_name + num(mu) + ")", mark}}, {}};
    case InspectorStage::kVariance:
      return {centred, {{0.0f, "0", mark}, {sd, "±√(σ² + ε) = ±" + num(sd), mark}}, {{-sd, sd, band}}};
    case InspectorStage::kNormalized:
      if (m.renorm_active && !eval)  // Batch Renorm: x̂·r + d, centred on d with spread r
        return {m.xhat_r,
                {{m.d, "d = " + num(m.d), mark}, {m.d + m.r, "d + r = " + num(m.d + m.r), mark}},
                {{m.d - m.r, m.d + m.r, band}}};
      return {eval ? m.xhat_eval : m.xhat, {{0.0f, "0", mark}, {1.0f, "±1", mark}}, {{-1.0f, 1.0f, band}}};
    case InspectorStage::kAffine:
      return {eval ? m.y_eval : m.y,
              {{m.beta, "β = " + num(m.beta), mark}, {m.beta + m.gamma, "β + γ = " + num(m.beta + m.gamma), mark}},
              {{std::min(m.beta - m.gamma, m.beta + m.gamma), std::max(m.beta - m.gamma, m.beta + m.gamma), band}}};
    case InspectorStage::kRunning:
      return {x,
              {{m.mean, "μ_B = " + num(m.mean), mark},
               {m.running_mean_before, "running_mean before = " + num(m.running_mean_before), run},
               {m.running_mean_after, "after = " + num(m.running_mean_after), to_colour(pal.class1)}},
              {}};
    case InspectorStage::kEval:
      return {m.y_eval, {{m.beta, "β = " + num(m.beta), mark}}, {}};
  }
  return {};
}


// The formula lines of a stage, with the numbers substituted.
std::vector<std::string> formulas(const app::InspectorModel& m, InspectorStage stage, bool eval) {
  const std::size_t k = static_cast<std::size_t>(m.sample);
  const std::string n = std::to_string(m.x.size()), s = std::to_string(m.sample + 1);
  double sum = 0, sq = 0;
  for (float v : m.x) sum += v;
  for (float v : m.centred) sq += static_cast<double>(v) * v;
  const float mu = eval ? m.eval_mean : m.mean;
  const float var = eval ? m.eval_var : m.var;
  const float xk = eval ? m.x_eval[k] : m.x[k];
  const float sd = std::sqrt(var + m.eps);
  const float xh = eval ? m.xhat_eval[k] : m.xhat[k];
  const float xr = eval ? xh : m.xhat_r[k];  // what γ multiplies (x̂·r + d for Batch Renorm)
  const bool renorm = m.renorm_active && !eval;
  const float yk = eval ? m.y_eval[k] : m.y[k];
  const std::string mun = eval ? "running_mean" : "μ_B", varn = eval ? "running_var" : "σ²_B";
  const std::string xs = "x" + s;
  switch (stage) {
    case InspectorStage::kRaw:
      return {"x: this feature's input to BatchNorm for each of the m = " + n + " samples of the batch",
              "sample " + s + " (ringed): x = " + num(xk)};
    case InspectorStage::kMean:
      if (eval) return {"eval: μ is not computed from the batch; running_mean = " + num(mu) + " (batch μ_B = " + num(m.mean) + ")"};
      return {"μ_B = (1/m)·Σ x_i = (1/" + n + ")·" + num(sum) + " = " + num(m.mean)};
    case InspectorStage::kCentred:
      return {"x − " + mun + " shifts every value; for sample " + s + ": " + num(xk) + " − " + term(mu) + " = " + num(xk - mu)};
    case InspectorStage::kVariance:
      if (eval) return {"eval: running_var = " + num(var) + " (batch σ²_B = " + num(m.var) + ")",
                        "√(running_var + ε) = √(" + num(var) + " + " + num(m.eps) + ") = " + num(sd)};
      return {"σ²_B = (1/m)·Σ (x_i − μ_B)² = (1/" + n + ")·" + num(sq) + " = " + num(m.var) + "   (biased: ÷ m, as in training)",
              "√(σ²_B + ε) = √(" + num(m.var) + " + " + num(m.eps) + ") = " + num(sd)};
    case InspectorStage::kNormalized: {
      std::vector<std::string> out = {"x\u0302 = (x − " + mun + ") / √(" + varn + " + ε)",
                                      "sample " + s + ": (" + num(xk) + " − " + term(mu) + ") / " + num(sd) + " = " + num(xh)};
      if (m.renorm && !eval && !m.renorm_active)
        out.push_back("Batch Renorm without running statistics has no r and d: it is BatchNorm.");
      if (!renorm) return out;
      const bool r_clipped = m.r_clipped, d_clipped = m.d_clipped;
      out.push_back("Batch Renorm then corrects x\u0302 towards the running statistics (taken before this step's update):");
      out.push_back("   σ_B = " + num(sd) + ",  σ_run = √(running_var + ε) = √(" + num(m.running_var_before) + " + " + num(m.eps) +
                    ") = " + num(m.sigma_running));
      out.push_back("   r = clip(σ_B/σ_run, 1/r_max, r_max) = clip(" + num(sd) + "/" + num(m.sigma_running) + " = " + num(m.r_unclipped) +
                    ", " + num(1.0 / m.r_max) + ", " + num(m.r_max) + ") = " + num(m.r) + (r_clipped ? "  (clipped)" : ""));
      out.push_back("   d = clip((μ_B − running_mean)/σ_run, −d_max, d_max) = clip((" + num(m.mean) + " − " + term(m.running_mean_before) +
                    ")/" + num(m.sigma_running) + " = " + num(m.d_unclipped) + ", " + num(-m.d_max) + ", " + num(m.d_max) + ") = " +
                    num(m.d) + (d_clipped ? "  (clipped)" : ""));
      out.push_back("x\u0302_r = x\u0302·r + d; sample " + s + ": " + term(xh) + "·" + num(m.r) + " + " + term(m.d) + " = " + num(xr) +
                    "   (plotted; r and d are constants in backprop)");
      out.push_back(r_clipped || d_clipped
                        ? "Clipped: training still differs from eval here (r_max and d_max are usually relaxed over training)."
                        : "Unclipped, x\u0302_r = (x − running_mean)/σ_run: training normalizes exactly as eval will.");
      return out;
    }
    case InspectorStage::kAffine: {
      const std::string xn = renorm ? "x\u0302_r" : "x\u0302";
      return {"y = γ·" + xn + " + β: γ = " + num(m.gamma) + " rescales, β = " + num(m.beta) + " shifts" +
                  (m.affine ? "   (drag the ◆ handles: β, and β + γ)" : "   (affine off: fixed)"),
              "sample " + s + ": " + term(m.gamma) + "·" + term(xr) + " + " + term(m.beta) + " = " + num(yk)};
    }
    case InspectorStage::kRunning: {
      if (!m.tracks_running) return {"This layer keeps no running statistics (track_running_stats off): eval uses batch statistics."};
      const double f = m.momentum;
      const double mm = static_cast<double>(m.x.size());
      const std::string fs = m.cumulative ? "1/t = " + num(f) : num(f);
      return {"PyTorch: running = (1 − momentum)·running + momentum·batch, momentum = " + fs,
              "running_mean = " + num(1 - f) + "·" + term(m.running_mean_before) + " + " + num(f) + "·" + term(m.mean) + " = " + num(m.running_mean_after),
              "running_var = " + num(1 - f) + "·" + num(m.running_var_before) + " + " + num(f) + "·" + num(m.unbiased_var) + " = " + num(m.running_var_after),
              "   it takes the unbiased σ²_B·m/(m−1) = " + num(m.var) + "·" + n + "/" + std::to_string(m.x.size() - 1) + " = " + num(m.unbiased_var) +
                  "   (m/(m−1) = " + num(mm / (mm - 1)) + ")",
              "Keras: moving = momentum′·moving + (1 − momentum′)·batch, momentum′ = 1 − momentum = " + num(1 - f),
              "   (Keras's default momentum′ = 0.99 is PyTorch's momentum = 0.01)",
              "(this is what the next training step does; the plot shows x with μ_B and running_mean)"};
    }
    case InspectorStage::kEval:
      return {"eval (model.eval()): x\u0302 = (x − running_mean)/√(running_var + ε), no batch statistics",
              "sample " + s + ": (" + num(m.x_eval[k]) + " − " + term(m.eval_mean) + ") / √(" + num(m.eval_var) + " + ε) = " +
                  num(m.xhat_eval[k]) + "  → y = " + num(m.y_eval[k]) + "   (batch path: y = " + num(m.y[k]) + ")",
              "running_var holds averages of σ²_B·m/(m−1) (m = " + n + "): the unbiased estimate of the variance",
              m.renorm ? "Batch Renorm in eval is BatchNorm in eval: running statistics, no r or d." : ""};
  }
  return {};
}

void draw_stage_buttons(const app::Session& s, bool renorm, app::ActionQueue& actions, UiProbe* probe) {
  if (ImGui::Button("◀ previous")) actions.push_back(app::act::InspectorPrevStage{});
  if (probe) probe->record("inspector:prev");
  for (int i = 0; i < app::kInspectorStageCount; ++i) {
    const auto stage = static_cast<InspectorStage>(i);
    const bool on = s.inspector.stage == stage;
    const bool renorm_stage = renorm && stage == InspectorStage::kNormalized;
    const std::string label = std::to_string(i + 1) + ". " + (renorm_stage ? "x\u0302, r, d" : app::stage_name(stage)) + "##stage" + std::to_string(i);
    same_line_if_fits(ImGui::CalcTextSize(label.c_str(), nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2.0f);
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::SmallButton(label.c_str()) && !on) actions.push_back(app::act::SetInspectorStage{stage});
    if (on) ImGui::PopStyleColor();
    if (probe) probe->record("inspector:stage:" + std::to_string(i));
  }
  same_line_if_fits(ImGui::CalcTextSize("next ▶").x + ImGui::GetStyle().FramePadding.x * 2.0f);
  if (ImGui::Button("next ▶")) actions.push_back(app::act::InspectorNextStage{});
  if (probe) probe->record("inspector:next");
}

// Values shown now: interpolated from the previous stage over 0.4 s (ImGui storage keeps
// which stage was shown and when it changed: presentation only, the stage is app state).
std::vector<float> animate(const app::InspectorModel& m, InspectorStage stage, bool eval, float* lo, float* hi) {
  ImGuiStorage* st = ImGui::GetStateStorage();
  const ImGuiID k_cur = ImGui::GetID("anim_cur"), k_prev = ImGui::GetID("anim_prev"), k_t0 = ImGui::GetID("anim_t0");
  const int code = static_cast<int>(stage) + (eval ? 100 : 0);
  const float now = static_cast<float>(ImGui::GetTime());
  if (st->GetInt(k_cur, -1) != code) {
    st->SetInt(k_prev, st->GetInt(k_cur, code));
    st->SetInt(k_cur, code);
    st->SetFloat(k_t0, now);
  }
  const int prev = st->GetInt(k_prev, code);
  float t = std::clamp((now - st->GetFloat(k_t0, now - 1.0f)) / 0.4f, 0.0f, 1.0f);
  t = t * t * (3.0f - 2.0f * t);  // smoothstep
  const std::vector<float> to = stage_view(m, stage, eval).values;
  const std::vector<float> from = stage_view(m, static_cast<InspectorStage>(prev % 100), prev >= 100).values;
  auto range = [](const std::vector<float>& v, float& a, float& b) {
    a = 0.0f, b = 0.0f;
    for (float x : v) if (std::isfinite(x)) a = std::min(a, x), b = std::max(b, x);
  };
  float lo0, hi0, lo1, hi1;
  range(from, lo0, hi0);
  range(to, lo1, hi1);
  const float pad = 0.08f * std::max(1e-3f, hi1 - lo1);
  *lo = lo0 + (lo1 - lo0) * t - pad;
  *hi = hi0 + (hi1 - hi0) * t + pad;
  std::vector<float> out = to;
  if (from.size() == to.size())
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = from[i] + (to[i] - from[i]) * t;
  return out;
}

}  // namespace

void draw_inspector_view(const app::Session& session, app::ActionQueue& actions,
                         const ViewResources& /*resources*/, UiProbe* probe) {
  const app::InspectorModel m = app::inspector_model(session);
  const float font = ImGui::GetFontSize();
  const float width = ImGui::GetContentRegionAvail().x;
  draw_bn_selectors(session, m, actions, probe, "inspector");
  if (!m.ok) {
    ImGui::TextWrapped("%s", m.message.c_str());
    ImGui::TextDisabled("Choose BatchNorm for a hidden layer in the network builder to inspect it.");
    return;
  }
  same_line_if_fits(font * 13.0f);
  bool eval = session.inspector.eval_view;
  if (ImGui::Checkbox("eval path (running stats)", &eval)) actions.push_back(app::act::SetInspectorEval{eval});
  if (probe) probe->record("inspector:eval");
  text_disabled_wrapped("Batch: " + m.batch_source + ". Ring = sample " + std::to_string(m.sample + 1) + "; dot colour = its class.");
  if (m.renorm)
    text_disabled_wrapped("Batch Renorm layer (r_max = " + num(m.r_max) + ", d_max = " + num(m.d_max) + ")" +
                          (m.renorm_active ? ": stage 5 adds r and d." : ": no running statistics, so it works as BatchNorm."));
  draw_stage_buttons(session, m.renorm_active, actions, probe);

  const InspectorStage stage = session.inspector.stage;
  const bool eval_path = eval || stage == InspectorStage::kEval;
  StripPlot plot;
  plot.values = animate(m, stage, eval, &plot.lo, &plot.hi);
  const StageView sv = stage_view(m, stage, eval);
  plot.markers = sv.markers;
  plot.bands = sv.bands;
  plot.highlight = m.sample;
  const Dataset& d = session.exp().dataset();
  for (int idx : m.batch)
    plot.dot_colours.push_back(to_colour(d.y_train[static_cast<std::size_t>(idx)] == 0 ? palette().class0 : palette().class1));
  // γ and β handles on the affine stage: the β line, and the β + γ line (where x̂ = 1 lands).
  const bool handles = stage == InspectorStage::kAffine && !eval && m.affine;
  if (handles) {
    plot.handles.push_back({"beta", m.beta, to_colour(palette().with_bn)});
    plot.handles.push_back({"gamma", m.beta + m.gamma, to_colour(palette().class1)});
  }
  const StripResult drag = draw_strip("inspector_strip", ImVec2(width, std::max(font * 11.0f, ImGui::GetContentRegionAvail().y * 0.4f)), plot);
  if (probe) probe->record("inspector:plot");
  if (handles && probe && drag.handle_rects.size() == 2) {
    probe->rects["inspector:beta_handle"] = drag.handle_rects[0];
    probe->rects["inspector:gamma_handle"] = drag.handle_rects[1];
  }
  // Limits as the sliders'; the action rejects anything outside ±100 anyway.
  if (drag.dragged == 0) {
    const float beta = std::clamp(drag.value, -10.0f, 10.0f);
    if (beta != m.beta) actions.push_back(app::act::SetBnAffine{m.layer, m.feature, m.gamma, beta});
  } else if (drag.dragged == 1) {
    const float gamma = std::clamp(drag.value - m.beta, -10.0f, 10.0f);
    if (gamma != m.gamma) actions.push_back(app::act::SetBnAffine{m.layer, m.feature, gamma, m.beta});
  }

  for (const std::string& line : formulas(m, stage, eval))
    if (!line.empty()) ImGui::TextWrapped("%s", line.c_str());
  ImGui::Separator();

  // γ and β: the real parameters of this feature (each change is an action).
  float gamma = m.gamma, beta = m.beta;
  ImGui::SetNextItemWidth(font * 12.0f);
  if (ImGui::SliderFloat("##gamma", &gamma, -3.0f, 3.0f, "γ = %.3f"))
    actions.push_back(app::act::SetBnAffine{m.layer, m.feature, gamma, m.beta});
  if (probe) probe->record("inspector:gamma");
  same_line_if_fits(font * 12.0f);
  ImGui::SetNextItemWidth(font * 12.0f);
  if (ImGui::SliderFloat("##beta", &beta, -3.0f, 3.0f, "β = %.3f"))
    actions.push_back(app::act::SetBnAffine{m.layer, m.feature, m.gamma, beta});
  if (probe) probe->record("inspector:beta");
  same_line_if_fits(font * 7.0f);
  if (ImGui::Button("γ = 1, β = 0")) actions.push_back(app::act::SetBnAffine{m.layer, m.feature, 1.0f, 0.0f});
  if (probe) probe->record("inspector:reset_affine");

  const std::size_t k = static_cast<std::size_t>(m.sample);
  std::string effect = "Effect: y(sample " + std::to_string(m.sample + 1) + ") = " + num(m.y[k]);
  if (m.next_is_elementwise && k < m.next_out.size()) {
    int active = 0;
    for (float v : m.next_out) active += v > 0.0f ? 1 : 0;
    effect += "  →  " + m.next_layer + " = " + num(m.next_out[k]) + " (> 0 for " + std::to_string(active) + "/" +
              std::to_string(m.next_out.size()) + " samples)";
  } else if (!m.next_layer.empty()) {
    effect += "  →  next layer: " + m.next_layer;
  }
  effect += "  →  mini-batch loss = " + num(m.batch_loss);
  ImGui::TextWrapped("%s", effect.c_str());

  // One sample's whole path (every sample on each row; the ringed one joined across rows).
  std::vector<PathRow> rows = {{"x", eval ? m.x_eval : m.x},
                               {"x − μ", stage_view(m, InspectorStage::kCentred, eval).values},
                               {"x̂", eval ? m.xhat_eval : m.xhat},
                               {"y", eval ? m.y_eval : m.y}};
  if (m.renorm_active && !eval) rows.insert(rows.begin() + 3, PathRow{"x̂·r+d", m.xhat_r});
  if (!eval_path) {
    text_disabled_wrapped("Sample " + std::to_string(m.sample + 1) + " (ringed) through the layer, all rows on one axis:");
    draw_path_plot("inspector_path", ImVec2(width, std::max(font * 6.0f, ImGui::GetContentRegionAvail().y - font * 0.5f)),
                   rows, plot.dot_colours, m.sample);
    if (probe) probe->record("inspector:path");
  }
  if (eval_path) {
    text_disabled_wrapped("Decision boundary with each BatchNorm normalizing by this batch's statistics vs by running statistics:");
    draw_boundary_pair(session, m, width, probe, "inspector");
  }
}

}  // namespace nl::ui
