#include "text/internal/rule_parser.h"

#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"

namespace tessera::text::internal {
namespace {

constexpr int kMaxIncludeDepth = 8;

class Parser {
 public:
  explicit Parser(const RuleFileResolver& resolve) : resolve_(resolve) {}

  absl::Status ParseFile(std::string_view name, std::string_view text,
                         int depth) {
    if (depth > kMaxIncludeDepth) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule file '", ToAbsl(name), "': includes nest too deeply"));
    }
    included_.insert(std::string(name));
    in_progress_.insert(std::string(name));
    int line_no = 0;
    for (absl::string_view raw : absl::StrSplit(ToAbsl(text), '\n')) {
      ++line_no;
      std::string origin = absl::StrCat(ToAbsl(name), ":", line_no);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      std::vector<absl::string_view> f =
          absl::StrSplit(raw, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      if (f.empty() || f[0][0] == '#') continue;
      const absl::string_view d = f[0];
      if (d == "include") {
        if (f.size() != 2) return Error(origin, "include takes one file name");
        RETURN_IF_ERROR(Include(origin, f[1], depth));
      } else if (d == "words" || d == "iwords") {
        if (f.size() < 3)
          return Error(origin, "words needs a list name and words");
        RETURN_IF_ERROR(
            AddWords(origin, f[1], d == "iwords", {f.begin() + 2, f.end()}));
      } else if (d == "spaced-closers") {
        if (f.size() != 2)
          return Error(origin, "spaced-closers takes one field");
        absl::StrAppend(&set_.spaced_closers, f[1]);
      } else if (d == "closers") {
        if (f.size() != 2) return Error(origin, "closers takes one field");
        absl::StrAppend(&set_.closers, f[1]);
      } else if (d == "terminators") {
        if (f.size() != 2) return Error(origin, "terminators takes one field");
        absl::StrAppend(&set_.terminators, f[1]);
      } else if (d == "quotes") {
        if (f.size() < 2) return Error(origin, "quotes needs pairs");
        for (size_t k = 1; k < f.size(); ++k) {
          if (CodePoints(f[k]) != 2) {
            return Error(origin, absl::StrCat("quotes pair '", f[k],
                                              "' must be two characters, open "
                                              "and close"));
          }
          AddUnique(&set_.quote_pairs, f[k]);
        }
      } else if (d == "enumerations") {
        if (f.size() < 2) return Error(origin, "enumerations needs styles");
        for (size_t k = 1; k < f.size(); ++k) {
          if (!IsEnumerationStyle(std::string_view(f[k].data(), f[k].size()))) {
            return Error(
                origin, absl::StrCat("unknown enumeration style '", f[k], "'"));
          }
          AddUnique(&set_.enumerations, f[k]);
        }
      } else if (d == "candidates") {
        if (f.size() != 2) {
          return Error(origin, "candidates takes one pattern (no spaces)");
        }
        set_.candidates.push_back({std::string(f[1]), origin});
      } else if (d == "break" || d == "nobreak") {
        if (f.size() < 2 || f.size() > 3) {
          return Error(origin,
                       "a rule is 'break|nobreak BEFORE [AFTER]'; patterns "
                       "cannot contain spaces, write \\x20 or \\s");
        }
        ParsedRule rule;
        rule.is_break = d == "break";
        rule.origin = origin;
        if (f[1][0] == '@') {
          rule.list = std::string(f[1].substr(1));
          if (rule.list.empty()) return Error(origin, "'@' needs a list name");
          referenced_.emplace(rule.list, origin);
        } else if (f[1] != "*") {
          rule.before = std::string(f[1]);
        }
        if (f.size() == 3 && f[2][0] == '@') {
          rule.after_list = std::string(f[2].substr(1));
          if (rule.after_list.empty()) {
            return Error(origin, "'@' needs a list name");
          }
          referenced_.emplace(rule.after_list, origin);
        } else if (f.size() == 3 && f[2] != "*") {
          rule.after = std::string(f[2]);
        }
        set_.rules.push_back(std::move(rule));
      } else {
        return Error(origin, absl::StrCat("unknown directive '", d, "'"));
      }
    }
    in_progress_.erase(std::string(name));
    return absl::OkStatus();
  }

  absl::StatusOr<ParsedRuleSet> Finish() {
    for (const auto& [list, origin] : referenced_) {
      if (set_.lists.find(list) == set_.lists.end()) {
        return Error(origin,
                     absl::StrCat("word list '", list, "' is never declared"));
      }
    }
    return std::move(set_);
  }

 private:
  // Code points of `s`, or -1 when it is not well-formed UTF-8.
  static int CodePoints(absl::string_view s) {
    const std::string_view v(s.data(), s.size());
    if (FindInvalidUtf8(v) != std::string_view::npos) return -1;
    int n = 0;
    char32_t cp;
    for (size_t i = 0; i < v.size(); i += DecodeUtf8(v, i, &cp)) ++n;
    return n;
  }

  static void AddUnique(std::vector<std::string>* v, absl::string_view s) {
    for (const std::string& e : *v) {
      if (e == s) return;
    }
    v->emplace_back(s);
  }

  static absl::Status Error(absl::string_view origin, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", what));
  }

  absl::Status Include(const std::string& origin, absl::string_view name,
                       int depth) {
    const std::string key(name);
    if (in_progress_.count(key)) {
      return Error(origin, absl::StrCat("circular include of '", name, "'"));
    }
    if (included_.count(key)) return absl::OkStatus();
    std::optional<std::string_view> text =
        resolve_(std::string_view(name.data(), name.size()));
    if (!text) {
      return Error(origin, absl::StrCat("no rule file '", name, "'"));
    }
    return ParseFile(std::string_view(name.data(), name.size()), *text,
                     depth + 1);
  }

  absl::Status AddWords(const std::string& origin, absl::string_view name,
                        bool case_insensitive,
                        std::vector<absl::string_view> words) {
    auto [it, inserted] = set_.lists.try_emplace(std::string(name));
    WordList& list = it->second;
    if (inserted) {
      list.case_insensitive = case_insensitive;
      list.origin = origin;
    } else if (list.case_insensitive != case_insensitive) {
      return Error(origin,
                   absl::StrCat("list '", name, "' was declared with ",
                                list.case_insensitive ? "iwords" : "words",
                                " at ", list.origin));
    }
    for (absl::string_view w : words) list.words.emplace_back(w);
    return absl::OkStatus();
  }

  const RuleFileResolver& resolve_;
  ParsedRuleSet set_;
  std::set<std::string> included_;
  std::set<std::string> in_progress_;
  std::map<std::string, std::string> referenced_;  // list -> first use
};

}  // namespace

bool IsEnumerationStyle(std::string_view style) {
  for (std::string_view s : {"N.", "N)", "N.)", "(N)", "a.", "a)", "a.)", "(a)",
                             "A.", "A)", "A.)", "(A)"}) {
    if (s == style) return true;
  }
  return false;
}

absl::StatusOr<ParsedRuleSet> ParseRuleSet(std::string_view name,
                                           std::string_view text,
                                           const RuleFileResolver& resolve) {
  Parser parser(resolve);
  RETURN_IF_ERROR(parser.ParseFile(name, text, 0));
  return parser.Finish();
}

}  // namespace tessera::text::internal
