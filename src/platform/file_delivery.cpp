// File delivery (file_delivery.h): a few lines of std::ofstream natively, an EM_JS hook and a
// Blob download in the browser. Thin on purpose: the contents come from app/export_actions.
#include "platform/file_delivery.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "app/export_actions.h"
#include "app/state_json.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// 1: handed to Module.onExportFile; 2: browser download started; 0: not possible here.
EM_JS(int, nl_deliver_file, (const char* name, const char* mime, const unsigned char* data, int size, int has_data), {
  const fileName = UTF8ToString(name);
  const fileMime = UTF8ToString(mime);
  const bytes = has_data ? HEAPU8.slice(data, data + size) : null;
  if (typeof Module.onExportFile === 'function') {
    try {
      Module.onExportFile(fileName, fileMime, bytes);
      return 1;
    } catch (e) {
      console.warn('NormLab: Module.onExportFile failed: ' + e);
      return 0;
    }
  }
  if (!bytes || typeof document === 'undefined') return 0;
  try {
    const url = URL.createObjectURL(new Blob([bytes], {type: fileMime}));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 2000);
    return 2;
  } catch (e) {
    return 0;
  }
});
#else
#include "platform/png_writer.h"
#endif

namespace nl::platform {

namespace {

void say(app::Session& s, std::string message, std::string hint = {}) {
  s.notice = app::Notice{std::move(message), std::move(hint)};
}

#ifdef __EMSCRIPTEN__

void deliver_one(app::Session& s, const app::ExportFile& f, const DeliveryOptions&) {
  const bool has_data = f.kind != app::ExportKind::kPng;
  const int r = nl_deliver_file(f.name.c_str(), f.mime.c_str(), reinterpret_cast<const unsigned char*>(f.content.data()),
                                static_cast<int>(f.content.size()), has_data ? 1 : 0);
  if (r == 1) say(s, "Exported " + f.name + ".");
  else if (r == 2) say(s, "Downloading " + f.name + ".");
  else if (!has_data) say(s, "This page cannot save pictures (it does not define Module.onExportFile).");
  else say(s, "Could not save " + f.name + ": this page does not allow downloads.",
           "Open NormLab in its own tab to export files.");
}
#else
void deliver_one(app::Session& s, const app::ExportFile& f, const DeliveryOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = options.export_dir.empty() ? fs::current_path(ec) : fs::path(options.export_dir);
  const fs::path path = fs::absolute(dir / f.name, ec);
  if (f.kind == app::ExportKind::kPng) {
    int w = 0, h = 0;
    const std::vector<unsigned char> rgb = options.read_frame ? options.read_frame(w, h) : std::vector<unsigned char>{};
    if (rgb.empty()) return say(s, "Could not capture the picture for " + f.name + ".");
    if (Status st = write_png(path.string(), w, h, rgb); !st.ok()) return say(s, st.error().message, st.error().hint);
    return say(s, "Saved " + f.name + " to " + path.string());
  }
  std::ofstream out(path, std::ios::binary);
  out << f.content;
  out.close();
  if (!out) return say(s, "Could not write " + path.string() + ".", "Choose a writable folder with --export-dir.");
  say(s, "Saved " + f.name + " to " + path.string());
}
#endif

}  // namespace

void deliver_exports(app::Session& session, const DeliveryOptions& options, bool& png_waited) {
  if (session.outbox.empty()) return;
  std::vector<app::ExportFile> keep;
  std::vector<std::string> messages;  // one per file; a failure is shown over successes
  std::optional<app::Notice> failure;
  for (const app::ExportFile& f : session.outbox) {
    if (f.kind == app::ExportKind::kPng && !png_waited) {
      keep.push_back(f);  // next frame, drawn without the Export window
      continue;
    }
    session.notice.reset();
    deliver_one(session, f, options);
    if (!session.notice) continue;
    const bool ok = session.notice->message.rfind("Saved ", 0) == 0 || session.notice->message.rfind("Exported ", 0) == 0 ||
                    session.notice->message.rfind("Downloading ", 0) == 0;
    if (ok) messages.push_back(session.notice->message);
    else failure = session.notice;
  }
  if (failure) session.notice = failure;
  else if (messages.size() > 1) say(session, std::to_string(messages.size()) + " files: " + [&] {
    std::string all;
    for (const std::string& m : messages) all += (all.empty() ? "" : "; ") + m;
    return all;
  }());
  png_waited = !keep.empty();
  session.outbox = std::move(keep);
}

std::optional<app::Action> action_for_file(const std::string& path, std::string& error) {
  namespace fs = std::filesystem;
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".json" && ext != ".csv") {
    error = "NormLab opens .json state files and .csv point files, not " + fs::path(path).filename().string() + ".";
    return std::nullopt;
  }
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    error = "Cannot read " + path + ".";
    return std::nullopt;
  }
  if (size > app::kMaxStateJsonBytes) {
    error = path + " is too large (at most " + std::to_string(app::kMaxStateJsonBytes / 1024) + " KiB).";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    error = "Cannot read " + path + ".";
    return std::nullopt;
  }
  if (ext == ".json") return app::Action{app::act::ImportState{text.str()}};
  return app::Action{app::act::ImportPoints{text.str()}};
}

}  // namespace nl::platform
