// GoogleTest helpers for absl::Status and absl::StatusOr, which abseil
// 20220623 does not ship. Test-only.
#ifndef TESSERA_COMMON_STATUS_MATCHERS_H_
#define TESSERA_COMMON_STATUS_MATCHERS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// EXPECT_THAT(x, IsOk());
MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::tessera::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

// EXPECT_THAT(x, StatusIs(absl::StatusCode::kAborted));
MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& s = ::tessera::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

// EXPECT_THAT(x, StatusIs(code, HasSubstr("...")));
MATCHER_P2(StatusIs, code, message_matcher, "has status code and message") {
  const absl::Status& s = ::tessera::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::Matches(message_matcher)(std::string(s.message()));
}

}  // namespace tessera::testing

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::tessera::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::tessera::testing::IsOk())

// ASSERT_OK_AND_ASSIGN(auto x, StatusOrExpr());
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                    \
  ASSERT_OK_AND_ASSIGN_IMPL_(TESSERA_TEST_CONCAT_(tessera_sor_, __LINE__), \
                             lhs, expr)
#define TESSERA_TEST_CONCAT_INNER_(a, b) a##b
#define TESSERA_TEST_CONCAT_(a, b) TESSERA_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_OK(statusor);                                  \
  lhs = std::move(statusor).value()

#endif  // TESSERA_COMMON_STATUS_MATCHERS_H_
