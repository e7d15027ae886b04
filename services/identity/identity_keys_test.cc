// The identity family's stored bytes, pinned: data written by earlier
// releases must keep reading (storage/FORMAT.md, "identity").
#include "services/identity/identity_keys.h"

#include <memory>
#include <string>

#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "services/identity/identity_core.h"
#include "services/identity/identity_records.pb.h"

namespace tessera::identity {
namespace {

using namespace std::string_literals;

std::string BigEndian(uint64_t v) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return out;
}

std::string Envelope(uint64_t version, std::string_view payload) {
  return "\x01"s + BigEndian(version) + std::string(payload);
}

TEST(IdentityKeysTest, KeysKeepTheirBytes) {
  EXPECT_EQ(UserKey("alice"),
            "\x01"s
            "alice\x00\x01"s);
  EXPECT_EQ(UserPrefix(), "\x01");
  EXPECT_EQ(UserKeyAfter("alice"),
            "\x01"s
            "alice\x00\x01\x00"s);
  EXPECT_LT(UserKey("alice"), UserKeyAfter("alice"));
  EXPECT_LT(UserKeyAfter("alice"), UserKey("alice.b"));
  EXPECT_LT(UserKeyAfter("alice"), UserKey("alicf"));
  const std::string hash(32, '\xab');
  EXPECT_EQ(TokenKey(hash), "\x02" + hash);
  EXPECT_EQ(TokenIdKey("00ff"),
            "\x03"s
            "00ff\x00\x01"s);
  EXPECT_EQ(UserTokenKey("bob", absl::FromUnixMicros(5), "t1"),
            "\x04"s
            "bob\x00\x01"s +
                BigEndian(~uint64_t{5}) + "t1\x00\x01"s);
  EXPECT_EQ(UserTokenPrefix("bob"),
            "\x04"s
            "bob\x00\x01"s);
  // Newer tokens sort first.
  EXPECT_LT(UserTokenKey("bob", absl::FromUnixMicros(6), "t2"),
            UserTokenKey("bob", absl::FromUnixMicros(5), "t1"));

  std::string token_id;
  ASSERT_TRUE(ParseUserTokenKey(
      UserTokenKey("bob", absl::FromUnixMicros(5), "t1"), &token_id));
  EXPECT_EQ(token_id, "t1");
  EXPECT_FALSE(ParseUserTokenKey(UserKey("bob"), &token_id));
  EXPECT_FALSE(ParseUserTokenKey(UserTokenPrefix("bob"), &token_id));
}

class IdentityStoredBytesTest : public ::testing::Test {
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

  std::optional<std::string> Bytes(std::string_view key) {
    auto v = store_->Get(kIdentityCf, key);
    EXPECT_OK(v);
    return v.ok() ? *v : std::nullopt;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<IdentityCore> core_;
  Principal admin_;
};

TEST_F(IdentityStoredBytesTest, WritesKeepTheFormatMdLayout) {
  ASSERT_OK_AND_ASSIGN(
      User u, core_->CreateUser(admin_, "alice", "Alice",
                                {RoleGrant{Role::kTranslator, {"de"}}}));
  storage::identity::UserRecord user;
  user.set_user_id("alice");
  user.set_display_name("Alice");
  user.set_create_time_micros(absl::ToUnixMicros(u.create_time));
  auto* grant = user.add_grants();
  grant->set_role(3);
  grant->add_languages("de");
  EXPECT_EQ(Bytes(UserKey("alice")), Envelope(1, user.SerializeAsString()));

  ASSERT_OK_AND_ASSIGN(IssuedToken t,
                       core_->IssueToken(admin_, "alice", "cli"));
  const std::string hash = Sha256(t.secret);
  storage::identity::TokenRecord token;
  token.set_token_id(t.token.token_id);
  token.set_user_id("alice");
  token.set_description("cli");
  token.set_create_time_micros(absl::ToUnixMicros(t.token.create_time));
  EXPECT_EQ(Bytes(TokenKey(hash)), Envelope(1, token.SerializeAsString()));
  EXPECT_EQ(Bytes(TokenIdKey(t.token.token_id)), Envelope(1, hash));
  EXPECT_EQ(Bytes(UserTokenKey("alice", t.token.create_time, t.token.token_id)),
            "\x01");

  clock_.Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(Token revoked,
                       core_->RevokeToken(admin_, t.token.token_id));
  token.set_revoke_time_micros(absl::ToUnixMicros(*revoked.revoke_time));
  EXPECT_EQ(Bytes(TokenKey(hash)), Envelope(2, token.SerializeAsString()));
}

TEST_F(IdentityStoredBytesTest, RecordsWrittenByHandStillRead) {
  // The bytes an earlier release wrote, built without the core.
  storage::identity::UserRecord user;
  user.set_user_id("old");
  user.set_display_name("Old Timer");
  user.set_create_time_micros(1000);
  user.add_grants()->set_role(1);
  const std::string secret = "tsr_" + std::string(43, 'Q');
  const std::string hash = Sha256(secret);
  storage::identity::TokenRecord token;
  token.set_token_id("0011223344556677");
  token.set_user_id("old");
  token.set_create_time_micros(2000);
  storage::WriteSet w;
  w.Put(kIdentityCf, UserKey("old"), Envelope(4, user.SerializeAsString()));
  w.Put(kIdentityCf, TokenKey(hash), Envelope(1, token.SerializeAsString()));
  w.Put(kIdentityCf, TokenIdKey("0011223344556677"), Envelope(1, hash));
  w.Put(kIdentityCf,
        UserTokenKey("old", absl::FromUnixMicros(2000), "0011223344556677"),
        "\x01");
  ASSERT_OK(store_->Commit(std::move(w)));

  ASSERT_OK_AND_ASSIGN(User u, core_->GetUser("old"));
  EXPECT_EQ(u.display_name, "Old Timer");
  EXPECT_EQ(u.version, 4u);
  ASSERT_OK_AND_ASSIGN(Principal p, core_->Verify(secret));
  EXPECT_EQ(p.user_id, "old");
  EXPECT_TRUE(p.IsAdmin());
  ASSERT_OK_AND_ASSIGN(auto tokens, core_->ListTokens(p, "old"));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].token_id, "0011223344556677");
  ASSERT_OK_AND_ASSIGN(User changed, core_->SetRoles(p, "old", u.grants, 4));
  EXPECT_EQ(changed.version, 5u);
}

}  // namespace
}  // namespace tessera::identity
