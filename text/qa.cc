#include "text/qa.h"

#include <unicode/uchar.h>
#include <unicode/ulocdata.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "text/placeholders.h"

namespace tessera::text {
namespace {

std::string ToUtf8(const UChar* s, int32_t len) {
  std::string out;
  icu::UnicodeString(s, len).toUTF8String(out);
  return out;
}

// Code points of `s` with their byte offsets; invalid bytes become U+FFFD.
// ICU's U8_NEXT, not common/utf8.h: it reads one U+FFFD per maximal subpart,
// which the issue offsets and the per-character checks depend on.
struct Cp {
  UChar32 c;
  size_t begin;
  size_t end;
};
std::vector<Cp> CodePoints(std::string_view s) {
  std::vector<Cp> out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    const int32_t begin = i;
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, n, c);
    if (c < 0) c = 0xFFFD;
    out.push_back({c, static_cast<size_t>(begin), static_cast<size_t>(i)});
  }
  return out;
}

bool IsSpace(UChar32 c) { return u_isUWhiteSpace(c) || c == 0xFEFF; }

// Leading and trailing whitespace runs.
std::string_view LeadingSpace(std::string_view s) {
  auto cps = CodePoints(s);
  size_t end = 0;
  for (const Cp& cp : cps) {
    if (!IsSpace(cp.c)) break;
    end = cp.end;
  }
  return s.substr(0, end);
}
std::string_view TrailingSpace(std::string_view s) {
  auto cps = CodePoints(s);
  size_t begin = s.size();
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    if (!IsSpace(it->c)) break;
    begin = it->begin;
  }
  return s.substr(begin);
}

// The final punctuation class of `s` ignoring trailing spaces, closing
// quotes and brackets: '.', '!', '?', ':', ';', or 0 for none. Full-width
// and ellipsis forms map to their ASCII class.
char FinalPunctuation(std::string_view s, size_t* where) {
  auto cps = CodePoints(s);
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    const UChar32 c = it->c;
    if (IsSpace(c)) continue;
    const int8_t type = u_charType(c);
    if (type == U_FINAL_PUNCTUATION || type == U_END_PUNCTUATION || c == '"' ||
        c == 0x201D || c == 0x00BB || c == 0x201C) {
      continue;
    }
    *where = it->begin;
    switch (c) {
      case '.':
      case 0x3002:  // 。
      case 0xFF0E:
      case 0x2026:  // …
      case 0x0964:  // danda
        return '.';
      case '!':
      case 0xFF01:
        return '!';
      case '?':
      case 0xFF1F:
      case 0x061F:  // Arabic question mark
      case 0x037E:  // Greek question mark
        return '?';
      case ':':
      case 0xFF1A:
        return ':';
      case ';':
      case 0xFF1B:
        return ';';
      default:
        return 0;
    }
  }
  *where = 0;
  return 0;
}

// Quotation marks that a target may use instead of the locale's.
bool IsQuotationMark(UChar32 c) {
  switch (c) {
    case '"':
    case 0x201C:  // “
    case 0x201D:  // ”
    case 0x201E:  // „
    case 0x00AB:  // «
    case 0x00BB:  // »
    case 0x2039:  // ‹
    case 0x203A:  // ›
    case 0x201A:  // ‚
    case 0x300C:  // 「
    case 0x300D:  // 」
    case 0x300E:  // 『
    case 0x300F:  // 』
      return true;
    default:
      // ‘ ’ and ' double as apostrophes, so they are not judged.
      return false;
  }
}

// The value of a number as its digits only, so that "1,5" and "1.5", or
// "1 000" and "1,000", compare equal.
std::string NumberKey(std::string_view number) {
  std::string key;
  for (const Cp& cp : CodePoints(number)) {
    const int32_t d = u_charDigitValue(cp.c);
    if (d >= 0 && d <= 9) key.push_back(static_cast<char>('0' + d));
  }
  return key;
}

size_t CharCount(std::string_view s) { return CodePoints(s).size(); }

bool IsCjk(std::string_view language) {
  const std::string_view base = language.substr(0, language.find('-'));
  return base == "zh" || base == "ja" || base == "ko";
}

}  // namespace

QaSeverity SeverityOf(QaCode code) {
  return static_cast<int>(code) <= static_cast<int>(QaCode::kPlaceholderAltered)
             ? QaSeverity::kError
             : QaSeverity::kWarning;
}

QuotationMarks QuotationMarksFor(std::string_view language) {
  QuotationMarks marks;
  std::string locale(language);
  std::replace(locale.begin(), locale.end(), '-', '_');
  UErrorCode status = U_ZERO_ERROR;
  ULocaleData* data = ulocdata_open(locale.c_str(), &status);
  if (U_FAILURE(status) || data == nullptr) return marks;
  const auto get = [&](ULocaleDataDelimiterType type, std::string* out) {
    UChar buf[8];
    UErrorCode st = U_ZERO_ERROR;
    const int32_t len = ulocdata_getDelimiter(data, type, buf, 8, &st);
    if (U_SUCCESS(st) && st != U_USING_DEFAULT_WARNING) *out = ToUtf8(buf, len);
  };
  get(ULOCDATA_QUOTATION_START, &marks.open);
  get(ULOCDATA_QUOTATION_END, &marks.close);
  get(ULOCDATA_ALT_QUOTATION_START, &marks.alt_open);
  get(ULOCDATA_ALT_QUOTATION_END, &marks.alt_close);
  ulocdata_close(data);
  return marks;
}

LengthBand LengthBandFor(std::string_view source_language,
                         std::string_view target_language) {
  const bool cjk_source = IsCjk(source_language);
  const bool cjk_target = IsCjk(target_language);
  if (cjk_target && !cjk_source) return {0.1, 1.0};
  if (cjk_source && !cjk_target) return {1.0, 8.0};
  return {0.5, 2.0};
}

std::vector<QaIssue> CheckTranslation(std::string_view source,
                                      std::string_view target,
                                      std::string_view source_language,
                                      std::string_view target_language) {
  std::vector<QaIssue> errors;
  std::vector<QaIssue> warnings;
  const auto add = [&](QaCode code, std::string message, size_t start,
                       size_t end) {
    QaIssue issue{code, SeverityOf(code), std::move(message), start, end};
    (issue.severity == QaSeverity::kError ? errors : warnings)
        .push_back(std::move(issue));
  };

  // Protected placeholders: every URL and e-mail address of the source must
  // appear unchanged. One that the target lacks is "altered" when the
  // target has an unmatched placeholder of the same kind, else "missing".
  const std::vector<Placeholder> src = FindPlaceholders(source);
  const std::vector<Placeholder> tgt = FindPlaceholders(target);
  std::vector<bool> used(tgt.size(), false);
  std::vector<Placeholder> unmatched;
  std::vector<std::string> src_numbers, tgt_numbers;
  for (const Placeholder& p : src) {
    const std::string_view text = source.substr(p.begin, p.end - p.begin);
    if (p.kind == PlaceholderKind::kNumber) {
      src_numbers.push_back(NumberKey(text));
      continue;
    }
    bool found = false;
    for (size_t i = 0; i < tgt.size(); ++i) {
      if (!used[i] && tgt[i].kind == p.kind &&
          target.substr(tgt[i].begin, tgt[i].end - tgt[i].begin) == text) {
        used[i] = found = true;
        break;
      }
    }
    if (!found) unmatched.push_back(p);
  }
  for (const Placeholder& p : unmatched) {
    const std::string_view text = source.substr(p.begin, p.end - p.begin);
    const char* kind =
        p.kind == PlaceholderKind::kUrl ? "URL" : "e-mail address";
    bool altered = false;
    for (size_t i = 0; i < tgt.size(); ++i) {
      if (!used[i] && tgt[i].kind == p.kind) {
        used[i] = altered = true;
        add(QaCode::kPlaceholderAltered,
            StrCat("the ", kind, " \"", text, "\" was changed to \"",
                   target.substr(tgt[i].begin, tgt[i].end - tgt[i].begin),
                   "\""),
            tgt[i].begin, tgt[i].end);
        break;
      }
    }
    if (!altered) {
      add(QaCode::kPlaceholderMissing,
          StrCat("the ", kind, " \"", text, "\" of the source is missing"), 0,
          0);
    }
  }

  // Numbers, compared by their digits.
  size_t first_target_number = 0, first_target_number_end = 0;
  for (const Placeholder& p : tgt) {
    if (p.kind != PlaceholderKind::kNumber) continue;
    if (tgt_numbers.empty()) {
      first_target_number = p.begin;
      first_target_number_end = p.end;
    }
    tgt_numbers.push_back(NumberKey(target.substr(p.begin, p.end - p.begin)));
  }
  std::sort(src_numbers.begin(), src_numbers.end());
  std::sort(tgt_numbers.begin(), tgt_numbers.end());
  if (src_numbers != tgt_numbers) {
    add(QaCode::kNumberMismatch,
        StrCat("the numbers differ from the source's (", src_numbers.size(),
               " in the source, ", tgt_numbers.size(), " in the translation)"),
        first_target_number, first_target_number_end);
  }

  // Leading and trailing whitespace.
  const std::string_view src_lead = LeadingSpace(source);
  const std::string_view tgt_lead = LeadingSpace(target);
  if (src_lead != tgt_lead) {
    add(QaCode::kWhitespace, "the leading whitespace differs from the source's",
        0, tgt_lead.size());
  }
  if (target.size() > tgt_lead.size()) {
    const std::string_view src_trail = TrailingSpace(source);
    const std::string_view tgt_trail = TrailingSpace(target);
    if (src_trail != tgt_trail) {
      add(QaCode::kWhitespace,
          "the trailing whitespace differs from the source's",
          target.size() - tgt_trail.size(), target.size());
    }
  }

  // Final punctuation.
  size_t src_at = 0, tgt_at = 0;
  const char src_punct = FinalPunctuation(source, &src_at);
  const char tgt_punct = FinalPunctuation(target, &tgt_at);
  if (src_punct != tgt_punct) {
    const std::string expected =
        src_punct == 0 ? std::string("none")
                       : StrCat("\"", std::string(1, src_punct), "\"");
    add(QaCode::kFinalPunctuation,
        StrCat("the final punctuation differs from the source's (expected ",
               expected, ")"),
        tgt_punct == 0 ? 0 : tgt_at,
        tgt_punct == 0
            ? 0
            : CodePoints(target.substr(tgt_at)).front().end + tgt_at);
  }

  // Quotation marks of the target locale.
  const QuotationMarks marks = QuotationMarksFor(target_language);
  if (!marks.open.empty()) {
    std::set<UChar32> allowed;
    for (const std::string* m :
         {&marks.open, &marks.close, &marks.alt_open, &marks.alt_close}) {
      for (const Cp& cp : CodePoints(*m)) allowed.insert(cp.c);
    }
    for (const Cp& cp : CodePoints(target)) {
      if (IsQuotationMark(cp.c) && allowed.count(cp.c) == 0) {
        add(QaCode::kQuotes,
            StrCat("quotation mark \"",
                   target.substr(cp.begin, cp.end - cp.begin),
                   "\" is not used in ", target_language, "; expected ",
                   marks.open, "…", marks.close),
            cp.begin, cp.end);
        break;
      }
    }
  }

  // Doubled spaces the source does not have.
  const auto doubled = [](std::string_view s, size_t* first) {
    int count = 0;
    auto cps = CodePoints(s);
    for (size_t i = 0; i + 1 < cps.size(); ++i) {
      if ((cps[i].c == ' ' || cps[i].c == 0xA0) &&
          (cps[i + 1].c == ' ' || cps[i + 1].c == 0xA0) &&
          (i == 0 || !(cps[i - 1].c == ' ' || cps[i - 1].c == 0xA0))) {
        if (count == 0) *first = cps[i].begin;
        ++count;
      }
    }
    return count;
  };
  size_t first_double = 0, ignored = 0;
  if (doubled(target, &first_double) > doubled(source, &ignored)) {
    add(QaCode::kDoubleSpace, "two or more spaces in a row", first_double,
        first_double + 2);
  }

  // Identical to the source.
  if (target == source) {
    add(QaCode::kIdenticalToSource,
        "the translation is identical to the source", 0, 0);
  }

  // Length ratio, for segments long enough to judge.
  const size_t src_chars = CharCount(source);
  if (src_chars >= 10 && !target.empty()) {
    const double ratio =
        static_cast<double>(CharCount(target)) / static_cast<double>(src_chars);
    const LengthBand band = LengthBandFor(source_language, target_language);
    if (ratio < band.min || ratio > band.max) {
      add(QaCode::kLengthRatio,
          StrCat("the translation is ", static_cast<int>(ratio * 100 + 0.5),
                 "% of the source's length; expected ",
                 static_cast<int>(band.min * 100), "% to ",
                 static_cast<int>(band.max * 100), "%"),
          0, 0);
    }
  }

  errors.insert(errors.end(), std::make_move_iterator(warnings.begin()),
                std::make_move_iterator(warnings.end()));
  return errors;
}

}  // namespace tessera::text
