// Order-preserving key encoding (kvrocks/encoding.h style).
//
// Keys start with a 1-byte kind prefix. Integers are fixed-width big-endian,
// so byte order equals numeric order. Strings that keys range over are
// escaped (0x00 -> 0x00 0xFF) and terminated by 0x00 0x01, which keeps
// lexicographic order and makes "a" sort before "a\0" and "ab". Strings that
// are only ever looked up exactly may use the cheaper Raw() tail.
//
// KeyBuilder and KeyReader are value types; not thread-safe.
#ifndef TESSERA_STORAGE_KEY_CODEC_H_
#define TESSERA_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::storage {

class KeyBuilder {
 public:
  explicit KeyBuilder(uint8_t kind) { key_.push_back(static_cast<char>(kind)); }

  KeyBuilder& U8(uint8_t v);
  KeyBuilder& U32(uint32_t v);
  KeyBuilder& U64(uint64_t v);
  // Signed values are biased so negative numbers sort first.
  KeyBuilder& I64(int64_t v);
  KeyBuilder& String(std::string_view s);
  // Appends bytes as they are. Use only as the last component.
  KeyBuilder& Raw(std::string_view s);

  const std::string& key() const { return key_; }
  std::string Build() const { return key_; }

 private:
  std::string key_;
};

// Decodes keys written by KeyBuilder. Every getter returns false (and
// leaves the reader unusable) when the input is malformed or too short.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}

  bool Kind(uint8_t* kind) { return U8(kind); }
  bool U8(uint8_t* v);
  bool U32(uint32_t* v);
  bool U64(uint64_t* v);
  bool I64(int64_t* v);
  bool String(std::string* s);
  std::string_view Rest() const { return rest_; }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Returns the smallest key greater than every key that starts with
// `prefix`, or "" if there is none (prefix all 0xFF). Used as an
// exclusive upper bound for prefix scans.
std::string PrefixSuccessor(std::string_view prefix);

// Fixed-width big-endian helpers for values.
void PutFixed64BE(std::string* out, uint64_t v);
bool GetFixed64BE(std::string_view* in, uint64_t* v);

}  // namespace tessera::storage

#endif  // TESSERA_STORAGE_KEY_CODEC_H_
