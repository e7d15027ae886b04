// statement import|revise|list|show|open|close.
#include <fstream>
#include <map>
#include <sstream>

#include "clients/cli/commands.h"
#include "clients/cli/errors.h"
#include "clients/cli/render.h"

namespace tessera::cli {
namespace v1 = ::tessera::v1;
namespace {

std::string StatementName(const std::string& id) {
  return id.rfind("statements/", 0) == 0 ? id : "statements/" + id;
}

bool ReadFile(const std::string& path, std::string& data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  data = ss.str();
  return true;
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// --no-translate-block FIRST-LAST (block indices, 0-based) and
// --no-translate-lines FIRST-LAST (source lines, 1-based).
bool AddNoTranslate(
    Invocation& inv,
    google::protobuf::RepeatedPtrField<v1::NoTranslateRange>* ranges) {
  for (const std::string& b : inv.args().GetAll("no-translate-block")) {
    auto r = ParseRange(b, /*min=*/0);
    if (!r) {
      inv.Fail("bad --no-translate-block \"" + b +
                   "\": use FIRST-LAST block "
                   "indices, e.g. 12-40",
               kExitUsage);
      return false;
    }
    auto* blocks = ranges->Add()->mutable_blocks();
    blocks->set_first_block(r->first);
    blocks->set_last_block(r->second);
  }
  for (const std::string& l : inv.args().GetAll("no-translate-lines")) {
    auto r = ParseRange(l);
    if (!r) {
      inv.Fail("bad --no-translate-lines \"" + l +
                   "\": use FIRST-LAST, e.g. "
                   "53-81",
               kExitUsage);
      return false;
    }
    auto* lines = ranges->Add()->mutable_lines();
    lines->set_first_line(r->first);
    lines->set_last_line(r->second);
  }
  return true;
}

void PrintStatement(Invocation& inv, const v1::Statement& st) {
  inv.out() << st.name() << "  \"" << st.title() << "\"\n"
            << "  state:     "
            << ShortEnumName(v1::StatementState_Name(st.state()),
                             "STATEMENT_STATE_")
            << "\n"
            << "  languages: " << st.source_language() << " -> "
            << Join(st.target_languages()) << "\n"
            << "  segments:  " << st.segment_count() << " ("
            << st.translatable_segment_count() << " to translate)\n"
            << "  words:     " << st.word_count() << "\n"
            << "  deadline:  " << FormatTime(st.deadline()) << "\n"
            << "  revision:  " << st.current_revision() << "\n"
            << "  version:   " << st.version() << "\n";
}

int Import(Invocation& inv) {
  const std::string path = inv.args().positional()[0];
  v1::CreateStatementRequest req;
  if (!ReadFile(path, *req.mutable_source())) {
    return inv.Fail("cannot read " + path, kExitUsage);
  }
  if (!inv.args().Has("title"))
    return inv.Fail("--title is required", kExitUsage);
  if (!inv.args().Has("source-lang") || !inv.args().Has("targets")) {
    return inv.Fail("--source-lang and --targets are required", kExitUsage);
  }
  req.set_title(inv.args().Get("title"));
  req.set_statement_id(inv.args().Get("id"));
  req.set_source_language(inv.args().Get("source-lang"));
  for (const std::string& t : SplitList(inv.args().Get("targets"))) {
    req.add_target_languages(t);
  }
  std::string format = inv.args().Get("format", "md");
  if (format == "md" || format == "markdown") {
    req.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  } else if (format == "txt" || format == "text") {
    req.set_format(v1::DOCUMENT_FORMAT_PLAIN_TEXT);
  } else {
    return inv.Fail("--format is md or txt", kExitUsage);
  }
  if (inv.args().Has("deadline")) {
    auto ts = ParseTime(inv.args().Get("deadline"), absl::Now());
    if (!ts.ok())
      return inv.Fail(std::string(ts.status().message()), kExitUsage);
    *req.mutable_deadline() = *ts;
  }
  if (inv.args().Has("review-rounds")) {
    req.set_review_rounds(std::atoi(inv.args().Get("review-rounds").c_str()));
  }
  for (const std::string& label : inv.args().GetAll("label")) {
    size_t eq = label.find('=');
    (*req.mutable_labels())[label.substr(0, eq)] =
        eq == std::string::npos ? "" : label.substr(eq + 1);
  }
  req.set_allow_open_claiming(inv.args().Has("open-claiming"));
  req.set_draft(inv.args().Has("draft"));
  req.set_validate_only(inv.args().Has("dry-run"));
  if (!AddNoTranslate(inv, req.mutable_no_translate_ranges())) {
    return kExitUsage;
  }
  // Retrying the same import with the same request id creates nothing new.
  req.set_request_id(inv.args().Get("request-id"));

  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  if (inv.io().err_tty) {
    inv.err() << "importing " << path << " (" << req.source().size() / 1024
              << " KiB)..." << std::flush;
  }
  v1::Statement st;
  grpc::Status s = c->statements().CreateStatement(
      c->Context(absl::Minutes(5)).get(), req, &st);
  if (inv.io().err_tty) inv.err() << "\r\033[K" << std::flush;
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(st) << "\n";
    return kExitOk;
  }
  inv.out() << (req.validate_only() ? "would import " : "imported ")
            << LastComponent(st.name()) << ": " << st.segment_count()
            << " segments (" << st.translatable_segment_count()
            << " to translate), " << st.word_count() << " words, "
            << st.source_language() << " -> " << Join(st.target_languages())
            << ", "
            << ShortEnumName(v1::StatementState_Name(st.state()),
                             "STATEMENT_STATE_")
            << "\n";
  return kExitOk;
}

grpc::Status AllSegments(Client& c, const std::string& statement,
                         const std::string& revision,
                         std::vector<v1::SourceSegment>& out) {
  v1::ListSourceSegmentsRequest req;
  req.set_parent(statement);
  req.set_revision(revision);
  req.set_page_size(1000);
  while (true) {
    v1::ListSourceSegmentsResponse resp;
    grpc::Status s =
        c.statements().ListSourceSegments(c.Context().get(), req, &resp);
    if (!s.ok()) return s;
    for (auto& seg : *resp.mutable_source_segments()) {
      out.push_back(std::move(seg));
    }
    if (resp.next_page_token().empty()) return grpc::Status::OK;
    req.set_page_token(resp.next_page_token());
  }
}

int Revise(Invocation& inv) {
  const std::string name = StatementName(inv.args().positional()[0]);
  const std::string path = inv.args().positional()[1];
  v1::ReviseStatementRequest req;
  if (!ReadFile(path, *req.mutable_source())) {
    return inv.Fail("cannot read " + path, kExitUsage);
  }
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::GetStatementRequest get;
  get.set_name(name);
  v1::Statement st;
  grpc::Status s = c->statements().GetStatement(c->Context().get(), get, &st);
  if (!s.ok()) return inv.Fail(s);
  req.set_statement(name);
  req.set_version(st.version());
  req.set_note(inv.args().Get("note"));
  req.set_validate_only(inv.args().Has("dry-run"));
  if (!AddNoTranslate(inv, req.mutable_no_translate_ranges())) {
    return kExitUsage;
  }
  v1::Revision rev;
  s = c->statements().ReviseStatement(c->Context(absl::Minutes(5)).get(), req,
                                      &rev);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(rev) << "\n";
    return kExitOk;
  }
  const v1::RevisionChanges& ch = rev.changes();
  inv.out() << (req.validate_only() ? "would make revision " : "revision ")
            << rev.revision_number() << ": " << ch.added_segment_ids_size()
            << " added, " << ch.removed_segment_ids_size() << " removed, "
            << ch.changed_segments_size() << " changed, "
            << ch.unchanged_segment_count() << " unchanged ("
            << ch.moved_segment_ids_size() << " moved)\n";
  // Show the texts: old ones from the previous revision, new ones from
  // this one (not stored on a dry run: fall back to ids).
  std::map<std::string, std::string> old_text, new_text;
  std::vector<v1::SourceSegment> segs;
  if (!ch.previous_revision().empty() &&
      AllSegments(*c, name, ch.previous_revision(), segs).ok()) {
    for (const auto& g : segs)
      old_text[g.segment_id()] = ToReadable(g.content());
  }
  segs.clear();
  if (!req.validate_only() && AllSegments(*c, name, rev.name(), segs).ok()) {
    for (const auto& g : segs)
      new_text[g.segment_id()] = ToReadable(g.content());
  }
  const auto text = [&](const std::map<std::string, std::string>& m,
                        const std::string& id) {
    auto it = m.find(id);
    if (it != m.end()) return it->second;
    return std::string(req.validate_only() ? "(text not kept by a dry run)"
                                           : "(text unavailable)");
  };
  for (const auto& cs : ch.changed_segments()) {
    inv.out() << "~ " << cs.segment_id() << " (was "
              << cs.predecessor_segment_id() << ", similarity "
              << static_cast<int>(cs.similarity() * 100) << "%)\n  - "
              << text(old_text, cs.predecessor_segment_id()) << "\n  + "
              << text(new_text, cs.segment_id()) << "\n";
  }
  for (const auto& id : ch.added_segment_ids()) {
    inv.out() << "+ " << id << "  " << text(new_text, id) << "\n";
  }
  for (const auto& id : ch.removed_segment_ids()) {
    inv.out() << "- " << id << "  " << text(old_text, id) << "\n";
  }
  for (const auto& id : ch.moved_segment_ids()) {
    inv.out() << "> " << id << " moved\n";
  }
  return kExitOk;
}

int List(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::ListStatementsRequest req;
  req.set_page_size(500);
  for (const std::string& l : SplitList(inv.args().Get("lang"))) {
    req.add_languages(l);
  }
  if (inv.args().Has("all")) {
    for (int st = v1::STATEMENT_STATE_DRAFT; st <= v1::STATEMENT_STATE_ARCHIVED;
         ++st) {
      req.add_states(static_cast<v1::StatementState>(st));
    }
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "STATE", "LANGUAGES", "SEGMENTS", "WORDS", "DEADLINE", "TITLE"}};
  while (true) {
    v1::ListStatementsResponse resp;
    grpc::Status s =
        c->statements().ListStatements(c->Context().get(), req, &resp);
    if (!s.ok()) return inv.Fail(s);
    for (const auto& st : resp.statements()) {
      if (inv.json()) {
        inv.out() << ToJson(st) << "\n";
        continue;
      }
      rows.push_back({st.statement_id(),
                      ShortEnumName(v1::StatementState_Name(st.state()),
                                    "STATEMENT_STATE_"),
                      st.source_language() + "->" + Join(st.target_languages()),
                      std::to_string(st.segment_count()),
                      std::to_string(st.word_count()),
                      FormatTime(st.deadline()), st.title()});
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (!inv.json()) inv.out() << FormatTable(rows);
  return kExitOk;
}

int Show(Invocation& inv) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::GetStatementRequest req;
  req.set_name(StatementName(inv.args().positional()[0]));
  v1::Statement st;
  grpc::Status s = c->statements().GetStatement(c->Context().get(), req, &st);
  if (!s.ok()) return inv.Fail(s);
  std::vector<v1::SourceSegment> segs;
  if (inv.args().Has("segments")) {
    s = AllSegments(*c, st.name(), "", segs);
    if (!s.ok()) return inv.Fail(s);
  }
  if (inv.json()) {
    inv.out() << ToJson(st) << "\n";
    for (const auto& g : segs) inv.out() << ToJson(g) << "\n";
    return kExitOk;
  }
  PrintStatement(inv, st);
  if (!segs.empty()) {
    std::vector<std::vector<std::string>> rows = {{"#", "ID", "WORDS", "TEXT"}};
    for (const auto& g : segs) {
      rows.push_back({std::to_string(g.ordinal()), g.segment_id(),
                      g.translatable() ? std::to_string(g.word_count()) : "-",
                      ToReadable(g.content())});
    }
    inv.out() << "\n" << FormatTable(rows);
  }
  return kExitOk;
}

template <typename Req, typename Method>
int Transition(Invocation& inv, Method method, const char* verb) {
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::GetStatementRequest get;
  get.set_name(StatementName(inv.args().positional()[0]));
  v1::Statement st;
  grpc::Status s = c->statements().GetStatement(c->Context().get(), get, &st);
  if (!s.ok()) return inv.Fail(s);
  Req req;
  req.set_name(st.name());
  req.set_version(st.version());
  s = (c->statements().*method)(c->Context().get(), req, &st);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(st) << "\n";
  } else {
    inv.out() << verb << " " << st.name() << "\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> StatementCommands() {
  const FlagSpec ntb{"no-translate-block", 0, "FIRST-LAST",
                     "copy these blocks verbatim (0-based block indices)",
                     true};
  const FlagSpec ntl{"no-translate-lines", 0, "FIRST-LAST",
                     "copy the blocks starting on these source lines verbatim",
                     true};
  return {
      {{{"statement", "import"},
        "FILE",
        "import a document as a new statement",
        "Prints the statement id, its segment count and its words. The\n"
        "statement starts open (or draft with --draft).",
        "  tessera statement import resolution.md --id icor --source-lang fr "
        "\\\n"
        "      --targets de,en,es,tr --title 'ICOR resolution' \\\n"
        "      --deadline 2026-12-01 --no-translate-lines 53-81",
        {{"title", 0, "TEXT", "title (required)"},
         {"source-lang", 0, "LANG", "language of the document (required)"},
         {"targets", 0, "LANGS",
          "target languages, comma-separated (required)"},
         {"id", 0, "ID", "statement id (default: server-assigned)"},
         {"format", 0, "md|txt", "document format (default md)"},
         {"deadline", 0, "TIME", "2026-12-01, RFC 3339, or +3d / +12h"},
         {"review-rounds", 0, "N", "approvals each translation needs (1-3)"},
         {"label", 0, "KEY=VALUE", "label", true},
         {"open-claiming", 0, "",
          "let anyone with the role claim unassigned segments"},
         {"draft", 0, "", "start as draft (open it with `statement open`)"},
         {"dry-run", 0, "", "validate and count only, write nothing"},
         {"request-id", 0, "ID", "makes a retried import create nothing new"},
         ntb,
         ntl},
        1,
        1},
       Import},
      {{{"statement", "revise"},
        "ID FILE",
        "import a new text of a statement",
        "Shows what changed: '~' changed segments with old and new text, '+'\n"
        "added, '-' removed, '>' moved. Translations of changed segments are\n"
        "carried over as needs_update.",
        "  tessera statement revise icor resolution-v2.md --note 'typo in §3'",
        {{"note", 0, "TEXT", "why the text changed"},
         {"dry-run", 0, "", "show the changes, write nothing"},
         ntb,
         ntl},
        2,
        2},
       Revise},
      {{{"statement", "list"},
        "",
        "list statements you may read",
        "",
        "  tessera statement list --lang de --json",
        {{"lang", 0, "LANGS", "only statements targeting one of these"},
         {"all", 0, "", "include archived statements"}},
        0,
        0},
       List},
      {{{"statement", "show"},
        "ID",
        "show a statement",
        "",
        "  tessera statement show icor --segments",
        {{"segments", 0, "", "also list its source segments, codes readable"}},
        1,
        1},
       Show},
      {{{"statement", "open"},
        "ID",
        "open a draft or closed statement",
        "",
        "  tessera statement open icor",
        {},
        1,
        1},
       [](Invocation& inv) {
         return Transition<v1::OpenStatementRequest>(
             inv, &v1::StatementService::Stub::OpenStatement, "opened");
       }},
      {{{"statement", "close"},
        "ID",
        "close an open statement",
        "",
        "  tessera statement close icor",
        {},
        1,
        1},
       [](Invocation& inv) {
         return Transition<v1::CloseStatementRequest>(
             inv, &v1::StatementService::Stub::CloseStatement, "closed");
       }},
  };
}

}  // namespace tessera::cli
