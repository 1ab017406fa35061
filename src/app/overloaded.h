// Overloaded: a set of lambdas as one visitor for std::visit over the Action variant and
// other variants in the app layer. Only the helper; no visiting logic here.
#pragma once

namespace nl::app {

template <class... Ts>
struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace nl::app
