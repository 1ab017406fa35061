// Desktop entry point: parses the command line, then loops Runtime::frame.
//   normlab [--frames N] [--screenshot FILE] [--play] [--panel NAME] [--size WxH] [--assets DIR]
//           [--import FILE] [--export-dir DIR] [--theme light|dark]
// With --frames N it renders N frames, optionally writes the last one as a PNG, prints
// the CPU time per frame, and exits 0 (used by the desktop test under Xvfb).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "platform/file_delivery.h"
#include "app/url_state.h"
#include "platform/png_writer.h"
#include "platform/runtime.h"

namespace {

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: normlab [--frames N] [--screenshot FILE] [--play] [--panel NAME] [--size WxH] [--assets DIR]\n"
               "               [--import FILE] [--export-dir DIR] [--export KIND]...\n"
               "  --frames N        render N frames, then exit (prints CPU time per frame)\n"
               "  --screenshot FILE with --frames: write the last frame as PNG\n"
               "  --rects FILE      with --frames: write the last frame's named rectangles as JSON (tests)\n"
               "  --play            start training immediately\n"
               "  --panel NAME      show a panel: data, network, inspector, backprop, why, studies\n"
               "  --hash TEXT       apply a link's settings: the text after '#' (README: Links)\n"
               "  --size WxH        window size (default 1280x800)\n"
               "  --theme NAME      light or dark (default dark)\n"
               "  --assets DIR      folder holding shaders/ and assets/ (default: next to normlab)\n"
               "  --import FILE     start from an exported normlab-state.json (or a CSV of x,y,label points)\n"
               "  --export-dir DIR  where the Export window saves files (default: the current directory)\n"
               "  --export KIND     export as the Export window does (3 frames before --frames ends):\n"
               "                    state_json, weights_json, curves_csv, layers_csv, pytorch, png\n");
}

bool parse_int(const char* text, int lo, int hi, int& out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < lo || v > hi) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  nl::platform::RuntimeOptions options;
  int frames = -1;
  std::string hash;  // --hash: a link's settings (app/url_state.h)
  std::string screenshot, rects_file;
  std::optional<nl::app::Theme> theme;  // --theme
  std::string import_file;  // --import
  std::vector<nl::app::ExportKind> exports;  // --export
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--frames" && has_value) {
      if (!parse_int(argv[++i], 1, 10000000, frames)) {
        std::fprintf(stderr, "normlab: --frames needs a whole number from 1 to 10000000\n");
        return 2;
      }
    } else if (arg == "--screenshot" && has_value) {
      screenshot = argv[++i];
    } else if (arg == "--rects" && has_value) {
      rects_file = argv[++i];
    } else if (arg == "--panel" && has_value) {
      const std::optional<nl::app::Panel> panel = nl::app::parse_panel(argv[++i]);
      if (!panel) {
        std::fprintf(stderr, "normlab: --panel must be one of %s\n", nl::enum_choices<nl::app::Panel>().c_str());
        return 2;
      }
      options.panel = *panel;
    } else if (arg == "--hash" && has_value) {
      hash = argv[++i];
    } else if (arg == "--play") {
      options.start_playing = true;
    } else if (arg == "--theme" && has_value) {
      const std::string name = argv[++i];
      if (name != "light" && name != "dark") {
        std::fprintf(stderr, "normlab: --theme must be light or dark\n");
        return 2;
      }
      theme = name == "light" ? nl::app::Theme::kLight : nl::app::Theme::kDark;
    } else if (arg == "--import" && has_value) {
      import_file = argv[++i];
    } else if (arg == "--export" && has_value) {
      const std::optional<nl::app::ExportKind> kind = nl::app::parse_export_kind(argv[++i]);
      if (!kind) {
        std::fprintf(stderr, "normlab: --export must be state_json, weights_json, curves_csv, layers_csv, pytorch or png\n");
        return 2;
      }
      exports.push_back(*kind);
    } else if (arg == "--export-dir" && has_value) {
      options.export_dir = argv[++i];
    } else if (arg == "--assets" && has_value) {
      options.asset_dir = argv[++i];
    } else if (arg == "--size" && has_value) {
      const std::string size = argv[++i];
      const auto x = size.find('x');
      if (x == std::string::npos || !parse_int(size.substr(0, x).c_str(), 300, 8192, options.width) ||
          !parse_int(size.substr(x + 1).c_str(), 300, 8192, options.height)) {
        std::fprintf(stderr, "normlab: --size needs WxH, each from 300 to 8192 (e.g. 1280x800)\n");
        return 2;
      }
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "normlab: unknown or incomplete option '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
  }
  if (!exports.empty() && frames >= 0 && frames < 4) {
    std::fprintf(stderr, "normlab: --export needs --frames 4 or more (or no --frames)\n");
    return 2;
  }
  if ((!screenshot.empty() || !rects_file.empty()) && frames < 0) {
    std::fprintf(stderr, "normlab: --screenshot and --rects need --frames N\n");
    return 2;
  }

  nl::platform::Runtime runtime;
  nl::Status started = runtime.init(options);
  if (!started.ok()) {
    std::fprintf(stderr, "normlab: %s\n", started.error().message.c_str());
    if (!started.error().hint.empty()) std::fprintf(stderr, "hint: %s\n", started.error().hint.c_str());
    runtime.shutdown();
    return 1;
  }
  if (!hash.empty()) {  // as the web page applies location.hash; problems show as a notice too
    const nl::app::UrlStateReport report = nl::app::apply_url_state(runtime.session(), hash);
    for (const std::string& why : report.ignored) std::fprintf(stderr, "normlab: --hash: %s\n", why.c_str());
    for (const std::string& key : report.unknown) std::fprintf(stderr, "normlab: --hash: unknown key '%s' skipped\n", key.c_str());
  }
  if (!import_file.empty()) {  // the same path as a file dropped on the window (file_delivery.h)
    std::string error;
    std::optional<nl::app::Action> action = nl::platform::action_for_file(import_file, error);
    if (action) nl::app::apply(runtime.session(), *action);
    const auto& notice = runtime.session().notice;
    if (!action || (notice && notice->message.rfind("Import failed", 0) == 0)) {
      std::fprintf(stderr, "normlab: %s\n", action ? notice->message.c_str() : error.c_str());
      runtime.shutdown();
      return 1;
    }
    std::printf("normlab: %s\n", notice ? notice->message.c_str() : "imported");
  }
  if (theme) nl::app::apply(runtime.session(), nl::app::act::SetTheme{*theme});
  int rendered = 0;
  int exit_code = 0;
  while (runtime.frame()) {
    ++rendered;
    // --export: requested 3 frames before the end (files after 1 frame, a PNG after 2).
    if (!exports.empty() && rendered == std::max(1, frames - 3)) {
      for (nl::app::ExportKind kind : exports) nl::app::apply(runtime.session(), nl::app::act::Export{kind});
    }
    if (frames > 0 && rendered >= frames) {
      if (!screenshot.empty()) {
        int w = 0, h = 0;
        const std::vector<unsigned char> rgb = runtime.read_pixels_rgb(w, h);
        nl::Status written = nl::platform::write_png(screenshot, w, h, rgb);
        if (!written.ok()) {
          std::fprintf(stderr, "normlab: %s\n", written.error().message.c_str());
          exit_code = 1;
        } else {
          std::printf("normlab: wrote %s (%dx%d)\n", screenshot.c_str(), w, h);
        }
      }
      if (!rects_file.empty()) {
        std::FILE* f = std::fopen(rects_file.c_str(), "wb");
        const std::string json = runtime.ui_rects_json();
        if (f == nullptr || std::fwrite(json.data(), 1, json.size(), f) != json.size()) {
          std::fprintf(stderr, "normlab: could not write %s\n", rects_file.c_str());
          exit_code = 1;
        }
        if (f != nullptr) std::fclose(f);
      }
      break;
    }
    runtime.present();
  }
  const auto& stats = runtime.stats();
  const auto& m = runtime.session().exp().metrics();
  std::printf("normlab: %d frames, CPU time per frame (input, training, UI): mean %.2f ms, p95 %.2f ms, max %.2f ms\n",
              rendered, static_cast<double>(stats.app.mean()), static_cast<double>(stats.app.percentile(0.95f)),
              static_cast<double>(stats.app.percentile(1.0f)));
  std::printf("normlab: with GL until the frame is drawn: mean %.2f ms, p95 %.2f ms\n",
              static_cast<double>(stats.total.mean()), static_cast<double>(stats.total.percentile(0.95f)));
  if (runtime.session().exp().history().empty()) {
    std::printf("normlab: step 0 (not trained yet)\n");
  } else {
    std::printf("normlab: step %lld, train loss %.4f, test accuracy %.3f\n", static_cast<long long>(m.step),
                static_cast<double>(m.train_loss), static_cast<double>(m.test_accuracy));
  }
  runtime.shutdown();
  return exit_code;
}
