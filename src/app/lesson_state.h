// LessonProgress: which lesson is open and at which step, as part of the Session (so the
// URL, the JS API and tests see it). Also the last weight-scaling measurement that lesson 8
// shows. Not here: the lessons themselves (lesson.h) or the actions (lesson_actions.h).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace nl::app {

// What act::ScaleLayerWeights measured: the same mini-batch (the first batch_size training
// points) through a copy of the network in training mode, before and after the scaling.
struct ScaleRecord {
  int layer = 0;                   // hidden layer whose Linear was scaled
  float factor = 1.0f;             // a
  bool has_batchnorm = false;      // a BatchNorm directly follows that Linear
  float output_max_diff = 0.0f;    // max |y_after − y_before| of the layer's output (after norm + activation)
  float output_max_abs = 0.0f;     // max |y_before|, for scale
  float grad_norm_before = 0.0f;   // ‖dL/dW‖ of that Linear's weight
  float grad_norm_after = 0.0f;
  float weight_norm_before = 0.0f; // ‖W‖
  float weight_norm_after = 0.0f;
  float loss_before = 0.0f, loss_after = 0.0f;  // training-mode loss of the batch
};

struct LessonProgress {
  std::string id;             // the open lesson ("" when none)
  int step = 0;               // 1..count while open, as shown ("step 2 of 7"); 0 when closed
  int count = 0;              // the lesson's number of steps
  bool catalog_open = false;  // the list of lessons is shown
  std::optional<ScaleRecord> scale;  // last act::ScaleLayerWeights (lesson 8's readout)
  // The step's try-it checks (update_lesson_try): how many passed, and whether the next one
  // was seen false since it became the next one (only then may it pass: a condition that
  // already held when the step opened is not something the learner did).
  int try_passed = 0;
  bool try_armed = false;
  // Locked predictions of the open lesson: step (1-based) -> chosen index. Kept when steps are
  // replayed (Back, Go to), cleared when a lesson opens.
  std::map<int, int> predictions;

  bool open() const { return !id.empty(); }
};

}  // namespace nl::app
