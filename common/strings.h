// String helpers that accept std::string_view.
//
// Debian's Abseil is built with its own absl::string_view, which
// std::string_view does not convert to, so absl::StrCat(std::string_view)
// does not compile. tessera::StrCat / StrAppend convert such arguments and
// forward everything else to Abseil unchanged.
#ifndef TESSERA_COMMON_STRINGS_H_
#define TESSERA_COMMON_STRINGS_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tessera {

inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

namespace strings_internal {
template <typename T>
decltype(auto) Arg(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return ToAbsl(std::string_view(v));
  } else {
    return (v);
  }
}
}  // namespace strings_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(strings_internal::Arg(args)...);
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  absl::StrAppend(out, strings_internal::Arg(args)...);
}

}  // namespace tessera

#endif  // TESSERA_COMMON_STRINGS_H_
