// URL state: the whole playground setup (settings, view, inspector selection, classroom
// options) as compact hash text, e.g. "ds=circles&noise=0.2&h=8r-b,8r-b&lr=0.03&p=inspector",
// and back. Only keys that differ from the defaults are written; applying a hash sets every
// key it does not name to its default. Not here: reading or writing location.hash, the
// clipboard (the platform does both), lessons' own keys (they join the key table).
//
// Keys (defaults: default_spec(), ViewState{}, InspectorState{}, ClassroomOptions{}):
//   settings   one key per field of the settings schema (settings_schema.h: ds n noise tf dseed
//              h init nseed eps mom aff trs grp rmax dmax opt lr om wd b1 b2 aeps bs sseed),
//              with the schema's ranges; the README's settings reference lists them. h is
//              "8r-b,8r-b" (per layer: width, activation i|r|l|t|s = identity|relu|leaky_relu|
//              tanh|sigmoid, '-', norm n|b|l|g|r = none|batchnorm|layernorm|groupnorm|
//              batchrenorm, 'a' if after the activation; "none" for no hidden layer); mom is a
//              number or "cma" (cumulative average)
//   view       p panel (panel_name()), th dark|light, tp test points 0|1, disc 0|1, pc class of
//              added points 0|1, why twin|distribution|gradients|histograms|cost, wl wu Why
//              layer and unit, wpost 0|1 (histograms of activation outputs)
//   inspector  il layer, if feature, ix sample, is stage (raw|mean|centred|variance|normalized|
//              affine|running|eval), ie eval view 0|1, bp backprop step (forward|dy|dbeta|dgamma|
//              dxhat|dvar|dmean|dx|compact)
//   training   sp steps per frame, sl 0|1 stop at loss, slt target loss, ss 0|1 stop at
//              step, ssn step (ranges: field::kSpeed, kStopLossTarget, kStopMaxSteps)
//   classroom  hide=lr,batch_size,panel:why (ids of classroom.h), lock 0|1, paused 0|1
//   lesson     lesson id (assets/lessons, e.g. 08-scale-invariance), ls its step (1-based): the
//              lesson opens last and replays its preset and steps up to ls (lesson_actions.h)
// Seeds are integers in [0, 2^63 - 1]. Floats are written with float_shortest (bit-exact).
//
// A new setting gets its key from the schema (settings_schema.h). To add any other key: append
// one UrlKey to the table in url_state.cpp (key, a write function
// that renders the value from a UrlDraft, a read function that parses it into the draft,
// clamping or refusing with a complaint), and a field to UrlDraft if the value lives
// outside the ones there; then list the key here. Keys must be unique (checked in tests).
//
//   std::string hash = encode_url_state(session);            // "" for the defaults
//   UrlStateReport r = apply_url_state(session, "#lr=0.03&p=why");
//   for (const auto& why : r.ignored) log(why);              // also shown as a Notice
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/session.h"

namespace nl::app {

// The hash text without '#'; "" when everything is at its default. Values are
// percent-encoded where needed (panel:why and commas stay readable).
std::string encode_url_state(const Session& session);
// The same with other classroom options (the Share dialog's classroom link).
std::string encode_url_state(const Session& session, const ClassroomOptions& classroom);

struct UrlStateReport {
  std::vector<std::string> ignored;  // "lr=abc is not a number: kept 0.1", one per problem
  std::vector<std::string> unknown;  // keys the table does not know (silently skipped)
};

// Applies a hash ('#' optional, percent-decoded). Keys it does not name take their default
// values. Malformed or out-of-range values are clamped or replaced by the default and listed
// in `ignored`; if anything was, a dismissible Notice lists it. Valid keys still take
// effect; never crashes, never leaves a non-finite number. The experiment is rebuilt once
// (through act::SetSpec) and only if the settings differ from the session's.
UrlStateReport apply_url_state(Session& session, std::string_view hash);

// The table's keys, in the order encode_url_state writes them (for docs and tests).
std::vector<std::string> url_state_keys();

}  // namespace nl::app
