// Delivers the files the app exported (Session::outbox, app/export_file.h) after each frame,
// and turns files given to the desktop app (--import, a file dropped on the window) into
// actions. Natively files are written into a folder; in the browser they go to the page.
// Not here: producing file contents (app/export_actions.h) or the page's UI (web/).
//
// Browser contract (the page, web/, implements the JS side):
//   - If the page defines Module.onExportFile(name, mime, bytes), every export calls it:
//     name "normlab-state.json" etc., mime as in ExportFile, bytes a Uint8Array of the file,
//     or null for mime "image/png": the page renders the canvas itself (canvas.toBlob).
//   - Otherwise text files start a browser download (a Blob and an <a download> click); a
//     PNG request without Module.onExportFile cannot be served and says so in a Notice.
//   - Either way a Notice tells the learner what happened ("Downloading normlab-curves.csv").
//     Where downloads are impossible (an iframe sandboxed without allow-downloads) the page
//     should define Module.onExportFile and show the text itself.
//   - Importing in the browser is the page's file picker, which dispatches
//     {"type": "import_state", "json_text": ...} through the JS API.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/actions.h"
#include "app/session.h"

namespace nl::platform {

struct DeliveryOptions {
  std::string export_dir;  // desktop: where files go ("" = the current directory)
  // Desktop PNG exports: the last drawn frame as RGB8, top row first (Runtime::read_pixels_rgb).
  std::function<std::vector<unsigned char>(int& width, int& height)> read_frame;
};

// Delivers and clears session.outbox, setting a Notice for each file ("Saved normlab-state.json
// to /path", or why not). A PNG request waits one frame (png_waited false -> true) so the
// picture shows the playground without the Export window, which closes on a PNG export.
void deliver_exports(app::Session& session, const DeliveryOptions& options, bool& png_waited);

// Desktop: the action for a file opened with --import or dropped on the window: a .json file
// imports a state (act::ImportState), a .csv file its points (act::ImportPoints); other
// files or unreadable ones give a message instead (returned in `error`).
std::optional<app::Action> action_for_file(const std::string& path, std::string& error);

}  // namespace nl::platform
