// PlanTmxImport and TmxUnitFromRecord: what a TMX document adds to the
// memory, what it skips and why, its limits, and the way back to TMX with
// the codes' native markup.
#include "services/memory/memory_tmx.h"

#include <string>

#include "gtest/gtest.h"
#include "services/common/errors.h"
#include "text/normalize.h"

namespace tessera::memory {
namespace {

std::string Doc(const std::string& srclang, const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<tmx version=\"1.4\"><header creationtool=\"t\" "
         "creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" "
         "adminlang=\"en\" srclang=\"" +
         srclang + "\" datatype=\"plaintext\"/>\n<body>\n" + body +
         "</body></tmx>\n";
}

std::string Tu(const std::string& src_lang, const std::string& src,
               const std::string& tgt_lang, const std::string& tgt) {
  return "<tu><tuv xml:lang=\"" + src_lang + "\"><seg>" + src +
         "</seg></tuv><tuv xml:lang=\"" + tgt_lang + "\"><seg>" + tgt +
         "</seg></tuv></tu>\n";
}

TmxImportOptions Options() {
  TmxImportOptions o;
  o.provenance = "tmx:test";
  o.time = absl::FromUnixSeconds(1700000000);
  return o;
}

TEST(MemoryTmxTest, EachTargetVariantBecomesAUnitAndBrokenUnitsAreSkipped) {
  const std::string doc = Doc(
      "fr-FR",
      // Two targets, one spelled with an underscore and in capitals.
      "<tu><tuv xml:lang=\"fr-FR\"><seg>Nous <bpt i=\"1\" type=\"bold\">**"
      "</bpt>exigeons<ept i=\"1\">**</ept> la paix.</seg></tuv>"
      "<tuv xml:lang=\"EN_gb\"><seg>We <bpt i=\"1\">&lt;b&gt;</bpt>demand"
      "<ept i=\"1\">&lt;/b&gt;</ept> peace.</seg></tuv>"
      "<tuv xml:lang=\"de\"><seg>Wir <bpt i=\"1\" type=\"bold\">**</bpt>fordern"
      "<ept i=\"1\">**</ept> Frieden.</seg></tuv></tu>\n" +
          // Unbalanced: skipped by the reader.
          Tu("fr-FR", "<bpt i=\"1\">*</bpt>x", "en", "y") +
          // No source variant.
          Tu("es", "hola", "en", "hello") +
          // A target that is no language tag.
          Tu("fr-FR", "Bonjour", "not a tag", "Hello") +
          // Only the source language.
          Tu("fr-FR", "Bonjour", "FR-fr", "Salut"));
  auto plan = PlanTmxImport(doc, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->units_read, 5);
  EXPECT_EQ(plan->units_skipped, 4);
  ASSERT_EQ(plan->problems.size(), 4u);
  EXPECT_EQ(plan->problems[0].unit_index, 1);
  EXPECT_EQ(plan->problems[1].unit_index, 2);
  EXPECT_NE(plan->problems[1].message.find("source language"),
            std::string::npos)
      << plan->problems[1].message;
  EXPECT_NE(plan->problems[2].message.find("not a tag"), std::string::npos);
  EXPECT_NE(plan->problems[3].message.find("other than the source"),
            std::string::npos);
  EXPECT_GT(plan->problems[3].line, plan->problems[0].line);
  ASSERT_EQ(plan->inputs.size(), 2u);
  const UnitInput& en = plan->inputs[0];
  EXPECT_EQ(en.source_language, "fr-FR");
  EXPECT_EQ(en.target_language, "en-GB");
  EXPECT_EQ(formats::ToReadable(en.source), "Nous {1}exigeons{/1} la paix.");
  EXPECT_EQ(formats::ToReadable(en.target), "We {1}demand{/1} peace.");
  EXPECT_EQ(en.unit_source, 2);
  EXPECT_EQ(en.provenance, "tmx:test");
  ASSERT_EQ(en.source_natives.count(1), 1u);
  EXPECT_EQ(en.source_natives.at(1).open, "**");
  EXPECT_EQ(en.source_natives.at(1).close, "**");
  EXPECT_EQ(en.source_natives.at(1).type, "bold");
  // The English markup differs from the source's, the German does not.
  ASSERT_EQ(en.target_natives.count(1), 1u);
  EXPECT_EQ(en.target_natives.at(1).open, "<b>");
  EXPECT_TRUE(plan->inputs[1].target_natives.empty());
  EXPECT_EQ(plan->target_languages,
            (std::set<std::string>{"de", "en-GB"}));
}

TEST(MemoryTmxTest, TargetLanguagesNarrowTheImport) {
  TmxImportOptions o = Options();
  o.target_languages = {"de"};
  auto plan = PlanTmxImport(
      Doc("fr", Tu("fr", "Bonjour", "de", "Hallo") +
                    Tu("fr", "Merci", "en", "Thanks")),
      o);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->inputs.size(), 1u);
  EXPECT_EQ(plan->inputs[0].target_language, "de");
  ASSERT_EQ(plan->problems.size(), 1u);
  EXPECT_EQ(plan->problems[0].unit_index, 1);
}

TEST(MemoryTmxTest, TextsAreKeptInNfcWithTheirCodesMoved) {
  // "e" + U+0301 is "é" (two bytes less one) in NFC.
  const std::string decomposed = "Re\xCC\x81sume\xCC\x81";
  auto plan = PlanTmxImport(
      Doc("fr", Tu("fr", decomposed + " <ph x=\"1\">&lt;br/&gt;</ph>fin", "en",
                   "Summary <ph x=\"1\">&lt;br/&gt;</ph>end")),
      Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->inputs.size(), 1u);
  const formats::Content& src = plan->inputs[0].source;
  EXPECT_TRUE(text::IsNfc(src.text));
  EXPECT_EQ(formats::ToReadable(src), "R\xC3\xA9sum\xC3\xA9 {1/}fin");
  EXPECT_EQ(plan->inputs[0].source_natives.at(1).open, "<br/>");
}

TEST(MemoryTmxTest, DocumentErrorsAndLimits) {
  // Not well-formed: INVALID_ARGUMENT on "tmx" with the line.
  auto bad = PlanTmxImport("<tmx>\n<header>\n</tmx>", Options());
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  auto details = DetailsOf(bad.status());
  ASSERT_TRUE(details.has_value());
  ASSERT_EQ(details->fields.size(), 1u);
  EXPECT_EQ(details->fields[0].field, "tmx");
  bool has_line = false;
  for (const auto& [k, v] : details->metadata) has_line |= k == "line";
  EXPECT_TRUE(has_line);

  // "*all*" needs source_language.
  auto all = PlanTmxImport(Doc("*all*", Tu("fr", "a b", "en", "c d")),
                           Options());
  ASSERT_EQ(all.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DetailsOf(all.status())->fields[0].field, "source_language");
  TmxImportOptions with_source = Options();
  with_source.source_language = "fr";
  auto given = PlanTmxImport(Doc("*all*", Tu("fr", "a b", "en", "c d")),
                             with_source);
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(given->inputs.size(), 1u);

  // Bytes and units over their limits.
  TmxImportOptions small = Options();
  const std::string three = Doc("fr", Tu("fr", "a", "en", "b") +
                                          Tu("fr", "c", "en", "d") +
                                          Tu("fr", "e", "en", "f"));
  small.limits.max_bytes = three.size() - 1;
  auto big = PlanTmxImport(three, small);
  ASSERT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DetailsOf(big.status())->quotas[0].subject, "limits/tmx_bytes");
  small.limits.max_bytes = three.size();
  small.limits.max_units = 2;
  auto many = PlanTmxImport(three, small);
  ASSERT_EQ(many.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DetailsOf(many.status())->quotas[0].subject, "limits/tmx_units");
  small.limits.max_units = 3;
  EXPECT_TRUE(PlanTmxImport(three, small).ok());
}

TEST(MemoryTmxTest, ExportWritesTheNativeMarkupBackAndReadsAsTheSameUnit) {
  storage::memory::MemoryUnitRecord r;
  r.set_unit_id(0x1234);
  r.set_source_language("fr");
  r.set_target_language("en");
  r.set_source("Voir {1}le site{/1} & la note{2/}.");
  r.set_target("See {1}the site{/1} & the note{2/}.");
  r.set_author("alice");
  r.set_reviewer("bob");
  r.set_translation("statements/s/languages/en/segments/x");
  r.set_create_time_us(1700000000000000);
  r.set_update_time_us(1700000100000000);
  auto* link = r.add_source_natives();
  link->set_id(1);
  link->set_open("[");
  link->set_close("](https://example.org)");
  link->set_type("link");
  auto* note = r.add_source_natives();
  note->set_id(2);
  note->set_open("[^1]");
  note->set_type("fnote");
  auto tu = TmxUnitFromRecord(r);
  ASSERT_TRUE(tu.ok()) << tu.status();
  EXPECT_EQ(tu->creationid, "alice");
  EXPECT_EQ(tu->changeid, "bob");
  EXPECT_EQ(tu->creationdate, "20231114T221320Z");
  interchange::TmxHeader header;
  header.srclang = "fr";
  auto doc = interchange::WriteTmx(header, {*tu});
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_NE(doc->find("<bpt i=\"1\" x=\"1\" type=\"link\">[</bpt>"),
            std::string::npos)
      << *doc;
  EXPECT_NE(doc->find("<ept i=\"1\">](https://example.org)</ept>"),
            std::string::npos);
  EXPECT_NE(doc->find("<ph x=\"2\" type=\"fnote\">[^1]</ph>"),
            std::string::npos);
  auto plan = PlanTmxImport(*doc, Options());
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->inputs.size(), 1u);
  EXPECT_EQ(formats::ToReadable(plan->inputs[0].source), r.source());
  EXPECT_EQ(formats::ToReadable(plan->inputs[0].target), r.target());
  EXPECT_EQ(plan->inputs[0].source_natives.at(1).close,
            "](https://example.org)");
  EXPECT_TRUE(plan->inputs[0].target_natives.empty());
}

}  // namespace
}  // namespace tessera::memory
