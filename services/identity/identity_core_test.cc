#include "services/identity/identity_core.h"

#include <memory>
#include <set>
#include <string>

#include "common/random.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/common/paging.h"
#include "services/identity/identity_keys.h"

namespace tessera::identity {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::HasSubstr;

class IdentityCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.path();
    options.clock = &clock_;
    auto store = storage::Store::Open(options);
    ASSERT_OK(store);
    store_ = std::move(store).value();
    core_ = std::make_unique<IdentityCore>(store_.get(), &clock_,
                                           RandomSource::Secure());
    admin_.user_id = "root";
    admin_.grants = {RoleGrant{Role::kAdmin, {}}};
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<IdentityCore> core_;
  Principal admin_;
};

TEST_F(IdentityCoreTest, IssuedTokenVerifiesToItsUserUntilRevoked) {
  ASSERT_OK(core_->CreateUser(admin_, "alice", "Alice",
                              {RoleGrant{Role::kTranslator, {"de"}}}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t,
                       core_->IssueToken(admin_, "alice", "laptop"));
  EXPECT_EQ(t.secret.substr(0, 4), "tsr_");
  EXPECT_EQ(t.secret.size(), 47u);
  ASSERT_OK_AND_ASSIGN(Principal p, core_->Verify(t.secret));
  EXPECT_EQ(p.user_id, "alice");
  EXPECT_EQ(p.token_id, t.token.token_id);
  EXPECT_TRUE(p.HasRoleFor(Role::kTranslator, "de"));
  EXPECT_FALSE(p.HasRoleFor(Role::kTranslator, "fr"));

  ASSERT_OK(core_->RevokeToken(admin_, t.token.token_id));
  EXPECT_THAT(
      core_->Verify(t.secret),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("revoked")));
  EXPECT_THAT(core_->RevokeToken(admin_, t.token.token_id),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(IdentityCoreTest, SecretsAreNeverStored) {
  ASSERT_OK(core_->CreateUser(admin_, "bob", "", {}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t, core_->IssueToken(admin_, "bob", ""));
  bool found = false;
  ASSERT_OK(store_->Scan(storage::ColumnFamily::kIdentity, "", "",
                         [&](std::string_view k, std::string_view v) {
                           if (k.find(t.secret) != std::string_view::npos ||
                               v.find(t.secret) != std::string_view::npos) {
                             found = true;
                           }
                           return true;
                         }));
  EXPECT_FALSE(found);
}

TEST_F(IdentityCoreTest, ForgedAndMalformedTokensAreUnauthenticated) {
  EXPECT_THAT(core_->Verify(""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(core_->Verify("tsr_short"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(
      core_->Verify("tsr_" + std::string(43, 'A')),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("unknown")));
}

TEST_F(IdentityCoreTest, TokensAreUniqueAcrossManyIssues) {
  ASSERT_OK(core_->CreateUser(admin_, "carol", "", {}));
  std::set<std::string> secrets, ids;
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(IssuedToken t, core_->IssueToken(admin_, "carol", ""));
    secrets.insert(t.secret);
    ids.insert(t.token.token_id);
    clock_.Advance(absl::Seconds(1));
  }
  EXPECT_EQ(secrets.size(), 50u);
  EXPECT_EQ(ids.size(), 50u);
  Principal carol{"carol", "", {}};
  ASSERT_OK_AND_ASSIGN(auto tokens, core_->ListTokens(carol, "carol"));
  ASSERT_EQ(tokens.size(), 50u);
  EXPECT_GT(tokens.front().create_time, tokens.back().create_time);
}

TEST_F(IdentityCoreTest, NonAdminsManageOnlyTheirOwnTokens) {
  ASSERT_OK(core_->CreateUser(admin_, "dave", "", {}));
  ASSERT_OK(core_->CreateUser(admin_, "erin", "", {}));
  Principal dave{"dave", "", {RoleGrant{Role::kTranslator, {}}}};
  ASSERT_OK_AND_ASSIGN(IssuedToken own, core_->IssueToken(dave, "dave", "cli"));
  EXPECT_THAT(core_->IssueToken(dave, "erin", ""),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(IssuedToken erins,
                       core_->IssueToken(admin_, "erin", ""));
  EXPECT_THAT(core_->RevokeToken(dave, erins.token.token_id),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(core_->ListTokens(dave, "erin"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(core_->RevokeToken(dave, own.token.token_id));
}

TEST_F(IdentityCoreTest, CreateUserValidatesAndRefusesDuplicates) {
  EXPECT_THAT(core_->CreateUser(admin_, "", "", {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->CreateUser(admin_, "Alice", "", {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->CreateUser(admin_, std::string(65, 'a'), "", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("64")));
  EXPECT_THAT(core_->CreateUser(admin_, "x", std::string(201, 'n'), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("200")));
  EXPECT_THAT(
      core_->CreateUser(admin_, "x", "", {RoleGrant{Role::kAdmin, {"de"}}}),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->CreateUser(admin_, "x", "",
                                {RoleGrant{Role::kTranslator, {"not a tag"}}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->CreateUser(admin_, "x", "",
                                {RoleGrant{Role::kReviewer, {}},
                                 RoleGrant{Role::kReviewer, {"de"}}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // None of the refused calls created anything.
  EXPECT_THAT(core_->GetUser("x"), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(core_->CreateUser(admin_, "x", "", {}));
  EXPECT_THAT(core_->CreateUser(admin_, "x", "", {}),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(IdentityCoreTest, GrantLanguagesAreCanonicalised) {
  ASSERT_OK_AND_ASSIGN(
      User u, core_->CreateUser(admin_, "f", "",
                                {RoleGrant{Role::kTranslator,
                                           {"pt_br", "DE", "zh-hans", "de"}}}));
  ASSERT_EQ(u.grants.size(), 1u);
  EXPECT_EQ(u.grants[0].languages,
            (std::vector<std::string>{"de", "pt-BR", "zh-Hans"}));
}

TEST_F(IdentityCoreTest, SetRolesDetectsStaleVersions) {
  ASSERT_OK_AND_ASSIGN(User u, core_->CreateUser(admin_, "g", "", {}));
  ASSERT_OK_AND_ASSIGN(
      User u2, core_->SetRoles(admin_, "g", {RoleGrant{Role::kReviewer, {}}},
                               u.version));
  EXPECT_EQ(u2.version, u.version + 1);
  // A second editor still holding the old version loses, and changes nothing.
  EXPECT_THAT(core_->SetRoles(admin_, "g", {}, u.version),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version")));
  ASSERT_OK_AND_ASSIGN(User now, core_->GetUser("g"));
  EXPECT_EQ(now.grants.size(), 1u);
  EXPECT_EQ(now.version, u2.version);
}

TEST_F(IdentityCoreTest, AdminCannotDropOwnAdminRole) {
  ASSERT_OK_AND_ASSIGN(IssuedToken t, core_->IssueBootstrapAdminToken("init"));
  ASSERT_OK_AND_ASSIGN(Principal admin, core_->Verify(t.secret));
  ASSERT_OK_AND_ASSIGN(User u, core_->GetUser("admin"));
  EXPECT_THAT(core_->SetRoles(admin, "admin", {}, u.version),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(IdentityCoreTest, ListUsersPaginatesInIdOrder) {
  for (const char* id : {"m", "b", "z", "a", "k"}) {
    ASSERT_OK(core_->CreateUser(admin_, id, "", {}));
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(UserPage page, core_->ListUsers(2, token));
    for (const auto& u : page.users) seen.push_back(u.user_id);
    token = page.next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "k", "m", "z"}));
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(core_->ListUsers(2, "garbage"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(IdentityCoreTest, BootstrapCreatesAdminOnceAndIssuesFreshTokens) {
  ASSERT_OK_AND_ASSIGN(bool any, core_->HasUsers());
  EXPECT_FALSE(any);
  ASSERT_OK_AND_ASSIGN(IssuedToken a, core_->IssueBootstrapAdminToken("init"));
  ASSERT_OK_AND_ASSIGN(IssuedToken b, core_->IssueBootstrapAdminToken("init"));
  EXPECT_NE(a.secret, b.secret);
  ASSERT_OK_AND_ASSIGN(Principal pa, core_->Verify(a.secret));
  ASSERT_OK_AND_ASSIGN(Principal pb, core_->Verify(b.secret));
  EXPECT_TRUE(pa.IsAdmin());
  EXPECT_EQ(pa.user_id, pb.user_id);
  ASSERT_OK_AND_ASSIGN(any, core_->HasUsers());
  EXPECT_TRUE(any);
}

TEST_F(IdentityCoreTest, ListUsersRefusesNegativeSizesAndForeignTokens) {
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_OK(core_->CreateUser(admin_, id, "", {}));
  }
  EXPECT_THAT(
      core_->ListUsers(-1, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  ASSERT_OK_AND_ASSIGN(UserPage all, core_->ListUsers(0, ""));
  EXPECT_EQ(all.users.size(), 3u);
  EXPECT_TRUE(all.next_page_token.empty());

  ASSERT_OK_AND_ASSIGN(UserPage first, core_->ListUsers(1, ""));
  ASSERT_FALSE(first.next_page_token.empty());
  std::string tampered = first.next_page_token;
  tampered[tampered.size() / 2] ^= 0x01;
  EXPECT_THAT(
      core_->ListUsers(1, tampered),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  // The token format of earlier releases is refused, not misread.
  EXPECT_THAT(
      core_->ListUsers(1, "u1.YQ"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  // A token made by another List method.
  EXPECT_THAT(
      core_->ListUsers(
          1, EncodePageToken(QueryFingerprint("other.List").Build(), "a")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("different query")));
}

TEST_F(IdentityCoreTest, CorruptStoredRecordsAreInternalErrors) {
  ASSERT_OK(core_->CreateUser(admin_, "a", "", {}));
  ASSERT_OK(core_->CreateUser(admin_, "b", "", {}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t, core_->IssueToken(admin_, "a", ""));
  storage::WriteSet w;
  // Another format byte in front of a well-formed record envelope.
  w.Put(storage::ColumnFamily::kIdentity, UserKey("b"),
        storage::EncodeRecord(0x02, 1, ""));
  w.Put(storage::ColumnFamily::kIdentity, TokenKey(Sha256(t.secret)), "\x01");
  ASSERT_OK(store_->Commit(std::move(w)));

  const std::string user_error =
      "corrupt user record at key " + HexEncode(UserKey("b"));
  EXPECT_THAT(core_->GetUser("b"),
              StatusIs(absl::StatusCode::kInternal, user_error));
  EXPECT_THAT(core_->ListUsers(0, ""),
              StatusIs(absl::StatusCode::kInternal, user_error));
  EXPECT_OK(core_->GetUser("a"));
  EXPECT_THAT(core_->Verify(t.secret),
              StatusIs(absl::StatusCode::kInternal,
                       "corrupt token record at key " +
                           HexEncode(TokenKey(Sha256(t.secret)))));
  EXPECT_THAT(core_->RevokeToken(admin_, t.token.token_id),
              StatusIs(absl::StatusCode::kInternal));
}

// A client that gave up: every write refuses to commit and leaves the
// store as it was.
TEST_F(IdentityCoreTest, WritesAfterTheDeadlineChangeNothing) {
  ASSERT_OK_AND_ASSIGN(User bob, core_->CreateUser(admin_, "bob", "", {}));
  ASSERT_OK_AND_ASSIGN(IssuedToken t, core_->IssueToken(admin_, "bob", ""));
  const CallContext late(admin_, clock_.Now(), &clock_);

  EXPECT_THAT(core_->CreateUser(late, "carol", "", {}),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(core_->GetUser("carol"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core_->SetRoles(late, "bob", {RoleGrant{Role::kReviewer, {"fr"}}},
                              bob.version),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_OK_AND_ASSIGN(User unchanged, core_->GetUser("bob"));
  EXPECT_EQ(unchanged.version, bob.version);
  EXPECT_TRUE(unchanged.grants.empty());
  EXPECT_THAT(core_->IssueToken(late, "bob", ""),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(core_->RevokeToken(late, t.token.token_id),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_OK_AND_ASSIGN(auto tokens, core_->ListTokens(admin_, "bob"));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_FALSE(tokens[0].revoke_time.has_value());
  EXPECT_OK(core_->Verify(t.secret));

  // The same calls with time left go through.
  const CallContext in_time(admin_, clock_.Now() + absl::Seconds(1), &clock_);
  EXPECT_OK(core_->CreateUser(in_time, "carol", "", {}));
  EXPECT_OK(core_->RevokeToken(in_time, t.token.token_id));
}

TEST_F(IdentityCoreTest, CancelledCallsChangeNothing) {
  struct Cancelled : CancellationSource {
    bool IsCancelled() const override { return true; }
  } cancelled;
  const CallContext call(admin_, absl::InfiniteFuture(), &clock_, &cancelled);
  EXPECT_THAT(core_->CreateUser(call, "carol", "", {}),
              StatusIs(absl::StatusCode::kCancelled));
  ASSERT_OK_AND_ASSIGN(bool any, core_->HasUsers());
  EXPECT_FALSE(any);
}

}  // namespace
}  // namespace tessera::identity
