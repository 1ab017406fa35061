// URL state (see url_state.h for the keys): a data-driven key table, each key a write and a
// read function over a UrlDraft; encode writes the keys whose text differs from the
// defaults', apply parses into a draft of defaults, then builds the experiment once and
// sets the rest through actions. Not here: location.hash, history, clipboard (platform).
#include "app/url_state.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "app/action_json.h"  // enum_names
#include "app/actions.h"
#include "app/classroom_gate.h"
#include "app/lesson.h"  // find_lesson: the lesson key
#include "app/settings_json.h"  // float_shortest, settings_to_json
#include "app/settings_schema.h"

namespace nl::app {

namespace {

constexpr std::size_t kMaxHashLength = 16384;
using field::kHidden;
using field::kLayerWidth;

// Everything a link can carry, at the defaults until keys are read into it.
struct UrlDraft {
  ExperimentSpec spec = default_spec();
  ViewState view;
  InspectorState inspector;  // layer, feature, sample, stage, eval_view, backprop_step
  int speed = 1;
  StopCondition stop;
  std::string lesson;    // the open lesson ("" none) and its step, 1-based (lesson_actions.h)
  int lesson_step = 1;
  ClassroomOptions classroom;
};

UrlDraft draft_of(const Session& s) {
  UrlDraft d;
  d.spec = s.spec;
  d.view = s.view;
  d.inspector = s.inspector;
  d.speed = s.steps_per_frame;
  d.stop = s.stop;
  d.classroom = s.classroom.options;
  d.lesson = s.lesson.id;
  d.lesson_step = s.lesson.open() ? s.lesson.step : 1;
  return d;
}

// One key: render its value from a draft, and parse a value into a draft. read returns ""
// when the value was taken as is, else why not and what was done ("is not a number: kept 0.1").
struct UrlKey {
  std::string key;
  std::function<std::string(const UrlDraft&)> write;
  std::function<std::string(UrlDraft&, const std::string&)> read;
};

// For messages: printable ASCII only (the notice must be valid UTF-8), at most 40 characters.
std::string shown(const std::string& s) {
  std::string out;
  for (const char ch : s.substr(0, 40)) out += (ch >= 32 && ch < 127) ? ch : '?';
  if (s.size() > 40) out += "...";
  return out;
}

// ---- value parsing ---------------------------------------------------------------------

bool plain_number_text(const std::string& v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
  return true;
}

// A float in the field's range; out of range is clamped, malformed keeps `out`.
std::string read_float(const std::string& v, float& out, const Field& range_of) {
  const float lo = static_cast<float>(range_of.lo), hi = static_cast<float>(range_of.hi);
  const bool lo_open = range_of.lo_open, hi_open = range_of.hi_open;
  const std::string range = range_text(range_of);
  if (!plain_number_text(v)) return "is not a number: kept " + float_shortest(out);
  char* end = nullptr;
  errno = 0;
  float f = std::strtof(v.c_str(), &end);  // strtof, not strtod: float_shortest text reads back bit-exact
  if (end != v.c_str() + v.size() || std::isnan(f)) return "is not a number: kept " + float_shortest(out);
  const float min_ok = lo_open ? std::nextafter(lo, std::numeric_limits<float>::infinity()) : lo;
  const float max_ok = hi_open ? std::nextafter(hi, -std::numeric_limits<float>::infinity()) : hi;
  if (f < min_ok || f > max_ok) {  // also the overflowed +-inf of "1e999"
    f = std::clamp(f, min_ok, max_ok);
    out = f;
    return "is out of range " + range + ": clamped to " + float_shortest(f);
  }
  out = f;
  return {};
}

template <class Get>
UrlKey float_key(const Field& f, Get get) {
  UrlKey k;
  k.key = std::string(f.url);
  k.write = [get](const UrlDraft& d) { return float_shortest(get(d)); };
  k.read = [get, &f](UrlDraft& d, const std::string& v) { return read_float(v, get(d), f); };
  return k;
}

template <class I>
std::string parse_integer(const std::string& v, I& out, std::int64_t lo, std::int64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (v.empty() || v.size() > 40 || v.find_first_not_of("+-0123456789") != std::string::npos)
    return "is not a whole number: kept " + std::to_string(out);
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(v.c_str(), &end, 10);
  if (end != v.c_str() + v.size()) return "is not a whole number: kept " + std::to_string(out);
  const bool overflow = errno == ERANGE;
  const std::int64_t i = static_cast<std::int64_t>(parsed);
  if (overflow || i < lo || i > hi) {
    const std::int64_t c = overflow ? (parsed < 0 ? lo : hi) : std::clamp(i, lo, hi);
    out = static_cast<I>(c);
    return "is out of range " + range + ": clamped to " + std::to_string(c);
  }
  out = static_cast<I>(i);
  return {};
}

template <class Get>
UrlKey int_key(const Field& f, Get get) {
  UrlKey k;
  k.key = std::string(f.url);
  k.write = [get](const UrlDraft& d) { return std::to_string(get(d)); };
  k.read = [get, &f](UrlDraft& d, const std::string& v) {
    return parse_integer(v, get(d), static_cast<std::int64_t>(f.lo), static_cast<std::int64_t>(f.hi));
  };
  return k;
}

template <class Get>
UrlKey int_key(std::string key, Get get, std::int64_t lo, std::int64_t hi) {
  UrlKey k;
  k.key = std::move(key);
  k.write = [get](const UrlDraft& d) { return std::to_string(get(d)); };
  k.read = [get, lo, hi](UrlDraft& d, const std::string& v) { return parse_integer(v, get(d), lo, hi); };
  return k;
}

std::string read_seed(const std::string& v, std::uint64_t& out) {
  if (!v.empty() && v[0] == '-') return "is not a seed (a whole number from 0): kept " + std::to_string(out);
  return parse_integer(v, out, 0, kMaxSeed);
}

std::optional<bool> parse_bool(const std::string& v) {
  if (v == "1" || v == "true" || v == "on" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "off" || v == "no") return false;
  return std::nullopt;
}

std::string read_bool(const std::string& v, bool& out) {
  const auto b = parse_bool(v);
  if (!b) return std::string("is not 0 or 1: kept ") + (out ? "1" : "0");
  out = *b;
  return {};
}

template <class E>
std::string read_enum(const std::string& v, E& out) {
  const auto e = enum_from_name<E>(v);
  if (!e) return "is not one of " + enum_choices<E>() + ": kept " + enum_to_name(out);
  out = *e;
  return {};
}

template <class Get>
UrlKey bool_key(std::string key, Get get) {
  UrlKey k;
  k.key = std::move(key);
  k.write = [get](const UrlDraft& d) { return std::string(get(d) ? "1" : "0"); };
  k.read = [get](UrlDraft& d, const std::string& v) { return read_bool(v, get(d)); };
  return k;
}

template <class E, class Get>
UrlKey enum_key(std::string key, Get get) {
  UrlKey k;
  k.key = std::move(key);
  k.write = [get](const UrlDraft& d) { return enum_to_name(get(d)); };
  k.read = [get](UrlDraft& d, const std::string& v) { return read_enum(v, get(d)); };
  return k;
}

// ---- hidden layers: "8r-b,16t-la" ------------------------------------------------------

constexpr char kActivationLetters[] = {'i', 'r', 'l', 't', 's'};  // Activation order
constexpr char kNormLetters[] = {'n', 'b', 'l', 'g', 'r'};        // NormKind order

std::string layers_text(const std::vector<HiddenLayerSpec>& layers) {
  if (layers.empty()) return "none";
  std::string out;
  for (const HiddenLayerSpec& h : layers) {
    if (!out.empty()) out += ',';
    out += std::to_string(h.width);
    out += kActivationLetters[static_cast<std::size_t>(h.activation) % std::size(kActivationLetters)];
    out += '-';
    out += kNormLetters[static_cast<std::size_t>(h.norm) % std::size(kNormLetters)];
    if (h.placement == NormPlacement::kAfterActivation) out += 'a';
  }
  return out;
}

template <std::size_t K>
int letter_index(const char (&letters)[K], char c) {
  for (std::size_t i = 0; i < K; ++i)
    if (letters[i] == c) return static_cast<int>(i);
  return -1;
}

std::string read_layers(const std::string& v, std::vector<HiddenLayerSpec>& hidden) {
  const int max_width = static_cast<int>(kLayerWidth.hi), max_layers = static_cast<int>(kHidden.hi);
  const std::string kept = ": kept " + layers_text(hidden);
  if (v == "none") {
    hidden.clear();
    return {};
  }
  std::vector<HiddenLayerSpec> layers;
  std::string complaint;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = std::min(v.find(',', pos), v.size());
    const std::string token = v.substr(pos, comma - pos);
    // width digits, activation letter, '-', norm letter, optional 'a'
    std::size_t i = 0;
    while (i < token.size() && i < 6 && token[i] >= '0' && token[i] <= '9') ++i;
    const bool shape_ok = i > 0 && (token.size() == i + 3 || (token.size() == i + 4 && token[i + 3] == 'a')) &&
                          token[i + 1] == '-' && letter_index(kActivationLetters, token[i]) >= 0 &&
                          letter_index(kNormLetters, token[i + 2]) >= 0;
    if (!shape_ok) return "is not a list of layers like 8r-b,8r-b (or none)" + kept;
    HiddenLayerSpec h;
    const int width = std::atoi(token.substr(0, i).c_str());
    h.width = std::clamp(width, static_cast<int>(kLayerWidth.lo), max_width);
    if (h.width != width && complaint.empty())
      complaint = "has a width outside " + range_text(kLayerWidth) + ": clamped";
    h.activation = static_cast<Activation>(letter_index(kActivationLetters, token[i]));
    h.norm = static_cast<NormKind>(letter_index(kNormLetters, token[i + 2]));
    h.placement = token.size() == i + 4 ? NormPlacement::kAfterActivation : NormPlacement::kBeforeActivation;
    if (static_cast<int>(layers.size()) < max_layers) {
      layers.push_back(h);
    } else if (complaint.empty()) {
      complaint = "has more than " + std::to_string(max_layers) + " layers: kept the first " + std::to_string(max_layers);
    }
    if (comma >= v.size()) break;
    pos = comma + 1;
  }
  hidden = std::move(layers);
  return complaint;
}

// ---- the settings' keys, from the schema -------------------------------------------------

// A link value of each type a spec member can have: its text and its reading (clamping to
// the field's range, or keeping the value with a complaint).
std::string url_text(const Field&, float v) { return float_shortest(v); }
std::string url_text(const Field&, int v) { return std::to_string(v); }
std::string url_text(const Field&, std::uint64_t v) { return std::to_string(v); }
std::string url_text(const Field&, bool v) { return v ? "1" : "0"; }
template <class E>
  requires std::is_enum_v<E>
std::string url_text(const Field&, E v) {
  return enum_to_name(v);
}
std::string url_text(const Field&, const std::optional<float>& m) { return m ? float_shortest(*m) : std::string("cma"); }
std::string url_text(const Field&, const std::vector<HiddenLayerSpec>& h) { return layers_text(h); }

std::string url_read(const Field& f, float& out, const std::string& v) { return read_float(v, out, f); }
std::string url_read(const Field& f, int& out, const std::string& v) {
  return parse_integer(v, out, static_cast<std::int64_t>(f.lo), static_cast<std::int64_t>(f.hi));
}
std::string url_read(const Field&, std::uint64_t& out, const std::string& v) { return read_seed(v, out); }
std::string url_read(const Field&, bool& out, const std::string& v) { return read_bool(v, out); }
template <class E>
  requires std::is_enum_v<E>
std::string url_read(const Field&, E& out, const std::string& v) {
  return read_enum(v, out);
}
std::string url_read(const Field& f, std::optional<float>& m, const std::string& v) {
  if (v == "cma") {
    m = std::nullopt;
    return {};
  }
  if (!m) {  // kept as cumulative if the number is malformed
    float value = 0.1f;
    const std::string why = read_float(v, value, f);
    if (why.rfind("is not", 0) == 0) return "is not a number or cma: kept cma";
    m = value;
    return why;
  }
  return read_float(v, *m, f);
}
std::string url_read(const Field&, std::vector<HiddenLayerSpec>& h, const std::string& v) { return read_layers(v, h); }

// Calls fn with the member of a spec that field `target` describes (found by visiting the schema).
template <class Fn>
struct MemberFinder : EveryField<MemberFinder<Fn>> {
  MemberFinder(const Field* t, Fn* f) : target(t), fn(f) {}
  const Field* target;
  Fn* fn;
  template <class T> void at(const Field& f, T& m) {
    if (&f == target) (*fn)(m);
  }
};

template <class Spec, class Fn>
void with_member(Spec& spec, const Field& target, Fn fn) {
  MemberFinder<Fn> finder(&target, &fn);
  visit_spec(finder, spec);
}

// Makes one UrlKey per spec field with a link key, in the schema's order.
struct SpecKeys : EveryField<SpecKeys> {
  explicit SpecKeys(std::vector<UrlKey>* t) : table(t) {}
  std::vector<UrlKey>* table;
  template <class T> void at(const Field& f, T&) {
    if (f.url.empty()) return;
    UrlKey k;
    k.key = std::string(f.url);
    k.write = [&f](const UrlDraft& d) {
      std::string text;
      with_member(d.spec, f, [&](const auto& m) { text = url_text(f, m); });
      return text;
    };
    k.read = [&f](UrlDraft& d, const std::string& v) {
      std::string why;
      with_member(d.spec, f, [&](auto& m) { why = url_read(f, m, v); });
      return why;
    };
    table->push_back(std::move(k));
  }
};

void add_spec_keys(std::vector<UrlKey>& table) {
  SpecKeys keys(&table);
  ExperimentSpec shape;
  visit_spec(keys, shape);
}

// ---- the table -------------------------------------------------------------------------

const std::vector<UrlKey>& key_table() {
  static const std::vector<UrlKey> table = [] {
    std::vector<UrlKey> t;
    add_spec_keys(t);  // data, network, optimizer and batches: settings_schema.h
    // View.
    t.push_back(enum_key<Panel>("p", [](auto& d) -> auto& { return d.view.panel; }));
    t.push_back(enum_key<Theme>("th", [](auto& d) -> auto& { return d.view.theme; }));
    t.push_back(bool_key("tp", [](auto& d) -> auto& { return d.view.show_test_points; }));
    t.push_back(bool_key("disc", [](auto& d) -> auto& { return d.view.discretize_heatmap; }));
    t.push_back(int_key("pc", [](auto& d) -> auto& { return d.view.new_point_class; }, 0, 1));
    t.push_back(enum_key<WhyView>("why", [](auto& d) -> auto& { return d.view.why_view; }));
    t.push_back(int_key("wl", [](auto& d) -> auto& { return d.view.why_layer; }, 0, kMaxHiddenLayers - 1));
    t.push_back(int_key("wu", [](auto& d) -> auto& { return d.view.why_unit; }, 0, kMaxLayerWidth - 1));
    t.push_back(bool_key("wpost", [](auto& d) -> auto& { return d.view.why_post_activation; }));
    // Inspector and backprop stepper.
    t.push_back(int_key("il", [](auto& d) -> auto& { return d.inspector.layer; }, -1, kMaxHiddenLayers - 1));
    t.push_back(int_key("if", [](auto& d) -> auto& { return d.inspector.feature; }, 0, kMaxLayerWidth - 1));
    t.push_back(int_key("ix", [](auto& d) -> auto& { return d.inspector.sample; }, 0, 100000));
    t.push_back(enum_key<InspectorStage>("is", [](auto& d) -> auto& { return d.inspector.stage; }));
    t.push_back(bool_key("ie", [](auto& d) -> auto& { return d.inspector.eval_view; }));
    t.push_back(enum_key<BackpropStep>("bp", [](auto& d) -> auto& { return d.inspector.backprop_step; }));
    // Training.
    t.push_back(int_key(field::kSpeed, [](auto& d) -> auto& { return d.speed; }));
    t.push_back(bool_key("sl", [](auto& d) -> auto& { return d.stop.on_loss; }));
    t.push_back(float_key(field::kStopLossTarget, [](auto& d) -> auto& { return d.stop.target_train_loss; }));
    t.push_back(bool_key("ss", [](auto& d) -> auto& { return d.stop.on_steps; }));
    t.push_back(int_key(field::kStopMaxSteps, [](auto& d) -> auto& { return d.stop.max_steps; }));
    // Classroom (classroom.h).
    t.push_back(UrlKey{"hide",
                       [](const UrlDraft& d) {
                         std::string out;
                         for (const auto& id : d.classroom.hidden) out += (out.empty() ? "" : ",") + id;
                         return out;
                       },
                       [](UrlDraft& d, const std::string& v) -> std::string {
                         std::vector<std::string> ids, bad;
                         std::size_t pos = 0;
                         while (pos <= v.size()) {
                           const std::size_t comma = std::min(v.find(',', pos), v.size());
                           std::string id = v.substr(pos, comma - pos);
                           if (!id.empty()) (is_classroom_id(id) ? ids : bad).push_back(std::move(id));
                           pos = comma + 1;
                         }
                         d.classroom.hidden = normalized_ids(std::move(ids));
                         if (bad.empty()) return {};
                         std::string list;
                         for (const auto& b : bad) list += (list.empty() ? "" : ", ") + shown(b);
                         return "names unknown controls (" + list + "): hid the others";
                       }});
    t.push_back(bool_key("lock", [](auto& d) -> auto& { return d.classroom.locked; }));
    t.push_back(bool_key("paused", [](auto& d) -> auto& { return d.classroom.start_paused; }));
    // Lesson (lesson_actions.h): opened last, so its preset and steps decide what it shows.
    t.push_back(UrlKey{"lesson", [](const UrlDraft& d) { return d.lesson; },
                       [](UrlDraft& d, const std::string& v) -> std::string {
                         if (!v.empty() && find_lesson(v) == nullptr) return "is not a lesson: no lesson opened";
                         d.lesson = v;
                         return {};
                       }});
    t.push_back(int_key("ls", [](auto& d) -> auto& { return d.lesson_step; }, 1, 1000));
    return t;
  }();
  return table;
}

// ---- text ------------------------------------------------------------------------------

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; a '%' without two hex digits stays as it is.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Letters, digits and - _ . ~ , : + stay as they are (readable links); the rest is %XX.
std::string percent_encode(const std::string& s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || c == ',' || c == ':' || c == '+') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool same_spec(const ExperimentSpec& a, const ExperimentSpec& b) { return settings_to_json(a) == settings_to_json(b); }

// Rules across keys that the key table cannot check one by one.
void fit_together(UrlDraft& d, UrlStateReport& report) {
  auto& norm = d.spec.net.norm;
  int g = norm.groups;
  for (const HiddenLayerSpec& h : d.spec.net.hidden)
    if (h.norm == NormKind::kGroupNorm) g = std::gcd(g, h.width);
  if (g != norm.groups) {
    report.ignored.push_back("grp=" + std::to_string(norm.groups) + " does not divide every GroupNorm width: set to " +
                             std::to_string(g));
    norm.groups = g;
  }
}

// Applies one action; if it sets a Notice, that is a complaint about `keys`.
bool apply_checked(Session& s, const Action& a, const std::string& keys, UrlStateReport& report) {
  s.notice.reset();
  apply(s, a);
  if (!s.notice) return true;
  report.ignored.push_back(keys + ": " + s.notice->message);
  s.notice.reset();
  return false;
}

// Builds the draft's settings; if they do not fit together, falls back section by section
// (data, then network, then optimizer and batches) to the defaults.
void build_settings(Session& s, const UrlDraft& d, UrlStateReport& report) {
  if (same_spec(d.spec, s.spec)) return;
  const ExperimentSpec defaults = default_spec();
  ExperimentSpec attempt = d.spec;
  const char* const kSections[] = {"the data keys (ds, n, noise, tf, dseed)",
                                   "the network keys (h, init, nseed, eps, mom, aff, trs, grp, rmax, dmax)",
                                   "the optimizer keys (opt, lr, om, wd, b1, b2, aeps, bs, sseed)"};
  for (int stage = 0; stage <= 3; ++stage) {
    s.notice.reset();
    apply(s, act::SetSpec{attempt});
    if (!s.notice && same_spec(s.spec, attempt)) return;
    const std::string why = s.notice ? s.notice->message : std::string("the settings were refused");
    s.notice.reset();
    if (stage == 3) {
      report.ignored.push_back("the settings do not fit together (" + why + "): kept the current ones");
      return;
    }
    report.ignored.push_back(std::string(kSections[stage]) + " do not fit the rest (" + why + "): used their defaults");
    if (stage == 0) attempt.data = defaults.data;
    if (stage == 1) attempt.net = defaults.net;
    if (stage == 2) {
      attempt.optimizer = defaults.optimizer;
      attempt.batch_size = defaults.batch_size;
      attempt.shuffle_seed = defaults.shuffle_seed;
    }
  }
}

}  // namespace

std::vector<std::string> url_state_keys() {
  std::vector<std::string> keys;
  for (const UrlKey& k : key_table()) keys.push_back(k.key);
  return keys;
}

std::string encode_url_state(const Session& session) { return encode_url_state(session, session.classroom.options); }

std::string encode_url_state(const Session& session, const ClassroomOptions& classroom) {
  UrlDraft now = draft_of(session);
  now.classroom = classroom;
  const UrlDraft defaults;
  std::string out;
  for (const UrlKey& k : key_table()) {
    const std::string value = k.write(now);
    if (value == k.write(defaults)) continue;
    if (!out.empty()) out += '&';
    out += k.key + "=" + percent_encode(value);
  }
  return out;
}

UrlStateReport apply_url_state(Session& s, std::string_view hash) {
  UrlStateReport report;
  const std::optional<Notice> previous_notice = s.notice;
  if (!hash.empty() && hash.front() == '#') hash.remove_prefix(1);
  if (hash.size() > kMaxHashLength) {
    report.ignored.push_back("the link is longer than " + std::to_string(kMaxHashLength) + " characters: read the start only");
    hash = hash.substr(0, kMaxHashLength);
  }

  // Parse every key=value into a draft of defaults.
  UrlDraft d;
  const auto& table = key_table();
  std::size_t pos = 0;
  while (pos < hash.size()) {
    const std::size_t amp = std::min(hash.find('&', pos), hash.size());
    const std::string_view pair = hash.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string key = percent_decode(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    const auto it = std::find_if(table.begin(), table.end(), [&](const UrlKey& k) { return k.key == key; });
    if (it == table.end()) {
      report.unknown.push_back(shown(key));
      continue;
    }
    const std::string why = it->read(d, value);
    if (!why.empty()) report.ignored.push_back(key + "=" + shown(value) + " " + why);
  }
  fit_together(d, report);

  // The experiment, once.
  build_settings(s, d, report);

  // View, inspector, training and classroom options, through their actions (which check
  // them against the experiment just built).
  apply_checked(s, act::SetTheme{d.view.theme}, "th", report);
  apply_checked(s, act::SetShowTestPoints{d.view.show_test_points}, "tp", report);
  apply_checked(s, act::SetDiscretize{d.view.discretize_heatmap}, "disc", report);
  if (!apply_checked(s, act::SetPointClass{d.view.new_point_class}, "pc", report)) s.view.new_point_class = 0;
  apply_checked(s, act::SetWhyView{d.view.why_view}, "why", report);
  apply_checked(s, act::SetWhyHistogramSide{d.view.why_post_activation}, "wpost", report);
  if (d.view.why_layer != s.view.why_layer || d.view.why_unit != s.view.why_unit) {
    if (!apply_checked(s, act::SelectWhyUnit{d.view.why_layer, d.view.why_unit}, "wl, wu", report)) {
      s.view.why_layer = 0;  // the defaults, valid for any network the views draw
      s.view.why_unit = 0;
    }
  }
  apply_checked(s, act::ShowPanel{d.view.panel}, "p", report);

  // The inspector starts from its defaults; only the link's choices are applied on top.
  const InspectorState fresh;
  s.inspector.layer = fresh.layer;
  s.inspector.feature = fresh.feature;
  s.inspector.sample = fresh.sample;
  s.inspector.stage = fresh.stage;
  s.inspector.eval_view = fresh.eval_view;
  s.inspector.backprop_step = fresh.backprop_step;
  if (d.inspector.layer != fresh.layer) apply_checked(s, act::InspectLayer{d.inspector.layer}, "il", report);
  if (d.inspector.feature != fresh.feature) apply_checked(s, act::InspectFeature{d.inspector.feature}, "if", report);
  if (d.inspector.sample != fresh.sample) apply_checked(s, act::InspectSample{d.inspector.sample}, "ix", report);
  apply_checked(s, act::SetInspectorStage{d.inspector.stage}, "is", report);
  apply_checked(s, act::SetInspectorEval{d.inspector.eval_view}, "ie", report);
  apply_checked(s, act::SetBackpropStep{d.inspector.backprop_step}, "bp", report);

  apply_checked(s, act::SetSpeed{d.speed}, "sp", report);
  apply_checked(s, act::SetStopCondition{d.stop}, "sl, slt, ss, ssn", report);
  apply_checked(s, act::SetClassroom{d.classroom}, "hide, lock, paused", report);

  // The lesson replays its preset and steps up to ls (a link names every key it needs).
  if (!d.lesson.empty()) {
    if (apply_checked(s, act::OpenLesson{d.lesson}, "lesson", report) && d.lesson_step > 1) {
      const int step = std::min(d.lesson_step, s.lesson.count);
      if (step != d.lesson_step)
        report.ignored.push_back("ls=" + std::to_string(d.lesson_step) + " is beyond the lesson's " +
                                 std::to_string(s.lesson.count) + " steps: opened step " + std::to_string(step));
      apply_checked(s, act::LessonGoTo{step}, "ls", report);
    }
  } else if (s.lesson.open()) {
    apply(s, act::CloseLesson{});
  }

  if (!report.ignored.empty()) {
    std::string list;
    for (const auto& why : report.ignored) list += (list.empty() ? "" : "; ") + why;
    s.notice = Notice{"Parts of this link were ignored: " + list + ".",
                      "The rest of the link was applied. Dismiss this to keep going."};
  } else {
    s.notice = previous_notice;
  }
  return report;
}

}  // namespace nl::app
