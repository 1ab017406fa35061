// The page API's messages (window.normlab on the page, postMessage from a host page): text
// in, a validated command out, and carrying a command out on a Session with a JSON reply.
// The page's JS only checks the sender's origin and hands the raw text here; nothing
// received is ever executed. Not here: origins, events and timers (web/normlab-api.js).
//
// Message (a JSON object, at most kMaxApiMessageBytes of text):
//   {"normlab": 1, "id": "r7", "verb": "<verb>", ...verb fields}
//   verbs: getState {"weights": bool = false}   setState {"state": {partial state}}
//          dispatch {"action": {"type": ..}}    step {"count": 1..10000 = 1}
//          play   pause   subscribe/unsubscribe {"event": "step"|"state"|"lesson"}
//   "normlab" is the protocol version (1) and marks the message as ours; "id" (a string of
//   at most 64 characters or an integer) comes back in the reply. Unknown keys are errors.
// Reply: {"normlab": 1, "id": .., "ok": true, "result": ..}
//     or {"normlab": 1, "id": .., "ok": false, "error": "..", "hint": ".."} (id null if unreadable)
//
//   Result<ApiCommand> c = parse_api_message(R"({"normlab":1,"id":1,"verb":"step","count":3})");
//   std::string reply = c ? api_reply_text(c->id, run_api_command(session, *c))
//                         : api_error_text(nullptr, c.error());
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/session.h"
#include "core/result.h"

namespace nl::app {

inline constexpr int kApiProtocolVersion = 1;
// A setState or import_state may carry a state with weights (8 layers of 128: ~2 MB as text).
inline constexpr std::size_t kMaxApiMessageBytes = 4u * 1024u * 1024u;

enum class ApiVerb { kGetState, kSetState, kDispatch, kStep, kPlay, kPause, kSubscribe, kUnsubscribe };

// Events a subscriber can receive: a training step happened, the state changed (settings,
// view, play/pause), lesson progress.
enum class ApiEvent { kStep, kState, kLesson };

struct ApiCommand {
  ApiVerb verb = ApiVerb::kGetState;
  nlohmann::json id;             // string or integer, echoed in the reply (null if absent)
  bool include_weights = false;  // getState
  nlohmann::json payload;        // setState: the partial state; dispatch: the action object
  int count = 1;                 // step
  ApiEvent event = ApiEvent::kStep;  // subscribe / unsubscribe
};

const char* api_verb_name(ApiVerb verb);
const char* api_event_name(ApiEvent event);

// Validates one message. Errors name the problem ("verb 'jump' is not one of getState, ...").
Result<ApiCommand> parse_api_message(std::string_view text);

// Carries out a validated command: the reply's "result" value, or the error (the session is
// then unchanged). getState: the state document (state_json.h); setState: the state after
// the patch; dispatch/step/play/pause: {"step": n, "playing": b} plus "notice": ".." when the
// action left a new Notice (e.g. why it could not be carried out); subscribe/unsubscribe:
// {"event": .., "subscribed": b} (the page keeps the subscriptions).
Result<nlohmann::json> run_api_command(Session& session, const ApiCommand& command);

// Parse, run and reply in one call (what the page's hook does).
std::string handle_api_message(Session& session, std::string_view text);

// Reply texts (see above). id may be null.
std::string api_reply_text(const nlohmann::json& id, const Result<nlohmann::json>& result);
std::string api_error_text(const nlohmann::json& id, const Error& error);

// What the page polls each animation frame to emit events: {"step": n, "playing": b,
// "state": <signature>, "lesson": lesson_progress_json()}; "state" changes whenever
// settings, view or classroom options do (the URL hash plus play/pause).
nlohmann::json api_poll(const Session& session);

}  // namespace nl::app
