#include "gateway/connect.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace tessera::gateway {
namespace {

using ::testing::HasSubstr;

TEST(ConnectTest, CodesMapToTheProtocolsHttpTable) {
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::DEADLINE_EXCEEDED), 504);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::FAILED_PRECONDITION), 400);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::ABORTED), 409);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::CANCELLED), 499);
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::CANCELLED), "canceled");
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::FAILED_PRECONDITION),
            "failed_precondition");
}

TEST(ConnectTest, ErrorJsonDecodesStatusDetails) {
  google::rpc::Status rpc;
  rpc.set_code(7);
  google::rpc::ErrorInfo info;
  info.set_reason("ERROR_REASON_NOT_GRANTED");
  info.set_domain("tessera");
  rpc.add_details()->PackFrom(info);
  grpc::Status status(grpc::StatusCode::PERMISSION_DENIED, "no \"role\"",
                      rpc.SerializeAsString());
  std::string json = ErrorJson(status);
  EXPECT_THAT(json, HasSubstr("\"code\":\"permission_denied\""));
  EXPECT_THAT(json, HasSubstr("\"message\":\"no \\\"role\\\"\""));
  EXPECT_THAT(json, HasSubstr("\"type\":\"google.rpc.ErrorInfo\""));
  EXPECT_THAT(json, HasSubstr("\"reason\":\"ERROR_REASON_NOT_GRANTED\""));
  std::string value = Base64Unpadded(info.SerializeAsString());
  EXPECT_THAT(json, HasSubstr("\"value\":\"" + value + "\""));
  EXPECT_EQ(value.find('='), std::string::npos);
  EXPECT_EQ(Base64Decode(value), info.SerializeAsString());
}

TEST(ConnectTest, ContentTypes) {
  auto j = ParseContentType("Application/JSON; charset=utf-8");
  ASSERT_TRUE(j.has_value());
  EXPECT_FALSE(j->streaming);
  EXPECT_EQ(j->codec, Codec::kJson);
  auto p = ParseContentType("application/connect+proto");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->streaming);
  EXPECT_EQ(p->codec, Codec::kProto);
  EXPECT_FALSE(ParseContentType("text/plain").has_value());
  EXPECT_FALSE(ParseContentType("application/x-www-form-urlencoded").has_value());
  EXPECT_FALSE(ParseContentType("application/json; charset=latin1").has_value());
}

TEST(ConnectTest, Timeouts) {
  EXPECT_EQ(ParseTimeoutMs("250"), 250);
  EXPECT_EQ(ParseTimeoutMs("9999999999"), 9999999999);
  EXPECT_FALSE(ParseTimeoutMs("12345678901").has_value());
  EXPECT_FALSE(ParseTimeoutMs("-1").has_value());
  EXPECT_FALSE(ParseTimeoutMs("").has_value());
  EXPECT_FALSE(ParseTimeoutMs("1.5").has_value());
}

TEST(ConnectTest, EnvelopesRoundTrip) {
  std::string e = Envelope(0, "{\"a\":1}");
  ASSERT_EQ(e.size(), 5u + 7u);
  auto split = SingleEnvelope(e);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->first, 0);
  EXPECT_EQ(split->second, "{\"a\":1}");
  EXPECT_FALSE(SingleEnvelope(e + "x").has_value());
  EXPECT_FALSE(SingleEnvelope(e.substr(0, 6)).has_value());
  EXPECT_FALSE(SingleEnvelope("").has_value());
}

TEST(ConnectTest, EndStreamCarriesErrorAndGroupedMetadata) {
  std::string ok = EndStreamJson(grpc::Status::OK, {});
  EXPECT_EQ(ok, "{}");
  std::string end = EndStreamJson(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "going away"),
      {{"x-a", "1"}, {"x-a", "2"}, {"x-b-bin", std::string("\x00\x01", 2)}});
  EXPECT_THAT(end, HasSubstr("\"error\":{\"code\":\"unavailable\""));
  EXPECT_THAT(end, HasSubstr("\"x-a\":[\"1\",\"2\"]"));
  EXPECT_THAT(end, HasSubstr("\"x-b-bin\":[\"AAE\"]"));
}

}  // namespace
}  // namespace tessera::gateway
