// The backprop stepper: BatchNorm's computational graph for one feature with forward values
// on its nodes; each step backward lights up one gradient (dy → dβ, dγ → dx̂ → dσ² → dμ →
// dx) with its formula and numbers, then the compact three-term dx; "check numerically"
// runs app::check_gradients (via an action). Numbers from app::inspector_model.
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

using app::BackpropStep;

struct Node {
  const char* label;
  float col, row;       // grid position
  std::string value;    // forward value (sample or per-feature)
  BackpropStep lit_at;  // step from which its gradient shows
  std::string grad;     // gradient text
};

void draw_graph(const app::InspectorModel& m, BackpropStep step, float width) {
  const std::size_t k = static_cast<std::size_t>(m.sample);
  const float font = ImGui::GetFontSize();
  const float sd = m.std_dev;
  std::vector<Node> nodes = {
      {"x", 0, 1, num(m.x[k]), BackpropStep::kDx, "dx = " + num(m.dx[k])},
      {"μ", 1, 0, num(m.mean), BackpropStep::kDmean, "dμ = " + num(m.dmean)},
      {"x − μ", 1, 1, num(m.centred[k]), BackpropStep::kDx, ""},
      {"σ²", 2, 0, num(m.var), BackpropStep::kDvar, "dσ² = " + num(m.dvar)},
      {"√(σ²+ε)", 3, 0, num(sd), BackpropStep::kDvar, ""},
      {"1/σ", 4, 0, num(m.inv_std), BackpropStep::kDvar, ""},
      {"x\u0302", 4, 1, num(m.xhat[k]), BackpropStep::kDxhat, "dx\u0302 = " + num(m.dxhat[k])},
      {m.renorm_active ? "γ(x\u0302r+d)" : "γ·x\u0302", 5, 1, num(m.gamma * m.xhat_r[k]), BackpropStep::kDgamma, "dγ = " + num(m.dgamma)},
      {"y = +β", 6, 1, num(m.y[k]), BackpropStep::kDbeta, "dβ = " + num(m.dbeta)},
      {"L", 7, 1, num(m.batch_loss), BackpropStep::kDy, "dy = " + num(m.dy[k])},
  };
  const int s = static_cast<int>(step);
  if (width < font * 40.0f) {  // narrow screens: the graph as a table, in forward order
    if (ImGui::BeginTable("graph_table", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
      for (const char* h : {"node", "forward", "gradient"}) ImGui::TableSetupColumn(h);
      ImGui::TableHeadersRow();
      for (const Node& n : nodes) {
        const bool on = s > 0 && s >= static_cast<int>(n.lit_at) && !n.grad.empty();
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(n.label);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(n.value.c_str());
        ImGui::TableNextColumn();
        if (on) ImGui::TextColored(palette().class1, "%s", n.grad.c_str());
      }
      ImGui::EndTable();
    }
    return;
  }
  const int edges[][2] = {{0, 1}, {0, 2}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {2, 6}, {5, 6}, {6, 7}, {7, 8}, {8, 9}};
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float cw = std::max(font * 4.5f, width / 8.0f), rh = font * 4.6f;
  const float nw = cw - font * 0.4f, nh = font * 3.3f;
  const float small = font * 0.85f;  // values and gradients: 4 significant digits must fit a box
  ImGui::Dummy(ImVec2(width, rh * 2.0f + font * 0.5f));
  auto centre = [&](const Node& n) { return ImVec2(o.x + cw * (n.col + 0.5f), o.y + rh * n.row + nh * 0.5f + font * 0.3f); };
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 lit = to_colour(palette().class1);
  for (const auto& e : edges) {
    const Node &a = nodes[static_cast<std::size_t>(e[0])], &b = nodes[static_cast<std::size_t>(e[1])];
    const bool on = s >= static_cast<int>(a.lit_at) && s > 0 && static_cast<int>(b.lit_at) <= s;
    dl->AddLine(centre(a), centre(b), on ? lit : faint, on ? 2.5f : 1.2f);
  }
  for (const Node& n : nodes) {
    const ImVec2 c = centre(n);
    const ImVec2 a(c.x - nw * 0.5f, c.y - nh * 0.5f), b(c.x + nw * 0.5f, c.y + nh * 0.5f);
    const bool on = s > 0 && s >= static_cast<int>(n.lit_at) && !n.grad.empty();
    const bool now = on && static_cast<int>(n.lit_at) == s;
    ImVec4 fill = ImGui::GetStyleColorVec4(ImGuiCol_FrameBg);
    fill.w = 1.0f;  // opaque: edges end under the boxes instead of crossing the numbers
    dl->AddRectFilled(a, b, ImGui::ColorConvertFloat4ToU32(fill), 5.0f);
    dl->AddRect(a, b, now ? lit : (on ? to_colour(palette().class1, 0.6f) : faint), 5.0f, 0, now ? 3.0f : 1.0f);
    dl->AddText(ImVec2(a.x + 4, a.y + 2), text, n.label);
    dl->AddText(ImGui::GetFont(), small, ImVec2(a.x + 4, a.y + 3 + font), to_colour(palette().with_bn), n.value.c_str());
    if (on) dl->AddText(ImGui::GetFont(), small, ImVec2(a.x + 4, a.y + 3 + font * 2.0f), lit, n.grad.c_str());
  }
}


std::vector<std::string> step_text(const app::InspectorModel& m, BackpropStep step) {
  const std::size_t k = static_cast<std::size_t>(m.sample);
  const std::string s = std::to_string(m.sample + 1), n = std::to_string(m.x.size());
  double sum_dy = 0, sum_dyx = 0, sum_dyxr = 0, sum_dxh_c = 0, sum_dxh = 0;
  for (std::size_t i = 0; i < m.x.size(); ++i) {
    sum_dy += m.dy[i];
    sum_dyx += static_cast<double>(m.dy[i]) * m.xhat[i];
    sum_dyxr += static_cast<double>(m.dy[i]) * m.xhat_r[i];
    sum_dxh_c += static_cast<double>(m.dxhat[i]) * m.centred[i];
    sum_dxh += m.dxhat[i];
  }
  const double mm = static_cast<double>(m.x.size());
  // Batch Renorm: y = γ(x̂·r + d) + β with r, d constants, so the graph is BatchNorm's with
  // γ·r as the scale on x̂, and dγ pairs dy with x̂_r = x̂·r + d.
  const bool rn = m.renorm_active;
  const double scale = rn ? static_cast<double>(m.gamma) * m.r : m.gamma;
  const std::string scale_text = rn ? "γ·r" : "γ";
  switch (step) {
    case BackpropStep::kForward:
      if (rn)
        return {"Forward values for sample " + s + " (per-feature statistics are shared by the batch).",
                "Batch Renorm: r = " + num(m.r) + " and d = " + num(m.d) + " are constants in backprop (Ioffe 2017): the graph is "
                "BatchNorm's with γ·r on x\u0302, and γ multiplies x\u0302_r = x\u0302·r + d.",
                "Step backward to see each gradient; dy comes from the loss through the layers above."};
      return {"Forward values for sample " + s + " (per-feature statistics are shared by the batch).",
              "Step backward to see each gradient; dy comes from the loss through the layers above."};
    case BackpropStep::kDy:
      return {"dy = ∂L/∂y, from the layers above BatchNorm: dy(sample " + s + ") = " + num(m.dy[k])};
    case BackpropStep::kDbeta:
      return {"dβ = Σ_i dy_i = " + num(sum_dy) + "  (trace: " + num(m.dbeta) + ")"};
    case BackpropStep::kDgamma:
      if (rn) return {"dγ = Σ_i dy_i·x\u0302_r,i = " + num(sum_dyxr) + "  (trace: " + num(m.dgamma) + ")"};
      return {"dγ = Σ_i dy_i·x\u0302_i = " + num(sum_dyx) + "  (trace: " + num(m.dgamma) + ")"};
    case BackpropStep::kDxhat:
      if (rn)
        return {"dx\u0302_i = γ·r·dy_i = " + term(m.gamma) + "·" + num(m.r) + "·" + term(m.dy[k]) + " = " + num(m.dxhat[k])};
      return {"dx\u0302_i = γ·dy_i = " + term(m.gamma) + "·" + term(m.dy[k]) + " = " + num(m.dxhat[k])};
    case BackpropStep::kDvar:
      return {"dσ² = Σ_i dx\u0302_i·(x_i − μ)·(−½)(σ² + ε)^(−3/2) = " + term(sum_dxh_c) + "·(−½)·" +
                  num(std::pow(static_cast<double>(m.inv_std), 3.0)) + " = " + num(m.dvar)};
    case BackpropStep::kDmean:
      return {"dμ = Σ_i dx\u0302_i·(−1/√(σ²+ε)) + dσ²·(−2/m)·Σ_i(x_i − μ) = " + term(sum_dxh) + "·(−" + num(m.inv_std) +
                  ") + 0 = " + num(m.dmean),
              "(the second term vanishes: Σ_i(x_i − μ) = 0)"};
    case BackpropStep::kDx: {
      const double a = m.dxhat[k] * m.inv_std, b = m.dvar * 2.0 * m.centred[k] / mm, c = m.dmean / mm;
      return {"dx_i = dx\u0302_i/√(σ²+ε) + dσ²·2(x_i − μ)/m + dμ/m",
              "sample " + s + ": " + term(a) + " + " + term(b) + " + " + term(c) + " = " + num(m.dx[k])};
    }
    case BackpropStep::kCompact:
      return {"compact: dx = (" + scale_text + "/√(σ²+ε))/m · (m·dy − Σdy − x\u0302·Σ(dy·x\u0302))",
              "sample " + s + ": (" + term(scale) + "·" + num(m.inv_std) + "/" + n + ")·(" + n + "·" + term(m.dy[k]) + " − " +
                  term(sum_dy) + " − " + term(m.xhat[k]) + "·" + term(sum_dyx) + ") = " + num(m.dx_compact[k]),
              "max |dx(step by step) − dx(compact)| over the batch = " + num(m.max_abs_dx_diff)};
  }
  return {};
}

void draw_grad_check(const app::Session& session, app::ActionQueue& actions, UiProbe* probe) {
  if (ImGui::Button("check numerically")) actions.push_back(app::act::CheckGradients{});
  if (probe) probe->record("backprop:check");
  ImGui::SameLine();
  ImGui::TextDisabled("central differences in double: (L(v+h) − L(v−h))/2h, h = 1e−5");
  const auto& g = session.inspector.grad_check;
  if (!g) return;
  if (g->model_version != session.model_version) ImGui::TextDisabled("(computed for an earlier model; check again)");
  if (ImGui::BeginTable("gradcheck", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"entry", "analytic", "numeric", "rel. error", ""}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const app::GradCheckEntry& e : g->entries) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(e.analytic).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(e.numeric).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(num(e.rel_error).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.rel_error < 1e-4 ? "agrees" : "DIFFERS");
    }
    ImGui::EndTable();
  }
}

}  // namespace

void draw_backprop_view(const app::Session& session, app::ActionQueue& actions,
                        const ViewResources& /*resources*/, UiProbe* probe) {
  const app::InspectorModel m = app::inspector_model(session);
  draw_bn_selectors(session, m, actions, probe, "backprop");
  if (!m.ok) {
    ImGui::TextWrapped("%s", m.message.c_str());
    return;
  }
  const BackpropStep step = session.inspector.backprop_step;
  if (ImGui::Button("◀ forward")) actions.push_back(app::act::BackpropPrev{});
  if (probe) probe->record("backprop:prev");
  ImGui::SameLine();
  if (ImGui::Button("step backward ▶")) actions.push_back(app::act::BackpropNext{});
  if (probe) probe->record("backprop:next");
  ImGui::SameLine();
  ImGui::Text("step %d/%d: %s", static_cast<int>(step) + 1, app::kBackpropStepCount, app::backprop_step_name(step));
  text_disabled_wrapped("Batch: " + m.batch_source + ".");
  draw_graph(m, step, ImGui::GetContentRegionAvail().x);
  for (const std::string& line : step_text(m, step)) ImGui::TextWrapped("%s", line.c_str());
  ImGui::Separator();
  draw_grad_check(session, actions, probe);
}

}  // namespace nl::ui
