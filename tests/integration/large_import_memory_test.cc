// Regression test for "memory held after large imports": a 5 MB document
// of about 1.3M sentences was refused only after every segment was built
// (825 MB peak), and repeating it grew the server's RSS to 1.8 GB. Against
// a real tesserad process, in both parse modes: each of 20 imports is
// refused with the segment limit's error, the peak stays bounded and RSS
// after the 20th import is where it was after the first.
//
// TESSERA_LARGE_IMPORT_MB and TESSERA_LARGE_IMPORT_REPEATS change the size
// and the count (make import-limits-long runs 200 of 8 MB).
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tests/integration/tesserad_child.h"
#include "tests/integration/test_server.h"

namespace tessera::testing {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
// Peak RSS of the server over all imports, and how far RSS after the
// last import may be above RSS after the first.
constexpr int64_t kPeakBound = 200 * kMiB;
constexpr int64_t kFlatMargin = 48 * kMiB;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Paragraphs of 100 four-byte sentences ("Ab. "): 5 MB is ~1.3M sentences.
std::string ManySentences(size_t bytes) {
  std::string paragraph;
  for (int i = 0; i < 100; ++i) paragraph += "Ab. ";
  paragraph += "\n\n";
  std::string doc;
  doc.reserve(bytes + paragraph.size());
  while (doc.size() < bytes) doc += paragraph;
  return doc;
}

void ImportRepeatedly(const std::vector<std::string>& flags) {
  const int mb = EnvInt("TESSERA_LARGE_IMPORT_MB", 5);
  const int repeats = EnvInt("TESSERA_LARGE_IMPORT_REPEATS", 20);
  TesseradChild server(flags);
  ASSERT_FALSE(server.address().empty());
  auto stub = v1::StatementService::NewStub(server.channel());
  v1::CreateStatementRequest req;
  req.set_title("many sentences");
  req.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  req.set_source_language("en");
  req.add_target_languages("de");
  req.set_source(ManySentences(static_cast<size_t>(mb) * 1000 * 1000));

  int64_t rss_first = 0;
  for (int i = 0; i < repeats; ++i) {
    auto ctx = AuthContext(server.admin_token());
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(60));
    v1::Statement s;
    const auto t0 = std::chrono::steady_clock::now();
    grpc::Status status = stub->CreateStatement(ctx.get(), req, &s);
    const double secs = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
    ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << "import " << i + 1 << ": " << status.error_message();
    auto quota = Detail<google::rpc::QuotaFailure>(status);
    ASSERT_TRUE(quota.has_value()) << status.error_message();
    EXPECT_EQ(quota->violations(0).subject(),
              "limits/max_segments_per_statement");
    EXPECT_NE(status.error_message().find("max_segments_per_statement is"),
              std::string::npos)
        << status.error_message();
    const int64_t rss = server.RssBytes();
    if (i == 0) rss_first = rss;
    if (i == 0 || i + 1 == repeats) {
      std::printf("import %d: %.2f s, RSS %.1f MiB, peak %.1f MiB\n", i + 1,
                  secs, static_cast<double>(rss) / kMiB,
                  static_cast<double>(server.PeakRssBytes()) / kMiB);
    }
  }
  const int64_t rss_last = server.RssBytes();
  EXPECT_LT(server.PeakRssBytes(), kPeakBound);
  EXPECT_LT(rss_last, rss_first + kFlatMargin)
      << "RSS after the first import " << rss_first / kMiB
      << " MiB, after the last " << rss_last / kMiB << " MiB";

  // Nothing of the refused imports was stored.
  v1::ListStatementsResponse listed;
  auto ctx = AuthContext(server.admin_token());
  ASSERT_TRUE(
      stub->ListStatements(ctx.get(), v1::ListStatementsRequest(), &listed)
          .ok());
  EXPECT_EQ(listed.statements_size(), 0);
}

TEST(LargeImportMemoryTest, RefusedEarlyAndRssFlatWithParseIsolation) {
  ImportRepeatedly({});
}

TEST(LargeImportMemoryTest, RefusedEarlyAndRssFlatParsingInProcess) {
  ImportRepeatedly({"--isolate_parsing=false"});
}

}  // namespace
}  // namespace tessera::testing
