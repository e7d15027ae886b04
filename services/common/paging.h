// Paging for every List method (AIP-158): one page-size rule and one page
// token format.
//
// A page token is opaque to clients: web-safe base64 (unpadded) of
//
//   [0x01 token version][8 bytes: digest of the query fingerprint]
//   [cursor][8 bytes: checksum of everything before]
//
// The cursor is whatever the method needs to resume (usually the last key
// or id it returned). The checksum catches a token that was edited or cut
// short; the fingerprint digest ties the token to the query that made it,
// so resuming with other filters is refused instead of silently skipping
// or repeating results. Tokens are not secret: the cursor is readable by
// anyone who decodes one, so it must hold nothing the caller may not see.
//
// Thread safety: free functions, safe anywhere; a QueryFingerprint belongs
// to one thread.
#ifndef TESSERA_SERVICES_COMMON_PAGING_H_
#define TESSERA_SERVICES_COMMON_PAGING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tessera {

// The page size to use for a request's `page_size`: `default_size` for 0,
// `max_size` for anything above it, `requested` otherwise.
// INVALID_ARGUMENT (field page_size) when `requested` is negative.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// Builds the fingerprint of one List query: the method's name, then every
// request field that shapes the result (filters, order, parent), but not
// page_size or page_token. Each field is typed and length-prefixed, so
// ("ab", "c") and ("a", "bc") differ. Stable across processes and builds.
//
//   std::string fp = QueryFingerprint("translation.ListSegments")
//                        .String(query.language)
//                        .Bool(query.include_removed)
//                        .Build();
class QueryFingerprint {
 public:
  explicit QueryFingerprint(std::string_view method);

  QueryFingerprint& String(std::string_view v);
  QueryFingerprint& Int(int64_t v);
  QueryFingerprint& Bool(bool v);

  // 16 bytes (a truncated SHA-256 of the fields so far).
  std::string Build() const;

 private:
  std::string fields_;
};

// A token that resumes the query with fingerprint `query_fingerprint` at
// `cursor`. Never empty.
std::string EncodePageToken(std::string_view query_fingerprint,
                            std::string_view cursor);

// The cursor inside `token`. An empty token is the first page and gives an
// empty cursor, so a method should not use the empty cursor for anything
// else. INVALID_ARGUMENT (field page_token, reason INVALID_TOKEN) when the
// token does not parse, was altered or cut short, or was made by another
// version of this format; and, with its own description, when it was made
// for a query with another fingerprint.
absl::StatusOr<std::string> DecodePageToken(std::string_view token,
                                            std::string_view query_fingerprint);

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_PAGING_H_
