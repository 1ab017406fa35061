// Stable names of enum values, one table per enum, declared next to the enum as a
// specialization of EnumNames (core/spec.h, app/session.h, ...). Settings files, links,
// actions, the page API, lessons and every "must be one of: ..." message read them here.
//
//   template <> struct EnumNames<Theme> { static constexpr std::array<std::string_view, 2> values = {"dark", "light"}; };
//   enum_names<Theme>()[1] == "light";  enum_from_name<Theme>("dark") == Theme::kDark;
//   enum_choices<Theme>() == "dark, light"
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nl {

// values[i] is the name of static_cast<E>(i): tables list the values in declaration order.
template <class E>
struct EnumNames;

template <class E>
const std::vector<std::string>& enum_names() {
  static const std::vector<std::string> names(EnumNames<E>::values.begin(), EnumNames<E>::values.end());
  return names;
}

template <class E>
std::string enum_to_name(E v) {
  const auto& names = enum_names<E>();
  const auto i = static_cast<std::size_t>(v);
  return i < names.size() ? names[i] : std::string("?");
}

template <class E>
std::optional<E> enum_from_name(std::string_view name) {
  const auto& names = enum_names<E>();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

// "a, b, c": the choices for an error message.
template <class E>
std::string enum_choices() {
  std::string s;
  for (const auto& n : enum_names<E>()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace nl
