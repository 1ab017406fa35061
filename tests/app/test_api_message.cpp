// API messages (app/api_message.h): every verb parses and runs; malformed, unknown and
// oversized messages are errors that leave the session untouched; replies echo the id.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "app/api_message.h"
#include "app/lesson_actions.h"
#include "app/state_json.h"
#include "app/url_state.h"
#include "app_fixtures.h"

using nl::app::testing::fresh_session;
using nl::app::testing::step_of;
using nlohmann::json;

namespace {

json reply(nl::app::Session& s, const std::string& text) {
  const json j = json::parse(nl::app::handle_api_message(s, text), nullptr, false);
  REQUIRE(j.is_object());
  REQUIRE(j.value("normlab", 0) == 1);
  return j;
}

}  // namespace

TEST_CASE("api: step, play and pause run and reply with the position and the id", "[app][api]") {
  auto s = fresh_session();
  json r = reply(s, R"({"normlab":1,"id":"a1","verb":"step","count":3})");
  CHECK(r["ok"] == true);
  CHECK(r["id"] == "a1");
  CHECK(r["result"]["step"] == 3);
  CHECK(step_of(s) == 3);
  r = reply(s, R"({"normlab":1,"id":7,"verb":"play"})");
  CHECK(r["id"] == 7);
  CHECK(s.playing);
  CHECK(r["result"]["playing"] == true);
  r = reply(s, R"({"normlab":1,"verb":"pause"})");
  CHECK(r["id"].is_null());
  CHECK_FALSE(s.playing);
  r = reply(s, R"({"normlab":1,"verb":"step"})");
  CHECK(step_of(s) == 4);
}

TEST_CASE("api: getState returns the state document with or without weights", "[app][api]") {
  auto s = fresh_session();
  json r = reply(s, R"({"normlab":1,"id":1,"verb":"getState"})");
  REQUIRE(r["ok"] == true);
  CHECK(r["result"]["format"] == "normlab-state");
  CHECK(r["result"]["settings"] == nl::app::state_to_json(s, false)["settings"]);
  CHECK_FALSE(r["result"].contains("weights"));
  r = reply(s, R"({"normlab":1,"id":2,"verb":"getState","weights":true})");
  CHECK(r["result"].contains("weights"));
}

TEST_CASE("api: setState patches the settings and a bad patch changes nothing", "[app][api]") {
  auto s = fresh_session();
  json r = reply(s, R"({"normlab":1,"id":1,"verb":"setState","state":{"view":{"panel":"inspector"}}})");
  REQUIRE(r["ok"] == true);
  CHECK(s.view.panel == nl::app::Panel::kInspector);
  CHECK(r["result"]["view"]["panel"] == "inspector");
  const std::string before = nl::app::encode_url_state(s);
  r = reply(s, R"({"normlab":1,"id":2,"verb":"setState","state":{"view":{"panel":"nowhere"}}})");
  CHECK(r["ok"] == false);
  CHECK(r["id"] == 2);
  CHECK_FALSE(r["error"].get<std::string>().empty());
  CHECK(nl::app::encode_url_state(s) == before);
}

TEST_CASE("api: dispatch applies a validated action and refuses an unknown one", "[app][api]") {
  auto s = fresh_session();
  json r = reply(s, R"({"normlab":1,"id":"d","verb":"dispatch","action":{"type":"show_panel","panel":"why"}})");
  REQUIRE(r["ok"] == true);
  CHECK(s.view.panel == nl::app::Panel::kWhyBnHelps);
  r = reply(s, R"({"normlab":1,"id":"e","verb":"dispatch","action":{"type":"step","count":2}})");
  CHECK(step_of(s) == 2);
  r = reply(s, R"({"normlab":1,"id":"f","verb":"dispatch","action":{"type":"launch_rockets"}})");
  CHECK(r["ok"] == false);
  CHECK(r["id"] == "f");
  CHECK(step_of(s) == 2);
  // An action apply() refuses (a sample outside the batch) is carried back as a notice.
  r = reply(s, R"({"normlab":1,"id":"g","verb":"dispatch","action":{"type":"inspect_sample","sample":100000}})");
  CHECK(r["ok"] == true);
  CHECK(r["result"].contains("notice"));
}

TEST_CASE("api: subscribe and unsubscribe name a known event", "[app][api]") {
  auto s = fresh_session();
  json r = reply(s, R"({"normlab":1,"id":1,"verb":"subscribe","event":"lesson"})");
  CHECK(r["ok"] == true);
  CHECK(r["result"]["event"] == "lesson");
  CHECK(r["result"]["subscribed"] == true);
  r = reply(s, R"({"normlab":1,"id":2,"verb":"unsubscribe","event":"step"})");
  CHECK(r["result"]["subscribed"] == false);
  r = reply(s, R"({"normlab":1,"id":3,"verb":"subscribe","event":"everything"})");
  CHECK(r["ok"] == false);
}

TEST_CASE("api: malformed messages are errors and change nothing", "[app][api]") {
  auto s = fresh_session();
  const std::string before = nl::app::encode_url_state(s);
  const char* bad[] = {
      "", "not json", "[1,2]", "42", "null", R"("step")", R"({})",
      R"({"verb":"step"})",                                   // no protocol version
      R"({"normlab":2,"verb":"step"})",                       // wrong version
      R"({"normlab":"1","verb":"step"})",
      R"({"normlab":1})",                                     // no verb
      R"({"normlab":1,"verb":"jump"})",                       // unknown verb
      R"({"normlab":1,"verb":7})",
      R"({"normlab":1,"verb":"step","count":0})",
      R"({"normlab":1,"verb":"step","count":10001})",
      R"({"normlab":1,"verb":"step","count":2.5})",
      R"({"normlab":1,"verb":"step","count":"3"})",
      R"x({"normlab":1,"verb":"step","eval":"alert(1)"})x",   // unknown key
      R"({"normlab":1,"verb":"play","count":1})",
      R"({"normlab":1,"verb":"getState","weights":1})",
      R"({"normlab":1,"verb":"setState"})",
      R"({"normlab":1,"verb":"setState","state":[1]})",
      R"({"normlab":1,"verb":"dispatch","action":"step"})",
      R"({"normlab":1,"verb":"dispatch"})",
      R"({"normlab":1,"id":{"a":1},"verb":"play"})",
      R"({"normlab":1,"id":1.5,"verb":"play"})",
      R"({"normlab":1,"verb":"subscribe"})",
      R"({"normlab":1,"verb":"step","count":3)",              // truncated
  };
  for (const char* text : bad) {
    INFO(text);
    const json r = reply(s, text);
    CHECK(r["ok"] == false);
    CHECK_FALSE(r["error"].get<std::string>().empty());
  }
  CHECK(step_of(s) == 0);
  CHECK_FALSE(s.playing);
  CHECK(nl::app::encode_url_state(s) == before);
}

TEST_CASE("api: an error reply echoes a readable id", "[app][api]") {
  auto s = fresh_session();
  const json r = reply(s, R"({"normlab":1,"id":"q9","verb":"fly"})");
  CHECK(r["ok"] == false);
  CHECK(r["id"] == "q9");
  CHECK(r["error"].get<std::string>().find("fly") != std::string::npos);
  const std::string long_id(65, 'x');
  const json r2 = reply(s, R"({"normlab":1,"verb":"play","id":")" + long_id + "\"}");
  CHECK(r2["ok"] == false);
  CHECK(r2["id"].is_null());
  CHECK_FALSE(s.playing);
}

TEST_CASE("api: a message over the size limit is refused before parsing", "[app][api]") {
  auto s = fresh_session();
  std::string big = R"({"normlab":1,"verb":"step","pad":")";
  big.append(nl::app::kMaxApiMessageBytes, 'a');
  big += "\"}";
  const json r = reply(s, big);
  CHECK(r["ok"] == false);
  CHECK(r["error"].get<std::string>().find("limit") != std::string::npos);
}

TEST_CASE("api: the poll signature changes with settings and play state only", "[app][api]") {
  auto s = fresh_session();
  const json a = nl::app::api_poll(s);
  nl::app::apply(s, nl::app::act::Step{2});
  const json b = nl::app::api_poll(s);
  CHECK(b["step"] == 2);
  CHECK(a["state"] == b["state"]);
  nl::app::apply(s, nl::app::act::SetLearningRate{0.03f});
  CHECK(nl::app::api_poll(s)["state"] != b["state"]);
  const json c = nl::app::api_poll(s);
  nl::app::apply(s, nl::app::act::Play{});
  CHECK(nl::app::api_poll(s)["state"] != c["state"]);
  CHECK(nl::app::api_poll(s)["playing"] == true);
}

TEST_CASE("api: the poll carries lesson progress", "[app][api]") {
  auto s = fresh_session();
  const json p = nl::app::api_poll(s);
  REQUIRE(p.contains("lesson"));
  CHECK(p["lesson"]["id"].is_null());
  const json r = reply(s, R"({"normlab":1,"verb":"dispatch","action":{"type":"open_lesson","id":"01-what-bn-computes"}})");
  REQUIRE(r["ok"] == true);
  const json q = nl::app::api_poll(s);
  CHECK(q["lesson"]["id"] == "01-what-bn-computes");
  CHECK(q["lesson"]["step"] == 1);
  reply(s, R"({"normlab":1,"verb":"dispatch","action":{"type":"lesson_next"}})");
  CHECK(nl::app::api_poll(s)["lesson"]["step"] == 2);
}
