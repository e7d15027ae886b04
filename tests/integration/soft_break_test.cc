// soft_line_break_reads_as_space: a Markdown line ending inside a
// paragraph reads as a space in the segment text, its word count and text
// search, and the document still renders back exactly.
#include <string>
#include <vector>

#include "common/status_matchers.h"
#include "formats/document.h"
#include "formats/markdown.h"
#include "formats/render.h"
#include "formats/test_util.h"
#include "gtest/gtest.h"
#include "tests/integration/fidelity_fixture.h"

namespace tessera::testing {
namespace {

TEST_F(FidelityTest, SoftLineBreakReadsAsSpace) {
  const std::string md =
      "Nous exigeons un cessez-le-feu\nimmédiat et durable.\n\n"
      "> Une citation\n> sur deux lignes.\n";
  const v1::Statement st = Create(md, "fr", v1::DOCUMENT_FORMAT_MARKDOWN);
  const v1::Statement one_line = Create(
      "Nous exigeons un cessez-le-feu immédiat et durable.\n\n"
      "> Une citation sur deux lignes.\n",
      "fr", v1::DOCUMENT_FORMAT_MARKDOWN);
  const std::vector<v1::Translation> segs = Segments(st.name());
  const std::vector<v1::Translation> flat = Segments(one_line.name());
  ASSERT_EQ(segs.size(), 2u);
  ASSERT_EQ(flat.size(), 2u);
  for (size_t i = 0; i < segs.size(); ++i) {
    const v1::SourceSegment& s = segs[i].source();
    EXPECT_EQ(s.content().text(), flat[i].source().content().text());
    EXPECT_EQ(s.content().codes_size(), 0);
    EXPECT_EQ(s.word_count(), flat[i].source().word_count());
  }
  EXPECT_EQ(segs[0].source().content().text(),
            "Nous exigeons un cessez-le-feu immédiat et durable.");
  EXPECT_EQ(Segments(st.name(), "cessez-le-feu immédiat").size(), 1u);
  // Identity still gives the lines back.
  EXPECT_EQ(PublishIdentity(st.name()), md);
}

TEST(SoftLineBreakFormatsTest, ReadsAsSpaceAndRoundTripsExactly) {
  const std::string md =
      "Nous exigeons un cessez-le-feu\nimmédiat et durable. Une autre\n"
      "phrase.\n\n"
      "> - un point  \n>   qui continue\n>   encore `du\n>   code`\n\n"
      "Un lien [vers\nle site](https://example.org) ici.\n";
  // One segment per block: the test splitter would end lines at "\n".
  ASSERT_OK_AND_ASSIGN(const formats::Document doc,
                       formats::ImportMarkdown(md));
  std::vector<std::string> texts;
  for (const formats::Segment& s : doc.segments) {
    texts.push_back(formats::ToReadable(s.content));
  }
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "Nous exigeons un cessez-le-feu immédiat et durable. "
                       "Une autre phrase.",
                       "un point{1/}qui continue encore {2}du code{/2}",
                       "Un lien {1}vers le site{/1} ici."}));
  // The source renders back byte for byte, and so does each text equal to
  // the source's.
  ASSERT_OK_AND_ASSIGN(std::string identity,
                       formats::Render(doc, formats::SourceContents(doc)));
  EXPECT_EQ(identity, md);
  // A translation reflows the paragraph, keeping its structure.
  std::vector<formats::Content> contents = formats::SourceContents(doc);
  contents[0].text = "We demand a lasting ceasefire. Another sentence.";
  ASSERT_OK_AND_ASSIGN(std::string out, formats::Render(doc, contents));
  EXPECT_EQ(out.substr(0, out.find("\n\n")),
            "We demand a lasting ceasefire. Another sentence.");
  EXPECT_EQ(formats::testing::TagSequence(formats::testing::MarkdownToHtml(out)),
            formats::testing::TagSequence(formats::testing::MarkdownToHtml(md)));
  // The stored form keeps the source bytes.
  ASSERT_OK_AND_ASSIGN(
      formats::Document back,
      formats::DeserializeDocument(formats::SerializeDocument(doc)));
  EXPECT_EQ(back, doc);
}

}  // namespace
}  // namespace tessera::testing
