#include "formats/test_util.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/utf8.h"
#include "formats/internal/cmark.h"
#include "formats/internal/utf8.h"

namespace tessera::formats::testing {
namespace {

using internal::AppendUtf8;
using internal::Sv;

// A minimal JSON reader: enough for one flat object per line.
class JsonReader {
 public:
  explicit JsonReader(std::string_view in) : in_(in) {}

  void SkipSpace() {
    while (pos_ < in_.size() && std::strchr(" \t\r\n", in_[pos_]) != nullptr) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < in_.size() && in_[pos_] == c;
  }

  bool String(std::string* out) {
    out->clear();
    if (!Consume('"')) return false;
    while (pos_ < in_.size()) {
      const char c = in_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= in_.size()) return false;
      const char e = in_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (pos_ + 1 >= in_.size() || in_[pos_] != '\\' ||
                in_[pos_ + 1] != 'u') {
              return false;
            }
            pos_ += 2;
            if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool Number(int* out) {
    SkipSpace();
    const size_t start = pos_;
    int value = 0;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') {
      value = value * 10 + (in_[pos_++] - '0');
    }
    *out = value;
    return pos_ > start;
  }

  // Skips any value (used for the extensions array).
  bool SkipValue() {
    SkipSpace();
    if (Peek('"')) {
      std::string ignored;
      return String(&ignored);
    }
    if (Consume('[')) {
      if (Consume(']')) return true;
      do {
        if (!SkipValue()) return false;
      } while (Consume(','));
      return Consume(']');
    }
    int ignored;
    return Number(&ignored);
  }

  bool AtEnd() {
    SkipSpace();
    return pos_ == in_.size();
  }

 private:
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > in_.size()) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = in_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    *out = v;
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

void DecodeXmlText(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out->push_back(text[i]);
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out->push_back('&');
      continue;
    }
    const std::string_view name = text.substr(i + 1, semi - i - 1);
    if (name == "amp") {
      out->push_back('&');
    } else if (name == "lt") {
      out->push_back('<');
    } else if (name == "gt") {
      out->push_back('>');
    } else if (name == "quot") {
      out->push_back('"');
    } else if (name == "apos") {
      out->push_back('\'');
    } else if (!name.empty() && name[0] == '#') {
      const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      char32_t cp = static_cast<char32_t>(std::stoul(
          std::string(name.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10));
      AppendUtf8(cp, out);
    } else {
      out->append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

char32_t Accent(char32_t c) {
  switch (c) {
    case 'a':
      return U'à';
    case 'e':
      return U'é';
    case 'i':
      return U'î';
    case 'o':
      return U'ô';
    case 'u':
      return U'ü';
    case 'c':
      return U'ç';
    case 'n':
      return U'ñ';
    case 'y':
      return U'ÿ';
    case 'A':
      return U'À';
    case 'E':
      return U'É';
    case 'I':
      return U'Î';
    case 'O':
      return U'Ô';
    case 'U':
      return U'Ü';
    default:
      return c;
  }
}

std::string AccentOnly(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    i += DecodeUtf8(text, i, &cp);
    AppendUtf8(Accent(cp), &out);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ListFiles(const std::string& dir,
                                   std::string_view suffix) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string path = entry.path().string();
    if (entry.is_regular_file() && path.size() >= suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<std::vector<SpecExample>> ParseSpecExamples(
    std::string_view jsonl) {
  std::vector<SpecExample> examples;
  size_t line_no = 0;
  for (size_t pos = 0; pos < jsonl.size();) {
    const size_t nl = jsonl.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? jsonl.size() : nl;
    const std::string_view line = jsonl.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    JsonReader r(line);
    SpecExample ex;
    bool ok = r.Consume('{');
    std::string key;
    while (ok && !r.Peek('}')) {
      ok = r.String(&key) && r.Consume(':');
      if (!ok) break;
      if (key == "source") {
        ok = r.String(&ex.source);
      } else if (key == "section") {
        ok = r.String(&ex.section);
      } else if (key == "markdown") {
        ok = r.String(&ex.markdown);
      } else if (key == "html") {
        ok = r.String(&ex.html);
      } else if (key == "example") {
        ok = r.Number(&ex.example);
      } else {
        ok = r.SkipValue();
      }
      if (ok && !r.Consume(',')) break;
    }
    ok = ok && r.Consume('}') && r.AtEnd();
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad JSON on line ", line_no));
    }
    examples.push_back(std::move(ex));
  }
  return examples;
}

absl::StatusOr<std::string> UdhrToMarkdown(std::string_view xml) {
  std::string out;
  std::vector<std::string> stack;
  std::string text;
  bool capturing = false;
  size_t pos = 0;
  while (pos < xml.size()) {
    const size_t lt = xml.find('<', pos);
    if (capturing) {
      DecodeXmlText(
          xml.substr(pos,
                     (lt == std::string_view::npos ? xml.size() : lt) - pos),
          &text);
    }
    if (lt == std::string_view::npos) break;
    if (xml.substr(lt, 4) == "<!--") {
      const size_t end = xml.find("-->", lt);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError("unterminated XML comment");
      }
      pos = end + 3;
      continue;
    }
    const size_t gt = xml.find('>', lt);
    if (gt == std::string_view::npos) {
      return absl::InvalidArgumentError("unterminated XML tag");
    }
    std::string_view tag = xml.substr(lt + 1, gt - lt - 1);
    pos = gt + 1;
    if (tag.empty() || tag[0] == '?') continue;
    const bool closing = tag[0] == '/';
    const bool self_closing = tag.back() == '/';
    if (closing) tag.remove_prefix(1);
    const std::string name(tag.substr(0, tag.find_first_of(" \t\n/")));
    if (!closing) {
      if (self_closing) continue;
      stack.push_back(name);
      if (name == "title" || name == "para") {
        text.clear();
        capturing = true;
      }
      continue;
    }
    if (stack.empty() || stack.back() != name) {
      return absl::InvalidArgumentError(
          absl::StrCat("mismatched XML tag </", name, ">"));
    }
    stack.pop_back();
    const bool in_item =
        std::find(stack.begin(), stack.end(), "listitem") != stack.end();
    if (name == "title") {
      capturing = false;
      out += (stack.size() == 1 ? "# " : "## ") + CollapseSpaces(text) + "\n\n";
    } else if (name == "para") {
      capturing = false;
      out += in_item ? "- " + CollapseSpaces(text) + "\n"
                     : CollapseSpaces(text) + "\n\n";
    } else if (name == "orderedlist") {
      out += "\n";
    }
  }
  return out;
}

std::string PseudoText(std::string_view text) {
  const size_t lead = internal::LeadingSpaceBytes(text);
  if (lead == text.size()) return std::string(text);
  const size_t trail = internal::TrailingSpaceBytes(text);
  const std::string_view core = text.substr(lead, text.size() - lead - trail);
  std::vector<char32_t> cps;
  for (size_t i = 0; i < core.size();) {
    char32_t cp;
    i += DecodeUtf8(core, i, &cp);
    cps.push_back(cp);
  }
  std::string out(text.substr(0, lead));
  if (cps.size() < 2) {
    out.append(core);
  } else {
    AppendUtf8(cps.front(), &out);
    out.append("⟦");
    for (size_t i = 1; i + 1 < cps.size(); ++i)
      AppendUtf8(Accent(cps[i]), &out);
    out.append("⟧");
    AppendUtf8(cps.back(), &out);
  }
  out.append(text.substr(text.size() - trail));
  return out;
}

std::vector<Content> PseudoTranslate(const Document& document,
                                     bool translatable_only) {
  std::vector<Content> contents;
  for (const Segment& segment : document.segments) {
    const Content& source = segment.content;
    if (translatable_only && !segment.translatable) {
      contents.push_back(source);
      continue;
    }
    Content out;
    size_t pos = 0;
    int code_spans = 0;  // code is only given accents, never brackets
    const auto run = [&](std::string_view text) {
      return code_spans > 0 ? AccentOnly(text) : PseudoText(text);
    };
    for (const CodeRef& ref : source.codes) {
      out.text +=
          run(std::string_view(source.text).substr(pos, ref.offset - pos));
      pos = ref.offset;
      out.codes.push_back(CodeRef{ref.id, ref.kind, out.text.size()});
      for (const InlineCode& code : segment.codes) {
        if (code.id == ref.id && code.kind == ref.kind &&
            code.type == CodeType::kCodeSpan) {
          code_spans += ref.kind == CodeKind::kOpen ? 1 : -1;
        }
      }
    }
    out.text += run(std::string_view(source.text).substr(pos));
    contents.push_back(std::move(out));
  }
  return contents;
}

std::string MarkdownToHtml(std::string_view markdown) {
  return internal::ParsedMarkdown(markdown).Html();
}

std::vector<std::string> TagSequence(std::string_view html) {
  std::vector<std::string> tags;
  for (size_t pos = html.find('<'); pos != std::string_view::npos;
       pos = html.find('<', pos)) {
    const size_t end = html.find('>', pos);
    if (end == std::string_view::npos) break;
    std::string tag(html.substr(pos, end - pos + 1));
    for (size_t a = tag.find(" alt=\""); a != std::string::npos;
         a = tag.find(" alt=\"", a + 1)) {
      const size_t v = a + 6;
      const size_t q = tag.find('"', v);
      if (q == std::string::npos) break;
      tag.erase(v, q - v);
    }
    tags.push_back(std::move(tag));
    pos = end + 1;
  }
  return tags;
}

std::vector<size_t> SimpleSentenceSplit(std::string_view text) {
  std::vector<size_t> ends;
  const auto starts_sentence = [&](size_t i) {
    if (i >= text.size()) return false;
    char32_t cp;
    DecodeUtf8(text, i, &cp);
    return (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
           (cp >= 0x410 && cp <= 0x42F) || cp == U'«' || cp == '"' ||
           cp == U'“';
  };
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp;
    size_t n = DecodeUtf8(text, i, &cp);
    if (cp == '\n') {
      ends.push_back(i + 1);
      i += 1;
      continue;
    }
    const size_t term = i;
    i += n;
    if (cp != '.' && cp != '!' && cp != '?' && cp != U'…') continue;
    // "1." and "12." are list numbers and ordinals, not sentence ends.
    if (cp == '.' && term > 0 && text[term - 1] >= '0' &&
        text[term - 1] <= '9') {
      continue;
    }
    size_t j = i;
    while (j < text.size()) {
      n = DecodeUtf8(text, j, &cp);
      if (cp != U'»' && cp != '"' && cp != ')' && cp != U'’' && cp != U'”' &&
          cp != '\'' && cp != 0xA0 && cp != 0x202F) {
        break;
      }
      j += n;
    }
    size_t k = j;
    while (k < text.size()) {
      n = DecodeUtf8(text, k, &cp);
      if (cp != ' ' && cp != 0xA0) break;
      k += n;
    }
    if (k > j && starts_sentence(k)) {
      ends.push_back(k);
      i = k;
    }
  }
  if (ends.empty() || ends.back() != text.size()) ends.push_back(text.size());
  return ends;
}

}  // namespace tessera::formats::testing
