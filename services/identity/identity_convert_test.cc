#include "services/identity/identity_convert.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/status_matchers.h"
#include "gtest/gtest.h"

namespace tessera::identity {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::HasSubstr;

v1::RoleGrant Grant(v1::Role role, std::vector<std::string> languages = {}) {
  v1::RoleGrant g;
  g.set_role(role);
  for (auto& l : languages) g.add_languages(l);
  return g;
}

TEST(IdentityConvertTest, CreateUserRequestKeepsItsFieldsForTheCore) {
  v1::CreateUserRequest req;
  req.set_user_id("alice");
  req.set_display_name("Alice");
  *req.add_roles() = Grant(v1::ROLE_TRANSLATOR, {"de", "fr"});
  ASSERT_OK_AND_ASSIGN(NewUser user, FromProto(req));
  EXPECT_EQ(user.user_id, "alice");
  EXPECT_EQ(user.display_name, "Alice");
  ASSERT_EQ(user.grants.size(), 1u);
  EXPECT_EQ(user.grants[0].role, Role::kTranslator);
  EXPECT_EQ(user.grants[0].languages, (std::vector<std::string>{"de", "fr"}));

  *req.add_roles() = Grant(v1::ROLE_UNSPECIFIED);
  EXPECT_THAT(FromProto(req), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("role must be set")));
}

TEST(IdentityConvertTest, SetRolesNeedsANameAKnownRoleAndAVersion) {
  v1::SetRolesRequest req;
  req.set_user("users/bob");
  *req.add_roles() = Grant(v1::ROLE_REVIEWER, {"it"});
  req.set_version(3);
  ASSERT_OK_AND_ASSIGN(RolesChange change, FromProto(req));
  EXPECT_EQ(change.user_id, "bob");
  EXPECT_EQ(change.expected_version, 3u);
  ASSERT_EQ(change.grants.size(), 1u);
  EXPECT_EQ(change.grants[0].role, Role::kReviewer);

  v1::SetRolesRequest no_version = req;
  no_version.clear_version();
  EXPECT_THAT(FromProto(no_version),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("version is required")));

  // The name is checked first, then the roles, then the version.
  v1::SetRolesRequest bad = no_version;
  *bad.add_roles() = Grant(static_cast<v1::Role>(99));
  EXPECT_THAT(FromProto(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("got 99")));
  bad.set_user("bob");
  EXPECT_THAT(FromProto(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("users/{id}")));
}

TEST(IdentityConvertTest, IssueTokenParsesTheUserName) {
  v1::IssueTokenRequest req;
  req.set_user("users/carol");
  req.set_description("laptop");
  ASSERT_OK_AND_ASSIGN(TokenRequest token, FromProto(req));
  EXPECT_EQ(token.user_id, "carol");
  EXPECT_EQ(token.description, "laptop");
  req.set_user("tokens/carol");
  EXPECT_THAT(FromProto(req), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("user must be")));
}

TEST(IdentityConvertTest, ParseNameAcceptsOnlyOneSegmentUnderTheCollection) {
  ASSERT_OK_AND_ASSIGN(std::string id,
                       ParseName("name", "tokens", "tokens/00ff"));
  EXPECT_EQ(id, "00ff");
  for (const char* bad : {"", "tokens/", "tokens", "users/00ff", "tokens/00/ff",
                          "xtokens/00ff"}) {
    EXPECT_THAT(ParseName("name", "tokens", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("name must be a resource name")))
        << bad;
  }
}

TEST(IdentityConvertTest, ResultsBecomeResponses) {
  User user;
  user.user_id = "dora";
  user.display_name = "Dora";
  user.grants = {RoleGrant{Role::kAdmin, {}},
                 RoleGrant{Role::kTranslator, {"pt-BR"}}};
  user.create_time = absl::FromUnixSeconds(100);
  user.version = 7;

  UserPage page;
  page.users = {user};
  page.next_page_token = "next";
  v1::ListUsersResponse users;
  ToProto(page, &users);
  ASSERT_EQ(users.users_size(), 1);
  const v1::User& u = users.users(0);
  EXPECT_EQ(u.name(), "users/dora");
  EXPECT_EQ(u.user_id(), "dora");
  EXPECT_EQ(u.display_name(), "Dora");
  EXPECT_EQ(u.version(), 7);
  EXPECT_EQ(u.create_time().seconds(), 100);
  ASSERT_EQ(u.roles_size(), 2);
  EXPECT_EQ(u.roles(1).role(), v1::ROLE_TRANSLATOR);
  EXPECT_EQ(u.roles(1).languages(0), "pt-BR");
  EXPECT_EQ(users.next_page_token(), "next");

  IssuedToken issued;
  issued.token.token_id = "00ff";
  issued.token.user_id = "dora";
  issued.token.description = "ci";
  issued.token.create_time = absl::FromUnixSeconds(200);
  issued.secret = "tsr_secret";
  v1::IssueTokenResponse issue;
  ToProto(issued, &issue);
  EXPECT_EQ(issue.secret(), "tsr_secret");
  EXPECT_EQ(issue.token().name(), "tokens/00ff");
  EXPECT_EQ(issue.token().user(), "users/dora");
  EXPECT_EQ(issue.token().description(), "ci");
  EXPECT_FALSE(issue.token().has_revoke_time());

  Token revoked = issued.token;
  revoked.revoke_time = absl::FromUnixSeconds(300);
  v1::ListTokensResponse tokens;
  ToProto(std::vector<Token>{issued.token, revoked}, &tokens);
  ASSERT_EQ(tokens.tokens_size(), 2);
  EXPECT_FALSE(tokens.tokens(0).has_revoke_time());
  EXPECT_EQ(tokens.tokens(1).revoke_time().seconds(), 300);

  v1::WhoAmIResponse me;
  ToProto(user, "00ff", &me);
  EXPECT_EQ(me.user().name(), "users/dora");
  EXPECT_EQ(me.token(), "tokens/00ff");
}

}  // namespace
}  // namespace tessera::identity
