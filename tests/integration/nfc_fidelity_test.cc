// identity_publication_keeps_non_nfc_source_bytes: documents uploaded in
// another normalisation than NFC (decomposed Vietnamese, Hindi letters NFC
// never composes back, such as U+095B) are segmented as NFC for
// translators, and identity translations publish the upload byte for byte,
// in Markdown and in plain text. Text runs a translation keeps unchanged
// keep the upload's bytes too.
#include <string>
#include <vector>

#include "common/status_matchers.h"
#include "formats/document.h"
#include "formats/markdown.h"
#include "formats/render.h"
#include "gtest/gtest.h"
#include "tests/integration/fidelity_fixture.h"
#include "text/normalize.h"

namespace tessera::testing {
namespace {

// Decomposed Vietnamese: "Việt Nam kêu gọi ngừng bắn ngay lập tức." with
// every letter as its base and combining marks.
const char kVietnameseNfd[] =
    "Vie\xCC\xA3\xCC\x82t Nam ke\xCC\x82u go\xCC\xA3i ngu\xCC\x9B\xCC\x80ng "
    "ba\xCC\x86\xCC\x81n ngay la\xCC\xA3\xCC\x82p tu\xCC\x9B\xCC\x81"
    "c.";
// Hindi with U+095B (ज़), which NFC turns into U+091C U+093C for good.
const char kHindi[] =
    "\xE0\xA4\xAF\xE0\xA4\xB9 \xE0\xA5\x9B\xE0\xA4\xB0\xE0\xA5\x82\xE0\xA4\xB0"
    "\xE0\xA5\x80 \xE0\xA4\xB9\xE0\xA5\x88\xE0\xA5\xA4";

TEST_F(FidelityTest, IdentityPublicationKeepsNonNfcSourceBytes) {
  const std::string vi = kVietnameseNfd;
  const std::string hi = kHindi;
  ASSERT_FALSE(text::IsNfc(vi));
  ASSERT_FALSE(text::IsNfc(hi));
  const std::string markdown =
      "# " + vi + "\n\n" +                               // a heading
      vi + " *" + vi + "* [" + vi + "]\n" + hi + "\n\n" +  // inlines, a break
      "> " + hi + " " + vi + "\n\n" +                     // a quote
      "| " + vi + " | " + hi + " |\n|---|---|\n| " + hi + " | x |\n\n" +
      "```\n" + vi + "\n```\n\n" +                        // skeleton only
      "[" + vi + "]: https://example.org/\n";
  const std::string plain = vi + "\n" + hi + "\n\n" + hi + " " + vi + "\n";
  struct Case {
    std::string source, language;
    v1::DocumentFormat format;
  };
  const std::vector<Case> cases = {
      {vi + " " + vi + "\n", "vi", v1::DOCUMENT_FORMAT_MARKDOWN},
      {hi + "\n", "hi", v1::DOCUMENT_FORMAT_PLAIN_TEXT},
      {markdown, "vi", v1::DOCUMENT_FORMAT_MARKDOWN},
      {plain, "hi", v1::DOCUMENT_FORMAT_PLAIN_TEXT},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    const v1::Statement st = Create(c.source, c.language, c.format);
    ASSERT_FALSE(st.name().empty());
    // Translators read NFC.
    for (const v1::Translation& t : Segments(st.name())) {
      EXPECT_TRUE(text::IsNfc(t.source().content().text()))
          << t.source().content().text();
    }
    const std::string published = PublishIdentity(st.name());
    EXPECT_EQ(published, c.source);
    EXPECT_NE(published, text::NormalizeNfc(c.source));
  }
}

// Below a whole segment: text runs a translation keeps as they were keep
// the upload's bytes; text it changes is NFC.
TEST(FidelityRunsTest, UnchangedRunsKeepUploadBytesOthersAreNfc) {
  const std::string vi = kVietnameseNfd;
  const std::string upload = "**" + vi + "** " + vi + "\n";
  const text::NfcMapping nfc = text::NormalizeNfcMapped(upload);
  ASSERT_FALSE(nfc.changes.empty());
  ASSERT_OK_AND_ASSIGN(formats::Document doc,
                       formats::ImportMarkdown(nfc.nfc));
  std::vector<formats::SourceEdit> edits;
  for (const text::NfcChange& c : nfc.changes) {
    edits.push_back({c.nfc_begin, c.nfc_end, c.input_begin, c.input_end});
  }
  ASSERT_OK(formats::RestoreUploadBytes(upload, edits, &doc));
  ASSERT_EQ(doc.segments.size(), 1u);
  const formats::Content& source = doc.segments[0].content;
  EXPECT_EQ(source.text, text::NormalizeNfc(vi + " " + vi));
  ASSERT_OK_AND_ASSIGN(std::string identity,
                       formats::Render(doc, formats::SourceContents(doc)));
  EXPECT_EQ(identity, upload);
  // The bold run kept, the rest translated.
  formats::Content changed = source;
  const size_t tail = source.codes.back().offset;
  changed.text = source.text.substr(0, tail) + " calls for peace.";
  ASSERT_OK_AND_ASSIGN(std::string out, formats::Render(doc, {changed}));
  EXPECT_EQ(out, "**" + vi + "** calls for peace.\n");
}

}  // namespace
}  // namespace tessera::testing
