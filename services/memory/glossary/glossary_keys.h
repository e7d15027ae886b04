// Keys and value formats of the glossary, in the "memory" column family.
// Every glossary key starts with 'g' (0x67), then a sub-kind byte; the rest
// of the family belongs to the translation memory. This header is the
// layout's reference: a change here is a change of the stored format.
#ifndef TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_KEYS_H_
#define TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/store.h"

namespace tessera::memory::glossary {

inline constexpr storage::ColumnFamily kGlossaryCf =
    storage::ColumnFamily::kMemory;
inline constexpr uint8_t kGlossaryPrefix = 'g';

// Value formats, one per key kind.
inline constexpr uint8_t kEntryFormat = 0x01;    // envelope, GlossaryEntryRecord
inline constexpr uint8_t kUniqueFormat = 0x01;   // envelope, entry id
inline constexpr uint8_t kListFormat = 0x01;     // [0x01], nothing after
inline constexpr uint8_t kTermFormat = 0x01;     // [0x01], nothing after
inline constexpr uint8_t kRequestFormat = 0x01;  // envelope, GlossaryRequestRecord

// g 0x01 entry: ['g'][0x01][str entry_id].
std::string EntryKey(std::string_view entry_id);

// g 0x02 uniqueness: ['g'][0x02][str source_language][str target_language]
// [str folded source term][str folded target term]. One entry per key.
std::string UniqueKey(std::string_view source_language,
                      std::string_view target_language,
                      std::string_view folded_source_term,
                      std::string_view folded_target_term);

// g 0x03 listing order: ['g'][0x03][str folded source term][str entry_id].
std::string ListKey(std::string_view folded_source_term,
                    std::string_view entry_id);
std::string ListPrefix();
// The entry id in a ListKey; false if `key` is not one.
bool ParseListKey(std::string_view key, std::string* entry_id);

// g 0x04 terms index: ['g'][0x04][str source_language][str target_language]
// [str term key (folded first word)][str entry_id].
std::string TermIndexKey(std::string_view source_language,
                         std::string_view target_language,
                         std::string_view term_key, std::string_view entry_id);
std::string TermIndexPrefix(std::string_view source_language,
                            std::string_view target_language,
                            std::string_view term_key);
// The entry id in a TermIndexKey; false if `key` is not one.
bool ParseTermIndexKey(std::string_view key, std::string* entry_id);

// g 0x05 create request: ['g'][0x05][str user_id][str request_id].
std::string RequestKey(std::string_view user_id, std::string_view request_id);

}  // namespace tessera::memory::glossary

#endif  // TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_KEYS_H_
