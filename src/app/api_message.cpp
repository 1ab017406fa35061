// API messages (api_message.h): validation of the text a page or host sends, and carrying
// the command out through apply() and the state JSON. Never throws: JSON is parsed with
// exceptions off and every type is checked before get<>.
#include "app/api_message.h"

#include <array>
#include <optional>

#include "app/action_json.h"
#include "app/actions.h"
#include "app/lesson_actions.h"
#include "app/state_json.h"
#include "app/url_state.h"

namespace nl::app {

namespace {

constexpr std::array<const char*, 8> kVerbNames = {"getState", "setState", "dispatch", "step",
                                                   "play",     "pause",    "subscribe", "unsubscribe"};
constexpr std::array<const char*, 3> kEventNames = {"step", "state", "lesson"};

template <std::size_t N>
std::string choices(const std::array<const char*, N>& names) {
  std::string s;
  for (const char* n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

// The keys each verb accepts besides "normlab", "id" and "verb".
bool key_allowed(ApiVerb verb, const std::string& key) {
  switch (verb) {
    case ApiVerb::kGetState: return key == "weights";
    case ApiVerb::kSetState: return key == "state";
    case ApiVerb::kDispatch: return key == "action";
    case ApiVerb::kStep: return key == "count";
    case ApiVerb::kSubscribe:
    case ApiVerb::kUnsubscribe: return key == "event";
    case ApiVerb::kPlay:
    case ApiVerb::kPause: return false;
  }
  return false;
}

Error bad(std::string message) {
  return make_error(std::move(message), "See the README's JS API reference for the message format.");
}

}  // namespace

const char* api_verb_name(ApiVerb verb) { return kVerbNames[static_cast<std::size_t>(verb)]; }
const char* api_event_name(ApiEvent event) { return kEventNames[static_cast<std::size_t>(event)]; }

Result<ApiCommand> parse_api_message(std::string_view text) {
  if (text.size() > kMaxApiMessageBytes) {
    return bad("the message has " + std::to_string(text.size()) + " bytes, more than the limit of " +
               std::to_string(kMaxApiMessageBytes));
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("the message is not valid JSON");
  if (!j.is_object()) return bad("the message must be a JSON object");
  const auto version = j.find("normlab");
  if (version == j.end()) return bad("the message has no \"normlab\" key (the protocol version, 1)");
  if (!version->is_number_integer() || version->get<long long>() != kApiProtocolVersion) {
    return bad("\"normlab\" must be 1 (the protocol version)");
  }
  ApiCommand c;
  if (const auto id = j.find("id"); id != j.end()) {
    if (id->is_string() && id->get_ref<const std::string&>().size() <= 64) c.id = *id;
    else if (id->is_number_integer()) c.id = *id;
    else return bad("\"id\" must be a string of at most 64 characters or an integer");
  }
  const auto verb = j.find("verb");
  if (verb == j.end() || !verb->is_string()) return bad("the message needs a \"verb\" string: one of " + choices(kVerbNames));
  const std::string& name = verb->get_ref<const std::string&>();
  std::size_t index = kVerbNames.size();
  for (std::size_t i = 0; i < kVerbNames.size(); ++i)
    if (name == kVerbNames[i]) index = i;
  if (index == kVerbNames.size()) {
    return bad("verb '" + name.substr(0, 40) + "' is not one of " + choices(kVerbNames));
  }
  c.verb = static_cast<ApiVerb>(index);
  for (const auto& [key, value] : j.items()) {
    if (key == "normlab" || key == "id" || key == "verb") continue;
    if (!key_allowed(c.verb, key)) {
      return bad("key '" + key.substr(0, 40) + "' is not part of a " + name + " message");
    }
  }
  switch (c.verb) {
    case ApiVerb::kGetState:
      if (const auto w = j.find("weights"); w != j.end()) {
        if (!w->is_boolean()) return bad("getState.weights must be true or false");
        c.include_weights = w->get<bool>();
      }
      break;
    case ApiVerb::kSetState: {
      const auto s = j.find("state");
      if (s == j.end() || !s->is_object()) return bad("setState needs a \"state\" object (a partial state)");
      c.payload = *s;
      break;
    }
    case ApiVerb::kDispatch: {
      const auto a = j.find("action");
      if (a == j.end() || !a->is_object()) return bad("dispatch needs an \"action\" object, e.g. {\"type\": \"step\"}");
      c.payload = *a;
      break;
    }
    case ApiVerb::kStep:
      if (const auto n = j.find("count"); n != j.end()) {
        if (!n->is_number_integer() || n->get<long long>() < 1 || n->get<long long>() > 10000) {
          return bad("step.count must be an integer from 1 to 10000");
        }
        c.count = static_cast<int>(n->get<long long>());
      }
      break;
    case ApiVerb::kSubscribe:
    case ApiVerb::kUnsubscribe: {
      const auto e = j.find("event");
      std::size_t ev = kEventNames.size();
      if (e != j.end() && e->is_string()) {
        for (std::size_t i = 0; i < kEventNames.size(); ++i)
          if (e->get_ref<const std::string&>() == kEventNames[i]) ev = i;
      }
      if (ev == kEventNames.size()) return bad(name + ".event must be one of " + choices(kEventNames));
      c.event = static_cast<ApiEvent>(ev);
      break;
    }
    case ApiVerb::kPlay:
    case ApiVerb::kPause: break;
  }
  return c;
}

namespace {

// {"step", "playing"}, plus "notice" when the command left a new Notice (an action that
// could not be carried out says why there; the session is then unchanged, as apply() does).
nlohmann::json position(const Session& s, const std::optional<Notice>& before) {
  nlohmann::json j = {{"step", s.exp().metrics().step}, {"playing", s.playing}};
  if (s.notice && (!before || before->message != s.notice->message)) j["notice"] = s.notice->message;
  return j;
}

}  // namespace

Result<nlohmann::json> run_api_command(Session& session, const ApiCommand& c) {
  const std::optional<Notice> before = session.notice;
  switch (c.verb) {
    case ApiVerb::kGetState: return state_to_json(session, c.include_weights);
    case ApiVerb::kSetState: {
      if (Status st = apply_state_patch(session, c.payload); !st.ok()) return st.error();
      return state_to_json(session, false);
    }
    case ApiVerb::kDispatch: {
      Result<Action> a = action_from_json(c.payload);
      if (!a.ok()) return a.error();
      app::apply(session, *a);
      return position(session, before);
    }
    case ApiVerb::kStep: app::apply(session, act::Step{c.count}); return position(session, before);
    case ApiVerb::kPlay: app::apply(session, act::Play{}); return position(session, before);
    case ApiVerb::kPause: app::apply(session, act::Pause{}); return position(session, before);
    case ApiVerb::kSubscribe:
    case ApiVerb::kUnsubscribe:
      return nlohmann::json{{"event", api_event_name(c.event)}, {"subscribed", c.verb == ApiVerb::kSubscribe}};
  }
  return make_error("unknown verb");
}

std::string api_reply_text(const nlohmann::json& id, const Result<nlohmann::json>& result) {
  if (!result.ok()) return api_error_text(id, result.error());
  nlohmann::json j = {{"normlab", kApiProtocolVersion}, {"id", id}, {"ok", true}, {"result", *result}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string api_error_text(const nlohmann::json& id, const Error& error) {
  nlohmann::json j = {{"normlab", kApiProtocolVersion}, {"id", id}, {"ok", false},
                      {"error", error.message}, {"hint", error.hint}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string handle_api_message(Session& session, std::string_view text) {
  Result<ApiCommand> c = parse_api_message(text);
  if (!c.ok()) {
    // Echo the id if the text was at least an object with a usable id, so the sender can
    // match the error to its request.
    nlohmann::json id = nullptr;
    if (text.size() <= kMaxApiMessageBytes) {
      const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_object() && j.contains("id") && (j["id"].is_number_integer() ||
                                                (j["id"].is_string() && j["id"].get_ref<const std::string&>().size() <= 64))) {
        id = j["id"];
      }
    }
    return api_error_text(id, c.error());
  }
  return api_reply_text(c->id, run_api_command(session, *c));
}

nlohmann::json api_poll(const Session& session) {
  std::string signature = encode_url_state(session);
  signature += session.playing ? "|play" : "|pause";
  return {{"step", session.exp().metrics().step}, {"playing", session.playing}, {"state", signature},
          {"lesson", lesson_progress_json(session)}};
}

}  // namespace nl::app
