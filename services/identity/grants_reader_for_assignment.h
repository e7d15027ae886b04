// GrantsReaderForAssignment: the in-process GrantsReader of the assignment
// core (services/assignment/grants_reader.h), answered by IdentityCore.
//
// Thread-safe; the core must outlive the adapter.
#ifndef TESSERA_SERVICES_IDENTITY_GRANTS_READER_FOR_ASSIGNMENT_H_
#define TESSERA_SERVICES_IDENTITY_GRANTS_READER_FOR_ASSIGNMENT_H_

#include "services/assignment/grants_reader.h"
#include "services/identity/identity_core.h"

namespace tessera::identity {

class GrantsReaderForAssignment final : public assignment::GrantsReader {
 public:
  explicit GrantsReaderForAssignment(const IdentityCore* core) : core_(core) {}

  absl::StatusOr<std::vector<RoleGrant>> GrantsOf(
      std::string_view user_id) override;

 private:
  const IdentityCore* core_;
};

}  // namespace tessera::identity

#endif  // TESSERA_SERVICES_IDENTITY_GRANTS_READER_FOR_ASSIGNMENT_H_
