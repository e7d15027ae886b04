// Glossary record <-> API message conversions and update masks.
#include "services/memory/glossary/glossary_convert.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::memory::glossary {
namespace {

using ::tessera::testing::StatusIs;

TEST(GlossaryConvertTest, EntryRoundTripsItsClientFields) {
  GlossaryEntry e;
  e.entry_id = "0a1b";
  e.source_language = "fr";
  e.target_language = "de";
  e.source_term = "ONU";
  e.do_not_translate = true;
  e.case_sensitive = true;
  e.match_inflections = true;
  e.part_of_speech = PartOfSpeech::kProperNoun;
  e.note = "sigle";
  e.creator = "dora";
  e.create_time = absl::FromUnixSeconds(1767225600);
  e.update_time = absl::FromUnixSeconds(1767225660);
  e.version = 3;
  v1::GlossaryEntry p;
  ToProto(e, &p);
  EXPECT_EQ(p.name(), "glossaryEntries/0a1b");
  EXPECT_EQ(p.creator(), "users/dora");
  EXPECT_EQ(p.part_of_speech(), v1::PART_OF_SPEECH_PROPER_NOUN);
  EXPECT_EQ(p.create_time().seconds(), 1767225600);
  EXPECT_EQ(p.update_time().seconds(), 1767225660);
  EXPECT_EQ(p.version(), 3);
  GlossaryEntry back = EntryFromProto(p);
  EXPECT_EQ(back.source_term, "ONU");
  EXPECT_TRUE(back.do_not_translate && back.case_sensitive &&
              back.match_inflections);
  EXPECT_EQ(back.part_of_speech, PartOfSpeech::kProperNoun);
  EXPECT_EQ(back.note, "sigle");
  // Output-only fields are not taken from clients.
  EXPECT_EQ(back.entry_id, "");
  EXPECT_EQ(back.creator, "");
  EXPECT_EQ(back.version, 0u);
}

TEST(GlossaryConvertTest, UpdateMaskTakesOnlyTheNamedFields) {
  v1::UpdateGlossaryEntryRequest req;
  req.mutable_glossary_entry()->set_source_term("paix");
  req.mutable_glossary_entry()->set_target_term("Frieden");
  req.mutable_glossary_entry()->set_part_of_speech(v1::PART_OF_SPEECH_NOUN);
  req.mutable_update_mask()->add_paths("target_term");
  req.mutable_update_mask()->add_paths("part_of_speech");
  req.mutable_update_mask()->add_paths("match_inflections");
  ASSERT_OK_AND_ASSIGN(GlossaryUpdate u, UpdateFromProto(req));
  EXPECT_FALSE(u.source_term.has_value());
  EXPECT_EQ(u.target_term, "Frieden");
  EXPECT_EQ(u.part_of_speech, PartOfSpeech::kNoun);
  EXPECT_EQ(u.match_inflections, false);
  EXPECT_FALSE(u.note.has_value());

  req.mutable_update_mask()->add_paths("source_language");
  EXPECT_THAT(UpdateFromProto(req).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  req.clear_update_mask();
  EXPECT_THAT(UpdateFromProto(req).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GlossaryConvertTest, HitsAndPages) {
  GlossaryHit hit;
  hit.entry.entry_id = "ab";
  hit.start = 4;
  hit.end = 17;
  v1::GlossaryHit p;
  ToProto(hit, &p);
  EXPECT_EQ(p.entry().name(), "glossaryEntries/ab");
  EXPECT_EQ(p.start(), 4u);
  EXPECT_EQ(p.end(), 17u);
  GlossaryPage page;
  page.entries.resize(2);
  page.next_page_token = "tok";
  v1::ListGlossaryEntriesResponse resp;
  ToProto(page, &resp);
  EXPECT_EQ(resp.glossary_entries_size(), 2);
  EXPECT_EQ(resp.next_page_token(), "tok");
}

}  // namespace
}  // namespace tessera::memory::glossary
