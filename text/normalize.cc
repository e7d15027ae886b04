#include "text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utypes.h>

#include <cstdlib>
#include <cstring>

namespace tessera::text {
namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// The NFC instance is a process-wide singleton owned by ICU; it only fails
// when ICU's data is missing, which is a broken installation.
const icu::Normalizer2& Nfc() {
  static const icu::Normalizer2* const nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || n == nullptr) std::abort();
    return n;
  }();
  return *nfc;
}

}  // namespace

std::string NormalizeNfc(std::string_view utf8) {
  if (IsAscii(utf8)) return std::string(utf8);  // ASCII is always NFC.
  std::string out;
  out.reserve(utf8.size());
  icu::StringByteSink<std::string> sink(&out);
  UErrorCode status = U_ZERO_ERROR;
  Nfc().normalizeUTF8(0, icu::StringPiece(utf8.data(), utf8.size()), sink,
                      nullptr, status);
  if (U_FAILURE(status)) {
    // Only reachable on allocation failure; returning the input keeps the
    // bytes rather than losing them.
    return std::string(utf8);
  }
  return out;
}

bool IsNfc(std::string_view utf8) {
  if (IsAscii(utf8)) return true;
  UErrorCode status = U_ZERO_ERROR;
  const UBool nfc = Nfc().isNormalizedUTF8(
      icu::StringPiece(utf8.data(), utf8.size()), status);
  return U_SUCCESS(status) && nfc;
}

NfcMapping NormalizeNfcMapped(std::string_view utf8) {
  NfcMapping out;
  if (IsAscii(utf8)) {
    out.nfc = std::string(utf8);
    return out;
  }
  out.nfc.reserve(utf8.size());
  icu::StringByteSink<std::string> sink(&out.nfc);
  icu::Edits edits;
  UErrorCode status = U_ZERO_ERROR;
  Nfc().normalizeUTF8(0, icu::StringPiece(utf8.data(), utf8.size()), sink,
                      &edits, status);
  if (U_FAILURE(status)) {
    // As NormalizeNfc: keep the input rather than lose it.
    out.nfc = std::string(utf8);
    out.changes.clear();
    return out;
  }
  icu::Edits::Iterator it = edits.getFineChangesIterator();
  while (it.next(status) && U_SUCCESS(status)) {
    const size_t in = static_cast<size_t>(it.sourceIndex());
    const size_t nfc = static_cast<size_t>(it.destinationIndex());
    out.changes.push_back(
        NfcChange{nfc, nfc + static_cast<size_t>(it.newLength()), in,
                  in + static_cast<size_t>(it.oldLength())});
  }
  if (U_FAILURE(status)) {
    out.nfc = std::string(utf8);
    out.changes.clear();
  }
  return out;
}

}  // namespace tessera::text
