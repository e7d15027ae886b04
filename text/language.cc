#include "text/language.h"

#include <unicode/uloc.h>
#include <unicode/utypes.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace tessera::text {
namespace {

absl::Status BadTag(std::string_view tag, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid language tag '", ToAbsl(tag), "': ", ToAbsl(why)));
}

// A primary language subtag per RFC 5646: 2-3 letters (ISO 639) or 5-8
// letters (registered). Anything else, such as "x" for private use, names no
// language.
bool IsLanguageSubtag(std::string_view s) {
  if (s.size() < 2 || s.size() > 8 || s.size() == 4) return false;
  for (char c : s) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> CanonicalizeLanguageTag(std::string_view tag) {
  if (tag.empty()) return BadTag(tag, "empty");
  if (tag.size() > kMaxLanguageTagLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid language tag '", ToAbsl(tag.substr(0, 16)),
                     "...': longer than ", kMaxLanguageTagLength, " bytes"));
  }
  // Accept the POSIX/ICU separator as a courtesy ("pt_BR"); ICU's BCP 47
  // parser itself only knows '-'.
  std::string bcp47(tag);
  for (char& c : bcp47) {
    if (c == '_') c = '-';
    if (static_cast<unsigned char>(c) < 0x21 ||
        static_cast<unsigned char>(c) > 0x7e) {
      return BadTag(tag, "not a BCP 47 tag");
    }
  }

  char locale_id[ULOC_FULLNAME_CAPACITY];
  int32_t parsed = 0;
  UErrorCode status = U_ZERO_ERROR;
  const int32_t id_len = uloc_forLanguageTag(
      bcp47.c_str(), locale_id, sizeof(locale_id), &parsed, &status);
  // uloc_forLanguageTag stops at the first bad subtag and reports how much
  // it read; anything left over means the tag as a whole is malformed.
  if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
      id_len <= 0 || parsed != static_cast<int32_t>(bcp47.size())) {
    return BadTag(tag, "not a well-formed BCP 47 tag");
  }

  char out[ULOC_FULLNAME_CAPACITY];
  status = U_ZERO_ERROR;
  const int32_t out_len = uloc_toLanguageTag(locale_id, out, sizeof(out),
                                             /*strict=*/true, &status);
  if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
      out_len <= 0) {
    return BadTag(tag, "not a well-formed BCP 47 tag");
  }
  std::string canonical(out, out_len);
  const std::string primary = LanguageOf(canonical);
  if (primary == "und" || !IsLanguageSubtag(primary)) {
    return BadTag(tag, "names no language");
  }
  return canonical;
}

std::string LanguageOf(std::string_view canonical_tag) {
  const size_t end = canonical_tag.find_first_of("-_");
  return absl::AsciiStrToLower(ToAbsl(canonical_tag.substr(0, end)));
}

}  // namespace tessera::text
