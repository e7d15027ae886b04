// StatementCore refusals (limits and bad input write nothing), the state
// machine, updates, language-scoped roles and the listings' paging.
#include "services/statement/statement_core_test_fixture.h"

namespace tessera::statement {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
  auto quota = ::tessera::testing::QuotaFailureOf(s.status());
  ASSERT_TRUE(quota.has_value());
  const auto& qf = *quota;
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

}  // namespace
}  // namespace tessera::statement
