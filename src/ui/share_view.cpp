// The Share button and dialog: the link to the current setup (read-only text and a Copy
// button) and a classroom-link builder (hide any control or panel, lock the settings, start
// paused), rebuilt live from the session. Open/closed state and the checkboxes live in
// Session::classroom (app/classroom.h), changed through actions. Not here: URL text
// (app/url_state.h), the system clipboard (the platform backs ImGui's clipboard).
#include <algorithm>
#include <string>
#include <vector>

#include "app/url_state.h"
#include "ui/classroom_ui.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

void record(UiProbe* probe, const std::string& name) {
  if (probe) probe->record(name);
}

std::string link_text(const app::Session& s, const ViewResources& resources) {
  const std::string hash = app::encode_url_state(s, s.classroom.share_link);
  if (resources.page_url.empty()) return "#" + hash;  // desktop: normlab --hash TEXT opens it
  return resources.page_url + "#" + hash;
}

}  // namespace

void draw_share_button(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  if (!shown(s, "share")) return;
  if (ImGui::Button("Share")) actions.push_back(app::act::SetShareOpen{!s.classroom.share_open});
  record(probe, "share");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A link to this setup, or a classroom link with hidden controls");
}

void draw_share_view(const app::Session& s, app::ActionQueue& actions, const ViewResources& resources, UiProbe* probe) {
  if (!s.classroom.share_open) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(std::min(display.x, 300.0f), 0), ImVec2(display.x, display.y));
  bool open = true;
  if (ImGui::Begin("Share", &open, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    std::string link = link_text(s, resources);
    ImGui::TextUnformatted("Link to this setup:");
    ImGui::SetNextItemWidth(std::min(display.x * 0.8f, ImGui::GetFontSize() * 34.0f));
    // Read-only: the buffer is a copy that ImGui may select and copy from, never edit.
    std::vector<char> buffer(link.begin(), link.end());
    buffer.push_back('\0');
    ImGui::InputText("##share_link", buffer.data(), buffer.size(), ImGuiInputTextFlags_ReadOnly);
    record(probe, "share_link");
    if (ImGui::Button("Copy link")) ImGui::SetClipboardText(link.c_str());
    record(probe, "share_copy");

    ImGui::Separator();
    ImGui::TextUnformatted("Classroom link: hide these");
    const app::ClassroomOptions& o = s.classroom.share_link;
    const std::vector<std::string>& ids = app::classroom_ids();
    if (ImGui::BeginTable("share_ids", 3)) {
      for (const std::string& id : ids) {
        ImGui::TableNextColumn();
        bool hide = std::find(o.hidden.begin(), o.hidden.end(), id) != o.hidden.end();
        if (ImGui::Checkbox(id.c_str(), &hide)) {
          app::ClassroomOptions next = o;
          if (hide) {
            next.hidden.push_back(id);
          } else {
            next.hidden.erase(std::remove(next.hidden.begin(), next.hidden.end(), id), next.hidden.end());
          }
          actions.push_back(app::act::SetShareLink{next});
        }
        record(probe, "share_hide:" + id);
      }
      ImGui::EndTable();
    }
    bool lock = o.locked;
    if (ImGui::Checkbox("Lock settings", &lock)) {
      app::ClassroomOptions next = o;
      next.locked = lock;
      actions.push_back(app::act::SetShareLink{next});
    }
    record(probe, "share_lock");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Learners can train and explore but not change the settings");
    ImGui::SameLine();
    bool paused = o.start_paused;
    if (ImGui::Checkbox("Start paused", &paused)) {
      app::ClassroomOptions next = o;
      next.start_paused = paused;
      actions.push_back(app::act::SetShareLink{next});
    }
    record(probe, "share_paused");
    ImGui::TextDisabled("The link also keeps the current panel and inspector stage.");
    if (ImGui::Button("Close")) open = false;
    record(probe, "share_close");
  }
  ImGui::End();
  if (!open) actions.push_back(app::act::SetShareOpen{false});
}

}  // namespace nl::ui
