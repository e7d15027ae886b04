#include "services/translation/translation_keys.h"

#include "storage/key_codec.h"

namespace tessera::translation {
namespace {

using ::tessera::storage::KeyBuilder;

// Key kinds; see storage/FORMAT.md, "translations".
constexpr uint8_t kTranslationKind = 0x01;
constexpr uint8_t kHistoryKind = 0x02;
constexpr uint8_t kCommentKind = 0x03;
constexpr uint8_t kCounterKind = 0x04;
constexpr uint8_t kCursorKind = 0x05;
constexpr uint8_t kAppliedKind = 0x06;
constexpr uint8_t kCommentHeadKind = 0x07;
constexpr uint8_t kCommentRequestKind = 0x08;

KeyBuilder LanguageKey(uint8_t kind, uint64_t iid, std::string_view language) {
  KeyBuilder k(kind);
  k.U64(iid).String(language);
  return k;
}

KeyBuilder SegmentKey(uint8_t kind, uint64_t iid, std::string_view language,
                      std::string_view segment_id) {
  KeyBuilder k = LanguageKey(kind, iid, language);
  k.String(segment_id);
  return k;
}

}  // namespace

std::string TranslationRecordKey(uint64_t iid, std::string_view language,
                                 std::string_view segment_id) {
  return SegmentKey(kTranslationKind, iid, language, segment_id).Build();
}

std::string TranslationLanguagePrefix(uint64_t iid, std::string_view language) {
  return LanguageKey(kTranslationKind, iid, language).Build();
}

std::string HistoryKey(uint64_t iid, std::string_view language,
                       std::string_view segment_id, uint64_t version) {
  return SegmentKey(kHistoryKind, iid, language, segment_id)
      .U64(version)
      .Build();
}

std::string HistorySegmentPrefix(uint64_t iid, std::string_view language,
                                 std::string_view segment_id) {
  return SegmentKey(kHistoryKind, iid, language, segment_id).Build();
}

std::string CommentKey(uint64_t iid, std::string_view language,
                       std::string_view segment_id, uint64_t comment_id) {
  return SegmentKey(kCommentKind, iid, language, segment_id)
      .U64(comment_id)
      .Build();
}

std::string CommentSegmentPrefix(uint64_t iid, std::string_view language,
                                 std::string_view segment_id) {
  return SegmentKey(kCommentKind, iid, language, segment_id).Build();
}

std::optional<uint64_t> CommentIdOfKey(std::string_view key) {
  if (key.size() < 8) return std::nullopt;
  std::string_view tail = key.substr(key.size() - 8);
  uint64_t id = 0;
  if (!storage::GetFixed64BE(&tail, &id)) return std::nullopt;
  return id;
}

std::string CounterKey(uint64_t iid, std::string_view language,
                       SegmentState state, CounterUnit unit) {
  return LanguageKey(kCounterKind, iid, language)
      .U8(static_cast<uint8_t>(state))
      .U8(static_cast<uint8_t>(unit))
      .Build();
}

std::string CarryOverCursorKey() { return KeyBuilder(kCursorKind).Build(); }

std::string RevisionAppliedKey(uint64_t iid, std::string_view language) {
  return LanguageKey(kAppliedKind, iid, language).Build();
}

std::string CommentHeadKey(uint64_t iid, std::string_view language,
                           std::string_view segment_id) {
  return SegmentKey(kCommentHeadKind, iid, language, segment_id).Build();
}

std::string CommentHeadLanguagePrefix(uint64_t iid, std::string_view language) {
  return LanguageKey(kCommentHeadKind, iid, language).Build();
}

std::string CommentRequestKey(uint64_t iid, std::string_view language,
                              std::string_view segment_id,
                              std::string_view user_id,
                              std::string_view request_id) {
  return SegmentKey(kCommentRequestKind, iid, language, segment_id)
      .String(user_id)
      .String(request_id)
      .Build();
}

std::optional<std::string> SegmentIdOfKey(std::string_view key) {
  storage::KeyReader reader(key);
  uint8_t kind = 0;
  uint64_t iid = 0;
  std::string language, segment_id;
  if (!reader.Kind(&kind) || !reader.U64(&iid) || !reader.String(&language) ||
      !reader.String(&segment_id)) {
    return std::nullopt;
  }
  return segment_id;
}

}  // namespace tessera::translation
