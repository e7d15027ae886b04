#include "services/assignment/assignment_convert.h"

#include <string>

#include "common/status_matchers.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tessera::assignment {
namespace {

using ::tessera::testing::StatusIs;

// The field the first violation of `s` names; empty if none.
std::string FieldOf(const absl::Status& s) {
  auto details = DetailsOf(s);
  if (!details.has_value() || details->fields.empty()) return "";
  return details->fields.front().field;
}

TEST(AssignmentConvertTest, UpdateCarriesNameVersionAndFields) {
  v1::UpdateAssignmentRequest req;
  req.mutable_assignment()->set_name("assignments/00000000000000ab");
  req.mutable_assignment()->set_version(7);
  req.mutable_assignment()->set_note("by Friday");
  req.mutable_update_mask()->add_paths("note");
  ASSERT_OK_AND_ASSIGN(UpdateRequest u, UpdateFromProto(req));
  EXPECT_EQ(u.id, "00000000000000ab");
  EXPECT_EQ(u.version, 7u);
  ASSERT_TRUE(u.update.note.has_value());
  EXPECT_EQ(*u.update.note, "by Friday");
  EXPECT_FALSE(u.update.assignee.has_value());
}

TEST(AssignmentConvertTest, UpdateReadsANegativeVersionAsNoCheck) {
  v1::UpdateAssignmentRequest req;
  req.mutable_assignment()->set_name("assignments/x");
  req.mutable_assignment()->set_version(-3);
  req.mutable_update_mask()->add_paths("note");
  ASSERT_OK_AND_ASSIGN(UpdateRequest u, UpdateFromProto(req));
  EXPECT_EQ(u.version, 0u);
}

TEST(AssignmentConvertTest, UpdateChecksTheNameBeforeTheMask) {
  v1::UpdateAssignmentRequest req;
  req.mutable_assignment()->set_name("leases/x");
  absl::Status s = UpdateFromProto(req).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldOf(s), "assignment.name");
  req.mutable_assignment()->set_name("assignments/x");
  s = UpdateFromProto(req).status();
  EXPECT_EQ(FieldOf(s), "update_mask");
  req.mutable_update_mask()->add_paths("state");
  s = UpdateFromProto(req).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldOf(s), "update_mask");
}

TEST(AssignmentConvertTest, UnassignRequiresAVersion) {
  v1::UnassignRequest req;
  req.set_name("assignments/x");
  absl::Status s = UnassignFromProto(req).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldOf(s), "version");
  req.set_version(2);
  ASSERT_OK_AND_ASSIGN(VersionedId v, UnassignFromProto(req));
  EXPECT_EQ(v.id, "x");
  EXPECT_EQ(v.version, 2u);
  req.set_name("assignments/x/y");
  EXPECT_EQ(FieldOf(UnassignFromProto(req).status()), "name");
}

TEST(AssignmentConvertTest, LeaseRequestsTakeVersionZeroButNotNegative) {
  v1::RenewLeaseRequest renew;
  renew.set_name("leases/0123456789abcdef");
  ASSERT_OK_AND_ASSIGN(VersionedId v, RenewFromProto(renew));
  EXPECT_EQ(v.id, "0123456789abcdef");
  EXPECT_EQ(v.version, 0u);
  renew.set_version(-1);
  EXPECT_EQ(FieldOf(RenewFromProto(renew).status()), "version");

  v1::ReleaseLeaseRequest release;
  release.set_name("assignments/0123456789abcdef");
  EXPECT_EQ(FieldOf(ReleaseFromProto(release).status()), "name");
  release.set_name("leases/0123456789abcdef");
  release.set_version(4);
  ASSERT_OK_AND_ASSIGN(v, ReleaseFromProto(release));
  EXPECT_EQ(v.version, 4u);
}

TEST(AssignmentConvertTest, ProgressNamesTheStatementAndLanguages) {
  v1::GetProgressRequest req;
  req.set_statement("statements/s1");
  req.add_languages("fr");
  req.add_languages("de");
  ASSERT_OK_AND_ASSIGN(ProgressRequest p, ProgressFromProto(req));
  EXPECT_EQ(p.statement_id, "s1");
  EXPECT_EQ(p.languages, (std::vector<std::string>{"fr", "de"}));
  req.set_statement("s1");
  absl::Status s = ProgressFromProto(req).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(FieldOf(s), "statement");
}

TEST(AssignmentConvertTest, MyWorkKeepsTheLanguagesInOrder) {
  v1::GetMyWorkRequest req;
  req.add_languages("pt-BR");
  req.add_languages("es");
  EXPECT_EQ(LanguagesFromProto(req), (std::vector<std::string>{"pt-BR", "es"}));
}

TEST(AssignmentConvertTest, PageCarriesItsAssignmentsAndToken) {
  AssignmentPage page;
  page.assignments.resize(2);
  page.assignments[0].assignment_id = "00000000000000aa";
  page.assignments[1].assignment_id = "00000000000000bb";
  page.next_page_token = "next";
  v1::ListAssignmentsResponse resp;
  ToProto(page, &resp);
  ASSERT_EQ(resp.assignments_size(), 2);
  EXPECT_EQ(resp.assignments(0).name(), "assignments/00000000000000aa");
  EXPECT_EQ(resp.assignments(1).name(), "assignments/00000000000000bb");
  EXPECT_EQ(resp.next_page_token(), "next");
}

}  // namespace
}  // namespace tessera::assignment
