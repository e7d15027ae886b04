#include "services/memory/memory_keys.h"

#include "storage/key_codec.h"

namespace tessera::memory {

using storage::KeyBuilder;

uint64_t Hash64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t PairId(std::string_view source_language,
                std::string_view target_language) {
  std::string s(source_language);
  s.push_back('\0');
  s.append(target_language);
  return Hash64(s);
}

std::string UnitKey(uint64_t unit) { return KeyBuilder('u').U64(unit).Build(); }
std::string FormKey(uint64_t unit) { return KeyBuilder('f').U64(unit).Build(); }

std::string ExactKey(uint64_t pair, uint64_t source_hash, uint64_t unit) {
  return KeyBuilder('e').U64(pair).U64(source_hash).U64(unit).Build();
}
std::string ExactPrefix(uint64_t pair, uint64_t source_hash) {
  return KeyBuilder('e').U64(pair).U64(source_hash).Build();
}
std::string ContextKey(uint64_t pair, uint64_t source_hash, uint64_t previous,
                       uint64_t next, uint64_t unit) {
  return KeyBuilder('x')
      .U64(pair).U64(source_hash).U64(previous).U64(next).U64(unit)
      .Build();
}

std::string PostingKey(uint64_t pair, uint64_t token, uint32_t words,
                       uint64_t unit) {
  return KeyBuilder('t').U64(pair).U64(token).U32(words).U64(unit).Build();
}
std::string PostingPrefix(uint64_t pair, uint64_t token, uint32_t words) {
  return KeyBuilder('t').U64(pair).U64(token).U32(words).Build();
}
std::string FrequencyKey(uint64_t pair, uint64_t token) {
  return KeyBuilder('d').U64(pair).U64(token).Build();
}
std::string BucketKey(uint64_t pair, uint32_t words, uint64_t unit) {
  return KeyBuilder('n').U64(pair).U32(words).U64(unit).Build();
}
std::string BucketPrefix(uint64_t pair, uint32_t words) {
  return KeyBuilder('n').U64(pair).U32(words).Build();
}
std::string LengthKey(char kind, uint64_t pair, uint32_t length,
                      uint64_t unit) {
  return KeyBuilder(static_cast<uint8_t>(kind))
      .U64(pair).U32(length).U64(unit).Build();
}
std::string LengthPrefix(char kind, uint64_t pair, uint32_t length) {
  return KeyBuilder(static_cast<uint8_t>(kind)).U64(pair).U32(length).Build();
}
std::string GramKey(uint64_t pair, uint64_t gram, uint32_t length,
                    uint64_t unit) {
  return KeyBuilder('q').U64(pair).U64(gram).U32(length).U64(unit).Build();
}
std::string GramPrefix(uint64_t pair, uint64_t gram, uint32_t length) {
  return KeyBuilder('q').U64(pair).U64(gram).U32(length).Build();
}
std::string GramFrequencyKey(uint64_t pair, uint64_t gram) {
  return KeyBuilder('b').U64(pair).U64(gram).Build();
}
std::string PairUnitKey(uint64_t pair, uint64_t unit) {
  return KeyBuilder('p').U64(pair).U64(unit).Build();
}
std::string PairPrefix(uint64_t pair) { return KeyBuilder('p').U64(pair).Build(); }
std::string ReferenceKey(std::string_view translation) {
  return KeyBuilder('r').Raw(translation).Build();
}
std::string CursorKey() { return KeyBuilder('z').U64(0).Build(); }

uint64_t TrailingUnit(std::string_view key) {
  if (key.size() < 8) return 0;
  std::string_view tail = key.substr(key.size() - 8);
  uint64_t v = 0;
  storage::GetFixed64BE(&tail, &v);
  return v;
}

}  // namespace tessera::memory
