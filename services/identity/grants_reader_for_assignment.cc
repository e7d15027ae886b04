#include "services/identity/grants_reader_for_assignment.h"

#include "common/status_macros.h"

namespace tessera::identity {

absl::StatusOr<std::vector<RoleGrant>> GrantsReaderForAssignment::GrantsOf(
    std::string_view user_id) {
  ASSIGN_OR_RETURN(User user, core_->GetUser(user_id));
  return user.grants;
}

}  // namespace tessera::identity
