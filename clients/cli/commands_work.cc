// assign, assignments, progress, mine.
#include <map>

#include "clients/cli/commands.h"
#include "clients/cli/errors.h"
#include "clients/cli/render.h"

namespace tessera::cli {
namespace v1 = ::tessera::v1;
namespace {

std::string StatementName(const std::string& id) {
  return id.rfind("statements/", 0) == 0 ? id : "statements/" + id;
}
std::string UserName(const std::string& id) {
  return id.rfind("users/", 0) == 0 ? id : "users/" + id;
}

std::string RoleWord(v1::AssignmentRole role) {
  return ShortEnumName(v1::AssignmentRole_Name(role), "ASSIGNMENT_ROLE_");
}

std::string ScopeText(const v1::AssignmentScope& scope) {
  switch (scope.scope_case()) {
    case v1::AssignmentScope::kWholeLanguage:
      return "whole language";
    case v1::AssignmentScope::kRange:
      return "segments " + scope.range().first_segment_id() + ".." +
             scope.range().last_segment_id();
    case v1::AssignmentScope::kSegments:
      return std::to_string(scope.segments().segment_ids_size()) +
             " listed segments";
    default:
      return "-";
  }
}

int64_t WordsIn(
    const google::protobuf::RepeatedPtrField<v1::SegmentStateCount>& counts,
    v1::SegmentState state) {
  for (const auto& c : counts) {
    if (c.state() == state) return c.words();
  }
  return 0;
}
int SegmentsIn(
    const google::protobuf::RepeatedPtrField<v1::SegmentStateCount>& counts,
    v1::SegmentState state) {
  for (const auto& c : counts) {
    if (c.state() == state) return c.segments();
  }
  return 0;
}

int Assign(Invocation& inv) {
  if (!inv.args().Has("lang") || !inv.args().Has("to")) {
    return inv.Fail("assign needs --lang and --to", kExitUsage);
  }
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::AssignRequest req;
  req.set_statement(StatementName(inv.args().positional()[0]));
  req.set_language(inv.args().Get("lang"));
  req.set_assignee(UserName(inv.args().Get("to")));
  req.set_note(inv.args().Get("note"));
  req.set_request_id(inv.args().Get("request-id"));
  const std::string role = inv.args().Get("role", "translate");
  if (role == "translate" || role == "translator") {
    req.set_role(v1::ASSIGNMENT_ROLE_TRANSLATE);
  } else if (role == "review" || role == "reviewer") {
    req.set_role(v1::ASSIGNMENT_ROLE_REVIEW);
  } else {
    return inv.Fail("--role is translate or review", kExitUsage);
  }
  if (inv.args().Has("due")) {
    auto ts = ParseTime(inv.args().Get("due"), absl::Now());
    if (!ts.ok())
      return inv.Fail(std::string(ts.status().message()), kExitUsage);
    *req.mutable_deadline() = *ts;
  }
  if (!inv.args().Has("segments")) {
    req.mutable_scope()->mutable_whole_language();
  } else {
    auto range = ParseRange(inv.args().Get("segments"));
    if (!range) {
      return inv.Fail(
          "--segments is FIRST-LAST, positions as `statement show "
          "--segments` numbers them, e.g. 1-40",
          kExitUsage);
    }
    // People count positions; the API takes ids. Map through the current
    // revision, trimming non-translatable segments off both ends.
    v1::ListSourceSegmentsRequest list;
    list.set_parent(req.statement());
    list.set_page_size(1000);
    std::string first, last;
    while (true) {
      v1::ListSourceSegmentsResponse resp;
      grpc::Status s =
          c->statements().ListSourceSegments(c->Context().get(), list, &resp);
      if (!s.ok()) return inv.Fail(s);
      for (const auto& seg : resp.source_segments()) {
        if (!seg.translatable() || seg.ordinal() < range->first ||
            seg.ordinal() > range->second) {
          continue;
        }
        if (first.empty()) first = seg.segment_id();
        last = seg.segment_id();
      }
      if (resp.next_page_token().empty()) break;
      list.set_page_token(resp.next_page_token());
    }
    if (first.empty()) {
      return inv.Fail(
          "no translatable segment in positions " + inv.args().Get("segments"),
          kExitUsage);
    }
    req.mutable_scope()->mutable_range()->set_first_segment_id(first);
    req.mutable_scope()->mutable_range()->set_last_segment_id(last);
  }
  v1::Assignment a;
  grpc::Status s = c->assignments().Assign(c->Context().get(), req, &a);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(a) << "\n";
    return kExitOk;
  }
  inv.out() << "assigned " << a.name() << ": " << LastComponent(a.assignee())
            << " to " << RoleWord(a.role()) << " " << a.language() << " of "
            << LastComponent(a.statement()) << ", "
            << (inv.args().Has("segments")
                    ? "positions " + inv.args().Get("segments")
                    : ScopeText(a.scope()))
            << " (" << a.segment_count() << " segments, " << a.word_count()
            << " words), due " << FormatTime(a.effective_deadline()) << "\n";
  return kExitOk;
}

int Assignments(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::ListAssignmentsRequest req;
  req.set_page_size(1000);
  if (!inv.args().positional().empty()) {
    req.set_statement(StatementName(inv.args().positional()[0]));
  }
  req.set_language(inv.args().Get("lang"));
  if (inv.args().Has("to")) req.set_assignee(UserName(inv.args().Get("to")));
  req.set_overdue_only(inv.args().Has("overdue"));
  std::vector<std::vector<std::string>> rows = {
      {"ASSIGNMENT", "STATEMENT", "LANG", "ROLE", "ASSIGNEE", "SEGMENTS",
       "WORDS", "DUE", "STATUS"}};
  while (true) {
    v1::ListAssignmentsResponse resp;
    grpc::Status s =
        c->assignments().ListAssignments(c->Context().get(), req, &resp);
    if (!s.ok()) return inv.Fail(s);
    for (const auto& a : resp.assignments()) {
      if (inv.json()) {
        inv.out() << ToJson(a) << "\n";
        continue;
      }
      rows.push_back(
          {LastComponent(a.name()), LastComponent(a.statement()), a.language(),
           RoleWord(a.role()), LastComponent(a.assignee()),
           std::to_string(a.segment_count()), std::to_string(a.word_count()),
           FormatTime(a.effective_deadline()),
           a.overdue() ? "OVERDUE" : (a.complete() ? "complete" : "active")});
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (!inv.json()) inv.out() << FormatTable(rows);
  return kExitOk;
}

void PrintProgress(Invocation& inv, const v1::Progress& p) {
  inv.out() << p.statement() << "  deadline " << FormatTime(p.deadline())
            << "\n";
  std::vector<std::vector<std::string>> rows = {
      {"LANG", "APPROVED", "WORDS LEFT", "TO REVIEW", "UNASSIGNED", "LEASES",
       "OVERDUE"}};
  for (const auto& l : p.languages()) {
    rows.push_back({l.language(), ProgressBar(l.percent_approved(), 20),
                    std::to_string(l.words_left()),
                    std::to_string(l.words_to_review()),
                    std::to_string(l.unassigned_words()),
                    std::to_string(l.active_leases()),
                    std::to_string(l.overdue_assignments_size())});
  }
  inv.out() << FormatTable(rows);
  for (const auto& l : p.languages()) {
    for (const auto& a : l.overdue_assignments()) {
      inv.out() << "  overdue: " << a.name() << "  "
                << LastComponent(a.assignee()) << " " << RoleWord(a.role())
                << " " << a.language() << ", due "
                << FormatTime(a.effective_deadline()) << ", "
                << WordsIn(a.state_counts(), v1::SEGMENT_STATE_UNTRANSLATED)
                << " words untranslated\n";
    }
  }
}

int Progress(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  std::vector<std::string> statements;
  if (!inv.args().positional().empty()) {
    statements.push_back(StatementName(inv.args().positional()[0]));
  } else {
    v1::ListStatementsRequest req;
    req.set_page_size(500);
    while (true) {
      v1::ListStatementsResponse resp;
      grpc::Status s =
          c->statements().ListStatements(c->Context().get(), req, &resp);
      if (!s.ok()) return inv.Fail(s);
      for (const auto& st : resp.statements()) statements.push_back(st.name());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
  }
  bool first = true;
  for (const std::string& name : statements) {
    v1::GetProgressRequest req;
    req.set_statement(name);
    for (const std::string& l : SplitList(inv.args().Get("lang"))) {
      req.add_languages(l);
    }
    v1::Progress p;
    grpc::Status s = c->assignments().GetProgress(c->Context().get(), req, &p);
    if (!s.ok()) return inv.Fail(s);
    if (inv.json()) {
      inv.out() << ToJson(p) << "\n";
      continue;
    }
    if (!first) inv.out() << "\n";
    first = false;
    PrintProgress(inv, p);
  }
  return kExitOk;
}

int Mine(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::GetMyWorkRequest req;
  for (const std::string& l : SplitList(inv.args().Get("lang"))) {
    req.add_languages(l);
  }
  v1::GetMyWorkResponse resp;
  grpc::Status s = c->assignments().GetMyWork(c->Context().get(), req, &resp);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(resp) << "\n";
    return kExitOk;
  }
  if (resp.assignments().empty()) {
    inv.out() << "no assignments\n";
  } else {
    std::vector<std::vector<std::string>> rows = {
        {"STATEMENT", "LANG", "ROLE", "DONE", "WORDS LEFT", "DUE", "STATUS"}};
    for (const auto& a : resp.assignments()) {
      const bool translate = a.role() == v1::ASSIGNMENT_ROLE_TRANSLATE;
      int done = SegmentsIn(a.state_counts(), v1::SEGMENT_STATE_APPROVED) +
                 (translate ? SegmentsIn(a.state_counts(),
                                         v1::SEGMENT_STATE_TRANSLATED)
                            : 0);
      int64_t left =
          translate
              ? WordsIn(a.state_counts(), v1::SEGMENT_STATE_UNTRANSLATED) +
                    WordsIn(a.state_counts(), v1::SEGMENT_STATE_REJECTED) +
                    WordsIn(a.state_counts(), v1::SEGMENT_STATE_NEEDS_UPDATE)
              : WordsIn(a.state_counts(), v1::SEGMENT_STATE_TRANSLATED);
      rows.push_back(
          {LastComponent(a.statement()), a.language(), RoleWord(a.role()),
           std::to_string(done) + "/" + std::to_string(a.segment_count()),
           std::to_string(left), FormatTime(a.effective_deadline()),
           a.overdue() ? "OVERDUE" : (a.complete() ? "complete" : "active")});
    }
    inv.out() << FormatTable(rows);
  }
  if (!resp.leases().empty()) {
    inv.out() << "\nleases:\n";
    for (const auto& l : resp.leases()) {
      inv.out() << "  " << l.name() << "  " << l.segment() << "  "
                << RoleWord(l.role()) << ", expires "
                << FormatTime(l.expire_time()) << "\n";
    }
  }
  if (!resp.rejected_segments().empty()) {
    inv.out() << "\nrejected, waiting for your fix:\n";
    for (const auto& r : resp.rejected_segments())
      inv.out() << "  " << r << "\n";
  }
  return kExitOk;
}

}  // namespace

int Translate(Invocation& inv);
int Review(Invocation& inv);

std::vector<Command> WorkCommands() {
  const char loop_help[] =
      "Claims the next segment (your rejected translations first, then\n"
      "your assignments, then the open pool), shows it with its context\n"
      "and inline codes in readable form ({1}bold{/1}, {2/} standalone,\n"
      "literal braces doubled), and reads one line per prompt:\n";
  const char loop_tail[] =
      "  :skip              leave it for now and claim the next one\n"
      "  :release           give the segment back and stop\n"
      "  :quit              stop, keeping the lease (claim again to resume)\n"
      "  :comment TEXT      add to the segment's comment thread\n"
      "  :show              show the segment again\n"
      "End of input releases the lease; so does Ctrl-C. Not on a terminal,\n"
      "the same commands are read line by line; with --json each claimed\n"
      "segment and each outcome is printed as one JSON object per line.";
  return {
      {{{"assign"},
        "ID",
        "assign work in one language to a user",
        "Positions in --segments are those `statement show ID --segments`\n"
        "prints (1-based, inclusive).",
        "  tessera assign icor --lang de --to alice --segments 1-40 --due +7d\n"
        "  tessera assign icor --lang de --to bob --role review",
        {{"lang", 0, "LANG", "target language (required)"},
         {"to", 0, "USER", "assignee (required)"},
         {"segments", 0, "FIRST-LAST", "positions (default: whole language)"},
         {"role", 0, "translate|review", "default translate"},
         {"due", 0, "TIME", "deadline (default: the statement's)"},
         {"note", 0, "TEXT", "note for the assignee"},
         {"request-id", 0, "ID", "makes a retry create nothing new"}},
        1,
        1},
       Assign},
      {{{"assignments"},
        "[ID]",
        "list active assignments",
        "",
        "  tessera assignments icor --lang de --overdue",
        {{"lang", 0, "LANG", "only this language"},
         {"to", 0, "USER", "only this assignee"},
         {"overdue", 0, "", "only overdue ones"}},
        0,
        1},
       Assignments},
      {{{"progress"},
        "[ID]",
        "progress per language, with words left",
        "Without ID, shows every statement you may read.",
        "  tessera progress icor\n  tessera progress --json",
        {{"lang", 0, "LANGS", "only these languages"}},
        0,
        1},
       Progress},
      {{{"translate"},
        "[ID]",
        "translate segment by segment",
        std::string(loop_help) +
            "  TEXT               submit TEXT as the translation; QA errors "
            "are\n"
            "                     shown and you can fix and resubmit (a text\n"
            "                     starting with ':' is typed as '::...')\n"
            "  :edit              edit in $VISUAL/$EDITOR, then submit\n"
            "  :draft TEXT        save a draft without submitting\n" +
            loop_tail,
        "  tessera translate --lang de icor",
        {{"lang", 0, "LANG", "language to translate into (required)"}},
        0,
        1},
       Translate},
      {{{"review"},
        "[ID]",
        "approve or reject translations one by one",
        std::string(loop_help) +
            "  :approve [COMMENT] approve it (also: a)\n"
            "  :reject REASON     send it back to its translator (also: r "
            "REASON)\n" +
            loop_tail,
        "  tessera review --lang de icor",
        {{"lang", 0, "LANG", "language to review (required)"}},
        0,
        1},
       Review},
      {{{"mine"},
        "",
        "your assignments, leases and rejected segments",
        "",
        "  tessera mine --json",
        {{"lang", 0, "LANGS", "only these languages"}},
        0,
        0},
       Mine},
  };
}

}  // namespace tessera::cli
