// Actions of the Experiments panel (studies, app/study.h): pick a study, run it in the
// background (advance_study in tick()), cancel it. Joined to the Action variant in actions.h.
// Not here: the studies themselves (study_*.cpp).
#pragma once

#include <cstdint>

#include "app/study.h"

namespace nl::app {

namespace act {
struct SelectStudy { StudyKind kind = StudyKind::kCovariateShift; };  // the picker
// Starts `kind` (selects it too); a running study is replaced. seed in [1, 2^32). Same kind
// and seed as the running study or the stored result: nothing restarts (studies are
// deterministic), so lesson replays are cheap.
struct RunStudy { StudyKind kind = StudyKind::kCovariateShift; std::uint64_t seed = 1; };
struct CancelStudy {};  // stops the running study; earlier results stay
}  // namespace act

void apply_study(Session& s, const act::SelectStudy& a);
void apply_study(Session& s, const act::RunStudy& a);
void apply_study(Session& s, const act::CancelStudy& a);

template <class A>
concept StudyAction = requires(Session& s, const A& a) { apply_study(s, a); };

}  // namespace nl::app
