#include "services/common/paging.h"

#include <string>

#include "absl/strings/escaping.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tessera {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::HasSubstr;

constexpr std::string_view kDoesNotParse =
    "page_token: does not parse; pass a next_page_token unchanged";

std::string Reason(const absl::Status& s) {
  auto details = DetailsOf(s);
  return details.has_value() ? details->reason : "";
}

std::string Fingerprint(std::string_view language) {
  return QueryFingerprint("test.List").String(language).Build();
}

TEST(PageSizeTest, ZeroIsTheDefaultAndLargeRequestsAreClamped) {
  EXPECT_EQ(PageSize(0, 100, 1000).value(), 100);
  EXPECT_EQ(PageSize(1, 100, 1000).value(), 1);
  EXPECT_EQ(PageSize(1000, 100, 1000).value(), 1000);
  EXPECT_EQ(PageSize(1001, 100, 1000).value(), 1000);
  EXPECT_EQ(PageSize(1 << 30, 100, 1000).value(), 1000);
  auto negative = PageSize(-1, 100, 1000);
  EXPECT_THAT(negative, StatusIs(absl::StatusCode::kInvalidArgument,
                                 "page_size: must not be negative"));
  EXPECT_EQ(Reason(negative.status()), "INVALID_FIELD");
}

TEST(PageTokenTest, RoundTripsTheCursor) {
  const std::string fp = Fingerprint("de");
  for (const std::string& cursor :
       {std::string("alice"), std::string("\0\x01\xff", 3),
        std::string(300, 'x'), std::string("a")}) {
    std::string token = EncodePageToken(fp, cursor);
    EXPECT_FALSE(token.empty());
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                      "nopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << token;
    ASSERT_OK_AND_ASSIGN(std::string got, DecodePageToken(token, fp));
    EXPECT_EQ(got, cursor);
  }
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPage) {
  ASSERT_OK_AND_ASSIGN(std::string cursor,
                       DecodePageToken("", Fingerprint("de")));
  EXPECT_EQ(cursor, "");
}

TEST(PageTokenTest, TokenOfAnotherQueryIsRefused) {
  std::string token = EncodePageToken(Fingerprint("de"), "alice");
  auto got = DecodePageToken(token, Fingerprint("fr"));
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("page_token: belongs to a different "
                                      "query")));
  EXPECT_EQ(Reason(got.status()), "INVALID_TOKEN");
  // Another method with the same fields is another query too.
  EXPECT_THAT(
      DecodePageToken(token,
                      QueryFingerprint("test.Other").String("de").Build()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("different")));
}

TEST(PageTokenTest, EveryFlippedCharacterIsRefused) {
  const std::string fp = Fingerprint("de");
  const std::string token = EncodePageToken(fp, "alice");
  for (size_t i = 0; i < token.size(); ++i) {
    for (char c : {'A', 'Q', 'g', 'w', '-', '_'}) {
      if (token[i] == c) continue;
      std::string bad = token;
      bad[i] = c;
      auto got = DecodePageToken(bad, fp);
      EXPECT_THAT(got, StatusIs(absl::StatusCode::kInvalidArgument,
                                std::string(kDoesNotParse)))
          << "position " << i << " as " << c;
      EXPECT_EQ(Reason(got.status()), "INVALID_TOKEN");
    }
  }
}

TEST(PageTokenTest, EveryFlippedByteIsRefused) {
  const std::string fp = Fingerprint("de");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(EncodePageToken(fp, "alice"), &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] ^= 0x01;
    EXPECT_THAT(DecodePageToken(Base64UrlEncode(bad), fp),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         std::string(kDoesNotParse)))
        << "byte " << i;
  }
}

TEST(PageTokenTest, TruncatedTokensAreRefused) {
  const std::string fp = Fingerprint("de");
  const std::string token = EncodePageToken(fp, "alice");
  for (size_t n = 1; n < token.size(); ++n) {
    EXPECT_THAT(DecodePageToken(token.substr(0, n), fp),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         std::string(kDoesNotParse)))
        << "length " << n;
  }
  // Cutting whole bytes keeps the base64 well formed, not the token.
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  for (size_t n = 1; n < raw.size(); ++n) {
    EXPECT_THAT(DecodePageToken(Base64UrlEncode(raw.substr(0, n)), fp),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(PageTokenTest, MalformedTokensAreRefused) {
  const std::string fp = Fingerprint("de");
  const std::string token = EncodePageToken(fp, "alice");
  for (const std::string& bad :
       {std::string("garbage"), std::string("u1.YWxpY2U"), token + "=",
        token + "==", "!" + token, token + "\n", std::string(" ")}) {
    EXPECT_THAT(DecodePageToken(bad, fp),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         std::string(kDoesNotParse)))
        << bad;
  }
}

TEST(PageTokenTest, UnknownTokenVersionIsRefused) {
  const std::string fp = Fingerprint("de");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(EncodePageToken(fp, "alice"), &raw));
  // A well-formed version 2 token, checksum and all, is still refused.
  raw[0] = 0x02;
  raw.resize(raw.size() - 8);
  raw += Sha256("tessera.page_token.checksum.v1" + raw).substr(0, 8);
  EXPECT_THAT(
      DecodePageToken(Base64UrlEncode(raw), fp),
      StatusIs(absl::StatusCode::kInvalidArgument, std::string(kDoesNotParse)));
}

TEST(QueryFingerprintTest, IsStableAndSeparatesFields) {
  // Pinned: a token issued by one process must resume in the next, and
  // in the next release.
  EXPECT_EQ(HexEncode(QueryFingerprint("test.List")
                          .String("de")
                          .Int(-1)
                          .Bool(true)
                          .Build()),
            "af01de08bce6bcc94853c708e7bc9d3f");
  EXPECT_EQ(EncodePageToken(QueryFingerprint("test.List").Build(), "alice"),
            "ARIwUMAGaRwjYWxpY2XW34cV9p1tyg");
  EXPECT_EQ(QueryFingerprint("test.List").Build().size(), 16u);
  EXPECT_EQ(HexEncode(QueryFingerprint("m").String("a").Build()),
            HexEncode(Sha256(std::string("s\0\0\0\0\0\0\0\x01m"
                                         "s\0\0\0\0\0\0\0\x01"
                                         "a",
                                         20))
                          .substr(0, 16)));
  EXPECT_NE(QueryFingerprint("m").String("ab").String("c").Build(),
            QueryFingerprint("m").String("a").String("bc").Build());
  EXPECT_NE(QueryFingerprint("m").String("a").String("b").Build(),
            QueryFingerprint("m").String("b").String("a").Build());
  EXPECT_NE(QueryFingerprint("m").Int(1).Build(),
            QueryFingerprint("m").Bool(true).Build());
  EXPECT_NE(QueryFingerprint("m").Build(), QueryFingerprint("n").Build());
  EXPECT_NE(QueryFingerprint("m").Int(0).Build(),
            QueryFingerprint("m").Build());
}

}  // namespace
}  // namespace tessera
