#include "services/memory/glossary/glossary_keys.h"

#include "storage/key_codec.h"

namespace tessera::memory::glossary {
namespace {

using storage::KeyBuilder;

constexpr uint8_t kEntryKind = 0x01;
constexpr uint8_t kUniqueKind = 0x02;
constexpr uint8_t kListKind = 0x03;
constexpr uint8_t kTermKind = 0x04;
constexpr uint8_t kRequestKind = 0x05;

KeyBuilder Glossary(uint8_t kind) {
  KeyBuilder k(kGlossaryPrefix);
  k.U8(kind);
  return k;
}

bool ReadKind(storage::KeyReader* r, uint8_t kind) {
  uint8_t prefix = 0, sub = 0;
  return r->Kind(&prefix) && prefix == kGlossaryPrefix && r->U8(&sub) &&
         sub == kind;
}

}  // namespace

std::string EntryKey(std::string_view entry_id) {
  return Glossary(kEntryKind).String(entry_id).Build();
}

std::string UniqueKey(std::string_view source_language,
                      std::string_view target_language,
                      std::string_view folded_source_term,
                      std::string_view folded_target_term) {
  return Glossary(kUniqueKind)
      .String(source_language)
      .String(target_language)
      .String(folded_source_term)
      .String(folded_target_term)
      .Build();
}

std::string ListKey(std::string_view folded_source_term,
                    std::string_view entry_id) {
  return Glossary(kListKind)
      .String(folded_source_term)
      .String(entry_id)
      .Build();
}

std::string ListPrefix() { return Glossary(kListKind).Build(); }

bool ParseListKey(std::string_view key, std::string* entry_id) {
  storage::KeyReader r(key);
  std::string term;
  return ReadKind(&r, kListKind) && r.String(&term) && r.String(entry_id) &&
         r.done();
}

std::string TermIndexKey(std::string_view source_language,
                         std::string_view target_language,
                         std::string_view term_key,
                         std::string_view entry_id) {
  return Glossary(kTermKind)
      .String(source_language)
      .String(target_language)
      .String(term_key)
      .String(entry_id)
      .Build();
}

std::string TermIndexPrefix(std::string_view source_language,
                            std::string_view target_language,
                            std::string_view term_key) {
  return Glossary(kTermKind)
      .String(source_language)
      .String(target_language)
      .String(term_key)
      .Build();
}

bool ParseTermIndexKey(std::string_view key, std::string* entry_id) {
  storage::KeyReader r(key);
  std::string source, target, term;
  return ReadKind(&r, kTermKind) && r.String(&source) && r.String(&target) &&
         r.String(&term) && r.String(entry_id) && r.done();
}

std::string RequestKey(std::string_view user_id, std::string_view request_id) {
  return Glossary(kRequestKind).String(user_id).String(request_id).Build();
}

}  // namespace tessera::memory::glossary
