#include <set>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_macros.h"
#include "common/status_matchers.h"
#include "gtest/gtest.h"

namespace tessera {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateErrorsAndValues) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(CheckEven(4));
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(RandomTest, SecureBytesAreDistinctAndSized) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto b = RandomSource::Secure()->Bytes(32);
    ASSERT_OK(b);
    EXPECT_EQ(b->size(), 32u);
    seen.insert(*b);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomTest, Sha256KnownVector) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff", 2)), "-_8");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock;
  absl::Time t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(absl::Minutes(20));
  EXPECT_EQ(clock.Now() - t0, absl::Minutes(20));
}

}  // namespace
}  // namespace tessera
