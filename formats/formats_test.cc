// Unit tests for the document model, the importers and the renderer.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
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

using ::tessera::formats::testing::MarkdownToHtml;
using ::tessera::formats::testing::PseudoTranslate;
using ::tessera::formats::testing::ReadFile;
using ::tessera::formats::testing::SimpleSentenceSplit;
using ::tessera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSeeds = std::string(TESSERA_SHARED_DIR) + "/corpus/seeds/";
const std::string kResolution =
    kSeeds + "icor-resolution-gaza-ceasefire.fr.txt";

ImportOptions Sentences() {
  ImportOptions options;
  options.split_sentences = SimpleSentenceSplit;
  return options;
}

std::vector<std::string> Readable(const Document& doc) {
  std::vector<std::string> out;
  for (const Segment& s : doc.segments) out.push_back(ToReadable(s.content));
  return out;
}

// Index of the first segment whose text contains `needle`, or -1.
int Find(const Document& doc, std::string_view needle) {
  for (size_t i = 0; i < doc.segments.size(); ++i) {
    if (doc.segments[i].content.text.find(needle) != std::string::npos) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string Literals(const Document& doc) {
  std::string out;
  for (const SkeletonPart& part : doc.skeleton) {
    out += part.is_hole() ? "<>" : part.literal;
  }
  return out;
}

// Renders with `text` (readable form) in place of segment `index`.
absl::StatusOr<std::string> RenderWith(const Document& doc, size_t index,
                                       std::string_view readable) {
  std::vector<Content> contents = SourceContents(doc);
  absl::StatusOr<Content> content = ParseReadable(readable);
  if (!content.ok()) return content.status();
  contents[index] = *content;
  return Render(doc, contents);
}

// Found by fuzz_markdown: cmark keeps a vertical tab or form feed that ends
// a paragraph, heading or table cell as text (it trims only spaces and
// tabs there), and the importer answered INTERNAL for such documents.
TEST(MarkdownImportTest, VerticalTabOrFormFeedEndingABlockRoundTrips) {
  for (std::string_view md :
       {"x\v", "x\f", "x \v\n", "tp://\v", "# x\v\n", "a\v\fb\f",
        "| a |\n|---|\n| b\v |\n", "| a\v |\n|---|\n| \vb\f |\n"}) {
    absl::StatusOr<Document> doc = ImportMarkdown(md);
    ASSERT_OK(doc.status()) << absl::CEscape(absl::string_view(md.data(), md.size()));
    absl::StatusOr<std::string> out = Render(*doc, SourceContents(*doc));
    ASSERT_OK(out.status()) << absl::CEscape(absl::string_view(md.data(), md.size()));
    EXPECT_EQ(*out, md);
  }
}

// Found by fuzz_rpc_statement: cmark-gfm keeps a form feed or vertical tab
// at the edge of a cell of a row without a leading pipe.
TEST(MarkdownImportTest, FormFeedOrVerticalTabAtTableCellEdgeRoundTrips) {
  for (std::string_view md :
       {"\f\n|-", "\fa\n|-", "a\f\n|-", "\f a \f|b\n-|-", "\v a|b\n-|-",
        "a|b\n-|-\n\fc\f|d\f", "a \f|\f b \f\n-|-", "|a|b\n|-|-|\n\fc|d",
        "x\n\fa|b\n-|-", "\fa\\|b|c\n-|-", "\v\n\v-", "a|b\n\f-|-\v\n"}) {
    const std::string shown = absl::CEscape(absl::string_view(md.data(), md.size()));
    absl::StatusOr<Document> doc = ImportMarkdown(md);
    ASSERT_OK(doc.status()) << shown;
    absl::StatusOr<std::string> out = Render(*doc, SourceContents(*doc));
    ASSERT_OK(out.status()) << shown;
    EXPECT_EQ(*out, md) << shown;
  }
}

// Found by fuzz_markdown: a header row that interrupts a paragraph whose
// last line also looks like a header above a delimiter ("2|-" above "|-")
// was mapped to the paragraph's line, and the import answered INTERNAL
// (text blocks overlap).
TEST(MarkdownImportTest, HeaderRowInterruptingATableLikeParagraphRoundTrips) {
  for (std::string_view md :
       {"2|-\n|-\n|-", "2|-\n|-\n|-\n", "a|b\n|-\n|-\n|c",
        "x\n2|-\n|-\n|-\n|d\n"}) {
    const std::string shown = absl::CEscape(absl::string_view(md.data(), md.size()));
    absl::StatusOr<Document> doc = ImportMarkdown(md);
    ASSERT_OK(doc.status()) << shown;
    absl::StatusOr<std::string> out = Render(*doc, SourceContents(*doc));
    ASSERT_OK(out.status()) << shown;
    EXPECT_EQ(*out, md) << shown;
  }
}

// ---------------------------------------------------------------------------
// Readable form and validation.

TEST(ReadableTest, RoundTripsCodesAndBraces) {
  Content content;
  content.text = "Nous exigeons {vraiment} : tout";
  content.codes = {{1, CodeKind::kOpen, 5},
                   {1, CodeKind::kClose, 13},
                   {2, CodeKind::kStandalone, 31}};
  const std::string readable = ToReadable(content);
  EXPECT_EQ(readable, "Nous {1}exigeons{/1} {{vraiment}} : tout{2/}");
  ASSERT_OK_AND_ASSIGN(const Content back, ParseReadable(readable));
  EXPECT_EQ(back, content);
}

TEST(ReadableTest, RejectsMalformedMarkers) {
  EXPECT_THAT(
      ParseReadable("a {1 b"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("byte offset 2")));
  EXPECT_THAT(ParseReadable("a } b"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReadable("{0}x{/0}"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReadable("{x}"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReadable("\xC3("),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ValidateContentTest, RequiresExactlyTheSourceCodesProperlyNested) {
  ASSERT_OK_AND_ASSIGN(const Document doc,
                       ImportMarkdown("Un **gras** et [lien](u)[^1].\n\n"
                                      "[^1]: Note.\n"));
  const Segment& s = doc.segments[0];
  ASSERT_EQ(ToReadable(s.content), "Un {1}gras{/1} et {2}lien{/2}{3/}.");
  const auto check = [&](std::string_view readable) {
    absl::StatusOr<Content> c = ParseReadable(readable);
    EXPECT_OK(c);
    return ValidateContent(s, *c);
  };
  EXPECT_OK(check("{3/}{2}Link{/2} and {1}bold{/1}."));
  EXPECT_THAT(check("Un {1}gras{/1} et {2}lien{/2}."),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("{3/} (footnote-ref) is missing")));
  EXPECT_THAT(check("{1}a{/1}{2}b{/2}{3/}{4/}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("{4/} is not in the source")));
  EXPECT_THAT(
      check("{1}a{/1}{2}b{/2}{3/}{3/}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("appears twice")));
  EXPECT_THAT(
      check("{1}a{2}b{/1}c{/2}{3/}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("crosses")));
  EXPECT_THAT(check("{/1}a{1}{2}b{/2}{3/}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("closes before it opens")));
  Content split_char{"é", {{1, CodeKind::kOpen, 1}}};
  EXPECT_THAT(ValidateContent(s, split_char),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("splits a character")));
}

// ---------------------------------------------------------------------------
// Storage form.

TEST(SerializeTest, RoundTripsEverySeedInBothFormats) {
  for (const char* name : {"icor-resolution-gaza-ceasefire.fr.txt",
                           "cnpjdpi-communique-omar-alsoumi.fr.txt",
                           "red-party-toulouse-report.fr.txt"}) {
    ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kSeeds + name));
    for (bool markdown : {true, false}) {
      ASSERT_OK_AND_ASSIGN(const Document doc,
                           markdown ? ImportMarkdown(text, Sentences())
                                    : ImportPlainText(text, Sentences()));
      const std::string bytes = SerializeDocument(doc);
      ASSERT_FALSE(bytes.empty());
      EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kDocumentFormatVersion);
      ASSERT_OK_AND_ASSIGN(const Document back, DeserializeDocument(bytes));
      EXPECT_EQ(back, doc) << name;
      ASSERT_OK_AND_ASSIGN(const std::string rendered,
                           Render(back, SourceContents(back)));
      EXPECT_EQ(rendered, text) << name;
    }
  }
}

TEST(SerializeTest, CorruptInputIsAnErrorNeverACrash) {
  // Every proper prefix of a document with all kinds of parts is refused.
  ASSERT_OK_AND_ASSIGN(
      const Document small,
      ImportMarkdown("# T *e*\n\n> - a [b](c) `d`  \n>   e&amp;[^1]\n\n"
                     "| f | g\\|h |\n|---|---|\n| 1 | 2 |\n\n[^1]: n.\n",
                     Sentences()));
  const std::string small_bytes = SerializeDocument(small);
  for (size_t n = 0; n < small_bytes.size(); ++n) {
    EXPECT_THAT(DeserializeDocument(std::string_view(small_bytes).substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss))
        << "prefix of " << n << " bytes";
  }
  ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kResolution));
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(text, Sentences()));
  const std::string bytes = SerializeDocument(doc);
  for (size_t n = 0; n < bytes.size(); n += 37) {
    EXPECT_THAT(DeserializeDocument(std::string_view(bytes).substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss))
        << "prefix of " << n << " bytes";
  }
  EXPECT_THAT(DeserializeDocument(bytes + "x"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("trailing")));
  std::string future = bytes;
  future[0] = static_cast<char>(kDocumentFormatVersion + 1);
  EXPECT_THAT(DeserializeDocument(future),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("version")));
  // Flipped bytes either fail cleanly or give a document that renders.
  int refused = 0;
  for (size_t i = 1; i < bytes.size(); i += 53) {
    for (uint8_t flip : {0x01, 0x80, 0xFF}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      const absl::StatusOr<Document> got = DeserializeDocument(bad);
      if (!got.ok()) {
        EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
        ++refused;
        continue;
      }
      (void)Render(*got, SourceContents(*got)).ok();
    }
  }
  EXPECT_GT(refused, 0);
}

// ---------------------------------------------------------------------------
// The resolution seed.

TEST(ResolutionTest, SignatoryListMarkedByBlockRangeStaysVerbatim) {
  ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kResolution));
  ASSERT_OK_AND_ASSIGN(const Document plain, ImportMarkdown(text, Sentences()));
  const int first = Find(plain, "PCPCI Parti Communiste");
  const int last = Find(plain, "TKP-ML");
  ASSERT_GE(first, 0);
  ASSERT_GE(last, first);
  ImportOptions options = Sentences();
  options.no_translate_blocks.push_back(
      {plain.segments[first].context.block_index,
       plain.segments[last].context.block_index + 1});
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(text, options));
  int signatories = 0;
  for (size_t i = 0; i < doc.segments.size(); ++i) {
    const Segment& s = doc.segments[i];
    const bool in_list =
        static_cast<int>(i) >= first && static_cast<int>(i) <= last;
    if (in_list) {
      EXPECT_FALSE(s.translatable) << s.content.text;
      EXPECT_EQ(s.context.kind, BlockKind::kListItem);
      ++signatories;
    }
  }
  EXPECT_EQ(signatories, 28);
  EXPECT_TRUE(doc.segments[Find(doc, "Nous exigeons")].translatable);

  // Translating what may be translated leaves the list byte for byte.
  ASSERT_OK_AND_ASSIGN(const std::string out,
                       Render(doc, PseudoTranslate(doc, true)));
  const size_t list = text.find("1. PCPCI");
  ASSERT_NE(list, std::string::npos);
  EXPECT_EQ(out.substr(out.size() - (text.size() - list)), text.substr(list));
  EXPECT_THAT(out, Not(HasSubstr("Nous exigeons :")));
  EXPECT_THAT(out, HasSubstr(testing::PseudoText("Nous exigeons :")));
}

TEST(ResolutionTest, SignatoryListMarkedByMarkerLines) {
  ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kResolution));
  const size_t list = text.find("1. PCPCI");
  ASSERT_NE(list, std::string::npos);
  const std::string marked =
      text.substr(0, list) + std::string(kNoTranslateBegin) + "\n" +
      text.substr(list) + "\n" + std::string(kNoTranslateEnd) + "\n\nFin.\n";
  for (bool markdown : {true, false}) {
    ASSERT_OK_AND_ASSIGN(const Document doc,
                         markdown ? ImportMarkdown(marked, Sentences())
                                  : ImportPlainText(marked, Sentences()));
    int frozen = 0;
    for (const Segment& s : doc.segments) {
      if (!s.translatable) ++frozen;
      if (s.content.text.find("PCPCI") != std::string::npos ||
          s.content.text.find("TKP-ML") != std::string::npos) {
        EXPECT_FALSE(s.translatable) << s.content.text;
      }
      if (s.content.text == "Fin.") {
        EXPECT_TRUE(s.translatable);
      }
    }
    // 28 signatories, and www.icor.info.
    EXPECT_EQ(frozen, 29) << (markdown ? "markdown" : "plain");
    ASSERT_OK_AND_ASSIGN(const std::string out,
                         Render(doc, PseudoTranslate(doc, true)));
    const std::string block =
        marked.substr(list, marked.find(kNoTranslateEnd) - list);
    EXPECT_THAT(out, HasSubstr(block));
    EXPECT_THAT(out, HasSubstr(std::string(kNoTranslateBegin)));
    EXPECT_THAT(out, HasSubstr(testing::PseudoText("Fin.")));
  }
}

TEST(ResolutionTest, BoldDemandsArePairedCodes) {
  ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kResolution));
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(text, Sentences()));
  const int demand = Find(doc, "Protégeons la Palestine");
  ASSERT_GE(demand, 0);
  const Segment& s = doc.segments[demand];
  EXPECT_EQ(ToReadable(s.content),
            "{1}Protégeons la Palestine et opposons-nous à toute tentative de "
            "rompre le cessez-le-feu !{/1}");
  EXPECT_EQ(s.context.kind, BlockKind::kListItem);
  ASSERT_EQ(s.codes.size(), 2u);
  EXPECT_EQ(s.codes[0].type, CodeType::kStrong);
  EXPECT_EQ(s.codes[0].data, "**");
  EXPECT_EQ(s.codes[1].kind, CodeKind::kClose);
  // The list marker lives in the skeleton.
  EXPECT_THAT(Literals(doc), HasSubstr("\n\n- <>\n- <>\n"));

  // A bold run of two sentences is not cut: codes never cross segments.
  const int two = Find(doc, "Collectons des dons");
  ASSERT_GE(two, 0);
  EXPECT_THAT(ToReadable(doc.segments[two].content),
              HasSubstr("Al-Awda ! Faites confiance aux masses populaires et "
                        "appuyez-vous sur elles.{/1}"));
  // Bold inside a paragraph stays with its sentence.
  const int inner = Find(doc, "Aujourd'hui, le mouvement");
  ASSERT_GE(inner, 0);
  EXPECT_THAT(ToReadable(doc.segments[inner].content),
              ::testing::StartsWith("{1}Aujourd'hui, le mouvement mondial"));
  EXPECT_THAT(ToReadable(doc.segments[inner].content),
              HasSubstr("« Palestine libre »{/1} et prouver"));
}

TEST(ResolutionTest, FootnoteMarkAndDefinition) {
  ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kResolution));
  for (bool markdown : {true, false}) {
    ASSERT_OK_AND_ASSIGN(const Document doc,
                         markdown ? ImportMarkdown(text, Sentences())
                                  : ImportPlainText(text, Sentences()));
    const int ref = Find(doc, "rendu l'accord possible.");
    ASSERT_GE(ref, 0);
    const Segment& s = doc.segments[ref];
    ASSERT_FALSE(s.codes.empty());
    const InlineCode& mark = s.codes.back();
    EXPECT_EQ(mark.type, CodeType::kFootnoteRef);
    EXPECT_EQ(mark.data, "¹");
    EXPECT_EQ(mark.equiv, "1");
    EXPECT_EQ(s.content.codes.back().offset, s.content.text.size());
    EXPECT_THAT(s.content.text, ::testing::EndsWith("»"));

    const int def = Find(doc, "Déclaration du FPLP");
    ASSERT_GE(def, 0);
    EXPECT_EQ(doc.segments[def].content.text,
              "Déclaration du FPLP du 9 octobre 2025, citée d'après "
              "fightbacknews.com");
    EXPECT_EQ(doc.segments[def].context.kind, BlockKind::kFootnoteDefinition);
    EXPECT_THAT(Literals(doc), HasSubstr("\n\n1 <>\n\n"));
  }
}

TEST(ResolutionTest, SegmentListExcerpt) {
  // Printed for the issue note; the assertions pin the shape.
  ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kResolution));
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(text, Sentences()));
  const std::vector<std::string> readable = Readable(doc);
  EXPECT_EQ(readable[0],
            "International Coordination of Revolutionary Parties and "
            "Organizations");
  EXPECT_EQ(readable[1], "{1/}");  // www.icor.info, an autolink
  EXPECT_FALSE(doc.segments[1].translatable);
  EXPECT_EQ(readable[2], "31 octobre 2025");
  EXPECT_TRUE(doc.segments[2].translatable);
  for (size_t i = 0; i < readable.size(); ++i) {
    std::cout << i << " [" << BlockKindName(doc.segments[i].context.kind)
              << (doc.segments[i].translatable ? "" : ", verbatim") << "] "
              << readable[i].substr(0, 110)
              << (readable[i].size() > 110 ? "…" : "") << "\n";
  }
}

TEST(SeedsTest, SegmentCounts) {
  // Printed for the issue note: one segment per block, then per sentence
  // with the test splitter (the text module's segmenter will differ).
  for (const char* name : {"icor-resolution-gaza-ceasefire.fr.txt",
                           "cnpjdpi-communique-omar-alsoumi.fr.txt",
                           "red-party-toulouse-report.fr.txt"}) {
    ASSERT_OK_AND_ASSIGN(const std::string text, ReadFile(kSeeds + name));
    for (bool markdown : {true, false}) {
      ASSERT_OK_AND_ASSIGN(const Document blocks, markdown
                                                      ? ImportMarkdown(text)
                                                      : ImportPlainText(text));
      ASSERT_OK_AND_ASSIGN(const Document sentences,
                           markdown ? ImportMarkdown(text, Sentences())
                                    : ImportPlainText(text, Sentences()));
      int verbatim = 0;
      for (const Segment& s : sentences.segments) verbatim += !s.translatable;
      EXPECT_GT(sentences.segments.size(), blocks.segments.size()) << name;
      std::cout << name << (markdown ? " as Markdown: " : " as plain text: ")
                << blocks.segments.size() << " blocks, "
                << sentences.segments.size() << " sentence segments ("
                << verbatim << " verbatim)\n";
    }
  }
}

// ---------------------------------------------------------------------------
// What the skeleton keeps.

TEST(MarkdownImportTest, StructureLivesInTheSkeleton) {
  const std::string md =
      "# Titre *un*  \n"
      "\n"
      "> - Premier point,\n"
      ">   suite du point.\n"
      "\n"
      "| Nom | Pays\\|Région |\n"
      "|:----|-----:|\n"
      "|  A  | `x\\|y` |\n"
      "\n"
      "1. Un\n"
      "2. Deux\n";
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(md));
  EXPECT_THAT(
      Readable(doc),
      ElementsAre("Titre {1}un{/1}", "Premier point, suite du point.", "Nom",
                  "Pays{1/}Région", "A", "{1}x{2/}y{/1}", "Un", "Deux"));
  EXPECT_EQ(Literals(doc),
            "# <>  \n\n> - <>\n\n| <> | <> |\n|:----|-----:|\n|  <>  | <> "
            "|\n\n1. <>\n2. <>\n");
  const Segment& item = doc.segments[1];
  EXPECT_EQ(item.context.kind, BlockKind::kListItem);
  EXPECT_THAT(item.context.nesting,
              ElementsAre(BlockKind::kBlockQuote, BlockKind::kListItem));
  // The soft line break reads as a space; its bytes stay with the segment.
  EXPECT_TRUE(item.codes.empty());
  EXPECT_THAT(item.source_runs, ElementsAre("Premier point,\n>   suite du point."));
  EXPECT_EQ(doc.segments[0].context.heading_level, 1);
  EXPECT_EQ(doc.segments[3].codes[0].data, "\\|");
  EXPECT_EQ(doc.segments[3].context.kind, BlockKind::kTableCell);
  ASSERT_OK_AND_ASSIGN(const std::string out, Render(doc, SourceContents(doc)));
  EXPECT_EQ(out, md);
}

TEST(MarkdownImportTest, CrlfByteOrderMarkAndEmptyDocuments) {
  const std::string md =
      "\xEF\xBB\xBF# Titre\r\n\r\nTexte *gras*\r\nsuite.\r\n";
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(md));
  EXPECT_THAT(Readable(doc),
              ElementsAre("Titre", "Texte {1}gras{/1} suite."));
  EXPECT_THAT(doc.segments[1].source_runs, ElementsAre("Texte ", "gras", "\r\nsuite."));
  EXPECT_EQ(Literals(doc), "\xEF\xBB\xBF# <>\r\n\r\n<>\r\n");
  ASSERT_OK_AND_ASSIGN(const std::string out, Render(doc, SourceContents(doc)));
  EXPECT_EQ(out, md);
  for (const std::string empty : {"", "\n\n", "   \r\n"}) {
    ASSERT_OK_AND_ASSIGN(const Document a, ImportMarkdown(empty));
    ASSERT_OK_AND_ASSIGN(const Document b, ImportPlainText(empty));
    EXPECT_TRUE(a.segments.empty());
    EXPECT_TRUE(b.segments.empty());
    EXPECT_THAT(Render(a, {}), ::tessera::testing::IsOk());
    EXPECT_EQ(*Render(a, {}), empty);
    EXPECT_EQ(*Render(b, {}), empty);
  }
}

TEST(MarkdownImportTest, EscapesEntitiesAndLinksAreCodes) {
  ASSERT_OK_AND_ASSIGN(
      const Document doc,
      ImportMarkdown("AT&amp;T \\*non\\* [voir](https://x.org \"t\"), "
                     "<https://a.b> ou www.icor.info ![logo][l]  \nfin\n\n"
                     "[l]: /logo.png\n"));
  ASSERT_EQ(doc.segments.size(), 1u);
  const Segment& s = doc.segments[0];
  EXPECT_EQ(ToReadable(s.content),
            "AT{1/}T {2/}non{3/} {4}voir{/4}, {5/} ou {6/} {7}logo{/7}{8/}fin");
  std::vector<std::string> data;
  for (const InlineCode& c : s.codes) data.push_back(c.data);
  EXPECT_THAT(data, ElementsAre("&amp;", "\\*", "\\*", "[",
                                "](https://x.org \"t\")", "<https://a.b>",
                                "www.icor.info", "![", "][l]", "  \n"));
  EXPECT_EQ(s.codes[0].equiv, "&");
  EXPECT_EQ(s.codes[0].type, CodeType::kEntity);
  EXPECT_EQ(s.codes[1].type, CodeType::kEscape);
  EXPECT_EQ(s.codes[6].type, CodeType::kAutolink);
  EXPECT_EQ(s.codes[9].type, CodeType::kLineBreak);
}

TEST(MarkdownImportTest, GfmFootnotes) {
  ASSERT_OK_AND_ASSIGN(
      const Document doc,
      ImportMarkdown("Un appel[^appel] clair.\n\n[^appel]: Voir *le* texte.\n"
                     "    Suite.\n"));
  EXPECT_THAT(Readable(doc), ElementsAre("Un appel{1/} clair.",
                                         "Voir {1}le{/1} texte. Suite."));
  EXPECT_EQ(doc.segments[0].codes[0].type, CodeType::kFootnoteRef);
  EXPECT_EQ(doc.segments[0].codes[0].data, "[^appel]");
  EXPECT_EQ(doc.segments[1].context.kind, BlockKind::kFootnoteDefinition);
  EXPECT_THAT(Literals(doc), HasSubstr("[^appel]: <>\n"));
}

TEST(MarkdownImportTest, CodeIdsAreNumberedInSourceOrderPerSegment) {
  ASSERT_OK_AND_ASSIGN(
      const Document doc,
      ImportMarkdown("A *b* [c **d**](u) e.  F `g` h.\n", Sentences()));
  EXPECT_THAT(Readable(doc),
              ElementsAre("A {1}b{/1} {2}c {3}d{/3}{/2} e.", "F {1}g{/1} h."));
}

TEST(MarkdownImportTest, VerbatimSegments) {
  ASSERT_OK_AND_ASSIGN(
      const Document doc,
      ImportMarkdown("2025\n\nwww.icor.info\n\n(…)\n\nsrapapc@gmail.com\n\n"
                     "31 octobre 2025\n\n![](photo.jpg)\n"));
  std::vector<bool> translatable;
  for (const Segment& s : doc.segments) translatable.push_back(s.translatable);
  EXPECT_THAT(translatable,
              ElementsAre(false, false, false, false, true, false));
}

TEST(ImportTest, RejectsInvalidInput) {
  EXPECT_THAT(
      ImportMarkdown("ok\n\xFF\n"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("byte offset 3")));
  EXPECT_THAT(ImportPlainText(std::string("a\0b", 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL")));
  ImportOptions bad;
  bad.split_sentences = [](std::string_view text) {
    return std::vector<size_t>{text.size() + 5};
  };
  EXPECT_THAT(ImportMarkdown("Une phrase. Deux.\n", bad),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sentence splitter")));
}

TEST(IsVerbatimTextTest, NumbersUrlsEmailsAndPunctuation) {
  EXPECT_TRUE(IsVerbatimText("2025"));
  EXPECT_TRUE(IsVerbatimText("08.11.2025 – 12:30"));
  EXPECT_TRUE(IsVerbatimText("https://www.icor.info/x?y=1"));
  EXPECT_TRUE(IsVerbatimText("contact@icor.info (…) ; ¹"));
  EXPECT_TRUE(IsVerbatimText("٢٠٢٥ ۱۴۰۳"));
  EXPECT_TRUE(IsVerbatimText(""));
  EXPECT_FALSE(IsVerbatimText("31 octobre 2025"));
  EXPECT_FALSE(IsVerbatimText("1er"));
  EXPECT_FALSE(IsVerbatimText("Союз"));
  EXPECT_FALSE(IsVerbatimText("宣言"));
}

// ---------------------------------------------------------------------------
// Plain text.

TEST(PlainTextImportTest, LinesBlankRunsAndLineEndingsAreKept) {
  const std::string text =
      "  Titre\r\n\r\n\r\nPremière ligne  \r\n  deuxième ligne\r\n\t\n"
      "Dernier.";
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportPlainText(text));
  EXPECT_THAT(
      Readable(doc),
      ElementsAre("Titre", "Première ligne{1/}deuxième ligne", "Dernier."));
  EXPECT_EQ(doc.segments[1].codes[0].type, CodeType::kLineBreak);
  EXPECT_EQ(doc.segments[1].codes[0].data, "  \r\n  ");
  EXPECT_EQ(Literals(doc), "  <>\r\n\r\n\r\n<>\r\n\t\n<>");
  ASSERT_OK_AND_ASSIGN(const std::string out, Render(doc, SourceContents(doc)));
  EXPECT_EQ(out, text);
  ASSERT_OK_AND_ASSIGN(const std::string moved,
                       RenderWith(doc, 1, "Première{1/}ligne, deuxième ligne"));
  EXPECT_EQ(moved,
            "  Titre\r\n\r\n\r\nPremière  \r\n  ligne, deuxième ligne\r\n\t\n"
            "Dernier.");
}

TEST(PlainTextImportTest, SentenceBreaksAtLineEndsLeaveBreaksInSkeleton) {
  ASSERT_OK_AND_ASSIGN(
      const Document doc,
      ImportPlainText("par\nLibérez Omar Alsoumi !\nLe CNPJDPI dénonce.\n",
                      Sentences()));
  EXPECT_THAT(Readable(doc), ElementsAre("par", "Libérez Omar Alsoumi !",
                                         "Le CNPJDPI dénonce."));
  EXPECT_EQ(Literals(doc), "<>\n<>\n<>\n");
}

// ---------------------------------------------------------------------------
// Rendering translations.

TEST(RenderTest, ChecksContents) {
  ASSERT_OK_AND_ASSIGN(const Document doc,
                       ImportMarkdown("Un **gras**.\n\nDeux.\n"));
  EXPECT_THAT(Render(doc, {}), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("2 segments")));
  EXPECT_THAT(RenderWith(doc, 0, "Bold gone."),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("segment 0: code {1} ")));
  ASSERT_OK_AND_ASSIGN(const std::string out,
                       RenderWith(doc, 0, "A {1}bold{/1} one."));
  EXPECT_EQ(out, "A **bold** one.\n\nDeux.\n");
}

TEST(RenderTest, HostileTranslationsAreEscaped) {
  const std::string md =
      "Premier paragraphe.\n\nSecond *paragraphe*.\n\n| a | b |\n|---|---|\n"
      "| c | d |\n";
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(md));
  struct Case {
    size_t segment;
    std::string readable;
    std::string html_has;
  };
  const std::vector<Case> cases = {
      {0, "# not a heading", "<p># not a heading</p>"},
      {0, "*not emphasis*", "<p>*not emphasis*</p>"},
      {0, "1. not a list", "<p>1. not a list</p>"},
      {0, "- not a list", "<p>- not a list</p>"},
      {0, "> not a quote", "<p>&gt; not a quote</p>"},
      {0, "[x]: /not-a-definition", "<p>[x]: /not-a-definition</p>"},
      {0, "<b>not html</b> &amp; `not code`",
       "<p>&lt;b&gt;not html&lt;/b&gt; &amp;amp; `not code`</p>"},
      {0, "a\\*b C:\\dossier", "<p>a\\*b C:\\dossier</p>"},
      {0, "line\n===", "<p>line ===</p>"},
      {1, "{1}~~not struck~~{/1} _x_", "<em>~~not struck~~</em> _x_"},
      {2, "a|b", "<th>a|b</th>"},
  };
  const std::string source_html = MarkdownToHtml(md);
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(const std::string out,
                         RenderWith(doc, c.segment, c.readable));
    const std::string html = MarkdownToHtml(out);
    EXPECT_THAT(html, HasSubstr(c.html_has)) << c.readable << "\n" << out;
    EXPECT_EQ(testing::TagSequence(html), testing::TagSequence(source_html))
        << c.readable << "\n"
        << out;
  }
  // Text that needs no escape is written as typed.
  ASSERT_OK_AND_ASSIGN(const std::string plain,
                       RenderWith(doc, 0, "Un # au milieu, 2 * 3 et a_b."));
  EXPECT_THAT(plain, HasSubstr("Un # au milieu, 2 * 3 et a_b.\n"));
}

TEST(RenderTest, UnchangedSegmentsKeepTheirSourceBytesNextToEscapedOnes) {
  const std::string md =
      "Premier paragraphe.\n\nSecond [lien](https://example.org/a).\n\n"
      "Troisi\\*me.\n";
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(md));
  ASSERT_OK_AND_ASSIGN(const std::string same,
                       Render(doc, SourceContents(doc)));
  EXPECT_EQ(same, md);
  // Only the changed segment is escaped.
  ASSERT_OK_AND_ASSIGN(const std::string out,
                       RenderWith(doc, 0, "# pas un titre"));
  EXPECT_EQ(out,
            "\\# pas un titre\n\nSecond [lien](https://example.org/a).\n\n"
            "Troisi\\*me.\n");
  EXPECT_EQ(testing::TagSequence(MarkdownToHtml(out)),
            testing::TagSequence(MarkdownToHtml(md)));
}

TEST(RenderTest, WhitespaceMovesOutOfEmphasis) {
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown("Un **mot** ici.\n"));
  ASSERT_OK_AND_ASSIGN(const std::string out,
                       RenderWith(doc, 0, "  A{1} word {/1}here.  "));
  EXPECT_EQ(out, "A **word** here.\n");
}

TEST(RenderTest, MisplacedLineBreakIsRefused) {
  ASSERT_OK_AND_ASSIGN(const Document doc,
                       ImportMarkdown("Intro.\n\nUne ligne\\\nune autre.\n"));
  EXPECT_THAT(
      RenderWith(doc, 1, "One line and another.{1/}"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("segment 1")));
  ASSERT_OK_AND_ASSIGN(const std::string out,
                       RenderWith(doc, 1, "One line{1/}and another."));
  EXPECT_EQ(out, "Intro.\n\nOne line\\\nand another.\n");
}

TEST(RenderTest, TranslatedShortcutReferenceKeepsItsTarget) {
  const std::string md =
      "Voir [le texte] et [ICOR][].\n\n"
      "[le texte]: https://x.org/t\n[icor]: https://icor\n";
  ASSERT_OK_AND_ASSIGN(const Document doc, ImportMarkdown(md));
  ASSERT_OK_AND_ASSIGN(
      const std::string out,
      RenderWith(doc, 0, "See {1}the text{/1} and {2}ICOR{/2}."));
  EXPECT_THAT(out, HasSubstr("See [the text][le texte] and [ICOR][]."));
  EXPECT_THAT(MarkdownToHtml(out),
              HasSubstr("<a href=\"https://x.org/t\">the text</a>"));
}

TEST(RenderTest, BareAutolinkKeepsItsExtentAfterTranslation) {
  ASSERT_OK_AND_ASSIGN(
      const Document doc,
      ImportMarkdown("Liste à l'adresse www.icor.info ici.\n"));
  ASSERT_OK_AND_ASSIGN(const std::string out,
                       RenderWith(doc, 0, "List at {1/}»here."));
  EXPECT_THAT(MarkdownToHtml(out),
              HasSubstr("<a href=\"http://www.icor.info\">www.icor.info</a>"
                        "»here."));
}

}  // namespace
}  // namespace tessera::formats

namespace tessera::formats {
namespace {

TEST(MaxSegmentsTest, ImportStopsOnceTheCountPassesTheLimit) {
  ImportOptions options;
  options.split_sentences = testing::SimpleSentenceSplit;
  options.max_segments = 3;
  EXPECT_TRUE(ImportMarkdown("One. Two.\n\nThree.\n", options).ok());
  EXPECT_THAT(ImportMarkdown("One. Two.\n\nThree. Four.\n", options),
              tessera::testing::StatusIs(
                  absl::StatusCode::kResourceExhausted,
                  ::testing::HasSubstr("more than 3 segments")));
  EXPECT_THAT(ImportPlainText("a\n\nb\n\nc\n\nd\n", options),
              tessera::testing::StatusIs(absl::StatusCode::kResourceExhausted));
  options.max_segments = 0;
  EXPECT_TRUE(ImportPlainText("a\n\nb\n\nc\n\nd\n", options).ok());
}

}  // namespace
}  // namespace tessera::formats
