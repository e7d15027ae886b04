// translate and review: the claim, show, act loop.
#include <fcntl.h>
#include <google/protobuf/struct.pb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include "clients/cli/commands.h"
#include "clients/cli/errors.h"
#include "clients/cli/render.h"

namespace tessera::cli {
namespace v1 = ::tessera::v1;
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// The lease the loop holds, shared with the interrupt action.
struct LeaseSlot {
  std::mutex mu;
  std::string name;
};

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}
Value Num(double d) {
  Value v;
  v.set_number_value(d);
  return v;
}

std::string StateWord(v1::SegmentState s) {
  return ShortEnumName(v1::SegmentState_Name(s), "SEGMENT_STATE_");
}

class WorkLoop {
 public:
  WorkLoop(Invocation& inv, Client& client, v1::AssignmentRole role)
      : inv_(inv),
        c_(client),
        role_(role),
        slot_(std::make_shared<LeaseSlot>()) {}

  int Run();

 private:
  enum class Next { kClaim, kStop };

  bool Prompting() const { return inv_.io().in_tty && inv_.io().out_tty; }
  void Emit(const std::string& event, Struct fields);
  void Say(const std::string& text);  // text mode only
  void ShowClaim(const v1::ClaimNextResponse& claim);
  bool ReadLine(std::string& line);
  Next Handle(const std::string& line);
  Next Submit(const v1::Content& content);
  Next Decide(bool approve, const std::string& text);
  Next Act(const grpc::Status& s, const v1::Translation& t, const char* what);
  bool Edit(std::string& text);
  void SetLease(const std::string& name) {
    std::lock_guard<std::mutex> lock(slot_->mu);
    slot_->name = name;
  }
  void ReleaseLease();
  void Refresh();
  int Done(const std::string& why, int code);

  Invocation& inv_;
  Client& c_;
  const v1::AssignmentRole role_;
  std::shared_ptr<LeaseSlot> slot_;
  std::deque<std::string> excluded_;
  v1::ClaimNextResponse claim_;
  v1::Translation current_;  // the leased translation as last seen
  int fatal_exit_ = 0;       // set when the server is gone or refuses us
};

void WorkLoop::Emit(const std::string& event, Struct fields) {
  if (!inv_.json()) return;
  (*fields.mutable_fields())["event"] = Str(event);
  inv_.out() << ToJson(fields) << std::endl;
}

void WorkLoop::Say(const std::string& text) {
  if (inv_.json()) return;
  inv_.out() << text << std::endl;
}

void WorkLoop::ShowClaim(const v1::ClaimNextResponse& claim) {
  const v1::Translation& t = claim.translation();
  const v1::SourceSegment& src = t.source();
  const std::string reason =
      ShortEnumName(v1::ClaimReason_Name(claim.reason()), "CLAIM_REASON_");
  if (inv_.json()) {
    Struct f;
    auto& m = *f.mutable_fields();
    m["segment"] = Str(t.name());
    m["statement"] = Str(t.statement());
    m["language"] = Str(t.language());
    m["segment_id"] = Str(t.segment_id());
    m["ordinal"] = Num(src.ordinal());
    m["version"] = Num(static_cast<double>(t.version()));
    m["state"] = Str(StateWord(t.state()));
    m["reason"] = Str(reason);
    m["lease"] = Str(claim.lease().name());
    m["source"] = Str(ToReadable(src.content()));
    m["target"] = Str(ToReadable(t.content()));
    m["draft"] = Str(ToReadable(t.draft().content()));
    m["author"] = Str(t.author());
    m["rejection_reason"] = Str(t.rejection_reason());
    m["section"] = Str(src.context().section_heading());
    auto* codes = m["codes"].mutable_list_value();
    for (const auto& code : src.codes()) {
      Struct cs;
      (*cs.mutable_fields())["id"] = Num(code.id());
      (*cs.mutable_fields())["type"] =
          Str(ShortEnumName(v1::CodeType_Name(code.type()), "CODE_TYPE_"));
      (*cs.mutable_fields())["display"] = Str(code.display());
      *codes->add_values()->mutable_struct_value() = cs;
    }
    auto* warnings = m["qa_warnings"].mutable_list_value();
    for (const auto& w : t.qa_issues())
      *warnings->add_values() = Str(w.message());
    auto* before = m["context_before"].mutable_list_value();
    for (const auto& x : claim.context_before()) {
      *before->add_values() = Str(ToReadable(x.source().content()));
    }
    auto* after = m["context_after"].mutable_list_value();
    for (const auto& x : claim.context_after()) {
      *after->add_values() = Str(ToReadable(x.source().content()));
    }
    Emit("claimed", f);
    return;
  }
  std::ostream& o = inv_.out();
  o << "\n== " << LastComponent(t.statement()) << " / " << t.language()
    << " / segment " << src.ordinal() << " (" << t.segment_id() << ", "
    << StateWord(t.state()) << ", " << reason << ") ==\n";
  if (!src.context().section_heading().empty()) {
    o << "section: " << src.context().section_heading() << "\n";
  }
  for (const auto& x : claim.context_before()) {
    o << "   .. " << ToReadable(x.source().content()) << "\n";
  }
  o << "SOURCE  " << ToReadable(src.content()) << "\n";
  for (const auto& x : claim.context_after()) {
    o << "   .. " << ToReadable(x.source().content()) << "\n";
  }
  if (!src.codes().empty()) {
    o << "codes  ";
    for (const auto& code : src.codes()) {
      std::string marker = code.kind() == v1::CODE_KIND_STANDALONE
                               ? "{" + std::to_string(code.id()) + "/}"
                               : "{" + std::to_string(code.id()) + "}";
      o << " " << marker << " "
        << ShortEnumName(v1::CodeType_Name(code.type()), "CODE_TYPE_");
      if (!code.display().empty()) o << " " << code.display();
    }
    o << "\n";
  }
  if (!t.content().text().empty()) {
    o << "TARGET  " << ToReadable(t.content()) << "\n";
    if (!t.author().empty())
      o << "        by " << LastComponent(t.author()) << "\n";
  }
  if (!t.draft().content().text().empty()) {
    o << "DRAFT   " << ToReadable(t.draft().content()) << "\n";
  }
  if (!t.rejection_reason().empty()) {
    o << "REJECTED: " << t.rejection_reason() << "\n";
  }
  for (const auto& w : t.qa_issues()) o << "warning: " << w.message() << "\n";
  if (role_ == v1::ASSIGNMENT_ROLE_TRANSLATE) {
    o << "Type the translation, or :edit :draft TEXT :skip :release :quit\n";
  } else {
    o << "Type :approve [COMMENT] or :reject REASON, or :skip :release :quit\n";
  }
  o << std::flush;
}

bool WorkLoop::ReadLine(std::string& line) {
  if (Prompting()) inv_.out() << "> " << std::flush;
  if (!std::getline(*inv_.io().in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

void WorkLoop::ReleaseLease() {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(slot_->mu);
    name.swap(slot_->name);
  }
  if (name.empty()) return;
  v1::ReleaseLeaseRequest req;
  req.set_name(name);
  v1::Lease lease;
  grpc::Status s =
      c_.assignments().ReleaseLease(c_.Context().get(), req, &lease);
  if (!s.ok()) {
    inv_.err() << "tessera: could not release " << name << ": "
               << DescribeError(s).message << std::endl;
  }
}

void WorkLoop::Refresh() {
  v1::GetSegmentRequest req;
  req.set_name(current_.name());
  v1::Translation t;
  if (c_.translations().GetSegment(c_.Context().get(), req, &t).ok()) {
    current_ = t;
    *claim_.mutable_translation() = t;
  }
}

int WorkLoop::Done(const std::string& why, int code) {
  Struct f;
  (*f.mutable_fields())["reason"] = Str(why);
  Emit("done", f);
  return code;
}

WorkLoop::Next WorkLoop::Act(const grpc::Status& s, const v1::Translation& t,
                             const char* what) {
  if (s.ok()) {
    current_ = t;
    Struct f;
    auto& m = *f.mutable_fields();
    m["segment"] = Str(t.name());
    m["version"] = Num(static_cast<double>(t.version()));
    m["state"] = Str(StateWord(t.state()));
    auto* warnings = m["warnings"].mutable_list_value();
    for (const auto& w : t.qa_issues())
      *warnings->add_values() = Str(w.message());
    Emit(what, f);
    std::string line = std::string(what);
    std::replace(line.begin(), line.end(), '_', ' ');
    line += " (" + StateWord(t.state()) + ", version " +
            std::to_string(t.version()) + ")";
    Say(line);
    if (std::string(what) == "submitted") {
      for (const auto& w : t.qa_issues()) Say("  warning: " + w.message());
    }
    return Next::kClaim;
  }
  std::vector<v1::QaIssue> issues = QaIssues(s);
  if (!issues.empty()) {
    Struct f;
    auto& m = *f.mutable_fields();
    m["segment"] = Str(current_.name());
    auto* list = m["issues"].mutable_list_value();
    for (const auto& i : issues) {
      Struct is;
      (*is.mutable_fields())["code"] =
          Str(ShortEnumName(v1::QaCode_Name(i.code()), "QA_CODE_"));
      (*is.mutable_fields())["severity"] =
          Str(ShortEnumName(v1::QaSeverity_Name(i.severity()), "QA_SEVERITY_"));
      (*is.mutable_fields())["message"] = Str(i.message());
      *list->add_values()->mutable_struct_value() = is;
    }
    Emit("qa_errors", f);
    Say("QA found problems; fix and submit again:");
    for (const auto& i : issues) {
      Say("  " +
          ShortEnumName(v1::QaSeverity_Name(i.severity()), "QA_SEVERITY_") +
          ": " + i.message());
    }
    return Next::kStop;  // stay on this segment
  }
  ErrorReport r = DescribeError(s, c_.settings().server);
  Struct f;
  (*f.mutable_fields())["message"] = Str(r.message);
  (*f.mutable_fields())["reason"] = Str(r.reason);
  Emit("error", f);
  if (!inv_.json()) inv_.err() << "tessera: " << r.message << std::endl;
  if (s.error_code() == grpc::StatusCode::ABORTED) {
    Refresh();  // someone changed it: show the current one and retry
    ShowClaim(claim_);
  }
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    fatal_exit_ = r.exit_code;
    return Next::kClaim;
  }
  // Lost lease or wrong state: this segment is no longer ours to change.
  if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
      s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    return Next::kClaim;
  }
  return Next::kStop;
}

WorkLoop::Next WorkLoop::Submit(const v1::Content& content) {
  v1::SubmitRequest req;
  req.set_name(current_.name());
  req.set_version(current_.version());
  *req.mutable_content() = content;
  v1::Translation t;
  grpc::Status s = c_.translations().Submit(c_.Context().get(), req, &t);
  return Act(s, t, "submitted");
}

WorkLoop::Next WorkLoop::Decide(bool approve, const std::string& text) {
  v1::Translation t;
  grpc::Status s;
  if (approve) {
    v1::ApproveRequest req;
    req.set_name(current_.name());
    req.set_version(current_.version());
    req.set_comment(text);
    s = c_.translations().Approve(c_.Context().get(), req, &t);
  } else {
    v1::RejectRequest req;
    req.set_name(current_.name());
    req.set_version(current_.version());
    req.set_reason(text);
    s = c_.translations().Reject(c_.Context().get(), req, &t);
  }
  return Act(s, t, approve ? "approved" : "rejected");
}

bool WorkLoop::Edit(std::string& text) {
  std::string editor = "vi";
  auto& env = inv_.io().env;
  if (env.count("VISUAL") && !env["VISUAL"].empty())
    editor = env["VISUAL"];
  else if (env.count("EDITOR") && !env["EDITOR"].empty())
    editor = env["EDITOR"];
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir ? tmpdir : "/tmp") + "/tessera-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return false;
  std::string data = text + "\n";
  bool ok =
      write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  close(fd);
  if (ok) {
    pid_t pid = fork();
    if (pid == 0) {
      sigset_t all;
      sigemptyset(&all);
      pthread_sigmask(SIG_SETMASK, &all, nullptr);
      execl("/bin/sh", "sh", "-c", (editor + " \"$1\"").c_str(), "sh",
            path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
  }
  if (ok) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
  }
  unlink(path.c_str());
  return ok;
}

WorkLoop::Next WorkLoop::Handle(const std::string& line) {
  const bool translate = role_ == v1::ASSIGNMENT_ROLE_TRANSLATE;
  std::string cmd = line, rest;
  if (translate && line.rfind("::", 0) == 0) {
    cmd.clear();  // "::text" submits ":text"
  } else if (!line.empty() && line[0] == ':') {
    size_t sp = line.find(' ');
    cmd = line.substr(1, sp == std::string::npos ? sp : sp - 1);
    rest = sp == std::string::npos ? "" : line.substr(sp + 1);
  } else if (!translate) {
    size_t sp = line.find(' ');
    cmd = line.substr(0, sp);
    rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (cmd == "a")
      cmd = "approve";
    else if (cmd == "r")
      cmd = "reject";
    else
      cmd = "?" + cmd;
  } else {
    cmd.clear();  // a translation
  }
  const auto usage = [&](const std::string& message) {
    Struct f;
    (*f.mutable_fields())["message"] = Str(message);
    Emit("error", f);
    if (!inv_.json()) inv_.err() << "tessera: " << message << std::endl;
    return Next::kStop;
  };
  if (cmd.empty() && translate) {
    absl::StatusOr<v1::Content> content =
        ParseReadable(line.rfind("::", 0) == 0 ? line.substr(1) : line);
    if (!content.ok()) return usage(std::string(content.status().message()));
    return Submit(*content);
  }
  if (cmd == "skip") {
    excluded_.push_back(current_.name());
    if (excluded_.size() > 100) excluded_.pop_front();
    Struct f;
    (*f.mutable_fields())["segment"] = Str(current_.name());
    Emit("skipped", f);
    return Next::kClaim;
  }
  if (cmd == "show") {
    Refresh();
    ShowClaim(claim_);
    return Next::kStop;
  }
  if (cmd == "comment") {
    if (rest.empty()) return usage(":comment needs a text");
    v1::AddCommentRequest req;
    req.set_parent(current_.name());
    req.set_text(rest);
    v1::Comment comment;
    grpc::Status s =
        c_.translations().AddComment(c_.Context().get(), req, &comment);
    if (!s.ok()) return usage(DescribeError(s).message);
    Struct f;
    (*f.mutable_fields())["comment"] = Str(comment.name());
    Emit("commented", f);
    Say("comment added");
    return Next::kStop;
  }
  if (translate && cmd == "draft") {
    absl::StatusOr<v1::Content> content = ParseReadable(rest);
    if (!content.ok()) return usage(std::string(content.status().message()));
    v1::SaveDraftRequest req;
    req.set_name(current_.name());
    req.set_version(current_.version());
    *req.mutable_content() = *content;
    v1::Translation t;
    grpc::Status s = c_.translations().SaveDraft(c_.Context().get(), req, &t);
    if (Act(s, t, "draft_saved") == Next::kClaim && !s.ok())
      return Next::kClaim;
    return Next::kStop;  // a draft keeps the segment
  }
  if (translate && cmd == "edit") {
    const v1::Translation& t = current_;
    std::string text =
        !t.draft().content().text().empty() ? ToReadable(t.draft().content())
        : !t.content().text().empty()       ? ToReadable(t.content())
                                            : ToReadable(t.source().content());
    if (!Edit(text)) return usage("the editor failed; nothing submitted");
    if (text.empty()) return usage("empty text; nothing submitted");
    absl::StatusOr<v1::Content> content = ParseReadable(text);
    if (!content.ok()) return usage(std::string(content.status().message()));
    return Submit(*content);
  }
  if (!translate && cmd == "approve") return Decide(true, rest);
  if (!translate && cmd == "reject") {
    if (rest.empty()) return usage(":reject needs a reason");
    return Decide(false, rest);
  }
  return usage("unknown command \"" + line.substr(0, 40) + "\"; see --help");
}

int WorkLoop::Run() {
  const std::string lang = inv_.args().Get("lang");
  const std::string statement =
      inv_.args().positional().empty()
          ? ""
          : (inv_.args().positional()[0].rfind("statements/", 0) == 0
                 ? inv_.args().positional()[0]
                 : "statements/" + inv_.args().positional()[0]);
  // Ctrl-C gives the segment back before exiting.
  std::shared_ptr<LeaseSlot> slot = slot_;
  Client* client = &c_;
  SetInterruptAction([slot, client] {
    std::string name;
    {
      std::lock_guard<std::mutex> lock(slot->mu);
      name = slot->name;
    }
    if (name.empty()) return;
    v1::ReleaseLeaseRequest req;
    req.set_name(name);
    v1::Lease lease;
    grpc::Status s = client->assignments().ReleaseLease(
        client->Context(absl::Seconds(5)).get(), req, &lease);
    std::cerr << "\ntessera: interrupted; "
              << (s.ok() ? "released " + name
                         : "could not release " + name + ": " +
                               DescribeError(s).message)
              << std::endl;
  });
  {
    while (true) {
      v1::ClaimNextRequest req;
      req.set_statement(statement);
      req.set_language(lang);
      req.set_role(role_);
      for (const auto& e : excluded_) req.add_exclude_segments(e);
      v1::ClaimNextResponse claim;
      grpc::Status s =
          c_.assignments().ClaimNext(c_.Context().get(), req, &claim);
      if (!s.ok()) {
        if (ErrorReason(s) == "NOTHING_TO_CLAIM") {
          ReleaseLease();
          Say("nothing left to " +
              std::string(role_ == v1::ASSIGNMENT_ROLE_TRANSLATE ? "translate"
                                                                 : "review") +
              " in " + lang);
          return Done("nothing_to_claim", kExitOk);
        }
        ReleaseLease();
        return inv_.Fail(s);
      }
      claim_ = claim;
      current_ = claim.translation();
      SetLease(claim.lease().name());
      ShowClaim(claim_);
      Next next = Next::kStop;
      while (next == Next::kStop) {
        std::string line;
        if (!ReadLine(line)) {
          ReleaseLease();
          return Done("end_of_input", kExitOk);
        }
        if (line.empty()) continue;
        if (line == ":quit" || line == ":q") {
          SetLease("");  // kept on purpose; ClaimNext hands it back
          return Done("quit", kExitOk);
        }
        if (line == ":release") {
          ReleaseLease();
          Say("released");
          return Done("released", kExitOk);
        }
        next = Handle(line);
        if (fatal_exit_ != 0) {
          ReleaseLease();
          return Done("error", fatal_exit_);
        }
      }
    }
  }
}

int RunLoop(Invocation& inv, v1::AssignmentRole role) {
  if (!inv.args().Has("lang"))
    return inv.Fail("--lang is required", kExitUsage);
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  WorkLoop loop(inv, *c, role);
  int code = loop.Run();
  SetInterruptAction(nullptr);
  return code;
}

}  // namespace

int Translate(Invocation& inv) {
  return RunLoop(inv, v1::ASSIGNMENT_ROLE_TRANSLATE);
}
int Review(Invocation& inv) { return RunLoop(inv, v1::ASSIGNMENT_ROLE_REVIEW); }

}  // namespace tessera::cli
