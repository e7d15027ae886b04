#include "formats/content_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "formats/internal/utf8.h"

namespace tessera::formats {
namespace {

std::string CodeName(int id, CodeKind kind) {
  switch (kind) {
    case CodeKind::kOpen:
      return StrCat("{", id, "}");
    case CodeKind::kClose:
      return StrCat("{/", id, "}");
    case CodeKind::kStandalone:
      break;
  }
  return StrCat("{", id, "/}");
}

}  // namespace

std::optional<ContentProblem> CheckContentStructure(const Content& c,
                                                    size_t max_text_bytes,
                                                    bool required) {
  if (required && c.text.empty()) {
    return ContentProblem{"text", "is required", std::nullopt};
  }
  if (c.text.size() > max_text_bytes) {
    return ContentProblem{"text",
                          StrCat("is longer than ", max_text_bytes, " bytes"),
                          std::nullopt};
  }
  const size_t bad = FindInvalidUtf8(c.text);
  if (bad != std::string_view::npos) {
    return ContentProblem{"text", "is not valid UTF-8", bad};
  }
  if (c.text.find('\0') != std::string::npos) {
    return ContentProblem{"text", "contains a NUL character", std::nullopt};
  }
  size_t last = 0;
  for (size_t i = 0; i < c.codes.size(); ++i) {
    const CodeRef& r = c.codes[i];
    const std::string field = StrCat("codes[", i, "]");
    if (r.id < 1) {
      return ContentProblem{StrCat(field, ".id"), "must be at least 1",
                            std::nullopt};
    }
    if (r.kind != CodeKind::kOpen && r.kind != CodeKind::kClose &&
        r.kind != CodeKind::kStandalone) {
      return ContentProblem{StrCat(field, ".kind"),
                            "must be open, close or standalone", std::nullopt};
    }
    if (r.offset > c.text.size() || r.offset < last ||
        !internal::IsCharBoundary(c.text, r.offset)) {
      return ContentProblem{StrCat(field, ".offset"),
                            "must lie in the text, on a character boundary, "
                            "and not before the previous code's",
                            std::nullopt};
    }
    last = r.offset;
  }
  return std::nullopt;
}

std::vector<CodeProblem> FindCodeProblems(const Segment& segment,
                                          const Content& c) {
  std::vector<CodeProblem> out;
  std::map<std::pair<int, CodeKind>, int> seen;
  std::set<std::pair<int, CodeKind>> known;
  for (const auto& code : segment.codes) known.insert({code.id, code.kind});
  std::vector<int> open;
  for (size_t i = 0; i < c.codes.size(); ++i) {
    const CodeRef& r = c.codes[i];
    const int index = static_cast<int>(i);
    if (known.count({r.id, r.kind}) == 0) {
      out.push_back(
          {CodeProblemKind::kAdded, index, r.id, r.offset,
           StrCat("code ", CodeName(r.id, r.kind), " is not in the source")});
      continue;
    }
    if (++seen[{r.id, r.kind}] > 1) {
      out.push_back(
          {CodeProblemKind::kDuplicated, index, r.id, r.offset,
           StrCat("code ", CodeName(r.id, r.kind), " appears more than once")});
      continue;
    }
    if (r.kind == CodeKind::kOpen) {
      open.push_back(r.id);
    } else if (r.kind == CodeKind::kClose) {
      auto it = std::find(open.begin(), open.end(), r.id);
      if (it == open.end() || open.back() != r.id) {
        out.push_back(
            {CodeProblemKind::kCrossed, index, r.id, r.offset,
             StrCat("code ", CodeName(r.id, r.kind),
                    it == open.end() ? " closes before it opens"
                                     : " crosses another paired code")});
      }
      if (it != open.end()) open.erase(it);
    }
  }
  for (const auto& code : segment.codes) {
    if (seen.count({code.id, code.kind}) == 0) {
      out.push_back({CodeProblemKind::kMissing, -1, code.id, 0,
                     StrCat("code ", CodeName(code.id, code.kind), " (",
                            CodeTypeName(code.type), ") is missing")});
    }
  }
  return out;
}

}  // namespace tessera::formats
