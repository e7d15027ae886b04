#include "text/case_fold.h"

#include <unicode/stringpiece.h>
#include <unicode/unistr.h>

namespace tessera::text {

std::string FoldCase(std::string_view utf8) {
  std::string out;
  icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())))
      .foldCase()
      .toUTF8String(out);
  return out;
}

}  // namespace tessera::text
