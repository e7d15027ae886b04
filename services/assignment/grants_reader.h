// GrantsReader: the role grants of a user, which the assignment core checks
// before it gives an assignment to someone. The identity service supplies
// the in-process adapter (services/identity/grants_reader_for_assignment.h).
//
// Implementations are thread-safe and must outlive the core.
#ifndef TESSERA_SERVICES_ASSIGNMENT_GRANTS_READER_H_
#define TESSERA_SERVICES_ASSIGNMENT_GRANTS_READER_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/principal.h"

namespace tessera::assignment {

class GrantsReader {
 public:
  virtual ~GrantsReader() = default;

  // The grants of `user_id` as they are now. NOT_FOUND if there is no such
  // user; other errors are the provider's.
  virtual absl::StatusOr<std::vector<RoleGrant>> GrantsOf(
      std::string_view user_id) = 0;
};

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_GRANTS_READER_H_
