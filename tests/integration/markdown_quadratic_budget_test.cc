// Regression test for "quadratic Markdown in Debian's libcmark-gfm
// 0.29.0.gfm.6": a table with many cells per row, a run of "![[]()" and
// repeated "<![CDATA[" each take tens of seconds of CPU to parse at a few
// hundred KB (plain cmark-gfm on this box: 100,000-cell row 88 s, 40,000
// "![[]()" ~34 s, 40,000 "a <![CDATA[" ~34 s), and the parse went on after
// the call's deadline. Against a real tesserad process: the pre-checks
// refuse them at once; without pre-checks the parse child is stopped by
// its CPU budget (RESOURCE_EXHAUSTED) or the call's deadline
// (DEADLINE_EXCEEDED) close to that bound, no parse child survives, the
// server answers another call promptly meanwhile, and nothing is stored.
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "tessera/v1/identity.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tests/integration/tesserad_child.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct Pattern {
  std::string name;
  std::string source;
  std::string precheck_limit;  // QuotaFailure subject of the pre-check
};

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::vector<Pattern> Patterns() {
  return {
      {"table", Repeat("|a", 100000) + "|\n" + Repeat("|-", 100000) + "|\n",
       "limits/markdown_table_columns"},
      {"images", Repeat("![[]()", 40000) + "\n",
       "limits/markdown_image_brackets"},
      {"cdata", Repeat("a <![CDATA[", 40000) + "\n",
       "limits/markdown_cdata_sections"},
  };
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

class Importer {
 public:
  explicit Importer(const TesseradChild& server)
      : server_(server),
        stub_(v1::StatementService::NewStub(server.channel())),
        identity_(v1::IdentityService::NewStub(server.channel())) {}

  // `ctx_out`, when given, receives the call's context so that another
  // thread can cancel it.
  grpc::Status Import(const std::string& source,
                      std::promise<grpc::ClientContext*>* ctx_out = nullptr) {
    v1::CreateStatementRequest req;
    req.set_title("hostile");
    req.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
    req.set_source_language("en");
    req.add_target_languages("de");
    req.set_source(source);
    auto ctx = AuthContext(server_.admin_token());
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(120));
    if (ctx_out != nullptr) ctx_out->set_value(ctx.get());
    v1::Statement s;
    return stub_->CreateStatement(ctx.get(), req, &s);
  }

  // Seconds a WhoAmI takes.
  double WhoAmISeconds() {
    auto ctx = AuthContext(server_.admin_token());
    v1::WhoAmIResponse me;
    const auto t0 = Clock::now();
    EXPECT_TRUE(identity_->WhoAmI(ctx.get(), v1::WhoAmIRequest(), &me).ok());
    return Since(t0);
  }

  int StatementCount() {
    auto ctx = AuthContext(server_.admin_token());
    v1::ListStatementsResponse listed;
    EXPECT_TRUE(
        stub_->ListStatements(ctx.get(), v1::ListStatementsRequest(), &listed)
            .ok());
    return listed.statements_size();
  }

  // Imports `source` on another thread while calling WhoAmI; returns the
  // import's status and seconds, and the slowest WhoAmI.
  grpc::Status ImportWhileServing(const std::string& source, double* seconds,
                                  double* slowest_whoami) {
    const auto t0 = Clock::now();
    auto result = std::async(std::launch::async,
                             [&] { return Import(source); });
    *slowest_whoami = 0;
    // Let the parse start, then probe the server until the import ends.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    while (result.wait_for(std::chrono::milliseconds(200)) !=
           std::future_status::ready) {
      *slowest_whoami = std::max(*slowest_whoami, WhoAmISeconds());
    }
    *seconds = Since(t0);
    return result.get();
  }

 private:
  const TesseradChild& server_;
  std::unique_ptr<v1::StatementService::Stub> stub_;
  std::unique_ptr<v1::IdentityService::Stub> identity_;
};

std::string Subject(const grpc::Status& s) {
  auto quota = Detail<google::rpc::QuotaFailure>(s);
  return quota.has_value() && quota->violations_size() > 0
             ? quota->violations(0).subject()
             : "<no QuotaFailure>";
}

TEST(MarkdownQuadraticBudgetTest, PrechecksRefuseTheKnownPatternsAtOnce) {
  TesseradChild server({});
  ASSERT_FALSE(server.address().empty());
  Importer importer(server);
  for (const Pattern& p : Patterns()) {
    const auto t0 = Clock::now();
    grpc::Status s = importer.Import(p.source);
    EXPECT_LT(Since(t0), 2.0) << p.name;
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << p.name << ": " << s.error_message();
    EXPECT_EQ(Subject(s), p.precheck_limit) << p.name;
  }
  EXPECT_EQ(importer.StatementCount(), 0);
}

TEST(MarkdownQuadraticBudgetTest, CpuBudgetStopsTheParseWithoutPrechecks) {
  TesseradChild server({"--parse_prechecks=false", "--parse_cpu_budget=1s"});
  ASSERT_FALSE(server.address().empty());
  Importer importer(server);
  for (const Pattern& p : Patterns()) {
    double seconds = 0, whoami = 0;
    grpc::Status s = importer.ImportWhileServing(p.source, &seconds, &whoami);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << p.name << ": " << s.error_message();
    EXPECT_EQ(Subject(s), "limits/parse_cpu_budget") << p.name;
    // 1 s of CPU; the bound leaves room for a busy 2-core machine.
    EXPECT_LT(seconds, 8.0) << p.name;
    EXPECT_LT(whoami, 1.0) << p.name;
    EXPECT_TRUE(server.Children().empty()) << p.name;
    std::printf("%s: RESOURCE_EXHAUSTED after %.2f s, slowest WhoAmI %.3f s\n",
                p.name.c_str(), seconds, whoami);
  }
  EXPECT_EQ(importer.StatementCount(), 0);
}

TEST(MarkdownQuadraticBudgetTest, DeadlineStopsTheParseWithoutPrechecks) {
  TesseradChild server({"--parse_prechecks=false", "--parse_cpu_budget=300s",
                        "--call_timeout=2s"});
  ASSERT_FALSE(server.address().empty());
  Importer importer(server);
  for (const Pattern& p : Patterns()) {
    double seconds = 0, whoami = 0;
    grpc::Status s = importer.ImportWhileServing(p.source, &seconds, &whoami);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << p.name << ": " << s.error_message();
    EXPECT_LT(seconds, 5.0) << p.name;
    EXPECT_LT(whoami, 1.0) << p.name;
    // The parse does not go on after the answer.
    EXPECT_TRUE(server.Children().empty()) << p.name;
    std::printf("%s: DEADLINE_EXCEEDED after %.2f s, slowest WhoAmI %.3f s\n",
                p.name.c_str(), seconds, whoami);
  }
  EXPECT_EQ(importer.StatementCount(), 0);
}

// The parse child's address-space budget (--parse_memory_bytes): a
// document whose parse tree needs more is refused with the limit named and
// nothing stored, while a small one imports under the same budget.
TEST(MarkdownQuadraticBudgetTest, MemoryBudgetStopsTheParse) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer builds run the parse child without RLIMIT_AS";
#endif
  TesseradChild server({"--parse_prechecks=false",
                        "--parse_memory_bytes=268435456"});
  ASSERT_FALSE(server.address().empty());
  Importer importer(server);
  // About 6 MiB of emphasis: millions of cmark nodes, far over 256 MiB.
  grpc::Status s = importer.Import(Repeat("*a* b ", 1000000) + "\n");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_EQ(Subject(s), "limits/parse_memory_bytes") << s.error_message();
  EXPECT_TRUE(server.Children().empty());
  EXPECT_EQ(importer.StatementCount(), 0);
  grpc::Status small = importer.Import("We call for *peace*.\n");
  EXPECT_TRUE(small.ok()) << small.error_message();
  EXPECT_EQ(importer.StatementCount(), 1);
}

// Regression test for "a client's cancellation does not kill the parse
// child": the parse went on, burning its whole CPU budget, after the
// client had gone.
TEST(MarkdownQuadraticBudgetTest, CancelledImportKillsItsParseChild) {
  TesseradChild server({"--parse_prechecks=false", "--parse_cpu_budget=300s"});
  ASSERT_FALSE(server.address().empty());
  Importer importer(server);
  std::promise<grpc::ClientContext*> ctx;
  auto answer = ctx.get_future();
  auto result = std::async(std::launch::async, [&] {
    return importer.Import(Patterns()[1].source, &ctx);
  });
  grpc::ClientContext* call = answer.get();
  // Wait until the parse child runs, then leave.
  const auto t0 = Clock::now();
  while (server.Children().empty() && Since(t0) < 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(server.Children().empty()) << "no parse child started";
  call->TryCancel();
  EXPECT_EQ(result.get().error_code(), grpc::StatusCode::CANCELLED);
  const auto cancelled = Clock::now();
  while (!server.Children().empty() && Since(cancelled) < 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(server.Children().empty())
      << "the parse child outlived its cancelled call";
  EXPECT_LT(Since(cancelled), 2.0);
  EXPECT_EQ(importer.StatementCount(), 0);
}

// Regression test for "no cap on concurrent parse children": every import
// spawned its own child, each allowed 1 GiB.
TEST(MarkdownQuadraticBudgetTest, ParseChildrenAreCapped) {
  TesseradChild server({"--parse_prechecks=false", "--parse_cpu_budget=2s",
                        "--parse_children=1"});
  ASSERT_FALSE(server.address().empty());
  Importer importer(server);
  std::vector<std::future<grpc::Status>> imports;
  for (int i = 0; i < 3; ++i) {
    imports.push_back(std::async(std::launch::async, [&] {
      return importer.Import(Patterns()[1].source);
    }));
  }
  size_t most = 0;
  auto all_done = [&] {
    for (auto& f : imports) {
      if (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        return false;
      }
    }
    return true;
  };
  const auto t0 = Clock::now();
  while (!all_done() && Since(t0) < 60) {
    most = std::max(most, server.Children().size());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(most, 1u) << "parse children alive at once";
  int busy = 0;
  for (auto& f : imports) {
    grpc::Status s = f.get();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << s.error_message();
    const std::string subject = Subject(s);
    EXPECT_TRUE(subject == "limits/parse_cpu_budget" ||
                subject == "limits/parse_children")
        << subject;
    busy += subject == "limits/parse_children";
  }
  // Three 2 s parses, one at a time, each waiting at most 2 s: the last
  // cannot have had its turn.
  EXPECT_GE(busy, 1);
  EXPECT_EQ(importer.StatementCount(), 0);
}

}  // namespace
}  // namespace tessera::testing
