// WorkGuardRegistry: where the assignment core registers itself as the
// translation service's WorkGuard and WorkReader, so that it never names
// the translation core. The translation service's in-process adapter implements it
// (services/translation/translation_reader_for_assignment.h).
//
// Implementations are thread-safe and must outlive the core.
#ifndef TESSERA_SERVICES_ASSIGNMENT_WORK_GUARD_REGISTRY_H_
#define TESSERA_SERVICES_ASSIGNMENT_WORK_GUARD_REGISTRY_H_

#include "services/translation/work_guard.h"
#include "services/translation/work_reader.h"

namespace tessera::assignment {

class WorkGuardRegistry {
 public:
  virtual ~WorkGuardRegistry() = default;

  // From now on every translate or review change passes `guard` (see
  // translation/work_guard.h); nullptr withdraws it. `guard` must stay
  // valid until it is withdrawn. Called before the translation side serves
  // and after it stopped.
  virtual void SetWorkGuard(translation::WorkGuard* guard) = 0;
  // From now on the translations clients read show the assignees and lease
  // holder `reader` reports (see translation/work_reader.h); nullptr
  // withdraws it. Same lifetime rules as SetWorkGuard.
  virtual void SetWorkReader(translation::WorkReader* reader) = 0;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_WORK_GUARD_REGISTRY_H_
