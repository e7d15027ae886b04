#include "services/identity/grants_reader_for_assignment.h"

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/identity/identity_core.h"
#include "storage/store.h"

namespace tessera::identity {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;

TEST(GrantsReaderForAssignmentTest, ReadsTheGrantsOfAUserAsTheyAreNow) {
  TempDir dir;
  FakeClock clock;
  storage::StoreOptions so;
  so.path = dir.Sub("db");
  so.clock = &clock;
  ASSERT_OK_AND_ASSIGN(auto store, storage::Store::Open(so));
  IdentityCore core(store.get(), &clock, RandomSource::Secure());
  GrantsReaderForAssignment reader(&core);
  const Principal admin{"root", "", {{Role::kAdmin, {}}}};
  ASSERT_OK(core.CreateUser(admin, "anna", "Anna",
                            {{Role::kTranslator, {"fr", "de"}}})
                .status());

  ASSERT_OK_AND_ASSIGN(std::vector<RoleGrant> grants, reader.GrantsOf("anna"));
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].role, Role::kTranslator);
  const Principal anna{"anna", "", grants};
  EXPECT_TRUE(anna.HasRoleFor(Role::kTranslator, "de"));
  EXPECT_FALSE(anna.HasRoleFor(Role::kReviewer, "fr"));

  EXPECT_THAT(reader.GrantsOf("nobody"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace tessera::identity
