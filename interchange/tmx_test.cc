#include "interchange/tmx.h"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/status_matchers.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "common/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "interchange/tmx_testing.h"

namespace tessera::interchange {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::tessera::testing::StatusIs;

const std::string kInterop = std::string(TESSERA_SHARED_DIR) + "/interop";
const std::string kDtdDir = kInterop + "/schemas/tmx-1.4b";

using interchange::tmx_testing::ReadFile;

int XmllintDtd(const std::string& doc, std::string* log) {
  return interchange::tmx_testing::XmllintDtd(kDtdDir, doc, log);
}

std::string Doc(const std::string& body, const std::string& srclang = "fr") {
  return StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n"
      "<header creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\""
      " o-tmf=\"t\" adminlang=\"en\" srclang=\"",
      srclang, "\" datatype=\"plaintext\"/>\n<body>\n", body,
      "</body>\n</tmx>\n");
}

std::string Tu(const std::string& fr, const std::string& en) {
  return StrCat("<tu><tuv xml:lang=\"fr\"><seg>", fr,
                "</seg></tuv><tuv xml:lang=\"en\"><seg>", en,
                "</seg></tuv></tu>\n");
}

// Units as a reader returns them, without their place in the file.
std::vector<TmxUnit> Placeless(std::vector<TmxUnit> units) {
  for (TmxUnit& u : units) u.index = u.line = 0;
  return units;
}

TEST(TmxReadTest, ReadsTheInteropExample) {
  ASSERT_OK_AND_ASSIGN(auto doc,
                       ReadTmx(ReadFile(kInterop + "/examples/valid.tmx")));
  EXPECT_EQ(doc.header.srclang, "fr");
  EXPECT_EQ(doc.header.creationtool, "Tessera");
  EXPECT_EQ(doc.header.creationdate, "20260101T120000Z");
  EXPECT_EQ(doc.units_read, 3);
  EXPECT_TRUE(doc.problems.empty());
  ASSERT_EQ(doc.units.size(), 3u);

  const TmxUnit& u0 = doc.units[0];
  EXPECT_EQ(u0.index, 0);
  EXPECT_EQ(u0.line, 9);
  EXPECT_EQ(u0.tuid, "st-0042-s1");
  EXPECT_EQ(u0.creationid, "volunteer-7");
  EXPECT_EQ(u0.creationdate, "20260101T120000Z");
  EXPECT_THAT(u0.props,
              ElementsAre(TmxProp{"x-tessera-state", "", "reviewed"}));
  EXPECT_THAT(u0.notes, ElementsAre(TmxNote{"", "Keep the bold emphasis."}));
  ASSERT_EQ(u0.variants.size(), 2u);
  const TmxSegment& fr = u0.variants[0].segment;
  EXPECT_EQ(u0.variants[0].language, "fr");
  EXPECT_EQ(fr.text, "Nous appelons à la paix immédiate.");
  ASSERT_EQ(fr.codes.size(), 2u);
  EXPECT_EQ(fr.codes[0].element, TmxElement::kBpt);
  EXPECT_EQ(fr.codes[0].kind, TmxCodeKind::kOpen);
  EXPECT_EQ(fr.codes[0].native, "**");
  EXPECT_EQ(fr.codes[0].type, "bold");
  EXPECT_EQ(fr.codes[0].offset, std::string("Nous appelons à la ").size());
  EXPECT_EQ(fr.codes[1].kind, TmxCodeKind::kClose);
  EXPECT_EQ(fr.codes[1].offset, std::string("Nous appelons à la paix").size());
  EXPECT_EQ(fr.codes[0].id, fr.codes[1].id);
  const TmxSegment& en = u0.variants[1].segment;
  EXPECT_EQ(en.text, "We call for immediate peace.");
  ASSERT_EQ(en.codes.size(), 2u);
  EXPECT_EQ(en.codes[0].id, fr.codes[0].id);

  const TmxUnit& u1 = doc.units[1];
  EXPECT_EQ(u1.line, 19);
  const TmxSegment& fr1 = u1.variants[0].segment;
  EXPECT_EQ(fr1.text, "Signé à Paris,le 3 mars.");
  ASSERT_EQ(fr1.codes.size(), 1u);
  EXPECT_EQ(fr1.codes[0].element, TmxElement::kPh);
  EXPECT_EQ(fr1.codes[0].native, "<br/>");
  EXPECT_EQ(fr1.codes[0].x, "2");
  EXPECT_EQ(fr1.codes[0].type, "lb");
  EXPECT_EQ(u1.variants[1].segment.codes[0].id, fr1.codes[0].id);
  EXPECT_EQ(doc.units[2].variants[1].segment.text, "End of the statement.");
}

TEST(TmxReadTest, TuvWithoutSegSkipsOnlyThatUnit) {
  ASSERT_OK_AND_ASSIGN(
      auto doc,
      ReadTmx(ReadFile(kInterop + "/examples/invalid-tmx-tuv-without-seg.tmx")));
  EXPECT_EQ(doc.units_read, 3);
  EXPECT_EQ(doc.units.size(), 2u);
  ASSERT_EQ(doc.problems.size(), 1u);
  EXPECT_EQ(doc.problems[0].unit_index, 2);
  EXPECT_EQ(doc.problems[0].line, 27);
  EXPECT_THAT(doc.problems[0].message, HasSubstr("en has no <seg>"));
}

TEST(TmxReadTest, BrokenUnitsAreReportedWithReasonsAndNeverHalfRead) {
  const std::string body = StrCat(
      Tu("Bonjour.", "Hello."),                                      // 0
      "<tu><tuv xml:lang=\"de\"><seg>Hallo.</seg></tuv>"
      "<tuv xml:lang=\"en\"><seg>Hello.</seg></tuv></tu>\n",         // 1
      Tu("  ", "Nothing."),                                          // 2
      Tu("Rien.", ""),                                               // 3
      Tu("<bpt i=\"1\">*</bpt>gras", "<bpt i=\"1\">*</bpt>bold"),    // 4
      Tu("gras<ept i=\"1\">*</ept>", "bold<ept i=\"1\">*</ept>"),    // 5
      Tu("<bpt i=\"1\">*</bpt>a<ept i=\"1\">*</ept><bpt i=\"1\">*</bpt>b"
         "<ept i=\"1\">*</ept>", "ab"),                               // 6
      "<tu><tuv xml:lang=\"fr\"><seg>Seul.</seg></tuv></tu>\n",      // 7
      "<tu><tuv><seg>Sans langue.</seg></tuv>"
      "<tuv xml:lang=\"en\"><seg>x</seg></tuv></tu>\n",              // 8
      Tu("Un <foo>b</foo>", "A b"),                                  // 9
      "<tu></tu>\n",                                                 // 10
      Tu("<it>(</it>x", "x"),                                        // 11
      Tu("Au revoir.", "Goodbye."));                                 // 12
  ASSERT_OK_AND_ASSIGN(auto doc, ReadTmx(Doc(body)));
  EXPECT_EQ(doc.units_read, 13);
  ASSERT_EQ(doc.units.size(), 2u);
  EXPECT_EQ(doc.units[0].variants[1].segment.text, "Hello.");
  EXPECT_EQ(doc.units[1].index, 12);
  EXPECT_EQ(doc.units[1].line, 17);
  std::vector<std::pair<int, std::string>> got;
  for (const auto& p : doc.problems) got.emplace_back(p.unit_index, p.message);
  using P = std::pair<int, std::string>;
  EXPECT_THAT(
      got,
      ElementsAre(P{1, "no variant in the source language fr"},
                  P{2, "the source segment (fr) is empty"},
                  P{3, "the segment in en is empty"},
                  P{4, "in fr, <bpt i=\"1\"> has no <ept>"},
                  P{5, "in fr, <ept i=\"1\"> closes no open <bpt>"},
                  P{6, "in fr, two <bpt> have i=\"1\""},
                  P{7, "no variant besides the source (fr)"},
                  P{8, "a <tuv> has no xml:lang"},
                  P{9, "in fr, <foo> is not allowed in <seg>"},
                  P{10, "the unit has no <tuv>"},
                  P{11, "in fr, an <it> needs pos=\"begin\" or pos=\"end\""}));
  EXPECT_EQ(doc.problems[1].line, 7);
}

TEST(TmxReadTest, SourceLanguageOverrideAndAll) {
  const std::string body = Tu("Bonjour.", "Hello.");
  TmxReadOptions en;
  en.source_language = "EN";
  ASSERT_OK_AND_ASSIGN(auto doc, ReadTmx(Doc(body), en));
  ASSERT_EQ(doc.units.size(), 1u);
  EXPECT_EQ(doc.units[0].source, 1u);
  EXPECT_EQ(doc.units[0].variants[doc.units[0].source].language, "en");
  TmxReadOptions es;
  es.source_language = "es";
  ASSERT_OK_AND_ASSIGN(doc, ReadTmx(Doc(body), es));
  EXPECT_EQ(doc.problems.size(), 1u);
  ASSERT_OK_AND_ASSIGN(doc, ReadTmx(Doc(body, "*all*")));
  EXPECT_EQ(doc.units.size(), 1u);
  // A unit's own srclang wins over the header's.
  ASSERT_OK_AND_ASSIGN(
      doc, ReadTmx(Doc("<tu srclang=\"en\"><tuv xml:lang=\"en\"><seg>Hi"
                       "</seg></tuv><tuv xml:lang=\"de\"><seg>Hallo</seg>"
                       "</tuv></tu>")));
  EXPECT_EQ(doc.units.size(), 1u);
}

TEST(TmxReadTest, CodeIdsAgreeAcrossVariantsWhateverTheOrder) {
  // The target moves the codes around; x ties them, else i, else order.
  const std::string body = Tu(
      "<ph x=\"7\">{a}</ph>un <bpt i=\"3\">[</bpt>deux<ept i=\"3\">]</ept>"
      "<ph>{b}</ph><hi type=\"x\">h</hi><it pos=\"begin\">(</it>",
      "<ph>{b}</ph><bpt i=\"9\" x=\"9\">[</bpt>two<ept i=\"9\">]</ept> one"
      "<ph x=\"7\">{a}</ph>");
  ASSERT_OK_AND_ASSIGN(auto doc, ReadTmx(Doc(body)));
  ASSERT_EQ(doc.units.size(), 1u) << doc.problems[0].message;
  const auto& fr = doc.units[0].variants[0].segment.codes;
  const auto& en = doc.units[0].variants[1].segment.codes;
  ASSERT_EQ(fr.size(), 7u);
  EXPECT_EQ(fr[0].id, 1);  // ph x=7
  EXPECT_EQ(fr[1].id, 2);  // bpt i=3
  EXPECT_EQ(fr[2].id, 2);
  EXPECT_EQ(fr[3].id, 3);  // the first ph without x
  EXPECT_EQ(fr[4].id, 4);  // hi open
  EXPECT_EQ(fr[5].id, 4);  // hi close
  EXPECT_EQ(fr[5].offset, std::string("un deuxh").size());
  EXPECT_EQ(fr[6].id, 5);  // it
  ASSERT_EQ(en.size(), 4u);
  EXPECT_EQ(en[0].id, 3);  // the first ph without x
  EXPECT_EQ(en[1].id, 6);  // bpt x=9 is not the source's i=3 pair
  EXPECT_EQ(en[3].id, 1);  // ph x=7
}

TEST(TmxReadTest, NotWellFormedIsAnErrorWithTheLine) {
  auto doc = ReadTmx(
      Doc("<tu>\n<tuv xml:lang=\"fr\"><seg>a</tuv>\n</tu>\n"));
  EXPECT_THAT(doc, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("not well-formed")));
  EXPECT_EQ(TmxErrorLine(doc.status()), 6);
  EXPECT_THAT(doc.status().message(), HasSubstr("line 6"));

  auto empty = ReadTmx("");
  EXPECT_THAT(empty, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(TmxErrorLine(empty.status()).has_value());
}

TEST(TmxReadTest, NotTmxIsAnErrorWithTheLine) {
  auto xliff = ReadTmx(ReadFile(kInterop + "/examples/valid-1.2.xlf"));
  EXPECT_THAT(xliff, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("root element is <xliff>")));
  EXPECT_THAT(TmxErrorLine(xliff.status()), ::testing::Optional(::testing::Gt(0)));
  EXPECT_THAT(ReadTmx("<tmx version=\"1.4\"><body/></tmx>"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("<body> before <header>")));
  EXPECT_THAT(ReadTmx("<tmx version=\"1.4\"><header srclang=\"fr\"/></tmx>"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no <body>")));
}

TEST(TmxReadTest, ExternalEntitiesAreNeverLoaded) {
  testing::TempDir dir;
  const std::string secret = dir.Sub("secret.txt");
  // Text for the general entity, a declaration for the parameter one.
  std::ofstream(secret) << "<!ENTITY xxe \"TOP-SECRET-CONTENT\">";
  for (const std::string& decl :
       {StrCat("<!ENTITY xxe SYSTEM \"file://", secret, "\">"),
        StrCat("<!ENTITY % p SYSTEM \"file://", secret, "\"> %p;")}) {
    const std::string doc = StrCat(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [", decl, "]>\n",
        Doc(Tu("&xxe;", "b")).substr(std::string("<?xml version=\"1.0\" "
                                                  "encoding=\"UTF-8\"?>\n")
                                         .size()));
    auto read = ReadTmx(doc);
    // libxml2 may stop first at the undefined &xxe; of the second form.
    EXPECT_THAT(read, StatusIs(absl::StatusCode::kInvalidArgument,
                               ::testing::AnyOf(HasSubstr("declares entities"),
                                                HasSubstr("not defined"))))
        << decl;
    EXPECT_THAT(read.status().message(), Not(HasSubstr("TOP-SECRET")));
  }
  // A DTD named by SYSTEM is not fetched either: the file below would
  // add a default attribute if it were read.
  const std::string dtd = dir.Sub("evil.dtd");
  std::ofstream(dtd) << "<!ATTLIST tuv creationid CDATA \"FROM-DTD\">";
  ASSERT_OK_AND_ASSIGN(
      auto doc, ReadTmx(StrCat("<?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM "
                               "\"file://", dtd, "\">\n",
                               Doc(Tu("a", "b")).substr(39))));
  ASSERT_EQ(doc.units.size(), 1u);
  EXPECT_EQ(doc.units[0].variants[0].creationid, "");
}

TEST(TmxReadTest, BillionLaughsIsRefusedQuickly) {
  std::string decl = "<!ENTITY a0 \"lol\">";
  for (int i = 1; i <= 10; ++i) {
    decl += StrCat("<!ENTITY a", i, " \"");
    for (int k = 0; k < 10; ++k) decl += StrCat("&a", i - 1, ";");
    decl += "\">";
  }
  // In text, and in an attribute (which libxml2 expands while reading the
  // element, before the reader sees the DOCTYPE).
  for (const std::string& header :
       {std::string("<header srclang=\"fr\"/>"),
        std::string("<header srclang=\"fr\" creationid=\"&a10;\"/>")}) {
    const std::string doc =
        StrCat("<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [", decl, "]>\n",
               "<tmx version=\"1.4\">", header, "<body>", Tu("&a10;", "b"),
               "</body></tmx>");
    const auto start = std::chrono::steady_clock::now();
    auto read = ReadTmx(doc);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_THAT(read, StatusIs(absl::StatusCode::kInvalidArgument)) << header;
    EXPECT_TRUE(TmxErrorLine(read.status()).has_value());
    EXPECT_LT(took, std::chrono::seconds(1));
  }
}

TEST(TmxReadTest, Utf16AsTheDeclarationSays) {
  const std::string utf8 = ReadFile(kInterop + "/examples/valid.tmx");
  ASSERT_OK_AND_ASSIGN(auto want, ReadTmx(utf8));
  // UTF-16LE with a byte-order mark, and UTF-16BE without one.
  for (bool le : {true, false}) {
    std::string text = absl::StrReplaceAll(
        utf8, {{"encoding=\"UTF-8\"", le ? "encoding=\"UTF-16\""
                                         : "encoding=\"UTF-16BE\""}});
    std::string utf16 = le ? std::string("\xFF\xFE", 2) : "";
    for (size_t pos = 0; pos < text.size();) {
      char32_t cp = 0;
      pos += DecodeUtf8(text, pos, &cp);
      ASSERT_LT(cp, 0x10000u);  // the example has no astral characters
      const char lo = static_cast<char>(cp & 0xFF), hi = static_cast<char>(cp >> 8);
      utf16 += le ? std::string{lo, hi} : std::string{hi, lo};
    }
    ASSERT_OK_AND_ASSIGN(auto got, ReadTmx(utf16));
    EXPECT_EQ(got.units, want.units) << (le ? "LE" : "BE");
  }
}

TEST(TmxReadTest, LimitsAreEnforcedWithTheirNames) {
  const std::string doc = Doc(StrCat(Tu("un", "one"), Tu("deux", "two")));
  TmxReadOptions small;
  small.max_document_bytes = doc.size() - 1;
  EXPECT_THAT(ReadTmx(doc, small),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr(StrCat("limit max_document_bytes is ",
                                        doc.size() - 1))));
  TmxReadOptions one_unit;
  one_unit.max_units = 1;
  EXPECT_THAT(ReadTmx(doc, one_unit),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("limit max_units is 1")));
  one_unit.max_units = 2;
  EXPECT_OK(ReadTmx(doc, one_unit));

  TmxReadOptions short_seg;
  short_seg.max_segment_bytes = 3;
  ASSERT_OK_AND_ASSIGN(auto read, ReadTmx(doc, short_seg));
  ASSERT_EQ(read.units.size(), 1u);
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].message,
            "the segment in fr is 4 bytes, over the limit of 3");

  // Nesting: inside a unit, the unit is skipped; elsewhere the document.
  std::string deep_seg = "x";
  for (int i = 0; i < 12; ++i) deep_seg = StrCat("<hi>", deep_seg, "</hi>");
  ASSERT_OK_AND_ASSIGN(read, ReadTmx(Doc(Tu(deep_seg, "x"))));
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_THAT(read.problems[0].message, HasSubstr("deeper than 16"));
  std::string deep = "";
  for (int i = 0; i < 20; ++i) deep = StrCat("<x>", deep, "</x>");
  EXPECT_THAT(ReadTmx(Doc(deep)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nest deeper than 16")));

  TmxReadOptions few_codes;
  few_codes.max_codes = 1;
  ASSERT_OK_AND_ASSIGN(read, ReadTmx(Doc(Tu("a<ph/>b<ph/>", "ab")), few_codes));
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_THAT(read.problems[0].message, HasSubstr("limit max_codes"));

  TmxReadOptions few_variants;
  few_variants.max_variants = 1;
  ASSERT_OK_AND_ASSIGN(read, ReadTmx(doc, few_variants));
  EXPECT_EQ(read.problems.size(), 2u);
}

// Units with every kind of code, prop, note and attribute the writer knows.
std::vector<TmxUnit> SampleUnits() {
  TmxUnit u;
  u.tuid = "u1";
  u.creationdate = "20260102T030405Z";
  u.creationid = "users/7";
  u.changedate = "20260103T030405Z";
  u.changeid = "users/8";
  u.other_attributes = {{"usagecount", "3"}};
  u.props = {{"x-tessera-translation", "", "statements/1/languages/en/segments/a"}};
  u.notes = {{"en", "Quote \"this\" & <that>\r\n\ttoo"}};
  TmxVariant fr;
  fr.language = "fr";
  fr.creationid = "users/7";
  fr.segment.text = "Le 3 mars, à Paris : «paix»\n";
  const size_t lt = fr.segment.text.find("«") + 2;  // after the guillemet
  fr.segment.codes = {
      {TmxElement::kBpt, TmxCodeKind::kOpen, 1, 0, "**", "1", "1", "bold", "",
       ""},
      {TmxElement::kEpt, TmxCodeKind::kClose, 1, 2, "**", "1", "", "", "", ""},
      {TmxElement::kPh, TmxCodeKind::kStandalone, 2, lt, "<br/>", "", "2", "lb",
       "", "p"},
      {TmxElement::kHi, TmxCodeKind::kOpen, 3, lt, "", "", "3", "x-em", "", ""},
      {TmxElement::kHi, TmxCodeKind::kClose, 3, lt + 4, "", "", "3", "x-em",
       "", ""},
      {TmxElement::kIt, TmxCodeKind::kStandalone, 4, fr.segment.text.size(),
       "</a>", "", "4", "link", "end", ""},
      {TmxElement::kUt, TmxCodeKind::kStandalone, 5, fr.segment.text.size(),
       "{\\b}", "", "5", "", "", ""},
  };
  TmxVariant en;
  en.language = "en-GB";
  en.segment.text = "On 3 March, in Paris: \"peace\"";
  en.segment.codes = {
      {TmxElement::kPh, TmxCodeKind::kStandalone, 2, 0, "<br/>", "", "2", "lb",
       "", ""},
      {TmxElement::kBpt, TmxCodeKind::kOpen, 1, 3, "**", "4", "1", "bold", "",
       ""},
      {TmxElement::kEpt, TmxCodeKind::kClose, 1, 10, "**", "4", "", "", "", ""},
  };
  u.variants = {fr, en};
  TmxUnit plain;
  plain.variants = {TmxVariant{}, TmxVariant{}};
  plain.variants[0].language = "fr";
  plain.variants[0].segment.text = "Fin.";
  plain.variants[1].language = "es";
  plain.variants[1].segment.text = "Fin.";
  return {u, plain};
}

TmxHeader SampleHeader() {
  TmxHeader h;
  h.srclang = "fr";
  h.creationdate = "20260101T000000Z";
  h.props = {{"x-tessera-export", "", "memory"}};
  h.notes = {{"", "Exported."}};
  return h;
}

TEST(TmxWriteTest, OutputValidatesAgainstTheDtd) {
  ASSERT_OK_AND_ASSIGN(std::string doc,
                       WriteTmx(SampleHeader(), SampleUnits()));
  std::string log;
  EXPECT_EQ(XmllintDtd(doc, &log), 0) << log << doc;
  // The check has teeth: a tu without tuv does not validate.
  std::string broken = doc;
  broken.replace(broken.find("<body>"), 6, "<body><tu></tu>");
  EXPECT_NE(XmllintDtd(broken, &log), 0);
}

TEST(TmxWriteTest, ReadOfWriteGivesTheUnitsBack) {
  const auto units = SampleUnits();
  ASSERT_OK_AND_ASSIGN(std::string doc, WriteTmx(SampleHeader(), units));
  ASSERT_OK_AND_ASSIGN(auto read, ReadTmx(doc));
  EXPECT_TRUE(read.problems.empty());
  EXPECT_EQ(Placeless(read.units), units);
  TmxHeader want = SampleHeader();
  want.creationtool = "Tessera";
  want.creationtoolversion = "0.1.0";
  want.segtype = "sentence";
  want.o_tmf = "tessera";
  want.adminlang = "en";
  want.datatype = "plaintext";
  EXPECT_EQ(read.header, want);
}

TEST(TmxWriteTest, WriteOfReadKeepsEveryUnitOfTheInteropExamples) {
  for (const char* name : {"valid.tmx", "invalid-tmx-tuv-without-seg.tmx"}) {
    ASSERT_OK_AND_ASSIGN(auto first,
                         ReadTmx(ReadFile(kInterop + "/examples/" + name)));
    ASSERT_OK_AND_ASSIGN(std::string doc, WriteTmx(first.header, first.units));
    std::string log;
    EXPECT_EQ(XmllintDtd(doc, &log), 0) << name << log;
    ASSERT_OK_AND_ASSIGN(auto second, ReadTmx(doc));
    EXPECT_EQ(second.header, first.header) << name;
    EXPECT_EQ(Placeless(second.units), Placeless(first.units)) << name;
    EXPECT_TRUE(second.problems.empty());
  }
}

TEST(TmxWriteTest, ChunksAreBoundedAndConcatenateToTheDocument) {
  std::vector<TmxUnit> units;
  for (int i = 0; i < 3000; ++i) {
    TmxUnit u = SampleUnits()[0];
    u.tuid = StrCat("u", i);
    u.variants[1].segment.text += std::string(400, 'x');
    units.push_back(u);
  }
  ASSERT_OK_AND_ASSIGN(std::string whole, WriteTmx(SampleHeader(), units));
  ASSERT_GT(whole.size(), 2u << 20);
  for (size_t limit : {size_t{100}, TmxWriter::kDefaultChunkBytes}) {
    std::vector<size_t> sizes;
    std::string joined;
    TmxWriter w(
        [&](std::string_view chunk) {
          sizes.push_back(chunk.size());
          joined.append(chunk);
          return absl::OkStatus();
        },
        limit);
    ASSERT_OK(w.Begin(SampleHeader()));
    for (const auto& u : units) ASSERT_OK(w.Add(u));
    ASSERT_OK(w.Finish());
    EXPECT_EQ(joined, whole);
    EXPECT_GE(sizes.size(), whole.size() / limit);
    for (size_t s : sizes) EXPECT_LE(s, limit);
  }
}

TEST(TmxWriteTest, RefusesWhatXmlCannotCarry) {
  auto with_text = [](std::string text) {
    auto units = SampleUnits();
    units[1].variants[1].segment.text = std::move(text);
    return WriteTmx(SampleHeader(), units);
  };
  EXPECT_THAT(with_text("bell \x07"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("U+7")));
  EXPECT_THAT(with_text("bad \xC3"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid UTF-8")));
  auto units = SampleUnits();
  units[0].variants[0].segment.codes[2].offset =
      units[0].variants[0].segment.text.find("«") + 1;
  EXPECT_THAT(WriteTmx(SampleHeader(), units),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("inside a character")));
  TmxHeader no_src;
  EXPECT_THAT(WriteTmx(no_src, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A sink that fails stops the writer with its status.
  TmxWriter w([](std::string_view) { return absl::UnavailableError("gone"); },
              10);
  EXPECT_THAT(w.Begin(SampleHeader()),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(w.Add(SampleUnits()[1]),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TmxContentTest, SegmentMapsToContentAndBack) {
  ASSERT_OK_AND_ASSIGN(auto doc,
                       ReadTmx(ReadFile(kInterop + "/examples/valid.tmx")));
  const TmxSegment& fr = doc.units[0].variants[0].segment;
  const v1::Content c = ContentFromTmxSegment(fr);
  EXPECT_EQ(c.text(), fr.text);
  ASSERT_EQ(c.codes_size(), 2);
  EXPECT_EQ(c.codes(0).kind(), v1::CODE_KIND_OPEN);
  EXPECT_EQ(c.codes(1).kind(), v1::CODE_KIND_CLOSE);
  EXPECT_EQ(c.codes(0).id(), c.codes(1).id());
  EXPECT_EQ(c.codes(0).offset(), fr.codes[0].offset);
  auto described = InlineCodesFromTmxSegment(fr);
  ASSERT_EQ(described.size(), 1u);
  EXPECT_EQ(described[0].type(), v1::CODE_TYPE_STRONG);
  EXPECT_EQ(described[0].display(), "**");

  // Back to TMX with the natives kept: the same markup is written.
  ASSERT_OK_AND_ASSIGN(TmxSegment back,
                       TmxSegmentFromContent(c, TmxNativesFromSegment(fr)));
  TmxUnit u;
  u.variants = {TmxVariant{}, TmxVariant{}};
  u.variants[0].language = "fr";
  u.variants[0].segment = back;
  u.variants[1].language = "en";
  u.variants[1].segment = doc.units[0].variants[1].segment;
  ASSERT_OK_AND_ASSIGN(std::string out, WriteTmx(doc.header, {u}));
  EXPECT_THAT(out, HasSubstr("Nous appelons à la <bpt i=\"1\" x=\"1\" "
                             "type=\"bold\">**</bpt>paix<ept i=\"1\">**</ept>"
                             " immédiate."));
  ASSERT_OK_AND_ASSIGN(auto again, ReadTmx(out));
  ASSERT_EQ(again.units.size(), 1u);
  const v1::Content c2 =
      ContentFromTmxSegment(again.units[0].variants[0].segment);
  EXPECT_EQ(c2.SerializeAsString(), c.SerializeAsString());

  // Standalone codes become ph; without natives the code is empty.
  v1::Content ph;
  ph.set_text("a b");
  auto* ref = ph.add_codes();
  ref->set_id(4);
  ref->set_kind(v1::CODE_KIND_STANDALONE);
  ref->set_offset(1);
  ASSERT_OK_AND_ASSIGN(TmxSegment seg, TmxSegmentFromContent(ph));
  ASSERT_EQ(seg.codes.size(), 1u);
  EXPECT_EQ(seg.codes[0].element, TmxElement::kPh);
  EXPECT_EQ(seg.codes[0].x, "4");
}

TEST(TmxContentTest, UnbalancedOrMisplacedContentIsRefused) {
  v1::Content c;
  c.set_text("é");
  auto* open = c.add_codes();
  open->set_id(1);
  open->set_kind(v1::CODE_KIND_OPEN);
  EXPECT_THAT(TmxSegmentFromContent(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("never closed")));
  open->set_offset(1);  // inside "é"
  EXPECT_THAT(TmxSegmentFromContent(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("inside a character")));
  open->set_offset(0);
  open->set_kind(v1::CODE_KIND_CLOSE);
  EXPECT_THAT(TmxSegmentFromContent(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("closes unopened")));
  EXPECT_EQ(TmxTypeFromCodeType(v1::CODE_TYPE_LINE_BREAK), "lb");
}

TEST(TmxDateTest, FormatsAndParsesUtc) {
  const absl::Time t = absl::FromUnixSeconds(1767268800);  // 2026-01-01 12:00
  EXPECT_EQ(FormatTmxDate(t), "20260101T120000Z");
  ASSERT_OK_AND_ASSIGN(absl::Time back, ParseTmxDate("20260101T120000Z"));
  EXPECT_EQ(back, t);
  EXPECT_THAT(ParseTmxDate("20261301T120000Z"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTmxDate("2026-01-01"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tessera::interchange
