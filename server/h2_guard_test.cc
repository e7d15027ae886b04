#include "server/h2_guard.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace tessera {
namespace {

std::string Frame(uint8_t type, uint32_t stream, const std::string& payload) {
  std::string f;
  size_t n = payload.size();
  f.push_back(static_cast<char>(n >> 16 & 0xff));
  f.push_back(static_cast<char>(n >> 8 & 0xff));
  f.push_back(static_cast<char>(n & 0xff));
  f.push_back(static_cast<char>(type));
  f.push_back(0);
  for (int shift = 24; shift >= 0; shift -= 8) {
    f.push_back(static_cast<char>(stream >> shift & 0xff));
  }
  return f + payload;
}

const std::string kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string Resets(int n, uint32_t first_stream) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    uint32_t sid = first_stream + 2 * i;
    out += Frame(0x1, sid, std::string(12, 'h'));
    out += Frame(0x3, sid, std::string("\0\0\0\x08", 4));
  }
  return out;
}

TEST(H2FrameScannerTest, CountsResetsHoweverTheBytesAreSplit) {
  // A DATA payload that looks like RST_STREAM headers must not count.
  std::string fake = Frame(0x3, 1, "abcd");
  std::string bytes = kPreface + Frame(0x4, 0, "") + Resets(50, 1) +
                      Frame(0x0, 3, fake + fake + std::string(70000, 'x')) +
                      Resets(7, 201);
  H2FrameScanner whole;
  EXPECT_EQ(whole.Feed(bytes.data(), bytes.size()), 57);
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    H2FrameScanner split;
    int total = 0;
    size_t at = 0;
    while (at < bytes.size()) {
      size_t k = std::min<size_t>(bytes.size() - at, 1 + rng() % 40);
      total += split.Feed(bytes.data() + at, k);
      at += k;
    }
    EXPECT_EQ(total, 57) << "round " << round;
  }
}

// A client socket relayed by a guard, and gRPC's end of the relay.
struct Relayed {
  int client = -1;
  int server = -1;
  ~Relayed() {
    if (client >= 0) close(client);
    if (server >= 0) close(server);
  }
};

Relayed Connect(H2Guard& guard) {
  int pair[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  Relayed r;
  r.client = pair[0];
  r.server = guard.Wrap(pair[1]);
  EXPECT_GE(r.server, 0);
  return r;
}

// Reads what arrives on `fd` until `want` bytes, EOF or 5 s of silence.
std::string ReadUpTo(int fd, size_t want, bool* eof) {
  std::string got;
  *eof = false;
  char buf[65536];
  while (got.size() < want) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      *eof = true;
      break;
    }
    if (n < 0) continue;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

void SendAll(int fd, const std::string& bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) {
      struct pollfd p = {fd, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    ASSERT_GT(n, 0) << strerror(errno);
    at += static_cast<size_t>(n);
  }
}

TEST(H2GuardTest, RelaysBothWaysByteForByteAndPassesOnTheClose) {
  auto guard = H2Guard::Start(H2GuardLimits{});
  ASSERT_TRUE(guard.ok());
  Relayed r = Connect(**guard);
  // More than the relay's buffers, both ways.
  std::string up = kPreface + Frame(0x0, 1, std::string(300000, 'u'));
  std::string down;
  for (int i = 0; i < 300000; ++i) down.push_back(static_cast<char>(i * 7));
  SendAll(r.client, up);
  bool eof = false;
  EXPECT_EQ(ReadUpTo(r.server, up.size(), &eof), up);
  SendAll(r.server, down);
  EXPECT_EQ(ReadUpTo(r.client, down.size(), &eof), down);
  // The client's close reaches gRPC's end, and gRPC's close the client.
  shutdown(r.client, SHUT_WR);
  ReadUpTo(r.server, 1, &eof);
  EXPECT_TRUE(eof);
  close(r.server);
  r.server = -1;
  ReadUpTo(r.client, 1, &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ((*guard)->closed_for_resets(), 0);
}

TEST(H2GuardTest, ClosesAConnectionResettingMoreThanItsBurst) {
  auto guard = H2Guard::Start(H2GuardLimits{20, 1});
  ASSERT_TRUE(guard.ok());
  // Within the burst: relayed, connection kept.
  Relayed ok = Connect(**guard);
  std::string within = kPreface + Resets(20, 1);
  SendAll(ok.client, within);
  bool eof = false;
  EXPECT_EQ(ReadUpTo(ok.server, within.size(), &eof), within);
  EXPECT_FALSE(eof);
  EXPECT_EQ((*guard)->closed_for_resets(), 0);
  // One more than the burst: closed, and nothing from that read onwards
  // reaches gRPC.
  Relayed bad = Connect(**guard);
  std::string over = kPreface + Resets(21, 1);
  SendAll(bad.client, over);
  std::string got = ReadUpTo(bad.server, over.size(), &eof);
  EXPECT_TRUE(eof);
  EXPECT_LT(got.size(), over.size());
  ReadUpTo(bad.client, 1, &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ((*guard)->closed_for_resets(), 1);
  // The first connection is unaffected and still relays.
  SendAll(ok.client, "more");
  EXPECT_EQ(ReadUpTo(ok.server, 4, &eof), "more");
}

TEST(H2GuardTest, TheAllowanceComesBackAtItsRate) {
  auto guard = H2Guard::Start(H2GuardLimits{10, 100});
  ASSERT_TRUE(guard.ok());
  Relayed r = Connect(**guard);
  bool eof = false;
  std::string first = kPreface + Resets(10, 1);
  SendAll(r.client, first);
  EXPECT_EQ(ReadUpTo(r.server, first.size(), &eof), first);
  // 10 resets at 100/s take 0.1 s to come back.
  usleep(300000);
  std::string second = Resets(10, 21);
  SendAll(r.client, second);
  EXPECT_EQ(ReadUpTo(r.server, second.size(), &eof), second);
  EXPECT_FALSE(eof);
  EXPECT_EQ((*guard)->closed_for_resets(), 0);
}

}  // namespace
}  // namespace tessera
