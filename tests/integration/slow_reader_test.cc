// slow_reader_does_not_delay_others: while several clients render a large
// publication as HTML over and over, each on its own connection, WhoAmI
// (a point read on the gRPC thread) and GetSegment (a point read on the
// worker pool) answer about as fast as with no load. Renderings run on the
// bounded read pool and each format of a publication is rendered once.
//
// The bound is a ratio against the same calls with no load, measured in the
// same run, with a wide margin and a floor, so that a noisy 2-core machine
// does not make it flaky: a stall (seconds) fails it by far.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tessera/v1/identity.grpc.pb.h"
#include "tessera/v1/publication.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

// One sentence to translate, then a no-translate region of emphasis- and
// link-heavy paragraphs (copied verbatim, so the document publishes as
// soon as the sentence is approved): several megabytes of Markdown.
std::string LargeDocument() {
  std::string out = "Nous appelons à un cessez-le-feu immédiat.\n\n";
  out += "<!-- tessera:no-translate -->\n\n";
  for (int i = 0; out.size() < (size_t{6} << 20); ++i) {
    // One sentence of about 3 KB per paragraph: few segments, much markup.
    std::string p = "Le *paragraphe* " + std::to_string(i);
    while (p.size() < 3000) {
      p += ", qui cite la [résolution](https://example.org/r/" +
           std::to_string(p.size()) +
           ") et **demande** la `paix` ~~maintenant~~ avec &amp; sans délai";
    }
    out += p + ".\n\n";
  }
  return out;
}

// A channel on its own TCP connection, without a receive limit.
std::shared_ptr<grpc::Channel> OwnChannel(const TestServer& ts, int id) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetInt("tessera.test.connection", id);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return ts.NewChannel(args);
}

TEST(SlowReaderTest, SlowReaderDoesNotDelayOthers) {
  TestServer ts;
  const std::string c1 = ts.CreateUserWithToken(
      "c1", {Grant(v1::ROLE_COORDINATOR, {"en"})});
  const std::string c2 = ts.CreateUserWithToken(
      "c2", {Grant(v1::ROLE_COORDINATOR, {"en"})});
  auto channel = OwnChannel(ts, 0);

  v1::CreateStatementRequest create;
  create.set_title("Large");
  create.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  create.set_source(LargeDocument());
  create.set_source_language("fr");
  create.add_target_languages("en");
  v1::Statement st;
  {
    auto ctx = AuthContext(c1);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(120));
    grpc::Status s = v1::StatementService::NewStub(channel)->CreateStatement(
        ctx.get(), create, &st);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto translations = v1::TranslationService::NewStub(channel);
  v1::ListSegmentsRequest list;
  list.set_parent(st.name() + "/languages/en");
  v1::ListSegmentsResponse segments;
  {
    auto ctx = AuthContext(c1);
    ASSERT_TRUE(translations->ListSegments(ctx.get(), list, &segments).ok());
  }
  ASSERT_EQ(segments.translations_size(), 1);
  const v1::Translation& seg = segments.translations(0);
  {
    v1::SubmitRequest sub;
    sub.set_name(seg.name());
    sub.set_version(seg.version());
    *sub.mutable_content() = seg.source().content();
    v1::Translation done;
    auto ctx = AuthContext(c1);
    ASSERT_TRUE(translations->Submit(ctx.get(), sub, &done).ok());
    v1::ApproveRequest app;
    app.set_name(seg.name());
    app.set_version(done.version());
    auto actx = AuthContext(c2);
    ASSERT_TRUE(translations->Approve(actx.get(), app, &done).ok());
  }
  v1::Publication pub;
  {
    v1::PublishRequest req;
    req.set_statement(st.name());
    req.set_language("en");
    auto ctx = AuthContext(c1);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(120));
    grpc::Status s = v1::PublicationService::NewStub(channel)->Publish(
        ctx.get(), req, &pub);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The probes: WhoAmI and GetSegment, one after the other.
  auto identity = v1::IdentityService::NewStub(channel);
  const auto probe = [&](std::vector<double>* who, std::vector<double>* get) {
    auto t0 = Clock::now();
    v1::WhoAmIResponse me;
    auto ctx = AuthContext(c1);
    grpc::Status s = identity->WhoAmI(ctx.get(), v1::WhoAmIRequest(), &me);
    auto t1 = Clock::now();
    v1::GetSegmentRequest g;
    g.set_name(seg.name());
    v1::Translation t;
    auto gctx = AuthContext(c1);
    grpc::Status gs = translations->GetSegment(gctx.get(), g, &t);
    auto t2 = Clock::now();
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(gs.ok()) << gs.error_message();
    who->push_back(Millis(t1 - t0));
    get->push_back(Millis(t2 - t1));
  };
  std::vector<double> idle_who, idle_get;
  for (int i = 0; i < 40; ++i) probe(&idle_who, &idle_get);

  // The load: readers rendering the publication as HTML, each on its own
  // connection, until the probes are done.
  constexpr int kReaders = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> renders{0};
  std::atomic<int> busy{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      auto pubs = v1::PublicationService::NewStub(OwnChannel(ts, r + 1));
      while (!stop.load()) {
        v1::GetPublicationRequest req;
        req.set_name(pub.name());
        req.set_format(v1::DOCUMENT_FORMAT_HTML);
        v1::GetPublicationResponse out;
        auto ctx = AuthContext(c1);
        ctx->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(120));
        grpc::Status s = pubs->GetPublication(ctx.get(), req, &out);
        if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++busy;
          continue;
        }
        EXPECT_TRUE(s.ok()) << s.error_message();
        if (!s.ok()) return;
        EXPECT_GT(out.content().size(), size_t{6} << 20);
        ++renders;
      }
    });
  }
  // Let every reader get its first rendering under way.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<double> load_who, load_get;
  const auto start = Clock::now();
  while (load_who.size() < 40 ||
         (renders.load() < 2 * kReaders &&
          Clock::now() - start < std::chrono::seconds(30))) {
    probe(&load_who, &load_get);
  }
  stop = true;
  for (auto& t : readers) t.join();

  const double idle_w = Percentile(idle_who, 0.9);
  const double idle_g = Percentile(idle_get, 0.9);
  const double load_w = Percentile(load_who, 0.9);
  const double load_g = Percentile(load_get, 0.9);
  std::printf(
      "p90 ms, idle -> under %d HTML readers (%d renderings of %zu bytes, "
      "%d refused busy): WhoAmI %.2f -> %.2f, GetSegment %.2f -> %.2f "
      "(%zu probes)\n",
      kReaders, renders.load(), create.source().size(), busy.load(), idle_w,
      load_w, idle_g, load_g, load_who.size());
  EXPECT_GE(renders.load(), 2 * kReaders);
  // 20 times the idle figure, and never less than 100 ms: a stall behind
  // the renderings takes seconds.
  EXPECT_LT(load_w, std::max(20 * idle_w, 100.0));
  EXPECT_LT(load_g, std::max(20 * idle_g, 100.0));
}

}  // namespace
}  // namespace tessera::testing
