#include "services/memory/memory_core.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"

#include "common/status_macros.h"
#include "services/common/errors.h"
#include "text/case_fold.h"
#include "services/memory/memory_index.h"
#include "services/memory/memory_keys.h"
#include "storage/key_codec.h"

namespace tessera::memory {
namespace {

using storage::memory::MemoryUnitRecord;

int KindRank(MatchKind k) {
  switch (k) {
    case MatchKind::kContext:
      return 0;
    case MatchKind::kExact:
      return 1;
    case MatchKind::kExactText:
      return 2;
    case MatchKind::kFuzzy:
      return 3;
  }
  return 3;
}

std::vector<std::string> CodeTexts(const ScoreForm& f) {
  std::vector<std::string> out;
  for (const Token& t : f.tokens) {
    if (t.kind == TokenKind::kCode) out.push_back(t.text);
  }
  return out;
}

// The id in "{1}", "{/1}" or "{1/}"; 0 if none.
int CodeId(std::string_view code) {
  int id = 0;
  for (char c : code) {
    if (c >= '0' && c <= '9') id = id * 10 + (c - '0');
  }
  return id;
}

constexpr int kTmxImportSource = 2;  // tessera.v1.MEMORY_UNIT_SOURCE_TMX_IMPORT

void SetNatives(
    const NativeMarkups& natives,
    google::protobuf::RepeatedPtrField<storage::memory::NativeCode>* out) {
  out->Clear();
  for (const auto& [id, n] : natives) {
    storage::memory::NativeCode* c = out->Add();
    c->set_id(id);
    c->set_open(n.open);
    c->set_close(n.close);
    c->set_type(n.type);
  }
}

}  // namespace

NativeMarkups NativesFromCodes(const std::vector<formats::InlineCode>& codes) {
  NativeMarkups out;
  for (const formats::InlineCode& c : codes) {
    NativeMarkup& n = out[c.id];
    if (c.kind == formats::CodeKind::kClose) {
      n.close = c.data;
      continue;
    }
    n.open = c.data;
    // TMX's own names where it has one (TMX 1.4b, "type" of bpt and ph).
    switch (c.type) {
      case formats::CodeType::kEmphasis: n.type = "italic"; break;
      case formats::CodeType::kStrong: n.type = "bold"; break;
      case formats::CodeType::kStrikethrough: n.type = "x-strikethrough"; break;
      case formats::CodeType::kLink: n.type = "link"; break;
      case formats::CodeType::kImage: n.type = "image"; break;
      case formats::CodeType::kCodeSpan: n.type = "x-code"; break;
      case formats::CodeType::kAutolink: n.type = "x-autolink"; break;
      case formats::CodeType::kFootnoteRef: n.type = "fnote"; break;
      case formats::CodeType::kSoftBreak: n.type = "x-soft-break"; break;
      case formats::CodeType::kLineBreak: n.type = "lb"; break;
      case formats::CodeType::kHtml: n.type = "x-html"; break;
      case formats::CodeType::kEscape: n.type = "x-escape"; break;
      case formats::CodeType::kEntity: n.type = "x-entity"; break;
    }
  }
  return out;
}

uint64_t NeighbourHash(const formats::Content& content,
                       std::string_view language) {
  if (content.text.empty() && content.codes.empty()) return 0;
  return SourceHash(Prepare(content, language));
}

uint64_t MemoryCore::UnitId(const UnitInput& input) {
  std::string key = input.source_language;
  key.push_back('\0');
  key += input.target_language;
  key.push_back('\0');
  key += formats::ToReadable(input.source);
  key.push_back('\0');
  key += formats::ToReadable(input.target);
  // Unit 0 would read as "no unit".
  return Hash64(key) | 1;
}

void MemoryCore::AddUnitWrites(
    const UnitInput& input, const std::optional<MemoryUnitRecord>& existing,
    uint64_t existing_version, storage::WriteSet* writes,
    int reference_delta) {
  const uint64_t id = UnitId(input);
  const int64_t now = absl::ToUnixMicros(input.time);
  MemoryUnitRecord r;
  if (existing.has_value()) r = *existing;
  r.set_unit_id(id);
  r.set_source_language(input.source_language);
  r.set_target_language(input.target_language);
  r.set_source(formats::ToReadable(input.source));
  r.set_target(formats::ToReadable(input.target));
  r.set_unit_source(input.unit_source);
  r.set_translation(input.translation);
  r.set_author(input.author);
  r.set_reviewer(input.reviewer);
  r.set_provenance(input.provenance);
  if (!existing.has_value()) r.set_create_time_us(now);
  r.set_references(r.references() + reference_delta);
  r.set_update_time_us(now);
  IndexedSource src;
  src.unit = id;
  src.pair = PairId(input.source_language, input.target_language);
  src.form = Prepare(input.source, input.source_language);
  if (existing.has_value() && input.unit_source == kTmxImportSource) {
    // A TMX unit has no neighbours: the unit keeps those of its approval.
    src.previous_hash = existing->previous_hash();
    src.next_hash = existing->next_hash();
  } else {
    if (existing.has_value() && (existing->previous_hash() != 0 ||
                                 existing->next_hash() != 0)) {
      // The context entry moves to the newest neighbours.
      IndexedSource old = src;
      old.previous_hash = existing->previous_hash();
      old.next_hash = existing->next_hash();
      writes->Delete(kMemoryCf,
                     ContextKey(old.pair, SourceHash(old.form),
                                old.previous_hash, old.next_hash, id));
    }
    src.previous_hash = input.previous_source.empty()
                            ? 0
                            : Hash64(input.previous_source);
    src.next_hash = input.next_source.empty() ? 0 : Hash64(input.next_source);
  }
  SetNatives(input.source_natives, r.mutable_source_natives());
  SetNatives(input.target_natives, r.mutable_target_natives());
  r.set_previous_hash(src.previous_hash);
  r.set_next_hash(src.next_hash);
  writes->ExpectVersion(kMemoryCf, UnitKey(id), existing_version);
  writes->Put(kMemoryCf, UnitKey(id),
              storage::EncodeRecord(kUnitFormat, existing_version + 1,
                                    r.SerializeAsString()));
  if (!existing.has_value()) {
    AddIndexWrites(src, writes);
  } else {
    writes->Put(kMemoryCf,
                ContextKey(src.pair, SourceHash(src.form), src.previous_hash,
                           src.next_hash, id),
                std::string(1, static_cast<char>(kMarkFormat)));
  }
}

absl::Status MemoryCore::AddUnitErasures(const MemoryUnitRecord& unit,
                                         uint64_t version,
                                         storage::WriteSet* writes) {
  ASSIGN_OR_RETURN(formats::Content source, formats::ParseReadable(unit.source()));
  IndexedSource src;
  src.unit = unit.unit_id();
  src.pair = PairId(unit.source_language(), unit.target_language());
  src.form = Prepare(source, unit.source_language());
  src.previous_hash = unit.previous_hash();
  src.next_hash = unit.next_hash();
  writes->ExpectVersion(kMemoryCf, UnitKey(src.unit), version);
  writes->Delete(kMemoryCf, UnitKey(src.unit));
  AddIndexErasures(src, writes);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::pair<MemoryUnitRecord, uint64_t>>>
MemoryCore::LoadUnit(uint64_t unit) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   store_->Get(kMemoryCf, UnitKey(unit)));
  if (!value.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(storage::Record rec, storage::DecodeRecord(*value));
  MemoryUnitRecord r;
  if (rec.format != kUnitFormat || !r.ParseFromString(rec.payload)) {
    return absl::InternalError("corrupt memory unit");
  }
  return std::make_pair(std::move(r), rec.version);
}

absl::StatusOr<uint64_t> MemoryCore::AddUnit(const UnitInput& input) {
  const uint64_t id = UnitId(input);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto loaded, LoadUnit(id));
    storage::WriteSet writes;
    std::optional<MemoryUnitRecord> existing;
    uint64_t version = 0;
    if (loaded.has_value()) {
      existing = std::move(loaded->first);
      version = loaded->second;
    }
    AddUnitWrites(input, existing, version, &writes);
    auto committed = store_->Commit(std::move(writes));
    if (committed.ok()) return id;
    if (!absl::IsAborted(committed.status()) || attempt >= 8) {
      return committed.status();
    }
  }
}

absl::StatusOr<AddUnitsCounts> MemoryCore::AddUnits(
    const std::vector<UnitInput>& inputs, bool dry_run,
    const std::function<absl::Status()>& before_commit) {
  // One write per unit: the last input of each id, in order of first
  // appearance.
  std::vector<uint64_t> order;
  absl::flat_hash_map<uint64_t, size_t> last;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const uint64_t id = UnitId(inputs[i]);
    auto [it, fresh] = last.emplace(id, i);
    if (fresh) {
      order.push_back(id);
    } else {
      it->second = i;
    }
  }
  for (int attempt = 0;; ++attempt) {
    AddUnitsCounts counts;
    storage::WriteSet writes;
    for (uint64_t id : order) {
      ASSIGN_OR_RETURN(auto loaded, LoadUnit(id));
      std::optional<MemoryUnitRecord> existing;
      uint64_t version = 0;
      if (loaded.has_value()) {
        existing = std::move(loaded->first);
        version = loaded->second;
      } else {
        ++counts.added;
      }
      if (!dry_run) {
        AddUnitWrites(inputs[last[id]], existing, version, &writes);
      }
    }
    counts.refreshed = static_cast<int>(inputs.size()) - counts.added;
    if (dry_run || writes.empty()) return counts;
    if (before_commit) RETURN_IF_ERROR(before_commit());
    auto committed = store_->Commit(std::move(writes));
    if (committed.ok()) return counts;
    // The feed may have changed one of the units in between: read again.
    if (!absl::IsAborted(committed.status()) || attempt >= 8) {
      return committed.status();
    }
  }
}

absl::Status MemoryCore::ForEachUnit(
    const std::function<bool(MemoryUnitRecord& unit)>& fn) const {
  absl::Status inner;
  const std::string begin(1, kUnitKind);
  const std::string end(1, static_cast<char>(kUnitKind + 1));
  RETURN_IF_ERROR(store_->Scan(
      kMemoryCf, begin, end, [&](std::string_view, std::string_view value) {
        auto rec = storage::DecodeRecord(value);
        MemoryUnitRecord r;
        if (!rec.ok() || rec->format != kUnitFormat ||
            !r.ParseFromString(rec->payload)) {
          inner = absl::InternalError("corrupt memory unit");
          return false;
        }
        return fn(r);
      }));
  return inner;
}

bool MatchBefore(const Match& a, const Match& b) {
  if (a.score != b.score) return a.score > b.score;
  if (KindRank(a.kind) != KindRank(b.kind)) {
    return KindRank(a.kind) < KindRank(b.kind);
  }
  if (a.unit.update_time_us() != b.unit.update_time_us()) {
    return a.unit.update_time_us() > b.unit.update_time_us();
  }
  return a.unit.unit_id() < b.unit.unit_id();
}

formats::Content Substitute(const std::vector<TokenEdit>& diff,
                            const formats::Content& target) {
  formats::Content out = target;
  size_t search_from = 0;
  for (const TokenEdit& e : diff) {
    if (e.op != TokenEdit::Op::kChange) continue;
    if (e.kind == TokenKind::kNumber) {
      const size_t at = out.text.find(e.unit_text, search_from);
      if (at == std::string::npos) continue;
      out.text.replace(at, e.unit_text.size(), e.query_text);
      const long delta = static_cast<long>(e.query_text.size()) -
                         static_cast<long>(e.unit_text.size());
      for (formats::CodeRef& c : out.codes) {
        if (c.offset > at) {
          c.offset = static_cast<size_t>(static_cast<long>(c.offset) + delta);
        }
      }
      search_from = at + e.query_text.size();
    } else if (e.kind == TokenKind::kCode) {
      const int from = CodeId(e.unit_text), to = CodeId(e.query_text);
      for (formats::CodeRef& c : out.codes) {
        if (c.id == from) c.id = -to;  // marked, so a later change skips it
      }
    }
  }
  for (formats::CodeRef& c : out.codes) c.id = c.id < 0 ? -c.id : c.id;
  return out;
}

absl::StatusOr<std::vector<Match>> MemoryCore::Lookup(
    const LookupQuery& query) const {
  const ScoreForm form = Prepare(query.source, query.source_language);
  const uint64_t pair = PairId(query.source_language, query.target_language);
  ASSIGN_OR_RETURN(std::vector<IndexHit> hits,
                   Search(*store_, pair, form, query.min_score, nullptr,
                          &signatures_));
  const uint64_t previous =
      query.previous_source.empty() ? 0 : Hash64(query.previous_source);
  const uint64_t next = query.next_source.empty() ? 0 : Hash64(query.next_source);
  const std::vector<std::string> codes = CodeTexts(form);
  std::vector<std::pair<Match, ScoreForm>> found;
  for (IndexHit& hit : hits) {
    ASSIGN_OR_RETURN(auto loaded, LoadUnit(hit.unit));
    if (!loaded.has_value()) continue;
    Match m;
    m.unit = std::move(loaded->first);
    m.score = hit.score;
    if (hit.form.normalized != form.normalized) {
      m.kind = MatchKind::kFuzzy;
    } else if (CodeTexts(hit.form) != codes) {
      m.kind = MatchKind::kExactText;
    } else if ((previous != 0 || next != 0) &&
               m.unit.previous_hash() == previous && m.unit.next_hash() == next) {
      m.kind = MatchKind::kContext;
    } else {
      m.kind = MatchKind::kExact;
    }
    found.emplace_back(std::move(m), std::move(hit.form));
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return MatchBefore(a.first, b.first);
  });
  if (query.max_results > 0 &&
      found.size() > static_cast<size_t>(query.max_results)) {
    found.resize(static_cast<size_t>(query.max_results));
  }
  std::vector<Match> matches;
  for (auto& [m, unit_form] : found) {
    m.diff = Diff(form, unit_form);
    matches.push_back(std::move(m));
  }
  for (Match& m : matches) {
    auto target = formats::ParseReadable(m.unit.target());
    if (target.ok()) m.suggestion = Substitute(m.diff, *target);
  }
  return matches;
}

absl::Status MemoryCore::CheckReader(const Principal& caller,
                                     std::string_view target_language) {
  if (caller.IsAdmin()) return absl::OkStatus();
  for (Role r : {Role::kTranslator, Role::kReviewer, Role::kCoordinator}) {
    if (caller.HasRoleFor(r, target_language)) return absl::OkStatus();
  }
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied,
                       "LANGUAGE_NOT_GRANTED",
                       "no translator, reviewer or coordinator grant for the "
                       "target language",
                       {{"language", std::string(target_language)}});
}

absl::StatusOr<std::vector<MemoryUnitRecord>> MemoryCore::Concordance(
    std::string_view source_language, std::string_view target_language,
    std::string_view phrase, bool in_target, int max_results) const {
  const std::string needle = text::FoldCase(
      Prepare({std::string(phrase), {}}, source_language).normalized);
  const uint64_t pair = PairId(source_language, target_language);
  std::vector<MemoryUnitRecord> found;
  absl::Status inner;
  RETURN_IF_ERROR(store_->Scan(
      kMemoryCf, PairPrefix(pair), storage::PrefixSuccessor(PairPrefix(pair)),
      [&](std::string_view key, std::string_view) {
        auto loaded = LoadUnit(TrailingUnit(key));
        if (!loaded.ok()) {
          inner = loaded.status();
          return false;
        }
        if (!loaded->has_value()) return true;
        MemoryUnitRecord& r = (*loaded)->first;
        auto content = formats::ParseReadable(in_target ? r.target() : r.source());
        if (!content.ok()) return true;
        const std::string hay = text::FoldCase(
            Prepare(*content, in_target ? r.target_language()
                                        : r.source_language())
                .normalized);
        if (hay.find(needle) != std::string::npos) found.push_back(std::move(r));
        return true;
      }));
  RETURN_IF_ERROR(inner);
  std::sort(found.begin(), found.end(),
            [](const MemoryUnitRecord& a, const MemoryUnitRecord& b) {
              if (a.update_time_us() != b.update_time_us()) {
                return a.update_time_us() > b.update_time_us();
              }
              return a.unit_id() < b.unit_id();
            });
  if (max_results > 0 && found.size() > static_cast<size_t>(max_results)) {
    found.resize(static_cast<size_t>(max_results));
  }
  return found;
}

}  // namespace tessera::memory
