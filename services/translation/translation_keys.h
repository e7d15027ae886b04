// The key layout of the "translations" column family: every key the
// translation service writes is built here, each builder naming its row of
// storage/FORMAT.md ("translations"). Keys of one statement start
// [kind][u64 statement internal id], keys of one language continue with
// [str language] and keys of one segment with [str segment_id], so each
// level is one prefix scan.
//
// Only the translation service and its adapters use these; other services
// reach translations through their ports. Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_TRANSLATION_TRANSLATION_KEYS_H_
#define TESSERA_SERVICES_TRANSLATION_TRANSLATION_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/translation/translation_model.h"
#include "storage/store.h"

namespace tessera::translation {

inline constexpr storage::ColumnFamily kTranslationsCf =
    storage::ColumnFamily::kTranslations;

// Every value of the column family is format 0x01.
inline constexpr uint8_t kTranslationsFormat = 0x01;

// 0x01 translation: [0x01][u64 sid][str language][str segment_id].
std::string TranslationRecordKey(uint64_t iid, std::string_view language,
                                 std::string_view segment_id);
// 0x01 translation: the prefix of every translation of a language.
std::string TranslationLanguagePrefix(uint64_t iid, std::string_view language);

// 0x02 history: [0x02][u64 sid][str language][str segment_id][u64 version].
std::string HistoryKey(uint64_t iid, std::string_view language,
                       std::string_view segment_id, uint64_t version);
// 0x02 history: the prefix of every entry of one segment.
std::string HistorySegmentPrefix(uint64_t iid, std::string_view language,
                                 std::string_view segment_id);

// 0x03 comment: [0x03][u64 sid][str language][str segment_id][u64 id].
std::string CommentKey(uint64_t iid, std::string_view language,
                       std::string_view segment_id, uint64_t comment_id);
// 0x03 comment: the prefix of one segment's thread.
std::string CommentSegmentPrefix(uint64_t iid, std::string_view language,
                                 std::string_view segment_id);
// The comment id that ends a 0x03 key; nullopt if `key` is too short.
std::optional<uint64_t> CommentIdOfKey(std::string_view key);

// 0x04 counter: [0x04][u64 sid][str language][u8 SegmentState][u8 unit].
enum class CounterUnit : uint8_t { kSegments = 0, kWords = 1 };
std::string CounterKey(uint64_t iid, std::string_view language,
                       SegmentState state, CounterUnit unit);

// 0x05 carry-over cursor: [0x05].
std::string CarryOverCursorKey();

// 0x06 revision applied: [0x06][u64 sid][str language].
std::string RevisionAppliedKey(uint64_t iid, std::string_view language);

// 0x07 comment head: [0x07][u64 sid][str language][str segment_id].
std::string CommentHeadKey(uint64_t iid, std::string_view language,
                           std::string_view segment_id);
// 0x07 comment head: the prefix of every head of a language.
std::string CommentHeadLanguagePrefix(uint64_t iid, std::string_view language);

// 0x08 comment request: [0x08][u64 sid][str language][str segment_id]
// [str user_id][str request_id].
std::string CommentRequestKey(uint64_t iid, std::string_view language,
                              std::string_view segment_id,
                              std::string_view user_id,
                              std::string_view request_id);

// The segment id of a per-segment key (0x01, 0x07: [kind][u64][str][str]);
// nullopt if `key` does not decode as one.
std::optional<std::string> SegmentIdOfKey(std::string_view key);

}  // namespace tessera::translation

#endif  // TESSERA_SERVICES_TRANSLATION_TRANSLATION_KEYS_H_
