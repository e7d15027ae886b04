// Keys and value formats of the memory service's part of the "memory"
// column family (the glossary keeps to kind 'g'). Every key starts with a
// kind byte; integers are big-endian. A language pair is named by PairId.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_KEYS_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/store.h"

namespace tessera::memory {

inline constexpr storage::ColumnFamily kMemoryCf = storage::ColumnFamily::kMemory;

inline constexpr uint8_t kUnitFormat = 0x01;     // envelope, MemoryUnitRecord
inline constexpr uint8_t kFormFormat = 0x01;     // [0x01][EncodeForm]
inline constexpr uint8_t kPostingFormat = 0x01;  // [0x01][u16 N][u16 C][u16 P]
inline constexpr uint8_t kMarkFormat = 0x01;     // [0x01]
inline constexpr uint8_t kRefFormat = 0x01;      // [0x01][u64 unit]

// A stable 64-bit FNV-1a hash; keys depend on it, never change it.
uint64_t Hash64(std::string_view bytes);
uint64_t PairId(std::string_view source_language,
                std::string_view target_language);

// 'u' unit: [u][u64 unit] -> envelope(MemoryUnitRecord).
std::string UnitKey(uint64_t unit);
inline constexpr char kUnitKind = 'u';
// 'f' scoring form: [f][u64 unit] -> [0x01][form].
std::string FormKey(uint64_t unit);
// 'e' exact: [e][u64 pair][u64 source hash][u64 unit] -> mark.
std::string ExactKey(uint64_t pair, uint64_t source_hash, uint64_t unit);
std::string ExactPrefix(uint64_t pair, uint64_t source_hash);
// 'x' context: [x][u64 pair][u64 source][u64 previous][u64 next][u64 unit].
std::string ContextKey(uint64_t pair, uint64_t source_hash, uint64_t previous,
                       uint64_t next, uint64_t unit);
// 't' token posting: [t][u64 pair][u64 token hash][u16 words][u64 unit] ->
// [0x01][u16 numbers][u16 codes][u16 punctuation] of the unit.
std::string PostingKey(uint64_t pair, uint64_t token, uint32_t words,
                       uint64_t unit);
std::string PostingPrefix(uint64_t pair, uint64_t token, uint32_t words);
// 'd' document frequency counter: [d][u64 pair][u64 token hash].
std::string FrequencyKey(uint64_t pair, uint64_t token);
// 'n' word-count bucket: [n][u64 pair][u16 words][u64 unit] -> as 't'.
std::string BucketKey(uint64_t pair, uint32_t words, uint64_t unit);
std::string BucketPrefix(uint64_t pair, uint32_t words);
// 'l' character length: [l][u64 pair][u32 length][u64 unit] -> mark;
// 's' the same for units of fewer than 4 words only.
std::string LengthKey(char kind, uint64_t pair, uint32_t length, uint64_t unit);
std::string LengthPrefix(char kind, uint64_t pair, uint32_t length);
// 'q' character bigram posting, for units scored by characters (fewer than
// 4 words, or at most kGramMaxLength code points):
// [q][u64 pair][u64 bigram][u32 length][u64 unit] -> [0x01][u8 short].
// A bigram is its two code points, (first << 21) | second.
std::string GramKey(uint64_t pair, uint64_t gram, uint32_t length,
                    uint64_t unit);
std::string GramPrefix(uint64_t pair, uint64_t gram, uint32_t length);
// 'b' bigram document frequency counter: [b][u64 pair][u64 bigram].
std::string GramFrequencyKey(uint64_t pair, uint64_t gram);
inline constexpr uint32_t kGramMaxLength = 64;
// 'p' pair listing: [p][u64 pair][u64 unit] -> mark (concordance scans).
std::string PairUnitKey(uint64_t pair, uint64_t unit);
std::string PairPrefix(uint64_t pair);
// 'r' translation reference: [r][raw translation name] -> [0x01][u64 unit].
std::string ReferenceKey(std::string_view translation);
// 'z' feed cursor of the approval consumer: [z][u64 0].
std::string CursorKey();

// The trailing u64 of a key (the unit of 'e', 'x', 't', 'n', 'l', 's', 'p').
uint64_t TrailingUnit(std::string_view key);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_KEYS_H_
