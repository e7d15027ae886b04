// WorkIndex: the in-memory index of open work per (statement, language)
// that makes ClaimNext independent of how much is already done. Each
// LangIndex is built by one scan of the statement's current revision and
// its translations on first use (again when the revision moves), then kept
// current by the translation core's commit notifications (Apply).
//
// The index is only a hint: every claim re-reads and guards what it relies
// on, so a stale index costs a retry, never a double lease.
//
// Thread-safe. A LangIndex is read and changed under its own `mu`.
#ifndef TESSERA_SERVICES_ASSIGNMENT_WORK_INDEX_H_
#define TESSERA_SERVICES_ASSIGNMENT_WORK_INDEX_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/assignment/statement_reader.h"
#include "services/assignment/translation_reader.h"
#include "services/statement/statement_model.h"
#include "services/translation/translation_model.h"

namespace tessera::assignment::internal {

struct Lineage;  // assignment_scope.h

// Open work of one (statement, language), by position among the current
// revision's translatable segments in document order.
struct LangIndex {
  absl::Mutex mu;
  int revision = 0;
  std::vector<std::string> ids;
  std::vector<int> ordinals;
  std::vector<int64_t> words;
  std::vector<translation::SegmentState> states;
  std::vector<std::string> authors;
  std::vector<std::vector<std::string>> approvers;
  // The translation version each position's state is from.
  std::vector<uint64_t> versions;
  std::unordered_map<std::string, int> pos;
  // Every segment of the revision (translatable or not): id → ordinal, and
  // ids by ordinal - 1.
  std::unordered_map<std::string, int> any_ordinal;
  std::vector<std::string> all_ids;
  std::set<int> open_translate, open_review;
  std::map<std::string, std::set<int>> rejected_by_author;
  // When each rejected position was rejected: the translation's last
  // change when the index was built, the commit's time since.
  std::vector<absl::Time> rejected_at;
  // Who holds (or is about to hold) each position, by role, and until when.
  // A hint only: storage decides.
  std::map<int, std::pair<std::string, absl::Time>> held[3];
  // Lineages of older revisions (for scopes written against them), by
  // revision number; built on first use, under `mu`, by readers too.
  mutable std::map<int, std::shared_ptr<const Lineage>> lineages;

  // Records the state of position `p` at translation `version`, as of
  // `when`, unless a later version is already recorded: commit
  // notifications and fresh reads can arrive out of order. A rejection
  // keeps the time it was first seen while it stays rejected to the same
  // author.
  void Set(int p, translation::SegmentState s, std::string author,
           std::vector<std::string> approvers, uint64_t version,
           absl::Time when);
  // First position at or after `ordinal`.
  int LowerPos(int ordinal) const;
};

class WorkIndex {
 public:
  // Neither owned; both must outlive the index.
  WorkIndex(StatementReader* statements, TranslationReader* translations)
      : statements_(statements), translations_(translations) {}

  // The index of `s` (internal id `iid`) in `language` at its current
  // revision, built now if there is none yet or it is of an older
  // revision. Errors are the readers'.
  absl::StatusOr<std::shared_ptr<LangIndex>> Get(const statement::Statement& s,
                                                 uint64_t iid,
                                                 std::string_view language);

  // The index of (iid, language) if one is built; null otherwise.
  std::shared_ptr<LangIndex> Find(uint64_t iid, std::string_view language);

  // Applies a translation change committed at about `when` to its index,
  // if one is built.
  void Apply(const translation::CommittedChange& change, absl::Time when);

  // Drops the hint that `holder` holds `segment_id` for `role` (a stored
  // WorkRole number), if the index still says so.
  void ForgetHeld(uint64_t iid, std::string_view language, int role,
                  std::string_view segment_id, std::string_view holder);

 private:
  StatementReader* statements_;
  TranslationReader* translations_;

  absl::Mutex mu_;
  std::map<std::pair<uint64_t, std::string>, std::shared_ptr<LangIndex>>
      indexes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::assignment::internal

#endif  // TESSERA_SERVICES_ASSIGNMENT_WORK_INDEX_H_
