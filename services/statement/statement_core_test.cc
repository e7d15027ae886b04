// StatementCore against a real RocksDB in a temp directory: import and
// byte-for-byte rebuild of the seeds from stored revisions, the resolution's
// segment list, atomic creation and segment keys. Revisions and
// idempotency are in statement_revision_test.cc, refusals, the state
// machine, roles and listings in statement_changes_test.cc.
#include "services/statement/statement_core_test_fixture.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------------------
// Import and rebuild.

TEST_F(StatementCoreTest, SeedsRebuildByteForByteFromTheStoredRevision) {
  for (const char* name : kSeedNames) {
    const std::string text = ReadSeed(name);
    for (auto format :
         {formats::Format::kMarkdown, formats::Format::kPlainText}) {
      SCOPED_TRACE(std::string(name) + " as " +
                   std::string(formats::FormatName(format)));
      Statement s = CreateOrDie(Params(text, format));
      ASSERT_FALSE(s.statement_id.empty());
      EXPECT_EQ(s.state, StatementState::kOpen);
      EXPECT_EQ(s.version, 1u);
      EXPECT_EQ(s.current_revision, 1);

      ASSERT_OK_AND_ASSIGN(RevisionDocument stored,
                           core_->LoadRevisionDocument(s.statement_id, 0));
      ASSERT_OK_AND_ASSIGN(
          std::string rebuilt,
          formats::Render(stored.document,
                          formats::SourceContents(stored.document)));
      EXPECT_EQ(rebuilt, text);
      EXPECT_EQ(static_cast<int>(stored.document.segments.size()),
                s.segment_count);
      EXPECT_EQ(stored.segment_ids.size(), stored.document.segments.size());

      // The full revision carries the upload and the skeleton, and the
      // segment records agree with the document.
      ASSERT_OK_AND_ASSIGN(
          Revision rev, core_->GetRevision(Admin(), s.statement_id, 1, true));
      EXPECT_EQ(rev.source, text);
      ASSERT_TRUE(rev.skeleton.has_value());
      ASSERT_OK_AND_ASSIGN(formats::Document skeleton,
                           formats::DeserializeDocument(*rev.skeleton));
      EXPECT_EQ(skeleton, stored.document);
      EXPECT_EQ(rev.source_size_bytes, static_cast<int64_t>(text.size()));
      EXPECT_EQ(rev.source_sha256, HexEncode(Sha256(text)));
      std::vector<SourceSegment> segments = AllSegments(s.statement_id);
      ASSERT_EQ(segments.size(), stored.document.segments.size());
      int translatable = 0;
      int64_t words = 0;
      for (size_t i = 0; i < segments.size(); ++i) {
        EXPECT_EQ(segments[i].ordinal, static_cast<int>(i) + 1);
        EXPECT_EQ(segments[i].segment, stored.document.segments[i]);
        EXPECT_EQ(segments[i].info.segment_id, stored.segment_ids[i]);
        translatable += segments[i].segment.translatable;
        words += segments[i].info.word_count;
      }
      EXPECT_EQ(translatable, s.translatable_segment_count);
      EXPECT_EQ(words, s.word_count);
      EXPECT_GT(s.word_count, 100);
      std::cout << name << " as " << formats::FormatName(format) << ": "
                << s.segment_count << " segments ("
                << s.translatable_segment_count << " translatable), "
                << s.word_count << " words\n";
    }
  }
}

TEST_F(StatementCoreTest, ImportDocumentMatchesWhatCreateStores) {
  const std::string text = ReadSeed(kResolution);
  ASSERT_OK_AND_ASSIGN(
      ImportResult imp,
      ImportDocument(formats::Format::kPlainText, "FR", text, ImportOptions()));
  EXPECT_EQ(imp.source_language, "fr");
  ASSERT_EQ(imp.segments.size(), imp.document.segments.size());
  ASSERT_OK_AND_ASSIGN(
      std::string rebuilt,
      formats::Render(imp.document, formats::SourceContents(imp.document)));
  EXPECT_EQ(rebuilt, text);

  Statement s = CreateOrDie(Params(text, formats::Format::kPlainText));
  EXPECT_EQ(s.segment_count, imp.segment_count);
  EXPECT_EQ(s.translatable_segment_count, imp.translatable_segment_count);
  EXPECT_EQ(s.word_count, imp.word_count);
  std::vector<std::string> ids;
  for (const auto& info : imp.segments) ids.push_back(info.segment_id);
  EXPECT_EQ(Ids(s.statement_id), ids);

  EXPECT_THAT(
      ImportDocument(formats::Format::kMarkdown, "fr", "a\xff",
                     ImportOptions()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("byte offset 1")));
  EXPECT_THAT(ImportDocument(formats::Format::kMarkdown, "zz-zz-zz-zz", "a",
                             ImportOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("source_language")));
}

TEST_F(StatementCoreTest, ResolutionImportsIntoASensibleSegmentList) {
  const std::string text = ReadSeed(kResolution);
  // The signatory list: from the line "1. PCPCI …" to the end.
  std::vector<std::string> lines;
  {
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);) lines.push_back(line);
  }
  int first_line = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("1. PCPCI", 0) == 0)
      first_line = static_cast<int>(i) + 1;
  }
  ASSERT_GT(first_line, 0);
  const int last_line = static_cast<int>(lines.size());
  ASSERT_EQ(lines.back().rfind("28. TKP-ML", 0), 0u);

  CreateParams p = Params(text);
  p.no_translate_ranges.push_back(
      {NoTranslateRange::Kind::kLines, first_line, last_line});
  Statement s = CreateOrDie(p);
  std::vector<SourceSegment> segments = AllSegments(s.statement_id);
  ASSERT_FALSE(segments.empty());

  auto find = [&](std::string_view needle) -> const SourceSegment* {
    for (const auto& seg : segments) {
      if (seg.segment.content.text.find(needle) != std::string::npos) {
        return &seg;
      }
    }
    return nullptr;
  };

  // 28 signatories, each its own list item, copied verbatim.
  std::set<int> signatory_blocks;
  for (const auto& seg : segments) {
    if (seg.info.source_line < first_line) continue;
    signatory_blocks.insert(seg.segment.context.block_index);
    EXPECT_FALSE(seg.segment.translatable) << seg.segment.content.text;
    EXPECT_EQ(seg.info.no_translate_reason, NoTranslateReason::kMarked);
    EXPECT_EQ(seg.info.word_count, 0);
    EXPECT_EQ(seg.segment.context.kind, formats::BlockKind::kListItem);
  }
  EXPECT_EQ(signatory_blocks.size(), 28u);
  const SourceSegment* belarus = find("Чырвоны Клін");
  ASSERT_NE(belarus, nullptr);
  EXPECT_EQ(formats::ToReadable(belarus->segment.content),
            "Krasnyj Klin Аб'яднання беларускіх камуністаў «Чырвоны Клін» "
            "(Association des communistes biélorusses \"Coin Rouge\"), "
            "Bélarus");
  EXPECT_FALSE(belarus->segment.translatable);
  const SourceSegment* last = find("TKP-ML");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->info.source_line, last_line);

  // The bold demands carry a strong pair around the whole sentence.
  const SourceSegment* demand = find("Protégeons la Palestine");
  ASSERT_NE(demand, nullptr);
  EXPECT_EQ(formats::ToReadable(demand->segment.content),
            "{1}Protégeons la Palestine et opposons-nous à toute tentative de "
            "rompre le cessez-le-feu !{/1}");
  ASSERT_EQ(demand->segment.codes.size(), 2u);
  EXPECT_EQ(demand->segment.codes[0].type, formats::CodeType::kStrong);
  EXPECT_EQ(demand->segment.codes[0].data, "**");
  EXPECT_TRUE(demand->segment.translatable);
  EXPECT_EQ(demand->segment.context.kind, formats::BlockKind::kListItem);
  EXPECT_GT(demand->info.word_count, 10);

  // The footnote: a reference code after the quotation, and the note.
  const SourceSegment* quoted = find("rendu l'accord possible.");
  ASSERT_NE(quoted, nullptr);
  ASSERT_FALSE(quoted->segment.codes.empty());
  EXPECT_EQ(quoted->segment.codes.back().type, formats::CodeType::kFootnoteRef);
  EXPECT_EQ(quoted->segment.codes.back().data, "¹");
  const SourceSegment* note = find("Déclaration du FPLP");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->segment.content.text,
            "Déclaration du FPLP du 9 octobre 2025, citée d'après "
            "fightbacknews.com");
  EXPECT_EQ(note->segment.context.kind,
            formats::BlockKind::kFootnoteDefinition);
  EXPECT_TRUE(note->segment.translatable);

  // Detected verbatim segments: the web address line, and the date is text.
  EXPECT_EQ(formats::ToReadable(segments[1].segment.content), "{1/}");
  EXPECT_FALSE(segments[1].segment.translatable);
  EXPECT_EQ(segments[1].info.no_translate_reason, NoTranslateReason::kDetected);
  EXPECT_EQ(segments[0].info.source_line, 5);
  EXPECT_EQ(segments[0].info.word_count, 7);
  // Sentences of one paragraph are separate segments with their position.
  const SourceSegment* second = find("Le cessez-le-feu est également");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->info.index_in_block, 0);
  EXPECT_GT(second->info.block_segment_count, 3);
  // Duplicate text gets distinct ids (www.icor.info appears twice).
  std::set<std::string> ids;
  for (const auto& seg : segments) ids.insert(seg.info.segment_id);
  EXPECT_EQ(ids.size(), segments.size());

  // The segment list, for the issue note.
  for (const auto& seg : segments) {
    std::string readable = formats::ToReadable(seg.segment.content);
    std::cout << seg.ordinal << " " << seg.info.segment_id << " ["
              << formats::BlockKindName(seg.segment.context.kind) << " b"
              << seg.segment.context.block_index << " l" << seg.info.source_line
              << (seg.segment.translatable ? ""
                  : seg.info.no_translate_reason == NoTranslateReason::kMarked
                      ? ", marked"
                      : ", verbatim")
              << ", " << seg.info.word_count << "w] " << readable.substr(0, 100)
              << (readable.size() > 100 ? "…" : "") << "\n";
  }
}

TEST_F(StatementCoreTest, BlockRangesMarkBlocksAndRangesPastTheEndAreRefused) {
  const std::string text = "Un.\n\nDeux trois.\n\nQuatre cinq six.\n";
  CreateParams p = Params(text);
  p.no_translate_ranges.push_back({NoTranslateRange::Kind::kBlocks, 1, 1});
  Statement s = CreateOrDie(p);
  std::vector<SourceSegment> segs = AllSegments(s.statement_id);
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_TRUE(segs[0].segment.translatable);
  EXPECT_FALSE(segs[1].segment.translatable);
  EXPECT_EQ(segs[1].info.no_translate_reason, NoTranslateReason::kMarked);
  EXPECT_TRUE(segs[2].segment.translatable);
  EXPECT_EQ(segs[2].info.source_line, 5);
  EXPECT_EQ(s.word_count, 1 + 3);

  Snapshot before = Snap();
  CreateParams past = Params(text);
  past.no_translate_ranges.push_back({NoTranslateRange::Kind::kBlocks, 2, 3});
  EXPECT_THAT(core_->CreateStatement(Admin(), past),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no_translate_ranges[0]")));
  CreateParams lines = Params(text);
  lines.no_translate_ranges.push_back({NoTranslateRange::Kind::kLines, 5, 6});
  EXPECT_THAT(
      core_->CreateStatement(Admin(), lines),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("past the end")));
  CreateParams backwards = Params(text);
  backwards.no_translate_ranges.push_back(
      {NoTranslateRange::Kind::kLines, 3, 2});
  EXPECT_THAT(core_->CreateStatement(Admin(), backwards),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Snap(), before);
}

TEST_F(StatementCoreTest, DuplicateTextGetsAnOccurrenceSuffix) {
  Statement s = CreateOrDie(Params("Merci.\n\nAutre.\n\nMerci.\n"));
  std::vector<std::string> ids = Ids(s.statement_id);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0].size(), 16u);
  EXPECT_EQ(ids[2], ids[0] + "x2");
  EXPECT_NE(ids[1], ids[0]);
}

TEST_F(StatementCoreTest, SourceIsNormalisedToNfc) {
  // "é" as e + combining acute; NBSP and narrow NBSP survive.
  const std::string text =
      "Cafe\xCC\x81 \xC2\xAB\xE2\x80\xAF oui\xE2\x80\xAF\xC2\xBB.\n";
  Statement s = CreateOrDie(Params(text, formats::Format::kPlainText));
  std::vector<SourceSegment> segs = AllSegments(s.statement_id);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].segment.content.text,
            "Caf\xC3\xA9 \xC2\xAB\xE2\x80\xAF oui\xE2\x80\xAF\xC2\xBB.");
  ASSERT_OK_AND_ASSIGN(Revision rev,
                       core_->GetRevision(Admin(), s.statement_id, 1, true));
  EXPECT_EQ(rev.source, text);  // provenance keeps the upload as it was
}

TEST_F(StatementCoreTest, CreateWritesOneAtomicCommitWithItsEvent) {
  const uint64_t before = store_->LastVisibleFeedSeq();
  Statement s = CreateOrDie(Params(ReadSeed(kResolution)));
  ASSERT_OK_AND_ASSIGN(auto events, store_->ReadFeed(before, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "statement.created");
  EXPECT_THAT(events[0].payload,
              HasSubstr("statements/" + s.statement_id + "/revisions/1"));
}

TEST_F(StatementCoreTest, ValidateOnlyWritesNothing) {
  Snapshot before = Snap();
  CreateParams p = Params(ReadSeed(kResolution));
  p.control.validate_only = true;
  p.statement_id = "resolution";
  ASSERT_OK_AND_ASSIGN(Statement s, core_->CreateStatement(Admin(), p));
  EXPECT_GT(s.segment_count, 50);
  EXPECT_GT(s.word_count, 1000);
  EXPECT_EQ(Snap(), before);
  EXPECT_THAT(core_->GetStatement(Admin(), "resolution"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StatementCoreTest, LargeDocumentImportsRebuildsAndRevises) {
  // About 16,600 segments and 1.8 MB: within the default limits.
  const std::string seed = ReadSeed(kResolution);
  std::string big;
  for (int i = 0; i < 200; ++i) big += seed + "\n";
  absl::Time start = absl::Now();
  Statement s = CreateOrDie(Params(big));
  absl::Duration create = absl::Now() - start;
  EXPECT_GT(s.segment_count, 16000);
  EXPECT_LE(s.segment_count, ImportLimits().max_segments);
  ASSERT_OK_AND_ASSIGN(RevisionDocument stored,
                       core_->LoadRevisionDocument(s.statement_id, 0));
  ASSERT_OK_AND_ASSIGN(std::string rebuilt,
                       formats::Render(stored.document, formats::SourceContents(
                                                            stored.document)));
  EXPECT_EQ(rebuilt, big);

  // Edit one sentence in every copy: each edit is matched, nothing else
  // changes.
  std::string edited;
  const std::string before = "La jeunesse y est une force particulièrement";
  const std::string after = "La jeunesse y est une force tout particulièrement";
  std::string copy = seed;
  copy.replace(copy.find(before), before.size(), after);
  for (int i = 0; i < 200; ++i) edited += copy + "\n";
  ReviseParams rp;
  rp.statement_id = s.statement_id;
  rp.version = 1;
  rp.source = edited;
  start = absl::Now();
  ASSERT_OK_AND_ASSIGN(Revision r, core_->ReviseStatement(Admin(), rp));
  absl::Duration revise = absl::Now() - start;
  EXPECT_EQ(r.changes.changed_segments.size(), 200u);
  EXPECT_THAT(r.changes.added_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_EQ(r.changes.unchanged_segment_count, s.segment_count - 200);
  std::cout << s.segment_count << " segments, " << big.size()
            << " bytes: create " << create << ", revise " << revise << "\n";
}

TEST(SegmentKeyTest, CollapsesWhitespaceAndKeepsCodes) {
  formats::Content c;
  c.text = "  Nous   exigeons\t: ";
  c.codes.push_back({1, formats::CodeKind::kOpen, 2});
  c.codes.push_back({1, formats::CodeKind::kClose, 17});
  EXPECT_EQ(SegmentKey(c), "{1}Nous exigeons{/1} :");
}

}  // namespace
}  // namespace tessera::statement
