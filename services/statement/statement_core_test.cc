// StatementCore against a real RocksDB in a temp directory: import and
// byte-for-byte rebuild of the seeds from stored revisions, the resolution's
// segment list, revision id stability, limits, idempotency, concurrency
// checks, the state machine and language-scoped roles.
#include "services/statement/statement_core.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "formats/render.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "services/grpc/grpc_status.h"
#include "storage/store.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::tessera::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

const std::string kSeeds = std::string(TESSERA_SHARED_DIR) + "/corpus/seeds/";
const char* const kSeedNames[] = {"icor-resolution-gaza-ceasefire.fr.txt",
                                  "cnpjdpi-communique-omar-alsoumi.fr.txt",
                                  "red-party-toulouse-report.fr.txt"};
const std::string kResolution = "icor-resolution-gaza-ceasefire.fr.txt";

std::string ReadSeed(const std::string& name) {
  std::ifstream in(kSeeds + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Principal Admin() { return Principal{"root", "", {{Role::kAdmin, {}}}}; }
Principal Coordinator(std::vector<std::string> languages = {}) {
  return Principal{"coord", "", {{Role::kCoordinator, std::move(languages)}}};
}
Principal WithRole(std::string user, Role role,
                   std::vector<std::string> languages = {}) {
  return Principal{std::move(user), "", {{role, std::move(languages)}}};
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& s) {
  auto p =
      WithRpcDetails(s).GetPayload("type.googleapis.com/google.rpc.ErrorInfo");
  if (!p.has_value()) return std::nullopt;
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*p))) return std::nullopt;
  return info;
}

// Every key and value of the statements column family, plus the feed's
// last sequence: equal snapshots mean nothing was written.
struct Snapshot {
  std::vector<std::pair<std::string, std::string>> rows;
  uint64_t feed = 0;
  bool operator==(const Snapshot&) const = default;
};

class StatementCoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(ImportLimits()); }

  void Open(ImportLimits limits) {
    core_.reset();
    store_.reset();
    storage::StoreOptions so;
    so.path = dir_.Sub("db");
    so.clock = &clock_;
    auto store = storage::Store::Open(so);
    ASSERT_OK(store);
    store_ = std::move(store).value();
    core_ = std::make_unique<StatementCore>(store_.get(), &clock_,
                                            RandomSource::Secure(), limits);
  }

  Snapshot Snap() {
    Snapshot s;
    EXPECT_OK(store_->Scan(storage::ColumnFamily::kStatements, "", "",
                           [&](std::string_view k, std::string_view v) {
                             s.rows.emplace_back(k, v);
                             return true;
                           }));
    s.feed = store_->LastVisibleFeedSeq();
    return s;
  }

  CreateParams Params(const std::string& source,
                      formats::Format format = formats::Format::kMarkdown) {
    CreateParams p;
    p.title = "Résolution de l'ICOR";
    p.format = format;
    p.source = source;
    p.source_language = "fr";
    p.target_languages = {"de", "en"};
    return p;
  }

  Statement CreateOrDie(CreateParams p, const Principal& who = Admin()) {
    auto s = core_->CreateStatement(who, std::move(p));
    EXPECT_OK(s);
    return s.ok() ? *s : Statement();
  }

  std::vector<SourceSegment> AllSegments(const std::string& id, int rev = 0) {
    std::vector<SourceSegment> out;
    std::string token;
    do {
      auto page = core_->ListSourceSegments(Admin(), id, rev, 7, token, false);
      EXPECT_OK(page);
      if (!page.ok()) break;
      out.insert(out.end(), page->segments.begin(), page->segments.end());
      token = page->next_page_token;
    } while (!token.empty());
    return out;
  }

  std::vector<std::string> Ids(const std::string& id, int rev = 0) {
    std::vector<std::string> ids;
    for (const auto& s : AllSegments(id, rev)) ids.push_back(s.info.segment_id);
    return ids;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StatementCore> core_;
};

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

// ---------------------------------------------------------------------------
// Revisions.

class RevisionTest : public StatementCoreTest {
 protected:
  void SetUp() override {
    StatementCoreTest::SetUp();
    text_ = ReadSeed(kResolution);
    statement_ = CreateOrDie(Params(text_));
    old_ids_ = Ids(statement_.statement_id);
    ASSERT_FALSE(old_ids_.empty());
  }

  absl::StatusOr<Revision> Revise(const std::string& source,
                                  uint64_t version = 1) {
    ReviseParams p;
    p.statement_id = statement_.statement_id;
    p.version = version;
    p.source = source;
    p.note = "test revision";
    return core_->ReviseStatement(Admin(), p);
  }

  // The ids of revision 1's segments whose text contains `needle`.
  std::vector<std::string> OldIdsOf(std::string_view needle) {
    std::vector<std::string> out;
    for (const auto& seg : AllSegments(statement_.statement_id, 1)) {
      if (seg.segment.content.text.find(needle) != std::string::npos) {
        out.push_back(seg.info.segment_id);
      }
    }
    return out;
  }

  std::string text_;
  Statement statement_;
  std::vector<std::string> old_ids_;
};

TEST_F(RevisionTest, InsertingAParagraphAtTheTopKeepsEveryId) {
  const std::string added =
      "Déclaration préliminaire du secrétariat. Elle précède la "
      "résolution.\n\n";
  ASSERT_OK_AND_ASSIGN(Revision r, Revise(added + text_));
  EXPECT_EQ(r.revision_number, 2);
  EXPECT_EQ(r.changes.previous_revision, 1);
  EXPECT_EQ(r.changes.unchanged_segment_count,
            static_cast<int>(old_ids_.size()));
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.changed_segments, IsEmpty());
  EXPECT_THAT(r.changes.moved_segment_ids, IsEmpty());
  ASSERT_EQ(r.changes.added_segment_ids.size(), 2u);

  std::vector<std::string> new_ids = Ids(statement_.statement_id);
  ASSERT_EQ(new_ids.size(), old_ids_.size() + 2);
  EXPECT_THAT(r.changes.added_segment_ids, ElementsAre(new_ids[0], new_ids[1]));
  EXPECT_EQ(std::vector<std::string>(new_ids.begin() + 2, new_ids.end()),
            old_ids_);
  // Revision 1 stays readable as it was.
  EXPECT_EQ(Ids(statement_.statement_id, 1), old_ids_);
  ASSERT_OK_AND_ASSIGN(Statement now,
                       core_->GetStatement(Admin(), statement_.statement_id));
  EXPECT_EQ(now.current_revision, 2);
  EXPECT_EQ(now.version, 2u);
  EXPECT_EQ(now.segment_count, static_cast<int>(new_ids.size()));
}

TEST_F(RevisionTest, EditingOneSentenceChangesExactlyThatSegment) {
  const std::string before =
      "Les Flotilla Sumud et Freedom ont envoyés un "
      "signal remarqué dans le monde entier.";
  const std::string after =
      "Les flottilles Sumud et Freedom ont envoyé un "
      "signal remarqué dans le monde entier.";
  std::string edited = text_;
  size_t at = edited.find(before);
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, before.size(), after);
  std::vector<std::string> predecessor = OldIdsOf("Les Flotilla Sumud");
  ASSERT_EQ(predecessor.size(), 1u);

  ASSERT_OK_AND_ASSIGN(Revision r, Revise(edited));
  ASSERT_EQ(r.changes.changed_segments.size(), 1u);
  const ChangedSegment& c = r.changes.changed_segments[0];
  EXPECT_EQ(c.predecessor_segment_id, predecessor[0]);
  EXPECT_NE(c.segment_id, predecessor[0]);
  EXPECT_GE(c.similarity, 0.5f);
  EXPECT_LT(c.similarity, 1.0f);
  EXPECT_THAT(r.changes.added_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.moved_segment_ids, IsEmpty());
  EXPECT_EQ(r.changes.unchanged_segment_count,
            static_cast<int>(old_ids_.size()) - 1);

  std::vector<std::string> new_ids = Ids(statement_.statement_id);
  ASSERT_EQ(new_ids.size(), old_ids_.size());
  for (size_t i = 0; i < new_ids.size(); ++i) {
    if (old_ids_[i] == predecessor[0]) {
      EXPECT_EQ(new_ids[i], c.segment_id);
    } else {
      EXPECT_EQ(new_ids[i], old_ids_[i]);
    }
  }
}

TEST_F(RevisionTest, ReorderingTwoParagraphsKeepsIdsAndReportsTheMove) {
  const std::string a_start = "Le cessez-le-feu est également le fruit";
  const std::string b_start = "Sur la base de nombreuses résolutions";
  size_t a = text_.find(a_start);
  size_t b = text_.find(b_start);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  size_t a_end = text_.find("\n\n", a);
  size_t b_end = text_.find("\n\n", b);
  ASSERT_EQ(a_end + 2, b);
  const std::string pa = text_.substr(a, a_end - a);
  const std::string pb = text_.substr(b, b_end - b);
  std::string swapped =
      text_.substr(0, a) + pb + "\n\n" + pa + text_.substr(b_end);
  ASSERT_EQ(swapped.size(), text_.size());

  // The segments of each paragraph, by the line their block starts on.
  auto line_of = [&](size_t offset) {
    return 1 + static_cast<int>(
                   std::count(text_.begin(), text_.begin() + offset, '\n'));
  };
  std::vector<std::string> in_a, in_b;
  for (const auto& seg : AllSegments(statement_.statement_id, 1)) {
    if (seg.info.source_line == line_of(a)) in_a.push_back(seg.info.segment_id);
    if (seg.info.source_line == line_of(b)) in_b.push_back(seg.info.segment_id);
  }
  ASSERT_EQ(in_a.size(), 5u);
  ASSERT_EQ(in_b.size(), 2u);

  ASSERT_OK_AND_ASSIGN(Revision r, Revise(swapped));
  EXPECT_EQ(r.changes.unchanged_segment_count,
            static_cast<int>(old_ids_.size()));
  EXPECT_THAT(r.changes.added_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.removed_segment_ids, IsEmpty());
  EXPECT_THAT(r.changes.changed_segments, IsEmpty());
  // The fewest moves: the shorter paragraph's sentences.
  const std::vector<std::string>& shorter =
      in_a.size() < in_b.size() ? in_a : in_b;
  EXPECT_THAT(r.changes.moved_segment_ids, UnorderedElementsAreArray(shorter));
  std::vector<std::string> new_ids = Ids(statement_.statement_id);
  EXPECT_THAT(new_ids, UnorderedElementsAreArray(old_ids_));
  EXPECT_NE(new_ids, old_ids_);
}

TEST_F(RevisionTest, RemovedAndAddedTextIsReported) {
  const std::string gone =
      "Donald Trump veut maintenant être célébré comme un artisan de la paix";
  size_t at = text_.find(gone);
  ASSERT_NE(at, std::string::npos);
  size_t end = text_.find("\n\n", at);
  std::vector<std::string> removed_ids;
  for (const auto& seg : AllSegments(statement_.statement_id, 1)) {
    if (!seg.segment.content.text.empty() &&
        text_.substr(at, end - at).find(seg.segment.content.text) !=
            std::string::npos) {
      removed_ids.push_back(seg.info.segment_id);
    }
  }
  std::string edited = text_.substr(0, at) +
                       "Un tout autre texte, sans rapport aucun." +
                       text_.substr(end);
  ASSERT_OK_AND_ASSIGN(Revision r, Revise(edited));
  EXPECT_THAT(r.changes.removed_segment_ids,
              UnorderedElementsAreArray(removed_ids));
  EXPECT_EQ(r.changes.added_segment_ids.size(), 1u);
  EXPECT_THAT(r.changes.changed_segments, IsEmpty());
}

TEST_F(RevisionTest, StaleVersionIsAbortedAndWritesNothing) {
  Snapshot before = Snap();
  auto r = Revise(text_ + "\nEncore.\n", 7);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kAborted));
  auto info = ErrorInfoOf(r.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "VERSION_CONFLICT");
  EXPECT_EQ(info->metadata().at("current_version"), "1");
  StatementUpdate u;
  u.title = "Nouveau titre";
  EXPECT_THAT(core_->UpdateStatement(Admin(), statement_.statement_id, 3, u),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(core_->CloseStatement(Admin(), statement_.statement_id, 2),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(Snap(), before);
}

TEST_F(RevisionTest, ReviseIsIdempotentAndLogsAnEvent) {
  ReviseParams p;
  p.statement_id = statement_.statement_id;
  p.version = 1;
  p.source = "Texte remplacé entièrement.\n";
  p.control.request_id = "rev-1";
  const uint64_t feed = store_->LastVisibleFeedSeq();
  ASSERT_OK_AND_ASSIGN(Revision first, core_->ReviseStatement(Admin(), p));
  ASSERT_OK_AND_ASSIGN(auto events, store_->ReadFeed(feed, 10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "statement.revised");
  Snapshot after_first = Snap();
  ASSERT_OK_AND_ASSIGN(Revision again, core_->ReviseStatement(Admin(), p));
  EXPECT_EQ(again.revision_number, first.revision_number);
  EXPECT_EQ(again.changes.added_segment_ids, first.changes.added_segment_ids);
  EXPECT_EQ(Snap(), after_first);
  p.source = "Autre chose.\n";
  auto reused = core_->ReviseStatement(Admin(), p);
  EXPECT_THAT(reused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorInfoOf(reused.status())->reason(), "REQUEST_ID_REUSED");

  ASSERT_OK_AND_ASSIGN(
      RevisionPage page,
      core_->ListRevisions(Admin(), statement_.statement_id, 1, ""));
  ASSERT_EQ(page.revisions.size(), 1u);
  EXPECT_EQ(page.revisions[0].revision_number, 1);
  ASSERT_OK_AND_ASSIGN(RevisionPage page2,
                       core_->ListRevisions(Admin(), statement_.statement_id, 1,
                                            page.next_page_token));
  ASSERT_EQ(page2.revisions.size(), 1u);
  EXPECT_EQ(page2.revisions[0].revision_number, 2);
  EXPECT_EQ(page2.revisions[0].note, "");
  EXPECT_TRUE(page2.next_page_token.empty());
}

// ---------------------------------------------------------------------------
// Limits and bad input: refused, and nothing written.

TEST_F(StatementCoreTest, OversizeDocumentIsResourceExhaustedAndWritesNothing) {
  ImportLimits limits;
  limits.max_document_bytes = 1000;
  Open(limits);
  Snapshot before = Snap();
  auto s = core_->CreateStatement(Admin(), Params(ReadSeed(kResolution)));
  EXPECT_THAT(
      s, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("1000")));
  auto quota = WithRpcDetails(s.status())
                   .GetPayload("type.googleapis.com/google.rpc.QuotaFailure");
  ASSERT_TRUE(quota.has_value());
  google::rpc::QuotaFailure qf;
  ASSERT_TRUE(qf.ParseFromString(std::string(*quota)));
  ASSERT_EQ(qf.violations_size(), 1);
  EXPECT_EQ(qf.violations(0).subject(), "limits/max_document_bytes");
  EXPECT_EQ(Snap(), before);
}

TEST_F(StatementCoreTest, TooManySegmentsIsResourceExhaustedAndWritesNothing) {
  ImportLimits limits;
  limits.max_segments = 10;
  Open(limits);
  Snapshot before = Snap();
  auto s = core_->CreateStatement(Admin(), Params(ReadSeed(kResolution)));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted,
                          HasSubstr("max_segments_per_statement is 10")));
  EXPECT_EQ(Snap(), before);
}

TEST_F(StatementCoreTest, TooLongSegmentIsInvalidArgumentNamingBlockAndLimit) {
  ImportLimits limits;
  limits.max_segment_bytes = 100;
  Open(limits);
  Snapshot before = Snap();
  const std::string text =
      "Court.\n\nUne phrase bien trop longue pour la limite fixée, qui "
      "continue encore et encore et encore sans jamais finir vraiment.\n";
  auto s = core_->CreateStatement(Admin(), Params(text));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("max_segment_bytes is 100")));
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("paragraph block 1 starting on line 3"));
  EXPECT_EQ(ErrorInfoOf(s.status())->reason(), "LIMIT_EXCEEDED");
  EXPECT_EQ(Snap(), before);
}

TEST_F(StatementCoreTest, InvalidUtf8NamesTheByteOffset) {
  Snapshot before = Snap();
  auto s = core_->CreateStatement(Admin(), Params("Bonjour\xC3(monde"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("byte offset 7")));
  auto info = ErrorInfoOf(s.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_UTF8");
  EXPECT_EQ(info->metadata().at("byte_offset"), "7");
  EXPECT_EQ(Snap(), before);
}

TEST_F(StatementCoreTest, BadFieldsAreInvalidArgument) {
  Snapshot before = Snap();
  auto with = [&](auto change) {
    CreateParams p = Params("Bonjour.\n");
    change(p);
    return core_->CreateStatement(Admin(), p).status();
  };
  EXPECT_THAT(with([](CreateParams& p) { p.source_language = "not a tag"; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("source_language")));
  EXPECT_THAT(with([](CreateParams& p) {
                p.target_languages = {"de", "x"};
              }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("target_languages[1]")));
  EXPECT_THAT(with([](CreateParams& p) { p.target_languages = {"FR"}; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("source language")));
  EXPECT_THAT(with([](CreateParams& p) { p.target_languages.clear(); }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](CreateParams& p) { p.title = ""; }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("title")));
  EXPECT_THAT(with([](CreateParams& p) { p.statement_id = "Bad_Id"; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](CreateParams& p) { p.labels["Key"] = "v"; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(with([](CreateParams& p) { p.review_rounds = 4; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      with([&](CreateParams& p) { p.deadline = clock_.Now(); }),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("future")));
  EXPECT_THAT(with([](CreateParams& p) { p.control.request_id = "a b"; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Snap(), before);

  // Languages are canonicalised; duplicates after it are dropped.
  CreateParams p = Params("Bonjour.\n");
  p.source_language = "FR";
  p.target_languages = {"pt_br", "pt-BR", "zh-hans", "de"};
  ASSERT_OK_AND_ASSIGN(Statement s, core_->CreateStatement(Admin(), p));
  EXPECT_EQ(s.source_language, "fr");
  EXPECT_THAT(s.target_languages, ElementsAre("pt-BR", "zh-Hans", "de"));
}

TEST_F(StatementCoreTest, ChosenIdIsUniqueAndTakenIdIsAlreadyExists) {
  CreateParams p = Params("Bonjour.\n");
  p.statement_id = "gaza-2025";
  ASSERT_OK_AND_ASSIGN(Statement s, core_->CreateStatement(Admin(), p));
  EXPECT_EQ(s.statement_id, "gaza-2025");
  Snapshot before = Snap();
  EXPECT_THAT(core_->CreateStatement(Admin(), p),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Snap(), before);
}

// ---------------------------------------------------------------------------
// Idempotency.

TEST_F(StatementCoreTest, RequestIdMakesCreateIdempotentPerCaller) {
  CreateParams p = Params(ReadSeed(kResolution));
  p.control.request_id = "7d3f-import";
  ASSERT_OK_AND_ASSIGN(Statement first, core_->CreateStatement(Admin(), p));
  Snapshot after_first = Snap();
  ASSERT_OK_AND_ASSIGN(Statement again, core_->CreateStatement(Admin(), p));
  EXPECT_EQ(again.statement_id, first.statement_id);
  EXPECT_EQ(again.version, first.version);
  EXPECT_EQ(Snap(), after_first);

  CreateParams other = p;
  other.title = "Un autre titre";
  auto reused = core_->CreateStatement(Admin(), other);
  EXPECT_THAT(reused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorInfoOf(reused.status())->reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(Snap(), after_first);

  // Another caller's request ids are their own.
  ASSERT_OK_AND_ASSIGN(Statement theirs,
                       core_->CreateStatement(Coordinator(), p));
  EXPECT_NE(theirs.statement_id, first.statement_id);
}

TEST_F(StatementCoreTest, ConcurrentRetriesCreateOneStatement) {
  CreateParams p = Params(ReadSeed(kResolution));
  p.control.request_id = "same-request";
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<Statement>> results(8);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back(
        [&, i] { results[i] = core_->CreateStatement(Admin(), p); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    ASSERT_OK(r);
    ids.insert(r->statement_id);
  }
  EXPECT_EQ(ids.size(), 1u);
  ASSERT_OK_AND_ASSIGN(StatementPage page,
                       core_->ListStatements(Admin(), {}, 0, ""));
  EXPECT_EQ(page.statements.size(), 1u);
}

TEST_F(StatementCoreTest, ConcurrentRevisionsOfOneVersionHaveOneWinner) {
  Statement s = CreateOrDie(Params("Bonjour.\n"));
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<Revision>> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      ReviseParams rp;
      rp.statement_id = s.statement_id;
      rp.version = 1;
      rp.source = "Version " + std::to_string(i) + ".\n";
      results[i] = core_->ReviseStatement(Admin(), rp);
    });
  }
  for (auto& t : threads) t.join();
  int won = 0;
  for (const auto& r : results) {
    if (r.ok()) {
      ++won;
      EXPECT_EQ(r->revision_number, 2);
    } else {
      EXPECT_THAT(r, StatusIs(absl::StatusCode::kAborted));
    }
  }
  EXPECT_EQ(won, 1);
  ASSERT_OK_AND_ASSIGN(Statement now,
                       core_->GetStatement(Admin(), s.statement_id));
  EXPECT_EQ(now.version, 2u);
  EXPECT_EQ(now.current_revision, 2);
  ASSERT_OK_AND_ASSIGN(RevisionPage revs,
                       core_->ListRevisions(Admin(), s.statement_id, 0, ""));
  EXPECT_EQ(revs.revisions.size(), 2u);
}

// ---------------------------------------------------------------------------
// Lifecycle.

TEST_F(StatementCoreTest, StateMachineTransitionsAndRefusals) {
  CreateParams p = Params("Bonjour.\n");
  p.draft = true;
  Statement s = CreateOrDie(p);
  const std::string id = s.statement_id;
  EXPECT_EQ(s.state, StatementState::kDraft);
  auto wrong_state = [](const absl::StatusOr<Statement>& r) {
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition));
    if (!r.ok()) {
      auto info = ErrorInfoOf(r.status());
      ASSERT_TRUE(info.has_value());
      EXPECT_EQ(info->reason(), "WRONG_STATE");
    }
  };
  wrong_state(core_->CloseStatement(Admin(), id, 1));
  ASSERT_OK_AND_ASSIGN(s, core_->OpenStatement(Admin(), id, 1));
  EXPECT_EQ(s.state, StatementState::kOpen);
  EXPECT_EQ(s.version, 2u);
  wrong_state(core_->OpenStatement(Admin(), id, 2));
  EXPECT_THAT(core_->OpenStatement(Admin(), id, 1),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK_AND_ASSIGN(s, core_->CloseStatement(Admin(), id, 2));
  EXPECT_EQ(s.state, StatementState::kClosed);
  ASSERT_OK_AND_ASSIGN(s, core_->OpenStatement(Admin(), id, 3));
  EXPECT_EQ(s.state, StatementState::kOpen);
  ASSERT_OK_AND_ASSIGN(s, core_->CloseStatement(Admin(), id, 4));
  ASSERT_OK_AND_ASSIGN(s, core_->ArchiveStatement(Admin(), id, 5));
  EXPECT_EQ(s.state, StatementState::kArchived);
  EXPECT_EQ(s.version, 6u);
  Snapshot archived = Snap();
  wrong_state(core_->ArchiveStatement(Admin(), id, 6));
  wrong_state(core_->OpenStatement(Admin(), id, 6));
  wrong_state(core_->CloseStatement(Admin(), id, 6));
  StatementUpdate u;
  u.title = "Encore";
  wrong_state(core_->UpdateStatement(Admin(), id, 6, u));
  ReviseParams rp;
  rp.statement_id = id;
  rp.version = 6;
  rp.source = "Au revoir.\n";
  EXPECT_THAT(core_->ReviseStatement(Admin(), rp),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Snap(), archived);

  // Archived statements leave default listings.
  ASSERT_OK_AND_ASSIGN(StatementPage page,
                       core_->ListStatements(Admin(), {}, 0, ""));
  EXPECT_TRUE(page.statements.empty());
  ListStatementsQuery q;
  q.states = {StatementState::kArchived};
  ASSERT_OK_AND_ASSIGN(page, core_->ListStatements(Admin(), q, 0, ""));
  ASSERT_EQ(page.statements.size(), 1u);
  EXPECT_EQ(page.statements[0].statement_id, id);
}

TEST_F(StatementCoreTest, UpdateChangesOnlyTheGivenFields) {
  Statement s = CreateOrDie(Params("Bonjour.\n"));
  StatementUpdate u;
  u.title = "Titre revu";
  u.labels = std::map<std::string, std::string>{{"campaign", "gaza"}};
  u.review_rounds = 2;
  ASSERT_OK_AND_ASSIGN(Statement after,
                       core_->UpdateStatement(Admin(), s.statement_id, 1, u));
  EXPECT_EQ(after.title, "Titre revu");
  EXPECT_EQ(after.labels.at("campaign"), "gaza");
  EXPECT_EQ(after.review_rounds, 2);
  EXPECT_EQ(after.target_languages, s.target_languages);
  EXPECT_EQ(after.version, 2u);
  EXPECT_THAT(core_->UpdateStatement(Admin(), s.statement_id, 2, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  StatementUpdate bad;
  bad.review_rounds = 0;
  EXPECT_THAT(core_->UpdateStatement(Admin(), s.statement_id, 2, bad),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---------------------------------------------------------------------------
// Roles and listings.

TEST_F(StatementCoreTest, LanguageScopedRoles) {
  // A coordinator for de only cannot create for fr, nor change a de/en one.
  CreateParams p = Params("Bonjour.\n");
  p.target_languages = {"fr-CA"};
  p.source_language = "en";
  auto denied = core_->CreateStatement(Coordinator({"de"}), p);
  EXPECT_THAT(denied, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorInfoOf(denied.status())->reason(), "LANGUAGE_NOT_GRANTED");
  EXPECT_EQ(ErrorInfoOf(denied.status())->metadata().at("language"), "fr-CA");

  Statement de_en =
      CreateOrDie(Params("Bonjour.\n"), Coordinator({"de", "en"}));
  EXPECT_EQ(de_en.creator, "coord");
  StatementUpdate u;
  u.title = "Titre";
  EXPECT_THAT(
      core_->UpdateStatement(Coordinator({"de"}), de_en.statement_id, 1, u),
      StatusIs(absl::StatusCode::kPermissionDenied));
  // Adding a language the coordinator lacks is refused too.
  StatementUpdate widen;
  widen.target_languages = std::vector<std::string>{"de", "en", "es"};
  EXPECT_THAT(core_->UpdateStatement(Coordinator({"de", "en"}),
                                     de_en.statement_id, 1, widen),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_OK(
      core_->UpdateStatement(Coordinator(), de_en.statement_id, 1, widen));

  CreateParams es = Params("Hola.\n");
  es.source_language = "es";
  es.target_languages = {"pt"};
  Statement pt = CreateOrDie(es);

  // Readers: a grant for one target language suffices.
  const Principal es_translator = WithRole("t-es", Role::kTranslator, {"es"});
  const Principal de_reviewer = WithRole("r-de", Role::kReviewer, {"de"});
  const Principal service = WithRole("svc", Role::kService);
  EXPECT_THAT(core_->GetStatement(es_translator, pt.statement_id),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_OK(core_->GetStatement(es_translator, de_en.statement_id));  // now es
  ASSERT_OK(core_->GetStatement(de_reviewer, de_en.statement_id));
  EXPECT_THAT(
      core_->ListSourceSegments(de_reviewer, pt.statement_id, 0, 0, "", false),
      StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_OK(core_->GetStatement(service, pt.statement_id));
  ASSERT_OK(
      core_->ListSourceSegments(service, pt.statement_id, 0, 0, "", false));

  // Listings show only what the caller may read.
  ASSERT_OK_AND_ASSIGN(StatementPage mine,
                       core_->ListStatements(de_reviewer, {}, 0, ""));
  ASSERT_EQ(mine.statements.size(), 1u);
  EXPECT_EQ(mine.statements[0].statement_id, de_en.statement_id);
  ASSERT_OK_AND_ASSIGN(StatementPage all,
                       core_->ListStatements(service, {}, 0, ""));
  EXPECT_EQ(all.statements.size(), 2u);
}

TEST_F(StatementCoreTest, ListStatementsFiltersAndPaginates) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    CreateParams p = Params("Bonjour.\n");
    p.statement_id = "st-" + std::to_string(i);
    p.labels["campaign"] = i % 2 == 0 ? "gaza" : "sudan";
    if (i == 3) p.labels["urgent"] = "";
    p.target_languages = i < 4 ? std::vector<std::string>{"de"}
                               : std::vector<std::string>{"es", "tr"};
    if (i == 5) p.draft = true;
    CreateOrDie(p);
    ids.push_back(p.statement_id);
    clock_.Advance(absl::Seconds(i == 2 ? 0 : 1));  // two share a time
  }
  // Newest first, ties by id; pages cover everything once.
  std::vector<std::string> seen;
  std::string token;
  do {
    ASSERT_OK_AND_ASSIGN(StatementPage page,
                         core_->ListStatements(Admin(), {}, 3, token));
    EXPECT_LE(page.statements.size(), 3u);
    for (const auto& s : page.statements) seen.push_back(s.statement_id);
    token = page.next_page_token;
  } while (!token.empty());
  EXPECT_THAT(seen, ElementsAre("st-6", "st-5", "st-4", "st-2", "st-3", "st-1",
                                "st-0"));

  ListStatementsQuery q;
  q.label_selectors.push_back({"campaign", std::string("gaza")});
  q.languages = {"TR"};
  ASSERT_OK_AND_ASSIGN(StatementPage page,
                       core_->ListStatements(Admin(), q, 0, ""));
  std::vector<std::string> got;
  for (const auto& s : page.statements) got.push_back(s.statement_id);
  EXPECT_THAT(got, ElementsAre("st-6", "st-4"));
  ListStatementsQuery urgent;
  urgent.label_selectors.push_back({"urgent", std::nullopt});
  ASSERT_OK_AND_ASSIGN(page, core_->ListStatements(Admin(), urgent, 0, ""));
  ASSERT_EQ(page.statements.size(), 1u);
  EXPECT_EQ(page.statements[0].statement_id, "st-3");
  ListStatementsQuery drafts;
  drafts.states = {StatementState::kDraft};
  ASSERT_OK_AND_ASSIGN(page, core_->ListStatements(Admin(), drafts, 0, ""));
  ASSERT_EQ(page.statements.size(), 1u);
  EXPECT_EQ(page.statements[0].statement_id, "st-5");

  // Tokens are bound to their query and cannot be forged.
  ASSERT_OK_AND_ASSIGN(StatementPage first,
                       core_->ListStatements(Admin(), {}, 2, ""));
  ASSERT_FALSE(first.next_page_token.empty());
  auto other = core_->ListStatements(Admin(), q, 2, first.next_page_token);
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorInfoOf(other.status())->reason(), "INVALID_TOKEN");
  std::string forged = first.next_page_token;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THAT(core_->ListStatements(Admin(), {}, 2, forged),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->ListStatements(Admin(), {}, 2, "garbage!"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(core_->ListStatements(Admin(), {}, -1, ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(StatementCoreTest, SourceSegmentsPageInOrderAndByIdAcrossRevisions) {
  Statement s = CreateOrDie(Params(ReadSeed(kResolution)));
  std::vector<SourceSegment> all = AllSegments(s.statement_id);
  ASSERT_EQ(static_cast<int>(all.size()), s.segment_count);

  std::vector<std::string> translatable;
  std::string token;
  int total = -1;
  do {
    ASSERT_OK_AND_ASSIGN(
        SourceSegmentPage page,
        core_->ListSourceSegments(Admin(), s.statement_id, 0, 10, token, true));
    total = page.total_size;
    for (const auto& seg : page.segments) {
      EXPECT_TRUE(seg.segment.translatable);
      translatable.push_back(seg.info.segment_id);
    }
    token = page.next_page_token;
  } while (!token.empty());
  EXPECT_EQ(total, s.translatable_segment_count);
  EXPECT_EQ(static_cast<int>(translatable.size()), total);

  const SourceSegment& some = all[5];
  ASSERT_OK_AND_ASSIGN(SourceSegment got,
                       core_->GetSourceSegment(Admin(), s.statement_id,
                                               some.info.segment_id, 0));
  EXPECT_EQ(got.ordinal, some.ordinal);
  EXPECT_EQ(got.segment, some.segment);
  EXPECT_THAT(core_->GetSourceSegment(Admin(), s.statement_id, "0123", 0),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(
      core_->GetSourceSegment(Admin(), s.statement_id, some.info.segment_id, 2),
      StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core_->GetRevision(Admin(), s.statement_id, 2, false),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core_->GetStatement(Admin(), "nope"),
              StatusIs(absl::StatusCode::kNotFound));

  // A page token keeps reading the revision its first page read.
  ASSERT_OK_AND_ASSIGN(
      SourceSegmentPage first,
      core_->ListSourceSegments(Admin(), s.statement_id, 0, 3, "", false));
  ReviseParams rp;
  rp.statement_id = s.statement_id;
  rp.version = 1;
  rp.source = "Tout autre chose.\n";
  ASSERT_OK(core_->ReviseStatement(Admin(), rp));
  ASSERT_OK_AND_ASSIGN(SourceSegmentPage second,
                       core_->ListSourceSegments(Admin(), s.statement_id, 0, 3,
                                                 first.next_page_token, false));
  ASSERT_EQ(second.segments.size(), 3u);
  EXPECT_EQ(second.segments[0].revision_number, 1);
  EXPECT_EQ(second.segments[0].info.segment_id, all[3].info.segment_id);
  // The removed segment is still there in revision 1.
  ASSERT_OK(core_->GetSourceSegment(Admin(), s.statement_id,
                                    some.info.segment_id, 1));
  EXPECT_THAT(
      core_->GetSourceSegment(Admin(), s.statement_id, some.info.segment_id, 0),
      StatusIs(absl::StatusCode::kNotFound));
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
