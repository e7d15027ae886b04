// Scopes: which segments an assignment covers. A scope is stored as
// written (whole language, a range of two ids, or a set of ids) against the
// revision current then; later revisions are read through each revision's
// changes, so a revision never rewrites assignment records (see
// storage/FORMAT.md, "assignments").
//
// Functions that take a LangIndex expect the caller to hold its `mu`.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_SCOPE_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_SCOPE_H_

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/assignment/assignment_core.h"
#include "services/assignment/assignment_records.pb.h"
#include "services/assignment/statement_reader.h"
#include "services/assignment/work_index.h"

namespace tessera::assignment::internal {

// What became of one older revision's segments in the current revision.
struct Lineage {
  std::vector<std::string> old_ids;  // document order
  std::unordered_map<std::string, int> old_pos;
  // Old id → its id in the current revision; absent: removed.
  std::unordered_map<std::string, std::string> now;
};

// An assignment's scope as positions of the index: [lo, hi) for whole and
// range scopes, or a sorted list.
struct Resolved {
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

// Validates `scope` against the current revision of `s` and writes it into
// the record's scope fields. INVALID_ARGUMENT naming the scope field for a
// missing or unknown id, a range in reverse order, or a set that is empty,
// too large, repeats an id or names a segment that is not translatable.
absl::Status FillScope(const Scope& scope, StatementReader& statements,
                       const statement::Statement& s,
                       storage::assignment::AssignmentRecord* r);

// The positions of `index` that the scope of `r` covers now. Errors are
// the statement reader's (when an older revision's lineage is read).
absl::StatusOr<Resolved> Resolve(StatementReader& statements,
                                 const storage::assignment::AssignmentRecord& r,
                                 const LangIndex& index);

// The scope's ids as the current revision has them: successors for changed
// ids, removed ones left out, range ends moved inwards. The stored ids when
// the scope is of the current revision or there is no index.
absl::StatusOr<std::vector<std::string>> CurrentScopeIds(
    StatementReader& statements, const storage::assignment::AssignmentRecord& r,
    const LangIndex* index);

}  // namespace tessera::assignment::internal

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_SCOPE_H_
