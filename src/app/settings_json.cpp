// ExperimentSpec <-> JSON with validation of every field (see settings_json.h for the
// schema). Errors are Result values with the key path; no exceptions escape (the parser
// runs in its non-throwing mode).
#include "app/settings_json.h"

#include "app/session.h"
#include "app/settings_schema.h"

#include "core/assert.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace nl {

namespace {

using nlohmann::json;

// Reads one object's fields, remembering which keys were consumed so that leftovers can be
// reported as unknown. The first error sticks; later reads are no-ops.
class Reader {
 public:
  Reader(const json& obj, std::string path, std::optional<Error>& err)
      : obj_(obj), path_(std::move(path)), err_(err) {
    if (!err_ && !obj_.is_object()) fail(where() + " must be a JSON object");
  }

  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  const json* get(const std::string& key) {
    seen_.insert(key);
    if (err_ || !obj_.is_object()) return nullptr;
    const auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  // A float field: a JSON number within the field's range (settings_schema.h).
  void number(const app::Field& f, float& out) {
    const std::string key(f.leaf());
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_number()) return fail(key_path(key) + " must be a number");
    const double d = v->get<double>();
    if (auto why = app::refusal(f, d, key_path(key))) return fail(*why);
    const float single = static_cast<float>(d);
    // A positive double can round to a float of 0 (e.g. 2e-48): the spec holds floats.
    if (f.lo_open && static_cast<double>(single) <= f.lo)
      return fail(key_path(key) + " is too small: " + fmt(d) + " is 0 as a 32-bit float");
    out = single;
  }

  template <typename I>
  void integer(const app::Field& f, I& out) {
    std::int64_t i = 0;
    if (!read_int64(std::string(f.leaf()), i)) return;
    if (auto why = app::refusal(f, static_cast<double>(i), key_path(std::string(f.leaf())))) return fail(*why);
    out = static_cast<I>(i);
  }

  void seed(const app::Field& f, std::uint64_t& out) {
    std::int64_t i = 0;
    const std::string key(f.leaf());
    if (!read_int64(key, i)) return;
    if (i < 0)
      return fail(key_path(key) + " must be an integer in [0, " + std::to_string(app::kMaxSeed) + "] (got " +
                  std::to_string(i) + ")");
    out = static_cast<std::uint64_t>(i);
  }

  void boolean(const app::Field& f, bool& out) {
    const std::string key(f.leaf());
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) return fail(key_path(key) + " must be true or false");
    out = v->get<bool>();
  }

  template <typename E>
  void choice(const app::Field& f, E& out) {
    const std::string key(f.leaf());
    const json* v = get(key);
    if (v == nullptr) return;
    const auto& names = enum_names<E>();
    if (v->is_string()) {
      const auto s = v->get<std::string>();
      for (std::size_t i = 0; i < names.size(); ++i)
        if (s == names[i]) {
          out = static_cast<E>(i);
          return;
        }
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    fail(key_path(key) + " must be one of: " + list + " (got " + v->dump() + ")");
  }

  // Call after all reads: any key not read is an error (typos must not pass silently).
  void finish() {
    if (err_ || !obj_.is_object()) return;
    for (const auto& [k, v] : obj_.items()) {
      if (seen_.count(k) == 0) {
        std::string known;
        for (const auto& s : seen_) known += (known.empty() ? "" : ", ") + s;
        return fail("unknown key " + key_path(k) + " (known keys: " + known + ")");
      }
    }
  }

  std::optional<Error>& error_slot() { return err_; }

  void fail(const std::string& message) {
    if (!err_) err_ = make_error(message, "See the settings schema in src/app/settings_json.h.");
  }

 private:
  // A JSON integer (or a float with an integral value, 32.0 reads as 32) into i; false when
  // the key is absent or (with an error) not an integer.
  bool read_int64(const std::string& key, std::int64_t& i) {
    const json* v = get(key);
    if (v == nullptr) return false;
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(key_path(key) + " is too large");
        return false;
      }
      i = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      i = v->get<std::int64_t>();
    } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
               v->get<double>() == std::floor(v->get<double>()) && std::abs(v->get<double>()) < 9e15) {
      i = static_cast<std::int64_t>(v->get<double>());
    } else {
      fail(key_path(key) + " must be an integer");
      return false;
    }
    return true;
  }

  std::string where() const { return path_.empty() ? "the settings" : path_; }
  static std::string fmt(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", d);
    return buf;
  }

  const json& obj_;
  std::string path_;
  std::optional<Error>& err_;
  std::set<std::string> seen_;
};

// Reads a whole spec by visiting the schema (settings_schema.h visit_spec): one Reader per
// JSON object, so unknown keys are reported with their path.
class SchemaReader {
 public:
  explicit SchemaReader(Reader& r) : r_(&r) {}

  template <class Body>
  void group(const char* name, Body&& body) {
    const json* g = r_->get(name);
    if (g == nullptr) return;
    Reader inner(*g, r_->key_path(name), err());
    Reader* outer = r_;
    r_ = &inner;
    body();
    inner.finish();
    r_ = outer;
  }
  void number(const app::Field& f, float& v) { r_->number(f, v); }
  template <class I> void integer(const app::Field& f, I& v) { r_->integer(f, v); }
  void seed(const app::Field& f, std::uint64_t& v) { r_->seed(f, v); }
  void boolean(const app::Field& f, bool& v) { r_->boolean(f, v); }
  template <class E> void choice(const app::Field& f, E& v) { r_->choice(f, v); }
  void momentum(const app::Field& f, std::optional<float>& v) {
    const std::string key(f.leaf());
    if (const json* m = r_->get(key); m != nullptr && m->is_null()) {
      v = std::nullopt;  // cumulative moving average
    } else if (m != nullptr) {
      float value = 0.1f;
      r_->number(f, value);
      v = value;
    }
  }
  void layers(const app::Field& f, std::vector<HiddenLayerSpec>& out) {
    const std::string key(f.leaf());
    const json* h = r_->get(key);
    if (h == nullptr) return;
    if (!h->is_array() || h->size() > static_cast<std::size_t>(f.hi)) {
      r_->fail(r_->key_path(key) + " must be an array of at most " + std::to_string(static_cast<int>(f.hi)) +
               " layer objects");
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < h->size(); ++i) {
      HiddenLayerSpec layer;
      Reader lr((*h)[i], r_->key_path(key) + "[" + std::to_string(i) + "]", err());
      SchemaReader inner(lr);
      app::visit_hidden_layer(inner, layer);
      lr.finish();
      out.push_back(layer);
    }
  }

 private:
  std::optional<Error>& err() { return r_->error_slot(); }
  Reader* r_;
};

// Writes a whole spec by visiting the schema: every key, always.
class SchemaWriter {
 public:
  template <class Body>
  void group(const char* name, Body&& body) {
    json inner = json::object();
    std::swap(inner, out_);
    body();
    std::swap(inner, out_);
    out_[name] = std::move(inner);
  }
  void number(const app::Field& f, float v) { out_[std::string(f.leaf())] = float_for_json(v); }
  template <class I> void integer(const app::Field& f, I v) { out_[std::string(f.leaf())] = v; }
  void seed(const app::Field& f, std::uint64_t v) { out_[std::string(f.leaf())] = v; }
  void boolean(const app::Field& f, bool v) { out_[std::string(f.leaf())] = v; }
  template <class E> void choice(const app::Field& f, E v) {
    out_[std::string(f.leaf())] = enum_names<E>().at(static_cast<std::size_t>(v));
  }
  void momentum(const app::Field& f, const std::optional<float>& v) {
    out_[std::string(f.leaf())] = v ? json(float_for_json(*v)) : json(nullptr);
  }
  void layers(const app::Field& f, const std::vector<HiddenLayerSpec>& hidden) {
    json list = json::array();
    for (const HiddenLayerSpec& h : hidden) {
      SchemaWriter w;
      app::visit_hidden_layer(w, h);
      list.push_back(std::move(w.out_));
    }
    out_[std::string(f.leaf())] = std::move(list);
  }
  json take() { return std::move(out_); }

 private:
  json out_ = json::object();
};

}  // namespace

std::string float_shortest(float v) {
  // The fewest significant digits that read back to the same float (at most 9 are needed).
  // snprintf, not std::to_chars: Emscripten 3.1.6's libc++ has no floating to_chars.
  char buf[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

double float_for_json(float v) {
  if (!std::isfinite(v)) return static_cast<double>(v);
  return std::strtod(float_shortest(v).c_str(), nullptr);
}

Result<ExperimentSpec> settings_from_json(const json& j) {
  ExperimentSpec spec = app::default_spec();  // what a missing key means: the playground's value
  std::optional<Error> err;
  Reader top(j, "", err);
  SchemaReader reader(top);
  app::visit_spec(reader, spec);
  top.finish();

  // Cross-field rules.
  if (!err) {
    for (std::size_t i = 0; i < spec.net.hidden.size(); ++i) {
      const auto& h = spec.net.hidden[i];
      if (h.norm == NormKind::kGroupNorm && h.width % spec.net.norm.groups != 0) {
        err = make_error("net.hidden[" + std::to_string(i) + "].width (" +
                             std::to_string(h.width) + ") must be divisible by net.norm.groups (" +
                             std::to_string(spec.net.norm.groups) + ") for GroupNorm",
                         "Change the width or the number of groups.");
        break;
      }
    }
  }
  if (err) return *err;
  return spec;
}

void merge_settings(json& target, const json& patch) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_object() && target.contains(it.key()) && target[it.key()].is_object())
      merge_settings(target[it.key()], *it);
    else
      target[it.key()] = *it;
  }
}

Result<ExperimentSpec> settings_from_json_text(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error("the settings are not valid JSON",
                      "Check brackets, commas and quotes; NaN and Infinity are not JSON.");
  }
  return settings_from_json(j);
}

json settings_to_json(const ExperimentSpec& spec) {
  SchemaWriter writer;
  app::visit_spec(writer, spec);
  return writer.take();
}

std::string settings_to_json_text(const ExperimentSpec& spec, int indent) {
  return settings_to_json(spec).dump(indent);
}

}  // namespace nl
