// Assembly cost: PublicationCore::Assemble of a fully approved statement
// (read the statement, its revision document and source segments, scan the
// language's translations, render the Markdown with its structure check,
// hash) against a raw RocksDB scan of the same translation records in the
// same run, for statements of 100, 1,000 and 10,000 segments. Two target
// languages are approved: "fr" with the source text (identity: every
// segment is rendered from the cached source pieces and no structure check
// runs) and "de" with a pseudo-translation of every translatable segment
// (accents and brackets around each text run, codes kept), which takes the
// path real translations take: changed segments cut and normalised, the
// output parsed and checked against the source's structure. Each variant
// assembles twice per run: cold (the revision-document cache emptied
// first, so the document is read and decoded) and warm (the document
// served from the cache, as for every publication of a revision after its
// first). Prints the medians, the ratios to the raw scan of the "fr"
// records and the cost per segment: the ratios should stay small constants
// as the size grows. Then "fr" is published and GetPublication renders it
// as HTML twice: the first call converts the stored Markdown, the second
// is served from the rendering cache (checked by its hit count), so the
// "html 2nd" column stays small however large the document.
//
//   tessera_publication_bench [--repeat=7] [--sizes=100,1000,10000]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/strings.h"
#include "formats/markdown.h"
#include "formats/render.h"
#include "formats/test_util.h"
#include "services/publication/publication_core.h"
#include "services/statement/statement_core.h"
#include "services/statement/statement_reader_for_translation.h"
#include "services/statement/statement_reader_for_publication.h"
#include "services/translation/translation_core.h"
#include "services/translation/translation_reader_for_publication.h"
#include "storage/key_codec.h"
#include "storage/store.h"

ABSL_FLAG(int32_t, repeat, 7, "Runs per point; the table shows medians.");
ABSL_FLAG(std::string, sizes, "100,1000,10000",
          "Segments per statement to measure, comma-separated.");

namespace {

using namespace tessera;  // NOLINT: a benchmark's main file

double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// n one-sentence paragraphs with emphasis and links every few, all
// different.
std::string Document(int n) {
  std::string out = "# Statement\n\n";
  for (int i = 1; i < n; ++i) {
    if (i % 5 == 0) {
      StrAppend(&out, "- Item ", i, " asks for *peace* in region ", i, ".\n\n");
    } else if (i % 7 == 0) {
      StrAppend(&out, "The [council](https://example.org/", i,
                ") met for session ", i, " today.\n\n");
    } else {
      StrAppend(&out, "Paragraph ", i,
                " says that the assembly agreed on point ", i, ".\n\n");
    }
  }
  return out;
}

int Run() {
  std::vector<int> sizes;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(s, &n) || n < 2) {
      std::fprintf(stderr, "bad --sizes entry\n");
      return 2;
    }
    sizes.push_back(n);
  }
  const int repeat = std::max(1, absl::GetFlag(FLAGS_repeat));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      StrCat(
          "tessera-publication-bench-",
          HexEncode(Sha256(StrCat(::getpid(), absl::ToUnixNanos(absl::Now()))))
              .substr(0, 12));
  storage::StoreOptions so;
  so.path = dir.string();
  so.sync_writes = false;  // setting up is not what is measured
  auto store = storage::Store::Open(so);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  Clock* clock = Clock::Real();
  statement::StatementCore statements(store->get(), clock,
                                      RandomSource::Secure());
  statement::StatementReaderForTranslation statements_for_translation(
      &statements);
  translation::TranslationCore translations(
      store->get(), &statements_for_translation, clock);
  statement::StatementReaderForPublication statement_reader(&statements);
  translation::TranslationReaderForPublication translation_reader(
      &translations);
  publication::PublicationCore publications(store->get(), store->get(),
                                            &statement_reader,
                                            &translation_reader, clock);
  const Principal admin{"root", "", {{Role::kAdmin, {}}}};
  const Principal c1{"c1", "", {{Role::kCoordinator, {}}}};
  const Principal c2{"c2", "", {{Role::kCoordinator, {}}}};

  // The pseudo-translation of one segment, as the formats tests make it.
  const auto pseudo = [](const formats::Segment& segment) {
    formats::Document one;
    one.segments.push_back(segment);
    return formats::testing::PseudoTranslate(one)[0];
  };
  const auto same = [](const formats::Segment& segment) {
    return segment.content;
  };
  std::printf(
      "%8s %9s %9s | %9s %9s %7s %9s %7s %8s %8s | %9s %9s %7s %9s %7s %8s "
      "%8s | %7s %8s %8s %8s %8s | %9s %9s\n",
      "segments", "records", "scan ms", "id bytes", "cold ms", "ratio",
      "warm ms", "ratio", "µs/seg c", "µs/seg w", "ps bytes", "cold ms",
      "ratio", "warm ms", "ratio", "µs/seg c", "µs/seg w", "doc ms", "srcs ms",
      "trans ms", "rndr ms", "ps rndr", "html 1st", "html 2nd");
  for (int n : sizes) {
    statement::CreateParams p;
    p.title = "Bench";
    p.source = Document(n);
    p.source_language = "en";
    p.target_languages = {"fr", "de"};
    auto s = statements.CreateStatement(admin, p);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      return 1;
    }
    // Approves every segment of `language` with translate(source segment).
    const auto approve_all = [&](const std::string& language,
                                 const auto& translate) {
      std::string token;
      do {
        auto page =
            translations.ListSegments(admin, s->statement_id, language, {},
                                      translation::kMaxPageSize, token);
        if (!page.ok()) return page.status();
        for (const auto& t : page->translations) {
          translation::TranslationRef ref{s->statement_id, language,
                                          t.segment_id};
          auto done = translations.Submit(
              c1, ref, t.version, translate(t.source.segment), false);
          if (done.ok()) {
            done = translations.Approve(c2, ref, done->version, "");
          }
          if (!done.ok()) return done.status();
        }
        token = page->next_page_token;
      } while (!token.empty());
      return absl::OkStatus();
    };
    absl::Status approved = approve_all("fr", same);
    if (approved.ok()) approved = approve_all("de", pseudo);
    if (!approved.ok()) {
      std::fprintf(stderr, "%s\n", approved.ToString().c_str());
      return 1;
    }
    auto loaded = statements.LoadStatementWithInternalId(s->statement_id);
    if (!loaded.ok()) return 1;
    const std::string prefix =
        storage::KeyBuilder(0x01).U64(loaded->second).String("fr").Build();
    const std::string end = storage::PrefixSuccessor(prefix);

    if (auto pub = publications.Publish(admin, s->statement_id, "fr",
                                        publication::Policy::kRefuse);
        !pub.ok()) {
      std::fprintf(stderr, "%s\n", pub.status().ToString().c_str());
      return 1;
    }
    std::vector<double> html1_ms, html2_ms;
    std::vector<double> scan_ms, cold_ms, assemble_ms, pcold_ms, pwarm_ms,
        doc_ms, sources_ms, translations_ms, render_ms, prender_ms;
    size_t records = 0;
    size_t bytes = 0;
    size_t pseudo_bytes = 0;
    for (int r = 0; r < repeat; ++r) {
      size_t count = 0;
      auto t0 = std::chrono::steady_clock::now();
      absl::Status st =
          (*store)->Scan(storage::ColumnFamily::kTranslations, prefix, end,
                         [&](std::string_view, std::string_view) {
                           ++count;
                           return true;
                         });
      publications.ResetRevisionCacheForTest(
          publication::kRevisionCacheSegments);
      auto before = publications.RevisionCacheStatsForTest();
      auto t1 = std::chrono::steady_clock::now();
      auto cold = publications.Assemble(s->statement_id, "fr",
                                        publication::Policy::kRefuse);
      auto t2 = std::chrono::steady_clock::now();
      auto a = publications.Assemble(s->statement_id, "fr",
                                     publication::Policy::kRefuse);
      auto t3 = std::chrono::steady_clock::now();
      auto cache = publications.RevisionCacheStatsForTest();
      if (cache.hits != before.hits + 1 || cache.misses != before.misses + 1) {
        std::fprintf(stderr, "the warm assembly missed the cache\n");
        return 1;
      }
      publications.ResetRevisionCacheForTest(
          publication::kRevisionCacheSegments);
      before = publications.RevisionCacheStatsForTest();
      auto q1 = std::chrono::steady_clock::now();
      auto pcold = publications.Assemble(s->statement_id, "de",
                                         publication::Policy::kRefuse);
      auto q2 = std::chrono::steady_clock::now();
      auto pa = publications.Assemble(s->statement_id, "de",
                                      publication::Policy::kRefuse);
      auto q3 = std::chrono::steady_clock::now();
      cache = publications.RevisionCacheStatsForTest();
      if (cache.hits != before.hits + 1 || cache.misses != before.misses + 1) {
        std::fprintf(stderr, "the warm pseudo assembly missed the cache\n");
        return 1;
      }
      if (!pcold.ok() || !pa.ok() || !pa->missing.empty() ||
          pcold->content != pa->content ||
          pcold->fingerprint != pa->fingerprint) {
        std::fprintf(
            stderr, "pseudo assembly failed: %s\n",
            (pcold.ok() ? pa.status() : pcold.status()).ToString().c_str());
        return 1;
      }
      if (r == 0) {
        // The pseudo output must really differ (or the check never ran),
        // and keep the source's segments and element structure.
        auto src_doc = formats::ImportMarkdown(p.source);
        auto out_doc = formats::ImportMarkdown(pa->content);
        if (pa->content == p.source || !src_doc.ok() || !out_doc.ok() ||
            src_doc->segments.size() != out_doc->segments.size() ||
            formats::testing::TagSequence(
                formats::testing::MarkdownToHtml(p.source)) !=
                formats::testing::TagSequence(
                    formats::testing::MarkdownToHtml(pa->content))) {
          std::fprintf(stderr,
                       "pseudo output equals the source or lost its "
                       "structure\n");
          return 1;
        }
      }
      if (!st.ok() || !cold.ok() || !a.ok() || !a->missing.empty() ||
          a->content != p.source || cold->content != a->content ||
          cold->fingerprint != a->fingerprint) {
        std::fprintf(stderr, "assembly failed or differs from the source\n");
        return 1;
      }
      records = count;
      // Where the time goes: the parts of an assembly, one by one.
      auto p0 = std::chrono::steady_clock::now();
      auto doc = statements.LoadRevisionDocument(s->statement_id, 1);
      auto p1 = std::chrono::steady_clock::now();
      std::string page_token;
      do {
        auto page = statements.ListSourceSegments(
            admin, s->statement_id, 1, statement::kMaxSegmentPageSize,
            page_token, false);
        if (!page.ok()) return 1;
        page_token = page->next_page_token;
      } while (!page_token.empty());
      auto p2 = std::chrono::steady_clock::now();
      auto stored = translations.ScanTranslations(s->statement_id, "fr");
      auto p3 = std::chrono::steady_clock::now();
      if (!doc.ok() || !stored.ok()) return 1;
      auto rendered = formats::Render(doc->document,
                                      formats::SourceContents(doc->document));
      auto p4 = std::chrono::steady_clock::now();
      auto prendered = formats::Render(
          doc->document,
          formats::testing::PseudoTranslate(doc->document, true));
      auto p5 = std::chrono::steady_clock::now();
      if (!rendered.ok() || !prendered.ok() || *prendered != pa->content) {
        std::fprintf(stderr, "renderings differ from the assemblies\n");
        return 1;
      }
      // The HTML rendering, uncached then cached.
      publications.RenderCacheForTest().Reset(publication::kRenderCacheBytes);
      auto h0 = std::chrono::steady_clock::now();
      auto html1 = publications.GetPublication(
          admin, s->statement_id, "fr", std::nullopt,
          publication::OutputFormat::kHtml, false);
      auto h1 = std::chrono::steady_clock::now();
      auto html2 = publications.GetPublication(
          admin, s->statement_id, "fr", std::nullopt,
          publication::OutputFormat::kHtml, false);
      auto h2 = std::chrono::steady_clock::now();
      const auto rc = publications.RenderCacheForTest().stats();
      if (!html1.ok() || !html2.ok() || html1->content != html2->content ||
          html1->content.empty() || rc.misses != 1 || rc.hits != 1) {
        std::fprintf(stderr, "the second HTML rendering missed the cache\n");
        return 1;
      }
      html1_ms.push_back(Millis(h1 - h0));
      html2_ms.push_back(Millis(h2 - h1));
      prender_ms.push_back(Millis(p5 - p4));
      doc_ms.push_back(Millis(p1 - p0));
      sources_ms.push_back(Millis(p2 - p1));
      translations_ms.push_back(Millis(p3 - p2));
      render_ms.push_back(Millis(p4 - p3));
      bytes = a->content.size();
      scan_ms.push_back(Millis(t1 - t0));
      cold_ms.push_back(Millis(t2 - t1));
      assemble_ms.push_back(Millis(t3 - t2));
      pseudo_bytes = pa->content.size();
      pcold_ms.push_back(Millis(q2 - q1));
      pwarm_ms.push_back(Millis(q3 - q2));
    }
    const double scan = Median(scan_ms), cold = Median(cold_ms),
                 assemble = Median(assemble_ms), pcold = Median(pcold_ms),
                 pwarm = Median(pwarm_ms);
    std::printf(
        "%8d %9zu %9.3f | %9zu %9.3f %7.1f %9.3f %7.1f %8.2f %8.2f | %9zu "
        "%9.3f %7.1f %9.3f %7.1f %8.2f %8.2f | %7.2f %8.2f %8.2f %8.2f %8.2f | "
        "%9.3f %9.3f\n",
        n, records, scan, bytes, cold, cold / scan, assemble, assemble / scan,
        cold * 1000.0 / n, assemble * 1000.0 / n, pseudo_bytes, pcold,
        pcold / scan, pwarm, pwarm / scan, pcold * 1000.0 / n,
        pwarm * 1000.0 / n, Median(doc_ms), Median(sources_ms),
        Median(translations_ms), Median(render_ms), Median(prender_ms),
        Median(html1_ms), Median(html2_ms));
  }
  std::error_code ec;
  store->reset();
  std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Publication assembly against a raw scan of the same records.");
  absl::ParseCommandLine(argc, argv);
  return Run();
}
