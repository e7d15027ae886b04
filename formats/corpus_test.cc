// Document fidelity over the shared corpus: the seeds (as Markdown and as
// plain text), the UDHR in eleven languages turned into Markdown, and the
// 720 examples of the GFM spec. For each document:
//   - identity: rendering every segment's own source content gives the
//     input back byte for byte;
//   - pseudo-translation: rendering visibly different text with the same
//     codes gives Markdown whose cmark-gfm HTML has the same tags as the
//     input's.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_matchers.h"
#include "formats/document.h"
#include "formats/import.h"
#include "formats/markdown.h"
#include "formats/plaintext.h"
#include "formats/render.h"
#include "formats/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::formats {
namespace {

using ::tessera::formats::testing::ListFiles;
using ::tessera::formats::testing::MarkdownToHtml;
using ::tessera::formats::testing::ParseSpecExamples;
using ::tessera::formats::testing::PseudoTranslate;
using ::tessera::formats::testing::ReadFile;
using ::tessera::formats::testing::SimpleSentenceSplit;
using ::tessera::formats::testing::TagSequence;
using ::tessera::formats::testing::UdhrToMarkdown;

const std::string kShared = TESSERA_SHARED_DIR;

ImportOptions Sentences() {
  ImportOptions options;
  options.split_sentences = SimpleSentenceSplit;
  return options;
}

// Imports, checks identity and pseudo-translation; returns a description
// of the first failure, or "" when both hold.
std::string CheckMarkdown(const std::string& markdown,
                          const ImportOptions& options) {
  const absl::StatusOr<Document> doc = ImportMarkdown(markdown, options);
  if (!doc.ok()) return absl::StrCat("import: ", doc.status().ToString());
  const absl::StatusOr<std::string> identity =
      Render(*doc, SourceContents(*doc));
  if (!identity.ok()) {
    return absl::StrCat("identity render: ", identity.status().ToString());
  }
  if (*identity != markdown) {
    return absl::StrCat("identity differs: got\n", *identity);
  }
  const std::vector<Content> contents = PseudoTranslate(*doc);
  const absl::StatusOr<std::string> pseudo = Render(*doc, contents);
  if (!pseudo.ok()) {
    return absl::StrCat("pseudo render: ", pseudo.status().ToString());
  }
  if (contents != SourceContents(*doc) && *pseudo == markdown) {
    return "pseudo-translation renders as the source";
  }
  if (TagSequence(MarkdownToHtml(*pseudo)) !=
      TagSequence(MarkdownToHtml(markdown))) {
    return absl::StrCat("pseudo-translation changes the HTML structure:\n",
                        *pseudo, "\n--- HTML\n", MarkdownToHtml(*pseudo),
                        "--- expected\n", MarkdownToHtml(markdown));
  }
  return "";
}

std::string CheckPlainText(const std::string& text,
                           const ImportOptions& options) {
  const absl::StatusOr<Document> doc = ImportPlainText(text, options);
  if (!doc.ok()) return absl::StrCat("import: ", doc.status().ToString());
  const absl::StatusOr<std::string> identity =
      Render(*doc, SourceContents(*doc));
  if (!identity.ok() || *identity != text) return "identity differs";
  const std::vector<Content> pseudo = PseudoTranslate(*doc);
  const absl::StatusOr<std::string> rendered = Render(*doc, pseudo);
  if (!rendered.ok()) return rendered.status().ToString();
  // The translation keeps the paragraphs and their lines: imported whole,
  // source and translation have the same blocks with the same line breaks.
  const absl::StatusOr<Document> before = ImportPlainText(text);
  const absl::StatusOr<Document> after = ImportPlainText(*rendered);
  if (!before.ok() || !after.ok()) return "plain re-import failed";
  if (after->segments.size() != before->segments.size()) {
    return "re-import gives a different number of paragraphs";
  }
  for (size_t i = 0; i < before->segments.size(); ++i) {
    if (after->segments[i].codes != before->segments[i].codes) {
      return absl::StrCat("paragraph ", i, " changed its line breaks");
    }
    if (before->segments[i].content.text.size() > 1 &&
        after->segments[i].content.text == before->segments[i].content.text) {
      return absl::StrCat("paragraph ", i, " was not translated");
    }
  }
  return "";
}

TEST(CorpusTest, SeedsRoundTripAsMarkdownAndPlainText) {
  const std::vector<std::string> seeds =
      ListFiles(kShared + "/corpus/seeds", ".txt");
  ASSERT_EQ(seeds.size(), 3u);
  for (const std::string& path : seeds) {
    ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(path));
    for (const ImportOptions& options : {ImportOptions{}, Sentences()}) {
      const bool split = static_cast<bool>(options.split_sentences);
      EXPECT_EQ(CheckMarkdown(text, options), "")
          << path << (split ? " (sentences)" : "");
      EXPECT_EQ(CheckPlainText(text, options), "")
          << path << (split ? " (sentences)" : "");
    }
  }
}

TEST(CorpusTest, UdhrRoundTripsAsMarkdown) {
  const std::vector<std::string> files =
      ListFiles(kShared + "/corpus/udhr", ".xml");
  ASSERT_EQ(files.size(), 11u);
  int passed = 0;
  for (const std::string& path : files) {
    ASSERT_OK_AND_ASSIGN(const std::string xml, ReadFile(path));
    ASSERT_OK_AND_ASSIGN(const std::string markdown, UdhrToMarkdown(xml));
    ASSERT_GT(markdown.size(), 5000u) << path;
    const std::string failure = CheckMarkdown(markdown, Sentences());
    EXPECT_EQ(failure, "") << path;
    ASSERT_OK_AND_ASSIGN(const Document doc,
                         ImportMarkdown(markdown, Sentences()));
    // Every <title> is a heading of its own, and nothing else is.
    std::set<int> headings;
    for (const Segment& s : doc.segments) {
      if (s.context.kind == BlockKind::kHeading) {
        headings.insert(s.context.block_index);
      }
    }
    size_t titles = 0;
    for (size_t p = xml.find("<title>"); p != std::string::npos;
         p = xml.find("<title>", p + 1)) {
      ++titles;
    }
    EXPECT_GE(titles, 31u) << path;
    EXPECT_EQ(headings.size(), titles) << path;
    if (failure.empty()) ++passed;
  }
  std::cout << "UDHR as Markdown: " << passed << "/" << files.size()
            << " identity + pseudo-translation\n";
  EXPECT_EQ(passed, 11);
}

TEST(CorpusTest, GfmSpecExamplesRoundTrip) {
  ASSERT_OK_AND_ASSIGN(
      const std::string jsonl,
      ReadFile(kShared + "/commonmark/gfm-spec-examples.jsonl"));
  ASSERT_OK_AND_ASSIGN(const std::vector<testing::SpecExample> examples,
                       ParseSpecExamples(jsonl));
  ASSERT_EQ(examples.size(), 720u);
  int identity_passed = 0;
  int pseudo_passed = 0;
  int total = 0;
  int translated = 0;  // pseudo-translations that differ from the input
  for (const testing::SpecExample& ex : examples) {
    for (const ImportOptions& options : {ImportOptions{}, Sentences()}) {
      ++total;
      const std::string failure = CheckMarkdown(ex.markdown, options);
      if (failure.empty()) {
        ++identity_passed;
        ++pseudo_passed;
        const absl::StatusOr<Document> doc =
            ImportMarkdown(ex.markdown, options);
        const absl::StatusOr<std::string> pseudo =
            Render(*doc, PseudoTranslate(*doc));
        if (pseudo.ok() && *pseudo != ex.markdown) ++translated;
        continue;
      }
      if (failure.rfind("pseudo", 0) == 0) ++identity_passed;
      ADD_FAILURE() << ex.source << " example " << ex.example << " ("
                    << ex.section << ")"
                    << (options.split_sentences ? " with sentences" : "")
                    << ":\n"
                    << ex.markdown << "\n=> " << failure;
    }
  }
  std::cout << "GFM spec examples (each imported whole and by sentences): "
            << "identity " << identity_passed << "/" << total
            << ", pseudo-translation " << pseudo_passed << "/" << total << " ("
            << translated << " with visibly changed text)\n";
  EXPECT_EQ(identity_passed, total);
  EXPECT_EQ(pseudo_passed, total);
  // Only examples without any text (thematic breaks, empty documents, code
  // blocks, HTML blocks, reference definitions) render unchanged.
  EXPECT_GT(translated, total * 3 / 4);
}

}  // namespace
}  // namespace tessera::formats
