#include "services/assignment/assignment_core.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/log.h"
#include "common/random.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "services/assignment/assignment_records.pb.h"
#include "services/common/errors.h"
#include "services/translation/translation_records.pb.h"
#include "storage/key_codec.h"
#include "text/language.h"

namespace tessera::assignment {

namespace rec = ::tessera::storage::assignment;
using ::tessera::storage::ColumnFamily;
using ::tessera::storage::KeyBuilder;
using ::tessera::storage::WriteSet;
using translation::Translation;
using translation::TranslationRef;

namespace {

constexpr ColumnFamily kCf = ColumnFamily::kAssignments;

// Key kinds of the assignments column family; see storage/FORMAT.md.
constexpr uint8_t kAssignmentKind = 0x01;
constexpr uint8_t kLeaseKind = 0x02;
constexpr uint8_t kAssignmentIdKind = 0x03;
constexpr uint8_t kSlotKind = 0x04;
constexpr uint8_t kCurrentKind = 0x05;
constexpr uint8_t kRequestKind = 0x06;
constexpr uint8_t kFormat1 = 0x01;
constexpr int kMaxAttempts = 64;

uint64_t Hash64(std::string_view s) {
  // FNV-1a: stable across processes.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string AssignmentKey(uint64_t iid, uint64_t n) {
  return KeyBuilder(kAssignmentKind).U64(iid).U64(n).Build();
}
std::string AssignmentPrefix(uint64_t iid) {
  return KeyBuilder(kAssignmentKind).U64(iid).Build();
}
std::string LeaseKey(uint64_t m) {
  return KeyBuilder(kLeaseKind).U64(m).Build();
}
// Writes lease `m` at version + 1, guarded by `version` (0: must not exist),
// so a lease changes only from the state its writer read.
void PutLease(WriteSet* w, uint64_t m, uint64_t version,
              const rec::LeaseRecord& r) {
  w->ExpectVersion(kCf, LeaseKey(m), version);
  w->Put(kCf, LeaseKey(m),
         storage::EncodeRecord(kFormat1, version + 1, r.SerializeAsString()));
}
std::string AssignmentIdKey(uint64_t n) {
  return KeyBuilder(kAssignmentIdKind).U64(n).Build();
}
std::string SlotKey(uint64_t iid, std::string_view lang, WorkRole role,
                    std::string_view seg) {
  return KeyBuilder(kSlotKind)
      .U64(iid)
      .String(lang)
      .U8(static_cast<uint8_t>(role))
      .String(seg)
      .Build();
}
std::string CurrentPrefix(std::string_view user) {
  return KeyBuilder(kCurrentKind).U64(Hash64(user)).String(user).Build();
}
std::string CurrentKey(std::string_view user, std::string_view lang,
                       WorkRole role) {
  return KeyBuilder(kCurrentKind)
      .U64(Hash64(user))
      .String(user)
      .String(lang)
      .U8(static_cast<uint8_t>(role))
      .Build();
}
std::string RequestKey(std::string_view user, std::string_view request_id) {
  return KeyBuilder(kRequestKind)
      .U64(Hash64(StrCat(user, "|", request_id)))
      .String(user)
      .String(request_id)
      .Build();
}

std::string U64Payload(uint64_t v) {
  std::string out;
  storage::PutFixed64BE(&out, v);
  return out;
}
uint64_t U64FromPayload(std::string_view p) {
  uint64_t v = 0;
  storage::GetFixed64BE(&p, &v);
  return v;
}

std::string IdString(uint64_t n) {
  char buf[17];
  snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(n));
  return buf;
}
bool ParseId(std::string_view id, uint64_t* n) {
  if (id.size() != 16) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return absl::SimpleHexAtoi(ToAbsl(id), n);
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

const Principal& Internal() {
  static const Principal* p = new Principal{"", "", {{Role::kAdmin, {}}}};
  return *p;
}

std::string_view RoleName(WorkRole r) {
  return r == WorkRole::kReview ? "ASSIGNMENT_ROLE_REVIEW"
                                : "ASSIGNMENT_ROLE_TRANSLATE";
}

// ---------------------------------------------------------------------------
// Errors.

absl::Status Precondition(std::string_view reason, std::string_view subject,
                          std::string_view message,
                          const ErrorMetadata& metadata = {}) {
  return PreconditionError(reason, subject, message, metadata);
}

absl::Status Denied(std::string_view reason, std::string_view message,
                    std::string_view language = "") {
  ErrorMetadata md;
  if (!language.empty()) md.push_back({"language", std::string(language)});
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied, reason, message,
                       md);
}

absl::Status Conflict(std::string_view resource, uint64_t requested,
                      uint64_t current) {
  return ErrorWithInfo(
      absl::StatusCode::kAborted, "VERSION_CONFLICT",
      StrCat(resource, " is at version ", current, ", not ", requested),
      {{"current_version", StrCat(current)}});
}

absl::StatusOr<std::string> Canonical(std::string_view field,
                                      std::string_view tag) {
  auto lang = text::CanonicalizeLanguageTag(tag);
  if (!lang.ok()) {
    return BadField(field,
                    StrCat("\"", tag, "\" is not a valid BCP 47 language tag"));
  }
  return *lang;
}

absl::Status CheckTargeted(const statement::Statement& s,
                           std::string_view lang) {
  const auto& t = s.target_languages;
  if (std::find(t.begin(), t.end(), lang) == t.end()) {
    return BadField("language",
                    StrCat("statements/", s.statement_id,
                           " does not target the language ", lang),
                    "LANGUAGE_NOT_TARGETED", {{"language", std::string(lang)}});
  }
  return absl::OkStatus();
}

bool Coordinates(const Principal& p, std::string_view lang) {
  return p.HasRoleFor(Role::kCoordinator, lang);
}

Role UserRoleFor(WorkRole r) {
  return r == WorkRole::kReview ? Role::kReviewer : Role::kTranslator;
}

bool MayWork(const Principal& p, WorkRole r, std::string_view lang) {
  return p.HasRoleFor(UserRoleFor(r), lang) || Coordinates(p, lang);
}

constexpr SegmentState kTranslatableStates[] = {
    SegmentState::kUntranslated, SegmentState::kTranslated,
    SegmentState::kApproved, SegmentState::kRejected,
    SegmentState::kNeedsUpdate};

bool TranslateOpen(SegmentState s) {
  return s == SegmentState::kUntranslated || s == SegmentState::kNeedsUpdate ||
         s == SegmentState::kRejected;
}
bool ReviewOpen(SegmentState s) { return s == SegmentState::kTranslated; }

}  // namespace

// ---------------------------------------------------------------------------
// Internal types.

struct AssignmentCore::Stored {
  uint64_t n = 0;
  uint64_t version = 0;
  rec::AssignmentRecord r;
  std::string id() const { return IdString(n); }
  WorkRole role() const { return static_cast<WorkRole>(r.role()); }
  bool active() const {
    return r.state() == static_cast<int>(AssignmentState::kActive);
  }
};

struct AssignmentCore::StoredLease {
  uint64_t m = 0;
  uint64_t version = 0;
  rec::LeaseRecord r;
  WorkRole role() const { return static_cast<WorkRole>(r.role()); }
  // Active and not yet expired at `now`.
  bool live(absl::Time now) const {
    return r.state() == static_cast<int>(LeaseState::kActive) &&
           FromMicros(r.expire_time_micros()) > now;
  }
};

// What became of one older revision's segments in the current revision.
struct AssignmentCore::Lineage {
  std::vector<std::string> old_ids;  // document order
  std::unordered_map<std::string, int> old_pos;
  // Old id → its id in the current revision; absent: removed.
  std::unordered_map<std::string, std::string> now;
};

// Open work of one (statement, language), by position among the current
// revision's translatable segments in document order.
struct AssignmentCore::LangIndex {
  absl::Mutex mu;
  int revision = 0;
  std::vector<std::string> ids;
  std::vector<int> ordinals;
  std::vector<int64_t> words;
  std::vector<SegmentState> states;
  std::vector<std::string> authors;
  std::vector<std::vector<std::string>> approvers;
  std::unordered_map<std::string, int> pos;
  // Every segment of the revision (translatable or not): id → ordinal, and
  // ids by ordinal - 1.
  std::unordered_map<std::string, int> any_ordinal;
  std::vector<std::string> all_ids;
  std::set<int> open_translate, open_review;
  std::map<std::string, std::set<int>> rejected_by_author;
  // Who holds (or is about to hold) each position, by role, and until when.
  // A hint only: storage decides.
  std::map<int, std::pair<std::string, absl::Time>> held[3];
  // Lineages of older revisions (for scopes written against them), by
  // revision number. Built on first use.
  std::map<int, std::shared_ptr<const Lineage>> lineages;

  void Set(int p, SegmentState s, std::string author,
           std::vector<std::string> appr) {
    if (states[p] == SegmentState::kRejected) {
      auto it = rejected_by_author.find(authors[p]);
      if (it != rejected_by_author.end()) it->second.erase(p);
    }
    states[p] = s;
    authors[p] = std::move(author);
    approvers[p] = std::move(appr);
    if (TranslateOpen(s)) {
      open_translate.insert(p);
    } else {
      open_translate.erase(p);
    }
    if (ReviewOpen(s)) {
      open_review.insert(p);
    } else {
      open_review.erase(p);
    }
    if (s == SegmentState::kRejected) rejected_by_author[authors[p]].insert(p);
  }
  // First position at or after `ordinal`.
  int LowerPos(int ordinal) const {
    return static_cast<int>(
        std::lower_bound(ordinals.begin(), ordinals.end(), ordinal) -
        ordinals.begin());
  }
};

// An assignment's scope as positions of the index: [lo, hi) for whole and
// range scopes, or a sorted list.
struct AssignmentCore::Resolved {
  bool is_set = false;
  int lo = 0, hi = 0;
  std::vector<int> set;
  bool Contains(int p) const {
    if (!is_set) return p >= lo && p < hi;
    return std::binary_search(set.begin(), set.end(), p);
  }
  template <typename Fn>
  void ForEach(Fn fn) const {
    if (is_set) {
      for (int p : set) fn(p);
    } else {
      for (int p = lo; p < hi; ++p) fn(p);
    }
  }
};

// ---------------------------------------------------------------------------

AssignmentCore::AssignmentCore(storage::Store* store,
                               statement::StatementCore* statements,
                               translation::TranslationCore* translations,
                               UserLookup users, Clock* clock,
                               RandomSource* random, AssignmentOptions options)
    : store_(store),
      statements_(statements),
      translations_(translations),
      users_(std::move(users)),
      clock_(clock),
      random_(random),
      options_(options) {
  translations_->SetWorkGuard(this);
}

AssignmentCore::~AssignmentCore() {
  Stop();
  translations_->SetWorkGuard(nullptr);
}

absl::StatusOr<std::shared_ptr<AssignmentCore::LangIndex>>
AssignmentCore::Index(const statement::Statement& s, uint64_t iid,
                      std::string_view language) {
  const auto key = std::make_pair(iid, std::string(language));
  {
    absl::MutexLock lock(&index_mu_);
    auto it = indexes_.find(key);
    if (it != indexes_.end() && it->second->revision == s.current_revision) {
      return it->second;
    }
  }
  // One scan of the current revision and its translations.
  auto index = std::make_shared<LangIndex>();
  index->revision = s.current_revision;
  std::string token;
  do {
    ASSIGN_OR_RETURN(statement::SourceSegmentPage page,
                     statements_->ListSourceSegments(
                         Internal(), s.statement_id, s.current_revision,
                         statement::kMaxSegmentPageSize, token, false));
    for (const auto& seg : page.segments) {
      index->any_ordinal[seg.info.segment_id] = seg.ordinal;
      index->all_ids.push_back(seg.info.segment_id);
      if (!seg.segment.translatable) continue;
      index->pos[seg.info.segment_id] = static_cast<int>(index->ids.size());
      index->ids.push_back(seg.info.segment_id);
      index->ordinals.push_back(seg.ordinal);
      index->words.push_back(seg.info.word_count);
    }
    token = page.next_page_token;
  } while (!token.empty());
  const size_t n = index->ids.size();
  index->states.assign(n, SegmentState::kUntranslated);
  index->authors.assign(n, "");
  index->approvers.assign(n, {});
  for (size_t p = 0; p < n; ++p) {
    index->open_translate.insert(static_cast<int>(p));
  }
  token.clear();
  do {
    ASSIGN_OR_RETURN(
        translation::TranslationPage page,
        translations_->ListSegments(Internal(), s.statement_id, language, {},
                                    translation::kMaxPageSize, token));
    for (const Translation& t : page.translations) {
      auto it = index->pos.find(t.segment_id);
      if (it == index->pos.end()) continue;
      index->Set(it->second, t.state, t.author, t.approvers);
    }
    token = page.next_page_token;
  } while (!token.empty());
  absl::MutexLock lock(&index_mu_);
  auto& slot = indexes_[key];
  // A concurrent build of the same revision may have won; keep one.
  if (slot == nullptr || slot->revision != s.current_revision) slot = index;
  return slot;
}

void AssignmentCore::Committed(const translation::CommittedChange& change) {
  std::shared_ptr<LangIndex> index;
  {
    absl::MutexLock lock(&index_mu_);
    auto it = indexes_.find({change.iid, change.language});
    if (it == indexes_.end()) return;
    index = it->second;
  }
  absl::MutexLock lock(&index->mu);
  auto it = index->pos.find(change.segment_id);
  if (it == index->pos.end()) return;
  index->Set(it->second, change.state, change.author, change.approvers);
}

absl::StatusOr<std::optional<AssignmentCore::Stored>>
AssignmentCore::LoadAssignment(std::string_view id) {
  uint64_t n = 0;
  if (!ParseId(id, &n)) return std::optional<Stored>();
  ASSIGN_OR_RETURN(auto owner, store_->Get(kCf, AssignmentIdKey(n)));
  if (!owner.has_value()) return std::optional<Stored>();
  ASSIGN_OR_RETURN(storage::Record o, storage::DecodeRecord(*owner));
  const uint64_t iid = U64FromPayload(o.payload);
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, AssignmentKey(iid, n)));
  if (!value.has_value()) return std::optional<Stored>();
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  Stored out;
  out.n = n;
  out.version = r.version;
  if (!out.r.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt assignment record");
  }
  return std::optional<Stored>(std::move(out));
}

absl::StatusOr<std::vector<AssignmentCore::Stored>>
AssignmentCore::LoadAssignments(std::string_view statement_id) {
  std::string begin, end;
  if (statement_id.empty()) {
    begin = KeyBuilder(kAssignmentKind).Build();
    end = storage::PrefixSuccessor(begin);
  } else {
    ASSIGN_OR_RETURN(auto loaded,
                     statements_->LoadStatementWithInternalId(statement_id));
    begin = AssignmentPrefix(loaded.second);
    end = storage::PrefixSuccessor(begin);
  }
  std::vector<Stored> out;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(
      kCf, begin, end, [&](std::string_view key, std::string_view value) {
        storage::KeyReader reader(key);
        uint8_t kind;
        uint64_t iid;
        Stored s;
        auto r = storage::DecodeRecord(value);
        if (!reader.Kind(&kind) || !reader.U64(&iid) || !reader.U64(&s.n) ||
            !r.ok() || !s.r.ParseFromString(r->payload)) {
          bad = absl::InternalError("corrupt assignment record");
          return false;
        }
        s.version = r->version;
        out.push_back(std::move(s));
        return true;
      }));
  RETURN_IF_ERROR(bad);
  std::sort(out.begin(), out.end(), [](const Stored& a, const Stored& b) {
    return std::make_pair(a.r.create_time_micros(), a.id()) <
           std::make_pair(b.r.create_time_micros(), b.id());
  });
  return out;
}

absl::StatusOr<std::optional<AssignmentCore::StoredLease>>
AssignmentCore::LoadLease(uint64_t m) {
  ASSIGN_OR_RETURN(auto value, store_->Get(kCf, LeaseKey(m)));
  if (!value.has_value()) return std::optional<StoredLease>();
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  StoredLease out;
  out.m = m;
  out.version = r.version;
  if (!out.r.ParseFromString(r.payload)) {
    return absl::InternalError("corrupt lease record");
  }
  return std::optional<StoredLease>(std::move(out));
}

absl::StatusOr<AssignmentCore::StoredLease> AssignmentCore::FindLease(
    std::string_view lease_id, uint64_t* m) {
  std::optional<StoredLease> lease;
  if (ParseId(lease_id, m)) {
    ASSIGN_OR_RETURN(lease, LoadLease(*m));
  }
  if (!lease) {
    return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND",
                         StrCat("leases/", lease_id, " does not exist"));
  }
  return *std::move(lease);
}

absl::StatusOr<std::shared_ptr<const AssignmentCore::Lineage>>
AssignmentCore::LineageOf(std::string_view statement_id, int from,
                          LangIndex& index) {
  auto it = index.lineages.find(from);
  if (it != index.lineages.end()) return it->second;
  auto l = std::make_shared<Lineage>();
  std::string token;
  do {
    ASSIGN_OR_RETURN(statement::SourceSegmentPage page,
                     statements_->ListSourceSegments(
                         Internal(), statement_id, from,
                         statement::kMaxSegmentPageSize, token, false));
    for (const auto& seg : page.segments) {
      l->old_pos[seg.info.segment_id] = static_cast<int>(l->old_ids.size());
      l->old_ids.push_back(seg.info.segment_id);
      l->now[seg.info.segment_id] = seg.info.segment_id;
    }
    token = page.next_page_token;
  } while (!token.empty());
  // Follow each revision's changes: unchanged segments keep their id, a
  // changed one is followed by its successor, a removed one drops out.
  for (int r = from + 1; r <= index.revision; ++r) {
    ASSIGN_OR_RETURN(
        statement::Revision rev,
        statements_->GetRevision(Internal(), statement_id, r, false));
    std::unordered_map<std::string, std::string> successor;
    for (const auto& c : rev.changes.changed_segments) {
      successor[c.predecessor_segment_id] = c.segment_id;
    }
    std::set<std::string> removed(rev.changes.removed_segment_ids.begin(),
                                  rev.changes.removed_segment_ids.end());
    for (auto e = l->now.begin(); e != l->now.end();) {
      if (removed.count(e->second)) {
        e = l->now.erase(e);
        continue;
      }
      if (auto s = successor.find(e->second); s != successor.end()) {
        e->second = s->second;
      }
      ++e;
    }
  }
  index.lineages[from] = l;
  return std::shared_ptr<const Lineage>(l);
}

// A range's ends as ids of the current revision: a changed end is its
// successor, a removed one moves inwards to the nearest surviving segment;
// nullopt if none survives.
std::optional<std::pair<std::string, std::string>> AssignmentCore::CurrentEnds(
    const Lineage& lineage, const LangIndex& index, const std::string& first,
    const std::string& last) {
  auto f = lineage.old_pos.find(first);
  auto l = lineage.old_pos.find(last);
  if (f == lineage.old_pos.end() || l == lineage.old_pos.end()) {
    return std::nullopt;
  }
  auto surviving = [&](int i) -> const std::string* {
    auto it = lineage.now.find(lineage.old_ids[i]);
    if (it == lineage.now.end() || !index.any_ordinal.count(it->second)) {
      return nullptr;
    }
    return &it->second;
  };
  const std::string* lo = nullptr;
  const std::string* hi = nullptr;
  for (int i = f->second; i <= l->second && lo == nullptr; ++i) {
    lo = surviving(i);
  }
  for (int i = l->second; i >= f->second && hi == nullptr; --i) {
    hi = surviving(i);
  }
  if (lo == nullptr || hi == nullptr) return std::nullopt;
  return std::make_pair(*lo, *hi);
}

absl::StatusOr<AssignmentCore::Resolved> AssignmentCore::Resolve(
    const Stored& a, const LangIndex& index) {
  Resolved out;
  const int n = static_cast<int>(index.ids.size());
  const auto kind = static_cast<Scope::Kind>(a.r.scope_kind());
  std::shared_ptr<const Lineage> lineage;
  if (kind != Scope::Kind::kWholeLanguage && a.r.scope_revision() > 0 &&
      a.r.scope_revision() < index.revision) {
    // Callers hold index.mu; the lineage cache is part of the index.
    ASSIGN_OR_RETURN(lineage,
                     LineageOf(a.r.statement_id(), a.r.scope_revision(),
                               const_cast<LangIndex&>(index)));
  }
  switch (kind) {
    case Scope::Kind::kWholeLanguage:
      out.lo = 0;
      out.hi = n;
      break;
    case Scope::Kind::kRange: {
      if (lineage != nullptr && a.r.segment_ids_size() == 2 &&
          lineage->old_pos.count(a.r.segment_ids(0)) &&
          lineage->old_pos.count(a.r.segment_ids(1))) {
        // An end that changed is replaced by its successor; one that was
        // removed moves inwards to the nearest surviving segment.
        auto ends = CurrentEnds(*lineage, index, a.r.segment_ids(0),
                                a.r.segment_ids(1));
        if (!ends) break;  // nothing survives: empty
        out.lo = index.LowerPos(index.any_ordinal.at(ends->first));
        out.hi = std::max(
            out.lo, index.LowerPos(index.any_ordinal.at(ends->second) + 1));
        break;
      }
      // Ends are ids; one that left the document falls back to the ordinal
      // it had when the scope was written.
      auto ordinal_of = [&](int i, int fallback) {
        if (a.r.segment_ids_size() <= i) return fallback;
        auto it = index.any_ordinal.find(a.r.segment_ids(i));
        return it == index.any_ordinal.end() ? fallback : it->second;
      };
      const int first = ordinal_of(0, a.r.first_ordinal());
      const int last = ordinal_of(1, a.r.last_ordinal());
      out.lo = index.LowerPos(first);
      out.hi = std::max(out.lo, index.LowerPos(last + 1));
      break;
    }
    case Scope::Kind::kSet:
      out.is_set = true;
      for (const auto& id : a.r.segment_ids()) {
        std::string_view now = id;
        if (lineage != nullptr) {
          auto l = lineage->now.find(id);
          if (l == lineage->now.end()) continue;  // removed
          now = l->second;
        }
        auto it = index.pos.find(std::string(now));
        if (it != index.pos.end()) out.set.push_back(it->second);
      }

      std::sort(out.set.begin(), out.set.end());
      // Two old ids may share a successor.
      out.set.erase(std::unique(out.set.begin(), out.set.end()), out.set.end());
      break;
  }
  return out;
}

absl::StatusOr<Assignment> AssignmentCore::View(const Stored& a,
                                                const statement::Statement& s,
                                                const LangIndex* index) {
  Assignment out;
  out.assignment_id = a.id();
  out.statement_id = a.r.statement_id();
  out.language = a.r.language();
  out.role = a.role();
  out.scope.kind = static_cast<Scope::Kind>(a.r.scope_kind());
  out.scope.segment_ids.assign(a.r.segment_ids().begin(),
                               a.r.segment_ids().end());
  if (index != nullptr && out.scope.kind != Scope::Kind::kWholeLanguage &&
      a.r.scope_revision() > 0 && a.r.scope_revision() < index->revision) {
    // Show the scope in the current revision's ids.
    ASSIGN_OR_RETURN(auto lineage,
                     LineageOf(a.r.statement_id(), a.r.scope_revision(),
                               const_cast<LangIndex&>(*index)));
    if (out.scope.kind == Scope::Kind::kSet) {
      std::vector<std::pair<int, std::string>> now;
      for (const auto& id : a.r.segment_ids()) {
        auto l = lineage->now.find(id);
        if (l == lineage->now.end()) continue;
        auto o = index->any_ordinal.find(l->second);
        if (o != index->any_ordinal.end())
          now.emplace_back(o->second, l->second);
      }
      std::sort(now.begin(), now.end());
      now.erase(std::unique(now.begin(), now.end()), now.end());
      out.scope.segment_ids.clear();
      for (auto& [o, id] : now) out.scope.segment_ids.push_back(id);
    } else if (a.r.segment_ids_size() == 2) {
      auto ends =
          CurrentEnds(*lineage, *index, a.r.segment_ids(0), a.r.segment_ids(1));
      if (ends) out.scope.segment_ids = {ends->first, ends->second};
    }
  }
  out.assignee = a.r.assignee();
  if (a.r.deadline_micros() != 0) {
    out.deadline = FromMicros(a.r.deadline_micros());
  }
  out.note = a.r.note();
  out.state = static_cast<AssignmentState>(a.r.state());
  out.effective_deadline = out.deadline ? out.deadline : s.deadline;
  out.creator = a.r.creator();
  out.create_time = FromMicros(a.r.create_time_micros());
  out.update_time = FromMicros(a.r.update_time_micros());
  if (a.r.end_time_micros() != 0) {
    out.end_time = FromMicros(a.r.end_time_micros());
  }
  out.version = a.version;
  std::map<SegmentState, StateCount> counts;
  for (SegmentState st : kTranslatableStates) counts[st].state = st;
  bool complete = true;
  if (index != nullptr) {
    ASSIGN_OR_RETURN(Resolved r, Resolve(a, *index));
    r.ForEach([&](int p) {
      auto& c = counts[index->states[p]];
      ++c.segments;
      c.words += index->words[p];
      ++out.segment_count;
      out.word_count += index->words[p];
      const SegmentState st = index->states[p];
      const bool done = out.role == WorkRole::kReview
                            ? st == SegmentState::kApproved
                            : (st == SegmentState::kTranslated ||
                               st == SegmentState::kApproved);
      if (!done) complete = false;
    });
  }
  out.complete = complete;
  for (auto& [st, c] : counts) out.state_counts.push_back(c);
  out.overdue = out.state == AssignmentState::kActive && !out.complete &&
                out.effective_deadline.has_value() &&
                clock_->Now() > *out.effective_deadline;
  return out;
}

// ---------------------------------------------------------------------------
// Assignments.

absl::Status AssignmentCore::CheckScope(const Stored& candidate,
                                        const statement::Statement& s,
                                        uint64_t iid) {
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(s, iid, candidate.r.language()));
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  absl::MutexLock lock(&index->mu);
  ASSIGN_OR_RETURN(Resolved mine, Resolve(candidate, *index));
  int count = 0;
  mine.ForEach([&](int) { ++count; });
  if (count == 0) {
    return BadField("scope", "has no translatable segment");
  }
  std::vector<PreconditionViolation> violations;
  std::string first_holder;
  for (const Stored& other : all) {
    if (other.n == candidate.n || !other.active() ||
        other.r.language() != candidate.r.language() ||
        other.r.role() != candidate.r.role()) {
      continue;
    }
    ASSIGN_OR_RETURN(Resolved theirs, Resolve(other, *index));
    std::vector<std::string> shared;
    mine.ForEach([&](int p) {
      if (shared.size() < 5 && theirs.Contains(p)) {
        shared.push_back(index->ids[p]);
      }
    });
    if (shared.empty()) continue;
    std::string ids;
    for (const auto& id : shared) StrAppend(&ids, ids.empty() ? "" : ", ", id);
    violations.push_back({"ASSIGNMENT_OVERLAP",
                          StrCat("assignments/", other.id()),
                          StrCat("assigned to users/", other.r.assignee(),
                                 "; shares segments ", ids)});
    if (first_holder.empty()) first_holder = other.r.assignee();
  }
  if (violations.empty()) return absl::OkStatus();
  absl::Status status = ErrorWithInfo(
      absl::StatusCode::kFailedPrecondition, "ASSIGNMENT_OVERLAP",
      StrCat("the scope overlaps ", violations.size(),
             " active assignment(s) for ", RoleName(candidate.role()),
             ", held by users/", first_holder),
      {{"assignee", first_holder}});
  ErrorDetails details = *DetailsOf(status);
  details.preconditions = std::move(violations);
  SetDetails(status, details);
  return status;
}

namespace {

// Validates `scope` against the current revision and fills the record.
absl::Status FillScope(const Scope& scope, statement::StatementCore* statements,
                       const statement::Statement& s,
                       rec::AssignmentRecord* r) {
  r->set_scope_kind(static_cast<int>(scope.kind));
  r->clear_segment_ids();
  r->set_scope_revision(s.current_revision);
  r->set_first_ordinal(0);
  r->set_last_ordinal(0);
  switch (scope.kind) {
    case Scope::Kind::kWholeLanguage:
      return absl::OkStatus();
    case Scope::Kind::kRange: {
      if (scope.segment_ids.size() != 2 || scope.segment_ids[0].empty() ||
          scope.segment_ids[1].empty()) {
        return BadField("scope.range",
                        "first_segment_id and last_segment_id are required");
      }
      int ordinals[2];
      for (int i = 0; i < 2; ++i) {
        auto seg = statements->GetSourceSegment(Internal(), s.statement_id,
                                                scope.segment_ids[i], 0);
        if (!seg.ok()) {
          return BadField(i == 0 ? "scope.range.first_segment_id"
                                 : "scope.range.last_segment_id",
                          StrCat("segment ", scope.segment_ids[i],
                                 " is not in the current revision"));
        }
        ordinals[i] = seg->ordinal;
        r->add_segment_ids(scope.segment_ids[i]);
      }
      if (ordinals[1] < ordinals[0]) {
        return BadField("scope.range.last_segment_id",
                        "comes before first_segment_id in document order");
      }
      r->set_first_ordinal(ordinals[0]);
      r->set_last_ordinal(ordinals[1]);
      return absl::OkStatus();
    }
    case Scope::Kind::kSet: {
      if (scope.segment_ids.empty() ||
          scope.segment_ids.size() > kMaxSetSegments) {
        return BadField("scope.segments.segment_ids",
                        StrCat("must hold 1 to ", kMaxSetSegments, " ids"));
      }
      std::vector<std::pair<int, std::string>> sorted;
      std::set<std::string> seen;
      for (const std::string& id : scope.segment_ids) {
        if (!seen.insert(id).second) {
          return BadField("scope.segments.segment_ids",
                          StrCat("segment ", id, " is listed twice"));
        }
        auto seg =
            statements->GetSourceSegment(Internal(), s.statement_id, id, 0);
        if (!seg.ok()) {
          return BadField(
              "scope.segments.segment_ids",
              StrCat("segment ", id, " is not in the current revision"));
        }
        if (!seg->segment.translatable) {
          return BadField("scope.segments.segment_ids",
                          StrCat("segment ", id, " is not translatable"));
        }
        sorted.emplace_back(seg->ordinal, id);
      }
      std::sort(sorted.begin(), sorted.end());
      for (auto& [o, id] : sorted) r->add_segment_ids(id);
      return absl::OkStatus();
    }
  }
  return BadField("scope", "is required");
}

// Canonical bytes of an Assign request (request_id aside), hashed: a
// request id replays only the request it was first used with.
std::string AssignFingerprint(const AssignParams& p, std::string_view lang) {
  std::string buf;
  auto add = [&](std::string_view v) {
    storage::PutFixed64BE(&buf, v.size());
    buf.append(v.data(), v.size());
  };
  add("assign");
  add(p.statement_id);
  add(lang);
  storage::PutFixed64BE(&buf, static_cast<uint64_t>(p.role));
  storage::PutFixed64BE(&buf, static_cast<uint64_t>(p.scope->kind));
  storage::PutFixed64BE(&buf, p.scope->segment_ids.size());
  for (const auto& id : p.scope->segment_ids) add(id);
  add(p.assignee);
  storage::PutFixed64BE(
      &buf, p.deadline ? static_cast<uint64_t>(Micros(*p.deadline)) : 0);
  add(p.note);
  return Sha256(buf);
}

absl::Status RequestIdReused(std::string_view request_id) {
  return BadField("request_id",
                  StrCat("request_id \"", request_id,
                         "\" was already used with a different request"),
                  "REQUEST_ID_REUSED");
}

// ListAssignments page tokens: base64url of [16-byte query hash][u64 last
// create time micros][last assignment id][8-byte checksum]. Opaque to
// clients; the checksum catches edits.
constexpr std::string_view kTokenSalt = "tessera.assignment.page.v1";

std::string EncodeListToken(std::string_view query_hash, int64_t micros,
                            std::string_view id) {
  std::string payload(query_hash);
  storage::PutFixed64BE(&payload, static_cast<uint64_t>(micros));
  payload.append(id.data(), id.size());
  const std::string sum = Sha256(StrCat(kTokenSalt, payload)).substr(0, 8);
  return Base64UrlEncode(StrCat(payload, sum));
}

absl::StatusOr<std::pair<int64_t, std::string>> DecodeListToken(
    std::string_view token, std::string_view query_hash) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(ToAbsl(token), &raw) ||
      raw.size() < query_hash.size() + 8 + 8 ||
      Sha256(
          StrCat(kTokenSalt, std::string_view(raw).substr(0, raw.size() - 8)))
              .substr(0, 8) != raw.substr(raw.size() - 8)) {
    return BadField("page_token",
                    "does not parse; pass a next_page_token unchanged",
                    "INVALID_TOKEN");
  }
  if (raw.substr(0, query_hash.size()) != query_hash) {
    return BadField("page_token",
                    "belongs to a different query; repeat the other request "
                    "fields unchanged",
                    "INVALID_TOKEN");
  }
  std::string_view rest(raw);
  rest.remove_prefix(query_hash.size());
  uint64_t micros = 0;
  storage::GetFixed64BE(&rest, &micros);
  rest.remove_suffix(8);
  return std::make_pair(static_cast<int64_t>(micros), std::string(rest));
}

absl::Status CheckRequestId(std::string_view id) {
  if (id.size() > 64 || !std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    return BadField("request_id",
                    "must be 1 to 64 characters of [A-Za-z0-9_-]");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Assignment> AssignmentCore::Assign(const Principal& caller,
                                                  const AssignParams& p) {
  RETURN_IF_ERROR(CheckRequestId(p.request_id));
  if (p.role != WorkRole::kTranslate && p.role != WorkRole::kReview) {
    return BadField("role",
                    "must be ASSIGNMENT_ROLE_TRANSLATE or "
                    "ASSIGNMENT_ROLE_REVIEW");
  }
  if (!p.scope.has_value()) return BadField("scope", "is required");
  if (p.assignee.empty()) return BadField("assignee", "is required");
  if (p.note.size() > kMaxNoteBytes || !ValidateUtf8(p.note).ok()) {
    return BadField(
        "note", StrCat("must be UTF-8 of at most ", kMaxNoteBytes, " bytes"));
  }
  if (p.deadline.has_value() && *p.deadline <= clock_->Now()) {
    return BadField("deadline", "must be in the future");
  }
  if (p.statement_id.empty()) return BadField("statement", "is required");
  ASSIGN_OR_RETURN(std::string lang, Canonical("language", p.language));
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(p.statement_id));
  const statement::Statement& s = loaded.first;
  if (!Coordinates(caller, lang)) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  StrCat("assigning work in ", lang, " needs a coordinator"),
                  lang);
  }
  RETURN_IF_ERROR(CheckTargeted(s, lang));
  std::string request_key, fingerprint;
  if (!p.request_id.empty()) {
    request_key = RequestKey(caller.user_id, p.request_id);
    fingerprint = AssignFingerprint(p, lang);
    ASSIGN_OR_RETURN(auto prior, store_->Get(kCf, request_key));
    if (prior.has_value()) {
      return Replay(caller, *prior, p.request_id, fingerprint);
    }
  }
  if (s.state != statement::StatementState::kDraft &&
      s.state != statement::StatementState::kOpen) {
    return Precondition(
        "WRONG_STATE", StrCat("statements/", s.statement_id),
        "work is assigned only while the statement is draft or open");
  }
  Stored a;
  a.r.set_statement_id(s.statement_id);
  a.r.set_statement_iid(loaded.second);
  a.r.set_language(lang);
  a.r.set_role(static_cast<int>(p.role));
  a.r.set_assignee(p.assignee);
  if (p.deadline) a.r.set_deadline_micros(Micros(*p.deadline));
  a.r.set_note(p.note);
  a.r.set_state(static_cast<int>(AssignmentState::kActive));
  a.r.set_creator(caller.user_id);
  const absl::Time now = clock_->Now();
  a.r.set_create_time_micros(Micros(now));
  a.r.set_update_time_micros(Micros(now));
  RETURN_IF_ERROR(FillScope(*p.scope, statements_, s, &a.r));
  return WriteAssignment(caller, std::nullopt, std::move(a),
                         "assignment.created", request_key, p.request_id,
                         fingerprint);
}

absl::StatusOr<Assignment> AssignmentCore::WriteAssignment(
    const Principal& caller, std::optional<Stored> before, Stored after,
    std::string_view event, std::string_view request_key,
    std::string_view request_id, std::string_view fingerprint) {
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    after.r.statement_id()));
  const statement::Statement& s = loaded.first;
  // The assignee must hold the role's user role in the language.
  if (!before || before->r.assignee() != after.r.assignee()) {
    auto grants = users_(after.r.assignee());
    if (!grants.ok()) {
      if (absl::IsNotFound(grants.status())) {
        return ErrorWithInfo(
            absl::StatusCode::kNotFound, "NOT_FOUND",
            StrCat("users/", after.r.assignee(), " does not exist"));
      }
      return grants.status();
    }
    Principal assignee{after.r.assignee(), "", *grants};
    if (!assignee.HasRoleFor(UserRoleFor(after.role()), after.r.language())) {
      return Precondition(
          "ASSIGNEE_ROLE", StrCat("users/", after.r.assignee()),
          StrCat("lacks the ", RoleName(UserRoleFor(after.role())), " role in ",
                 after.r.language()));
    }
  }
  for (int attempt = 0;; ++attempt) {
    if (before) {
      after.n = before->n;
    } else {
      ASSIGN_OR_RETURN(std::string bytes, random_->Bytes(8));
      std::string_view view(bytes);
      storage::GetFixed64BE(&view, &after.n);
    }
    RETURN_IF_ERROR(CheckScope(after, s, loaded.second));
    WriteSet w;
    const std::string key = AssignmentKey(loaded.second, after.n);
    const uint64_t version = before ? before->version : 0;
    w.ExpectVersion(kCf, key, version);
    w.Put(kCf, key,
          storage::EncodeRecord(kFormat1, version + 1,
                                after.r.SerializeAsString()));
    if (!before) {
      w.ExpectVersion(kCf, AssignmentIdKey(after.n), 0);
      w.Put(kCf, AssignmentIdKey(after.n),
            storage::EncodeRecord(kFormat1, 1, U64Payload(loaded.second)));
    }
    if (!request_key.empty()) {
      w.ExpectVersion(kCf, request_key, 0);
      w.Put(kCf, request_key,
            storage::EncodeRecord(kFormat1, 1,
                                  StrCat(U64Payload(after.n), fingerprint)));
    }
    // Overlap is decided on what CheckScope read: guard every other active
    // assignment of the same statement, language and role.
    ASSIGN_OR_RETURN(std::vector<Stored> others,
                     LoadAssignments(s.statement_id));
    for (const Stored& o : others) {
      if (o.n != after.n && o.active() &&
          o.r.language() == after.r.language() &&
          o.r.role() == after.r.role()) {
        w.ExpectVersion(kCf, AssignmentKey(loaded.second, o.n), o.version);
      }
    }
    w.AppendEvent(event, StrCat("assignments/", after.id(), " by users/",
                                caller.user_id));
    auto committed = store_->Commit(std::move(w));
    if (!committed.ok()) {
      if (!absl::IsAborted(committed.status()) || attempt + 1 >= kMaxAttempts) {
        return committed.status();
      }
      if (before) {
        ASSIGN_OR_RETURN(auto now, LoadAssignment(before->id()));
        if (!now || now->version != before->version) {
          return Conflict(StrCat("assignments/", before->id()), before->version,
                          now ? now->version : 0);
        }
      }
      if (!request_key.empty()) {
        ASSIGN_OR_RETURN(auto prior,
                         store_->Get(kCf, std::string(request_key)));
        if (prior.has_value()) {
          return Replay(caller, *prior, request_id, fingerprint);
        }
      }
      continue;
    }
    after.version = version + 1;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(s, loaded.second, after.r.language()));
    absl::MutexLock lock(&index->mu);
    return View(after, s, index.get());
  }
}

absl::StatusOr<Assignment> AssignmentCore::Replay(
    const Principal& caller, std::string_view prior_value,
    std::string_view request_id, std::string_view fingerprint) {
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(prior_value));
  // Payload: the assignment id, then the request's fingerprint.
  if (r.payload.size() < 8 || r.payload.substr(8) != fingerprint) {
    return RequestIdReused(request_id);
  }
  return GetAssignment(caller, IdString(U64FromPayload(r.payload)));
}

absl::StatusOr<Assignment> AssignmentCore::GetAssignment(
    const Principal& caller, std::string_view assignment_id) {
  ASSIGN_OR_RETURN(auto a, LoadAssignment(assignment_id));
  if (!a) {
    return ErrorWithInfo(
        absl::StatusCode::kNotFound, "NOT_FOUND",
        StrCat("assignments/", assignment_id, " does not exist"));
  }
  if (a->r.assignee() != caller.user_id &&
      !Coordinates(caller, a->r.language())) {
    return Denied("ROLE_DENIED",
                  "translators and reviewers see only their own assignments",
                  a->r.language());
  }
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    a->r.statement_id()));
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(loaded.first, loaded.second, a->r.language()));
  absl::MutexLock lock(&index->mu);
  return View(*a, loaded.first, index.get());
}

absl::StatusOr<Assignment> AssignmentCore::UpdateAssignment(
    const Principal& caller, std::string_view assignment_id, uint64_t version,
    const AssignmentUpdate& update) {
  if (!update.assignee && !update.deadline && !update.scope && !update.note) {
    return BadField("update_mask", "names no field to change");
  }
  ASSIGN_OR_RETURN(auto a, LoadAssignment(assignment_id));
  if (!a) {
    return ErrorWithInfo(
        absl::StatusCode::kNotFound, "NOT_FOUND",
        StrCat("assignments/", assignment_id, " does not exist"));
  }
  const std::string name = StrCat("assignments/", a->id());
  if (!Coordinates(caller, a->r.language())) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  "changing an assignment needs a coordinator",
                  a->r.language());
  }
  if (version != 0 && version != a->version) {
    return Conflict(name, version, a->version);
  }
  if (!a->active()) {
    return Precondition("WRONG_STATE", name, "the assignment has ended");
  }
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    a->r.statement_id()));
  Stored after = *a;
  if (update.assignee) {
    if (update.assignee->empty()) return BadField("assignee", "is required");
    after.r.set_assignee(*update.assignee);
  }
  if (update.deadline) {
    if (update.deadline->has_value() && **update.deadline <= clock_->Now()) {
      return BadField("deadline", "must be in the future");
    }
    after.r.set_deadline_micros(
        update.deadline->has_value() ? Micros(**update.deadline) : 0);
    after.r.set_overdue_raised(false);
  }
  if (update.note) {
    if (update.note->size() > kMaxNoteBytes ||
        !ValidateUtf8(*update.note).ok()) {
      return BadField(
          "note", StrCat("must be UTF-8 of at most ", kMaxNoteBytes, " bytes"));
    }
    after.r.set_note(*update.note);
  }
  if (update.scope) {
    RETURN_IF_ERROR(
        FillScope(*update.scope, statements_, loaded.first, &after.r));
  }
  after.r.set_update_time_micros(Micros(clock_->Now()));
  ASSIGN_OR_RETURN(
      Assignment out,
      WriteAssignment(caller, *a, after, "assignment.updated", "", "", ""));
  // Leases the previous assignee took through this assignment end where the
  // segment left it (or all of them when the assignee changed).
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(loaded.first, loaded.second, a->r.language()));
  std::set<int> keep;
  if (a->r.assignee() == after.r.assignee()) {
    after.version = out.version;
    absl::MutexLock lock(&index->mu);
    ASSIGN_OR_RETURN(Resolved r, Resolve(after, *index));
    r.ForEach([&](int p) { keep.insert(p); });
  }
  RETURN_IF_ERROR(EndLeasesOf(*a, &keep, index.get()));
  return out;
}

absl::StatusOr<Assignment> AssignmentCore::Unassign(
    const Principal& caller, std::string_view assignment_id, uint64_t version) {
  ASSIGN_OR_RETURN(auto a, LoadAssignment(assignment_id));
  if (!a) {
    return ErrorWithInfo(
        absl::StatusCode::kNotFound, "NOT_FOUND",
        StrCat("assignments/", assignment_id, " does not exist"));
  }
  const std::string name = StrCat("assignments/", a->id());
  if (!Coordinates(caller, a->r.language())) {
    return Denied("LANGUAGE_NOT_GRANTED", "unassigning needs a coordinator",
                  a->r.language());
  }
  if (version != a->version) return Conflict(name, version, a->version);
  if (!a->active()) {
    return Precondition("WRONG_STATE", name, "the assignment already ended");
  }
  ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                    a->r.statement_id()));
  Stored after = *a;
  const absl::Time now = clock_->Now();
  after.r.set_state(static_cast<int>(AssignmentState::kEnded));
  after.r.set_update_time_micros(Micros(now));
  after.r.set_end_time_micros(Micros(now));
  WriteSet w;
  const std::string key = AssignmentKey(loaded.second, a->n);
  w.ExpectVersion(kCf, key, a->version);
  w.Put(kCf, key,
        storage::EncodeRecord(kFormat1, a->version + 1,
                              after.r.SerializeAsString()));
  w.AppendEvent("assignment.ended", StrCat(name, " by users/", caller.user_id));
  auto committed = store_->Commit(std::move(w));
  if (!committed.ok()) {
    if (absl::IsAborted(committed.status())) {
      ASSIGN_OR_RETURN(auto cur, LoadAssignment(a->id()));
      return Conflict(name, version, cur ? cur->version : 0);
    }
    return committed.status();
  }
  after.version = a->version + 1;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(loaded.first, loaded.second, a->r.language()));
  RETURN_IF_ERROR(EndLeasesOf(*a, nullptr, index.get()));
  absl::MutexLock lock(&index->mu);
  return View(after, loaded.first, index.get());
}

absl::Status AssignmentCore::EndLeasesOf(const Stored& a,
                                         const std::set<int>* keep,
                                         const LangIndex* index) {
  ASSIGN_OR_RETURN(auto current,
                   CurrentLease(a.r.assignee(), a.r.language(), a.role()));
  if (!current || !current->live(clock_->Now()) ||
      current->r.assignment() != a.id()) {
    return absl::OkStatus();
  }
  if (keep != nullptr) {
    auto it = index->pos.find(current->r.segment_id());
    if (it != index->pos.end() && keep->count(it->second)) {
      return absl::OkStatus();
    }
  }
  return EndLease(*current, LeaseState::kReleased);
}

absl::StatusOr<AssignmentPage> AssignmentCore::ListAssignments(
    const Principal& caller, const AssignmentQuery& q, int page_size,
    std::string_view page_token) {
  if (page_size < 0) return BadField("page_size", "must not be negative");
  const int size = page_size == 0 ? kDefaultAssignmentPageSize
                                  : std::min(page_size, kMaxAssignmentPageSize);
  std::string lang;
  if (!q.language.empty()) {
    ASSIGN_OR_RETURN(lang, Canonical("language", q.language));
  }
  std::vector<AssignmentState> states = q.states;
  if (states.empty()) states.push_back(AssignmentState::kActive);
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  // The token binds the query (and the caller, whose grants filter it) and
  // names the last item returned, so a page resumes after it even when
  // earlier assignments were added or ended meanwhile.
  std::string query = StrCat(
      "list-assignments|", caller.user_id, "|", q.statement_id, "|", lang, "|",
      q.assignee, "|", static_cast<int>(q.role), "|", q.overdue_only ? 1 : 0);
  for (AssignmentState st : states)
    StrAppend(&query, "|", static_cast<int>(st));
  const std::string query_hash = Sha256(query).substr(0, 16);
  std::optional<std::pair<int64_t, std::string>> after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, DecodeListToken(page_token, query_hash));
  }
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(q.statement_id));
  AssignmentPage page;
  std::map<std::string, std::pair<statement::Statement, uint64_t>> statements;
  for (const Stored& a : all) {
    if (after && std::make_pair(a.r.create_time_micros(), a.id()) <= *after) {
      continue;
    }
    if (!lang.empty() && a.r.language() != lang) continue;
    if (q.role != WorkRole::kUnspecified && a.role() != q.role) continue;
    if (!q.assignee.empty() && a.r.assignee() != q.assignee) continue;
    if (std::find(states.begin(), states.end(),
                  static_cast<AssignmentState>(a.r.state())) == states.end()) {
      continue;
    }
    // Translators and reviewers see only their own.
    if (a.r.assignee() != caller.user_id &&
        !Coordinates(caller, a.r.language())) {
      continue;
    }
    auto it = statements.find(a.r.statement_id());
    if (it == statements.end()) {
      auto loaded =
          statements_->LoadStatementWithInternalId(a.r.statement_id());
      if (!loaded.ok()) continue;
      it = statements.emplace(a.r.statement_id(), *loaded).first;
    }
    ASSIGN_OR_RETURN(
        std::shared_ptr<LangIndex> index,
        Index(it->second.first, it->second.second, a.r.language()));
    Assignment v;
    {
      absl::MutexLock lock(&index->mu);
      ASSIGN_OR_RETURN(v, View(a, it->second.first, index.get()));
    }
    if (q.overdue_only && !v.overdue) continue;
    if (static_cast<int>(page.assignments.size()) >= size) {
      const Assignment& last = page.assignments.back();
      page.next_page_token = EncodeListToken(
          query_hash, Micros(last.create_time), last.assignment_id);
      break;
    }
    page.assignments.push_back(std::move(v));
  }
  return page;
}

// ---------------------------------------------------------------------------
// Leases.

namespace {

Lease LeaseView(uint64_t m, uint64_t version, const rec::LeaseRecord& r,
                absl::Time now) {
  Lease l;
  l.lease_id = IdString(m);
  l.statement_id = r.statement_id();
  l.language = r.language();
  l.segment_id = r.segment_id();
  l.role = static_cast<WorkRole>(r.role());
  l.holder = r.holder();
  l.assignment = r.assignment();
  l.state = static_cast<LeaseState>(r.state());
  l.create_time = FromMicros(r.create_time_micros());
  l.expire_time = FromMicros(r.expire_time_micros());
  if (r.end_time_micros() != 0) l.end_time = FromMicros(r.end_time_micros());
  if (l.state == LeaseState::kActive && l.expire_time <= now) {
    l.state = LeaseState::kExpired;
    l.end_time = l.expire_time;
  }
  l.version = version;
  return l;
}

}  // namespace

absl::StatusOr<std::optional<AssignmentCore::StoredLease>>
AssignmentCore::CurrentLease(std::string_view user, std::string_view language,
                             WorkRole role) {
  ASSIGN_OR_RETURN(auto value,
                   store_->Get(kCf, CurrentKey(user, language, role)));
  if (!value.has_value()) return std::optional<StoredLease>();
  ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*value));
  const uint64_t m = U64FromPayload(r.payload);
  if (m == 0) return std::optional<StoredLease>();
  return LoadLease(m);
}

void AssignmentCore::ForgetHeld(const rec::LeaseRecord& r) {
  std::shared_ptr<LangIndex> index;
  {
    absl::MutexLock lock(&index_mu_);
    auto it = indexes_.find({r.statement_iid(), r.language()});
    if (it != indexes_.end()) index = it->second;
  }
  if (!index) return;
  absl::MutexLock lock(&index->mu);
  auto p = index->pos.find(r.segment_id());
  if (p == index->pos.end()) return;
  auto& held = index->held[r.role()];
  auto h = held.find(p->second);
  if (h != held.end() && h->second.first == r.holder()) held.erase(h);
}

absl::Status AssignmentCore::EndLease(const StoredLease& lease, LeaseState to) {
  rec::LeaseRecord r = lease.r;
  r.set_state(static_cast<int>(to));
  r.set_end_time_micros(Micros(clock_->Now()));
  WriteSet w;
  PutLease(&w, lease.m, lease.version, r);
  auto committed = store_->Commit(std::move(w));
  if (!committed.ok()) return committed.status();
  ForgetHeld(r);
  return absl::OkStatus();
}

absl::StatusOr<Lease> AssignmentCore::RenewLease(const Principal& caller,
                                                 std::string_view lease_id,
                                                 uint64_t version) {
  uint64_t m = 0;
  const std::string name = StrCat("leases/", lease_id);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(StoredLease lease, FindLease(lease_id, &m));
    if (lease.r.holder() != caller.user_id) {
      return Denied("ROLE_DENIED", "only the holder may renew a lease",
                    lease.r.language());
    }
    if (version != 0 && version != lease.version) {
      return Conflict(name, version, lease.version);
    }
    const absl::Time now = clock_->Now();
    if (!lease.live(now)) {
      return Precondition("WRONG_STATE", name,
                          "the lease has expired or ended; claim again");
    }
    rec::LeaseRecord r = lease.r;
    r.set_expire_time_micros(Micros(now + options_.lease_ttl));
    WriteSet w;
    PutLease(&w, m, lease.version, r);
    auto committed = store_->Commit(std::move(w));
    if (!committed.ok()) {
      if (absl::IsAborted(committed.status()) && attempt + 1 < kMaxAttempts) {
        continue;
      }
      return committed.status();
    }
    return LeaseView(m, lease.version + 1, r, now);
  }
}

absl::StatusOr<Lease> AssignmentCore::ReleaseLease(const Principal& caller,
                                                   std::string_view lease_id,
                                                   uint64_t version) {
  uint64_t m = 0;
  const std::string name = StrCat("leases/", lease_id);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(StoredLease lease, FindLease(lease_id, &m));
    if (lease.r.holder() != caller.user_id &&
        !Coordinates(caller, lease.r.language())) {
      return Denied("ROLE_DENIED",
                    "only the holder or a coordinator may release a lease",
                    lease.r.language());
    }
    if (version != 0 && version != lease.version) {
      return Conflict(name, version, lease.version);
    }
    const absl::Time now = clock_->Now();
    if (!lease.live(now)) return LeaseView(m, lease.version, lease.r, now);
    absl::Status s = EndLease(lease, LeaseState::kReleased);
    if (absl::IsAborted(s) && attempt + 1 < kMaxAttempts) continue;
    RETURN_IF_ERROR(s);
    ASSIGN_OR_RETURN(lease, FindLease(lease_id, &m));
    return LeaseView(m, lease.version, lease.r, now);
  }
}

// Claims position `p` for `caller`: one commit guarded by the segment's
// slot, the translation record as read, the caller's current-lease pointer
// and (for assigned work) the assignment. Returns nullopt when the segment
// is not claimable after all; `lost` is set when a commit lost a race.
absl::StatusOr<std::optional<Lease>> AssignmentCore::ClaimSegment(
    const Principal& caller, const statement::Statement& s, uint64_t iid,
    std::string_view language, WorkRole role, LangIndex& index, int p,
    std::string_view assignment_id, bool* lost) {
  const absl::Time now = clock_->Now();
  const std::string seg = index.ids[p];
  const std::string slot_key = SlotKey(iid, language, role, seg);
  ASSIGN_OR_RETURN(auto slot_value, store_->Get(kCf, slot_key));
  uint64_t slot_version = 0;
  if (slot_value.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*slot_value));
    slot_version = r.version;
    rec::SlotRecord slot;
    if (!slot.ParseFromString(r.payload)) {
      return absl::InternalError("corrupt lease slot");
    }
    ASSIGN_OR_RETURN(auto held, LoadLease(slot.lease_id()));
    if (held && held->live(now)) {
      absl::MutexLock lock(&index.mu);
      index.held[static_cast<int>(role)][p] = {
          held->r.holder(), FromMicros(held->r.expire_time_micros())};
      return std::optional<Lease>();
    }
  }
  // The translation as stored (absent: untranslated, version 0 in storage).
  const std::string tkey =
      translation::TranslationRecordKey(iid, language, seg);
  ASSIGN_OR_RETURN(auto tvalue, store_->Get(ColumnFamily::kTranslations, tkey));
  uint64_t tversion = 0;
  SegmentState state = SegmentState::kUntranslated;
  std::string author;
  std::vector<std::string> approvers;
  if (tvalue.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*tvalue));
    tversion = r.version;
    storage::translation::TranslationRecord t;
    if (!t.ParseFromString(r.payload)) {
      return absl::InternalError("corrupt translation record");
    }
    state = static_cast<SegmentState>(t.state());
    author = t.author();
    approvers.assign(t.approvers().begin(), t.approvers().end());
  }
  const bool open = role == WorkRole::kTranslate
                        ? TranslateOpen(state)
                        : ReviewOpen(state) && author != caller.user_id &&
                              std::find(approvers.begin(), approvers.end(),
                                        caller.user_id) == approvers.end();
  if (!open) {
    absl::MutexLock lock(&index.mu);
    index.Set(p, state, author, approvers);
    return std::optional<Lease>();
  }
  ASSIGN_OR_RETURN(std::string bytes, random_->Bytes(8));
  std::string_view view(bytes);
  uint64_t m = 0;
  storage::GetFixed64BE(&view, &m);
  rec::LeaseRecord lr;
  lr.set_statement_id(s.statement_id);
  lr.set_statement_iid(iid);
  lr.set_language(std::string(language));
  lr.set_role(static_cast<int>(role));
  lr.set_segment_id(seg);
  lr.set_holder(caller.user_id);
  lr.set_assignment(std::string(assignment_id));
  lr.set_state(static_cast<int>(LeaseState::kActive));
  lr.set_create_time_micros(Micros(now));
  lr.set_expire_time_micros(Micros(now + options_.lease_ttl));
  rec::SlotRecord slot;
  slot.set_lease_id(m);
  slot.set_holder(caller.user_id);

  WriteSet w;
  w.ExpectVersion(kCf, slot_key, slot_version);
  w.Put(kCf, slot_key,
        storage::EncodeRecord(kFormat1, slot_version + 1,
                              slot.SerializeAsString()));
  w.ExpectVersion(ColumnFamily::kTranslations, tkey, tversion);
  PutLease(&w, m, 0, lr);
  // One lease per caller, language and role: the previous one ends here.
  const std::string current_key = CurrentKey(caller.user_id, language, role);
  ASSIGN_OR_RETURN(auto cur_value, store_->Get(kCf, current_key));
  uint64_t cur_version = 0;
  std::optional<rec::LeaseRecord> previous;
  if (cur_value.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*cur_value));
    cur_version = r.version;
    ASSIGN_OR_RETURN(auto prev, LoadLease(U64FromPayload(r.payload)));
    if (prev && prev->r.state() == static_cast<int>(LeaseState::kActive)) {
      rec::LeaseRecord ended = prev->r;
      // Done work completes; anything else is given back.
      bool done = false;
      if (auto pi = index.pos.find(prev->r.segment_id());
          prev->r.statement_iid() == iid && pi != index.pos.end()) {
        absl::MutexLock lock(&index.mu);
        const SegmentState st = index.states[pi->second];
        done = prev->role() == WorkRole::kTranslate
                   ? !TranslateOpen(st)
                   : !ReviewOpen(st) ||
                         std::find(index.approvers[pi->second].begin(),
                                   index.approvers[pi->second].end(),
                                   caller.user_id) !=
                             index.approvers[pi->second].end();
      }
      const bool expired = !prev->live(now);
      ended.set_state(static_cast<int>(expired ? LeaseState::kExpired
                                       : done  ? LeaseState::kCompleted
                                               : LeaseState::kReleased));
      ended.set_end_time_micros(expired ? prev->r.expire_time_micros()
                                        : Micros(now));
      previous = prev->r;
      PutLease(&w, prev->m, prev->version, ended);
    }
  }
  w.ExpectVersion(kCf, current_key, cur_version);
  w.Put(kCf, current_key,
        storage::EncodeRecord(kFormat1, cur_version + 1, U64Payload(m)));
  {
    // Other claimers in this process skip the segment from now on.
    absl::MutexLock lock(&index.mu);
    index.held[static_cast<int>(role)][p] = {caller.user_id,
                                             now + options_.lease_ttl};
  }
  auto committed = store_->Commit(std::move(w));
  if (!committed.ok()) {
    {
      absl::MutexLock lock(&index.mu);
      auto& held = index.held[static_cast<int>(role)];
      auto h = held.find(p);
      if (h != held.end() && h->second.first == caller.user_id) held.erase(h);
    }
    if (absl::IsAborted(committed.status())) {
      *lost = true;
      return std::optional<Lease>();
    }
    return committed.status();
  }
  if (previous && previous->segment_id() != seg) ForgetHeld(*previous);
  return std::optional<Lease>(LeaseView(m, 1, lr, now));
}

absl::StatusOr<ClaimResult> AssignmentCore::Describe(
    const statement::Statement& s, uint64_t iid, const Lease& lease,
    ClaimReason reason, int context_size) {
  ClaimResult out;
  out.lease = lease;
  out.reason = reason;
  ASSIGN_OR_RETURN(out.translation,
                   translations_->LoadTranslation(
                       {s.statement_id, lease.language, lease.segment_id}));
  const int ordinal = out.translation.source.ordinal;
  // Neighbours in the current revision's document order, translatable or
  // not, located through the index rather than the whole document.
  std::vector<std::string> before, after;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                   Index(s, iid, lease.language));
  {
    const auto& all = index->all_ids;
    const int at = ordinal - 1;
    for (int i = std::max(0, at - context_size); i < at; ++i) {
      before.push_back(all[i]);
    }
    for (int i = at + 1;
         i < static_cast<int>(all.size()) && i <= at + context_size; ++i) {
      after.push_back(all[i]);
    }
  }
  for (const auto& id : before) {
    ASSIGN_OR_RETURN(Translation t, translations_->LoadTranslation(
                                        {s.statement_id, lease.language, id}));
    out.context_before.push_back(std::move(t));
  }
  for (const auto& id : after) {
    ASSIGN_OR_RETURN(Translation t, translations_->LoadTranslation(
                                        {s.statement_id, lease.language, id}));
    out.context_after.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::optional<ClaimResult>> AssignmentCore::TryClaim(
    const Principal& caller, const statement::Statement& s, uint64_t iid,
    const ClaimParams& params, int step) {
  const std::string& lang = params.language;
  const WorkRole role = params.role;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index, Index(s, iid, lang));
  std::set<std::string> excluded;
  for (const auto& r : params.exclude) {
    if (r.statement_id == s.statement_id) excluded.insert(r.segment_id);
  }
  // Scopes of this statement's active assignments for the role.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  std::vector<std::pair<const Stored*, Resolved>> others, own;
  bool whole_taken = false;
  {
    absl::MutexLock lock(&index->mu);
    for (const Stored& a : all) {
      if (!a.active() || a.r.language() != lang || a.role() != role) continue;
      ASSIGN_OR_RETURN(Resolved r, Resolve(a, *index));
      if (a.r.assignee() == caller.user_id) {
        own.emplace_back(&a, std::move(r));
      } else {
        if (static_cast<Scope::Kind>(a.r.scope_kind()) ==
            Scope::Kind::kWholeLanguage) {
          whole_taken = true;
        }
        others.emplace_back(&a, std::move(r));
      }
    }
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const absl::Time now = clock_->Now();
    // Picks the first claimable position of `candidates` in order.
    int picked = -1;
    std::string assignment;
    ClaimReason reason = ClaimReason::kOpenPool;
    {
      absl::MutexLock lock(&index->mu);
      auto& held = index->held[static_cast<int>(role)];
      auto free_for_me = [&](int p) {
        if (excluded.count(index->ids[p])) return false;
        auto h = held.find(p);
        if (h != held.end() && h->second.second > now &&
            h->second.first != caller.user_id) {
          return false;
        }
        if (role == WorkRole::kReview) {
          if (index->authors[p] == caller.user_id) return false;
          const auto& ap = index->approvers[p];
          if (std::find(ap.begin(), ap.end(), caller.user_id) != ap.end()) {
            return false;
          }
        }
        return true;
      };
      const std::set<int>& open = role == WorkRole::kTranslate
                                      ? index->open_translate
                                      : index->open_review;
      auto covering = [&](int p) -> std::string {
        for (const auto& [a, r] : own) {
          if (r.Contains(p)) return a->id();
        }
        return "";
      };
      if (step == 2) {
        auto it = index->rejected_by_author.find(caller.user_id);
        if (it != index->rejected_by_author.end()) {
          for (int p : it->second) {
            if (free_for_me(p)) {
              picked = p;
              break;
            }
          }
        }
        reason = ClaimReason::kReturned;
        if (picked >= 0) assignment = covering(picked);
      } else if (step == 3) {
        reason = ClaimReason::kAssigned;
        for (const auto& [a, r] : own) {
          if (r.is_set) {
            for (int p : r.set) {
              if (open.count(p) && free_for_me(p)) {
                picked = p;
                break;
              }
            }
          } else {
            for (auto it = open.lower_bound(r.lo);
                 it != open.end() && *it < r.hi; ++it) {
              if (free_for_me(*it)) {
                picked = *it;
                break;
              }
            }
          }
          if (picked >= 0) {
            assignment = a->id();
            break;
          }
        }
      } else if (step == 4 && !whole_taken) {
        reason = ClaimReason::kOpenPool;
        for (auto it = open.begin(); it != open.end();) {
          const int p = *it;
          // Skip past any other assignee's range in one step.
          int skip_to = -1;
          bool covered = false;
          for (const auto& [a, r] : others) {
            if (r.Contains(p)) {
              covered = true;
              if (!r.is_set) skip_to = std::max(skip_to, r.hi);
            }
          }
          for (const auto& [a, r] : own) {
            if (r.Contains(p)) covered = true;
          }
          if (covered) {
            it = skip_to > p ? open.lower_bound(skip_to) : std::next(it);
            continue;
          }
          if (role == WorkRole::kTranslate &&
              index->states[p] == SegmentState::kRejected &&
              index->authors[p] != caller.user_id) {
            ++it;
            continue;
          }
          if (free_for_me(p)) {
            picked = p;
            break;
          }
          ++it;
        }
      }
    }
    if (picked < 0) return std::optional<ClaimResult>();
    bool lost = false;
    ASSIGN_OR_RETURN(auto lease,
                     ClaimSegment(caller, s, iid, lang, role, *index, picked,
                                  assignment, &lost));
    if (lease) {
      ASSIGN_OR_RETURN(
          ClaimResult out,
          Describe(s, iid, *lease, reason,
                   params.context_size == 0 ? 2 : params.context_size));
      return std::optional<ClaimResult>(std::move(out));
    }
    // Not claimable after all (the index learnt why) or a lost race: the
    // next attempt picks again.
  }
  return ErrorWithInfo(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                       "too many concurrent claims; try again");
}

absl::StatusOr<std::shared_ptr<const AssignmentCore::OpenList>>
AssignmentCore::OpenStatements(const std::string& lang) {
  // Every change of a statement's state, deadline, languages, open claiming
  // or revision commits a "statement." feed event, so the list stays valid
  // while the feed since it was built holds none.
  const uint64_t last = store_->LastVisibleFeedSeq();
  std::shared_ptr<const OpenList> cached;
  uint64_t stamp = 0;
  {
    absl::MutexLock lock(&open_mu_);
    auto it = open_lists_.find(lang);
    if (it != open_lists_.end()) {
      cached = it->second.list;
      stamp = it->second.seq;
    }
  }
  if (cached != nullptr) {
    if (stamp >= last) return cached;
    constexpr size_t kMaxFeedLook = 512;
    ASSIGN_OR_RETURN(std::vector<storage::FeedEvent> events,
                     store_->ReadFeed(stamp, kMaxFeedLook));
    bool changed = events.size() >= kMaxFeedLook;
    uint64_t seen = stamp;
    for (const auto& e : events) {
      if (absl::StartsWith(e.type, "statement.")) changed = true;
      seen = std::max(seen, e.seq);
    }
    if (!changed && seen >= last) {
      absl::MutexLock lock(&open_mu_);
      auto& entry = open_lists_[lang];
      if (entry.list == cached) entry.seq = std::max(entry.seq, seen);
      return cached;
    }
  }
  auto list = std::make_shared<OpenList>();
  statement::ListStatementsQuery q;
  q.states = {statement::StatementState::kOpen};
  q.languages = {lang};
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        auto page, statements_->ListStatements(
                       Internal(), q, statement::kMaxStatementPageSize, token));
    for (auto& st : page.statements) {
      ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                        st.statement_id));
      list->push_back(std::move(loaded));
    }
    token = page.next_page_token;
  } while (!token.empty());
  std::stable_sort(
      list->begin(), list->end(), [](const auto& a, const auto& b) {
        const absl::Time da = a.first.deadline.value_or(absl::InfiniteFuture());
        const absl::Time db = b.first.deadline.value_or(absl::InfiniteFuture());
        if (da != db) return da < db;
        return a.first.create_time < b.first.create_time;
      });
  absl::MutexLock lock(&open_mu_);
  ++open_list_builds_;
  auto& entry = open_lists_[lang];
  // Stamped with the feed position read before listing: anything committed
  // since is looked at next time.
  if (entry.list == nullptr || entry.seq <= last) {
    entry.list = list;
    entry.seq = last;
  }
  return std::shared_ptr<const OpenList>(list);
}

absl::StatusOr<ClaimResult> AssignmentCore::ClaimNext(const Principal& caller,
                                                      const ClaimParams& in) {
  ClaimParams params = in;
  if (params.role != WorkRole::kTranslate && params.role != WorkRole::kReview) {
    return BadField("role",
                    "must be ASSIGNMENT_ROLE_TRANSLATE or "
                    "ASSIGNMENT_ROLE_REVIEW");
  }
  if (params.context_size < 0 || params.context_size > kMaxContextSize) {
    return BadField("context_size",
                    StrCat("must be between 0 and ", kMaxContextSize));
  }
  if (params.exclude.size() > kMaxExcludeSegments) {
    return BadField(
        "exclude_segments",
        StrCat("may name at most ", kMaxExcludeSegments, " segments"));
  }
  ASSIGN_OR_RETURN(params.language, Canonical("language", params.language));
  const std::string& lang = params.language;
  if (!MayWork(caller, params.role, lang)) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  StrCat("no role of the caller allows ", RoleName(params.role),
                         " claims in ", lang),
                  lang);
  }
  // The statements to look at, by deadline then age.
  std::shared_ptr<const OpenList> listed;
  std::vector<std::pair<statement::Statement, uint64_t>> named;
  if (!params.statement_id.empty()) {
    ASSIGN_OR_RETURN(auto loaded, statements_->LoadStatementWithInternalId(
                                      params.statement_id));
    RETURN_IF_ERROR(CheckTargeted(loaded.first, lang));
    if (loaded.first.state != statement::StatementState::kOpen) {
      return Precondition("WRONG_STATE",
                          StrCat("statements/", params.statement_id),
                          "only an open statement hands out work");
    }
    named.push_back(std::move(loaded));
  } else {
    ASSIGN_OR_RETURN(listed, OpenStatements(lang));
  }
  const auto& candidates = listed ? *listed : named;
  // Step 1: the current lease, unless its work is done or it is skipped.
  ASSIGN_OR_RETURN(auto current,
                   CurrentLease(caller.user_id, lang, params.role));
  const absl::Time now = clock_->Now();
  if (current && current->live(now)) {
    bool excluded = false;
    for (const auto& r : params.exclude) {
      if (r.statement_id == current->r.statement_id() &&
          r.segment_id == current->r.segment_id()) {
        excluded = true;
      }
    }
    const bool same_statement =
        params.statement_id.empty() ||
        params.statement_id == current->r.statement_id();
    if (!excluded && same_statement) {
      auto loaded =
          statements_->LoadStatementWithInternalId(current->r.statement_id());
      if (loaded.ok() &&
          loaded->first.state == statement::StatementState::kOpen) {
        ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                         Index(loaded->first, loaded->second, lang));
        bool open = false;
        {
          absl::MutexLock lock(&index->mu);
          auto it = index->pos.find(current->r.segment_id());
          if (it != index->pos.end()) {
            const int p = it->second;
            open = params.role == WorkRole::kTranslate
                       ? TranslateOpen(index->states[p])
                       : ReviewOpen(index->states[p]) &&
                             std::find(index->approvers[p].begin(),
                                       index->approvers[p].end(),
                                       caller.user_id) ==
                                 index->approvers[p].end();
          }
        }
        if (open) {
          absl::StatusOr<Lease> renewed =
              RenewLease(caller, IdString(current->m), 0);
          if (renewed.ok()) {
            return Describe(loaded->first, loaded->second, *renewed,
                            ClaimReason::kCurrent,
                            params.context_size == 0 ? 2 : params.context_size);
          }
        }
      }
    }
  }
  // Steps 2 to 4.
  for (int step = 2; step <= 4; ++step) {
    if (step == 2 && params.role != WorkRole::kTranslate) continue;
    for (const auto& [s, iid] : candidates) {
      if (step == 4 && !s.allow_open_claiming) continue;
      ASSIGN_OR_RETURN(auto claimed, TryClaim(caller, s, iid, params, step));
      if (claimed) return *std::move(claimed);
    }
  }
  // Nothing left; a skipped current lease is still given back.
  if (current && current->live(now)) {
    ASSIGN_OR_RETURN(auto fresh, LoadLease(current->m));
    if (fresh && fresh->live(now)) {
      bool excluded = false;
      for (const auto& r : params.exclude) {
        if (r.statement_id == fresh->r.statement_id() &&
            r.segment_id == fresh->r.segment_id()) {
          excluded = true;
        }
      }
      if (excluded) {
        absl::Status s = EndLease(*fresh, LeaseState::kReleased);
        if (!s.ok() && !absl::IsAborted(s)) return s;
      }
    }
  }
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOTHING_TO_CLAIM",
                       StrCat("nothing left to claim for ",
                              RoleName(params.role), " in ", lang));
}

// ---------------------------------------------------------------------------
// The gate.

absl::Status AssignmentCore::Admit(const Principal& caller,
                                   const statement::Statement& s, uint64_t iid,
                                   std::string_view language,
                                   std::string_view segment_id,
                                   translation::WorkKind kind,
                                   storage::WriteSet* writes) {
  if (Coordinates(caller, language)) return absl::OkStatus();
  const WorkRole role = kind == translation::WorkKind::kTranslate
                            ? WorkRole::kTranslate
                            : WorkRole::kReview;
  const absl::Time now = clock_->Now();
  // The caller's lease on the segment: renewed in the same commit.
  const std::string slot_key = SlotKey(iid, language, role, segment_id);
  ASSIGN_OR_RETURN(auto slot_value, store_->Get(kCf, slot_key));
  if (slot_value.has_value()) {
    ASSIGN_OR_RETURN(storage::Record r, storage::DecodeRecord(*slot_value));
    rec::SlotRecord slot;
    if (slot.ParseFromString(r.payload) && slot.holder() == caller.user_id) {
      ASSIGN_OR_RETURN(auto lease, LoadLease(slot.lease_id()));
      if (lease && lease->live(now)) {
        rec::LeaseRecord renewed = lease->r;
        renewed.set_expire_time_micros(Micros(now + options_.lease_ttl));
        writes->ExpectVersion(kCf, slot_key, r.version);
        PutLease(writes, lease->m, lease->version, renewed);
        return absl::OkStatus();
      }
    }
  }
  // Or an active assignment covering it.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  std::shared_ptr<LangIndex> index;
  for (const Stored& a : all) {
    if (!a.active() || a.r.assignee() != caller.user_id ||
        a.r.language() != language || a.role() != role) {
      continue;
    }
    if (index == nullptr) {
      ASSIGN_OR_RETURN(index, Index(s, iid, language));
    }
    absl::MutexLock lock(&index->mu);
    auto it = index->pos.find(std::string(segment_id));
    if (it == index->pos.end()) continue;
    ASSIGN_OR_RETURN(Resolved r, Resolve(a, *index));
    if (r.Contains(it->second)) {
      writes->ExpectVersion(kCf, AssignmentKey(iid, a.n), a.version);
      return absl::OkStatus();
    }
  }
  absl::Status status = ErrorWithInfo(
      absl::StatusCode::kPermissionDenied, "NOT_ASSIGNED",
      StrCat("users/", caller.user_id, " holds neither the lease of ",
             "statements/", s.statement_id, "/languages/", language,
             "/segments/", segment_id, " nor an assignment covering it for ",
             RoleName(role), "; claim it first"),
      {{"language", std::string(language)}});
  return status;
}

absl::StatusOr<std::set<std::string>> AssignmentCore::SegmentsOf(
    std::string_view user_id, const statement::Statement& s, uint64_t iid,
    std::string_view language) {
  std::set<std::string> out;
  ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index, Index(s, iid, language));
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  {
    absl::MutexLock lock(&index->mu);
    for (const Stored& a : all) {
      if (!a.active() || a.r.assignee() != user_id ||
          a.r.language() != language) {
        continue;
      }
      ASSIGN_OR_RETURN(Resolved r, Resolve(a, *index));
      r.ForEach([&](int p) { out.insert(index->ids[p]); });
    }
  }
  const absl::Time now = clock_->Now();
  for (WorkRole role : {WorkRole::kTranslate, WorkRole::kReview}) {
    ASSIGN_OR_RETURN(auto lease, CurrentLease(user_id, language, role));
    if (lease && lease->live(now) && lease->r.statement_iid() == iid) {
      out.insert(lease->r.segment_id());
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Progress.

absl::StatusOr<StatementProgress> AssignmentCore::GetProgress(
    const Principal& caller, std::string_view statement_id,
    const std::vector<std::string>& languages) {
  ASSIGN_OR_RETURN(auto loaded,
                   statements_->LoadStatementWithInternalId(statement_id));
  const statement::Statement& s = loaded.first;
  std::vector<std::string> wanted;
  for (const std::string& l : languages) {
    ASSIGN_OR_RETURN(std::string c, Canonical("languages", l));
    RETURN_IF_ERROR(CheckTargeted(s, c));
    wanted.push_back(c);
  }
  auto may_see = [&](const std::string& l) {
    for (Role r : {Role::kCoordinator, Role::kTranslator, Role::kReviewer}) {
      if (caller.HasRoleFor(r, l)) return true;
    }
    return false;
  };
  StatementProgress out;
  out.statement_id = s.statement_id;
  out.deadline = s.deadline;
  out.read_time = clock_->Now();
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(s.statement_id));
  // Live leases on this statement, from the stored current-lease pointers
  // (every active lease is its holder's current one): right after a
  // restart and after renewals, which the in-memory hints do not track.
  std::map<std::string, std::vector<std::pair<std::string, WorkRole>>> leases;
  {
    const std::string begin = KeyBuilder(kCurrentKind).Build();
    std::vector<uint64_t> current;
    RETURN_IF_ERROR(store_->Scan(kCf, begin, storage::PrefixSuccessor(begin),
                                 [&](std::string_view, std::string_view value) {
                                   auto r = storage::DecodeRecord(value);
                                   if (r.ok())
                                     current.push_back(
                                         U64FromPayload(r->payload));
                                   return true;
                                 }));
    for (uint64_t m : current) {
      ASSIGN_OR_RETURN(auto l, LoadLease(m));
      if (l && l->live(out.read_time) &&
          l->r.statement_iid() == loaded.second) {
        leases[l->r.language()].emplace_back(l->r.holder(), l->role());
      }
    }
  }
  bool any = false;
  for (const std::string& lang : s.target_languages) {
    if (!wanted.empty() &&
        std::find(wanted.begin(), wanted.end(), lang) == wanted.end()) {
      continue;
    }
    if (!may_see(lang)) {
      if (!wanted.empty()) {
        return Denied("LANGUAGE_NOT_GRANTED",
                      StrCat("no role of the caller covers ", lang), lang);
      }
      continue;
    }
    any = true;
    LanguageProgress lp;
    lp.language = lang;
    ASSIGN_OR_RETURN(translation::Progress counts,
                     translations_->GetProgress(s.statement_id, lang));
    int64_t words = 0;
    for (SegmentState st : kTranslatableStates) {
      const auto& c = counts.Of(st);
      lp.state_counts.push_back({st, c.segments, c.words});
      lp.segment_count += static_cast<int>(c.segments);
      words += c.words;
    }
    lp.word_count = words;
    lp.percent_approved =
        words == 0 ? 100.0
                   : 100.0 * static_cast<double>(counts.approved.words) /
                         static_cast<double>(words);
    lp.words_left = counts.untranslated.words + counts.rejected.words +
                    counts.needs_update.words;
    lp.words_to_review = counts.translated.words;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(s, loaded.second, lang));
    std::map<std::pair<std::string, WorkRole>, AssigneeProgress> people;
    {
      absl::MutexLock lock(&index->mu);
      std::vector<bool> covered(index->ids.size(), false);
      for (const Stored& a : all) {
        if (!a.active() || a.r.language() != lang) continue;
        ASSIGN_OR_RETURN(Assignment v, View(a, s, index.get()));
        ASSIGN_OR_RETURN(Resolved r, Resolve(a, *index));
        if (a.role() == WorkRole::kTranslate) {
          r.ForEach([&](int p) { covered[p] = true; });
        }
        auto& ap = people[{a.r.assignee(), a.role()}];
        ap.assignee = a.r.assignee();
        ap.role = a.role();
        ap.assignments.push_back(a.id());
        if (ap.state_counts.empty()) {
          for (SegmentState st : kTranslatableStates) {
            ap.state_counts.push_back({st, 0, 0});
          }
        }
        for (const StateCount& c : v.state_counts) {
          for (StateCount& mine : ap.state_counts) {
            if (mine.state == c.state) {
              mine.segments += c.segments;
              mine.words += c.words;
            }
          }
          const bool left = a.role() == WorkRole::kReview
                                ? c.state != SegmentState::kApproved
                                : TranslateOpen(c.state);
          if (left) ap.words_left += c.words;
        }
        if (v.effective_deadline &&
            (!ap.next_deadline || *v.effective_deadline < *ap.next_deadline)) {
          ap.next_deadline = v.effective_deadline;
        }
        if (v.overdue) {
          ap.overdue = true;
          lp.overdue_assignments.push_back(v);
        }
      }
      for (size_t p = 0; p < covered.size(); ++p) {
        if (!covered[p]) lp.unassigned_words += index->words[p];
      }
      for (const auto& [holder, role] : leases[lang]) {
        ++lp.active_leases;
        auto it = people.find({holder, role});
        if (it != people.end()) ++it->second.active_leases;
      }
    }
    for (auto& [key, ap] : people) lp.assignees.push_back(std::move(ap));
    out.languages.push_back(std::move(lp));
  }
  if (!any && !s.target_languages.empty()) {
    return Denied("LANGUAGE_NOT_GRANTED",
                  "no role of the caller covers a language of the statement");
  }
  return out;
}

absl::StatusOr<MyWork> AssignmentCore::GetMyWork(
    const Principal& caller, const std::vector<std::string>& languages) {
  std::vector<std::string> wanted;
  for (const std::string& l : languages) {
    ASSIGN_OR_RETURN(std::string c, Canonical("languages", l));
    wanted.push_back(c);
  }
  auto in_scope = [&](const std::string& l) {
    return wanted.empty() ||
           std::find(wanted.begin(), wanted.end(), l) != wanted.end();
  };
  MyWork out;
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(""));
  std::set<std::pair<std::string, std::string>> seen_langs;
  for (const Stored& a : all) {
    if (!a.active() || a.r.assignee() != caller.user_id ||
        !in_scope(a.r.language())) {
      continue;
    }
    auto loaded = statements_->LoadStatementWithInternalId(a.r.statement_id());
    if (!loaded.ok()) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(loaded->first, loaded->second, a.r.language()));
    absl::MutexLock lock(&index->mu);
    ASSIGN_OR_RETURN(Assignment v, View(a, loaded->first, index.get()));
    out.assignments.push_back(std::move(v));
    if (seen_langs.insert({a.r.statement_id(), a.r.language()}).second &&
        out.rejected_segments.size() < kMaxMyWorkItems) {
      auto it = index->rejected_by_author.find(caller.user_id);
      if (it != index->rejected_by_author.end()) {
        for (int p : it->second) {
          if (out.rejected_segments.size() >= kMaxMyWorkItems) break;
          out.rejected_segments.push_back(
              {a.r.statement_id(), a.r.language(), index->ids[p]});
        }
      }
    }
    if (out.assignments.size() >= kMaxMyWorkItems) break;
  }
  std::stable_sort(
      out.assignments.begin(), out.assignments.end(),
      [](const Assignment& a, const Assignment& b) {
        return a.effective_deadline.value_or(absl::InfiniteFuture()) <
               b.effective_deadline.value_or(absl::InfiniteFuture());
      });
  const absl::Time now = clock_->Now();
  const std::string prefix = CurrentPrefix(caller.user_id);
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(store_->Scan(kCf, prefix, storage::PrefixSuccessor(prefix),
                               [&](std::string_view, std::string_view value) {
                                 auto r = storage::DecodeRecord(value);
                                 if (r.ok())
                                   ids.push_back(U64FromPayload(r->payload));
                                 return true;
                               }));
  for (uint64_t m : ids) {
    ASSIGN_OR_RETURN(auto lease, LoadLease(m));
    if (lease && lease->live(now) && in_scope(lease->r.language())) {
      out.leases.push_back(LeaseView(m, lease->version, lease->r, now));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Sweep.

absl::Status AssignmentCore::Sweep() {
  const absl::Time now = clock_->Now();
  // Every active lease is some holder's current one (a claim ends the
  // previous), so the current-lease pointers bound the scan, however many
  // leases were ever handed out.
  const std::string begin = KeyBuilder(kCurrentKind).Build();
  std::vector<uint64_t> current;
  RETURN_IF_ERROR(store_->Scan(kCf, begin, storage::PrefixSuccessor(begin),
                               [&](std::string_view, std::string_view value) {
                                 auto r = storage::DecodeRecord(value);
                                 if (r.ok())
                                   current.push_back(
                                       U64FromPayload(r->payload));
                                 return true;
                               }));
  std::vector<StoredLease> expired;
  for (uint64_t m : current) {
    ASSIGN_OR_RETURN(auto l, LoadLease(m));
    if (l && l->r.state() == static_cast<int>(LeaseState::kActive) &&
        !l->live(now)) {
      expired.push_back(*std::move(l));
    }
  }
  for (const StoredLease& l : expired) {
    rec::LeaseRecord r = l.r;
    r.set_state(static_cast<int>(LeaseState::kExpired));
    r.set_end_time_micros(l.r.expire_time_micros());
    WriteSet w;
    PutLease(&w, l.m, l.version, r);
    auto committed = store_->Commit(std::move(w));
    // A renewal that won the race keeps the lease alive.
    if (!committed.ok() && !absl::IsAborted(committed.status())) {
      return committed.status();
    }
  }
  // Archiving a statement ends its assignments; overdue assignments raise
  // their event once.
  ASSIGN_OR_RETURN(std::vector<Stored> all, LoadAssignments(""));
  for (const Stored& a : all) {
    if (!a.active()) continue;
    auto loaded = statements_->LoadStatementWithInternalId(a.r.statement_id());
    if (!loaded.ok()) continue;
    if (loaded->first.state == statement::StatementState::kArchived) {
      rec::AssignmentRecord r = a.r;
      r.set_state(static_cast<int>(AssignmentState::kEnded));
      r.set_update_time_micros(Micros(now));
      r.set_end_time_micros(Micros(now));
      WriteSet w;
      const std::string key = AssignmentKey(loaded->second, a.n);
      w.ExpectVersion(kCf, key, a.version);
      w.Put(kCf, key,
            storage::EncodeRecord(kFormat1, a.version + 1,
                                  r.SerializeAsString()));
      w.AppendEvent("assignment.ended",
                    StrCat("assignments/", a.id(), " by statements/",
                           a.r.statement_id(), " archived"));
      auto committed = store_->Commit(std::move(w));
      if (!committed.ok() && !absl::IsAborted(committed.status())) {
        return committed.status();
      }
      continue;
    }
    if (a.r.overdue_raised()) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<LangIndex> index,
                     Index(loaded->first, loaded->second, a.r.language()));
    Assignment v;
    {
      absl::MutexLock lock(&index->mu);
      ASSIGN_OR_RETURN(v, View(a, loaded->first, index.get()));
    }
    if (!v.overdue) continue;
    rec::AssignmentRecord r = a.r;
    r.set_overdue_raised(true);
    WriteSet w;
    const std::string key = AssignmentKey(loaded->second, a.n);
    w.ExpectVersion(kCf, key, a.version);
    w.Put(
        kCf, key,
        storage::EncodeRecord(kFormat1, a.version + 1, r.SerializeAsString()));
    w.AppendEvent(
        "assignment.overdue",
        StrCat("assignments/", a.id(), " of users/", a.r.assignee(),
               " was due ",
               absl::FormatTime(absl::RFC3339_sec, *v.effective_deadline,
                                absl::UTCTimeZone())));
    auto committed = store_->Commit(std::move(w));
    if (!committed.ok() && !absl::IsAborted(committed.status())) {
      return committed.status();
    }
  }
  return absl::OkStatus();
}

void AssignmentCore::Start() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (sweeper_.joinable()) return;
    stop_ = false;
  }
  sweeper_ = std::thread([this] {
    absl::MutexLock lock(&stop_mu_);
    while (!stop_) {
      stop_mu_.AwaitWithTimeout(absl::Condition(&stop_),
                                options_.sweep_interval);
      if (stop_) break;
      stop_mu_.Unlock();
      // A failed sweep is retried at the next interval; reads meanwhile
      // still treat expired leases as expired.
      if (absl::Status s = Sweep(); !s.ok()) {
        LogError("lease sweep", s);
      }
      stop_mu_.Lock();
    }
  });
}

void AssignmentCore::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    stop_ = true;
  }
  if (sweeper_.joinable()) sweeper_.join();
}

}  // namespace tessera::assignment
