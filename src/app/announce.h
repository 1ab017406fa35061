// Text for screen readers: what the page's hidden HTML mirror announces through its ARIA
// live region — the shown panel, the BN inspector's current stage with its formula and real
// numbers, and the training status. Not here: the HTML (web/) or when the page reads it.
//
// The text changes only when something a listener cares about does (panel, inspector
// selection or stage, play/pause, a step while paused, divergence, a Notice), never every
// frame while training runs: the Announcer caches it under a cheap key.
//
//   Announcer announcer;
//   if (announcer.update(session)) live_region.text = announcer.text();
#pragma once

#include <string>

#include "app/session.h"

namespace nl::app {

struct Announcement {
  std::string panel;     // "BN inspector panel."
  std::string stage;     // inspector only: "Stage 2 of 8: mean μ_B, layer 1, feature 0."
  std::string formula;   // inspector only: "μ_B = (1/m) Σ x_i = 0.4213 over a batch of 32."
  std::string training;  // "Training paused at step 40. Train loss 0.3121, test accuracy 91.2%."
  std::string notice;    // the Notice, if any: "Note: ..."
  std::string text() const;  // all of the above, in that order, space-separated
};

// Builds the announcement (runs the inspector's computation on the inspector panel).
Announcement announce(const Session& session);

// A number for speech: 4 significant digits; "undefined" for NaN or Inf (never "nan").
std::string speak_number(double v);

class Announcer {
 public:
  // Recomputes the text if the key changed; true if the text differs from last time.
  bool update(const Session& session);
  const std::string& text() const { return text_; }

 private:
  std::string key_;
  std::string text_;
};

}  // namespace nl::app
