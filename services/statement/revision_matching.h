// Revision matching: how a new revision's segments relate to the previous
// revision's. Equal segment ids are the same text ("unchanged", and "moved"
// when they left the longest run that kept its order); among the rest, a
// new segment whose key is at least kMinSimilarity similar to an unmatched
// old one near the place the surrounding unchanged text suggests is
// "changed", with that old segment as its predecessor; the remainder is
// "added" or "removed".
//
// The edit-distance work of one call is capped, so a pathological upload
// cannot stall the server: past the cap, segments are reported as added
// and removed rather than changed. Pure; thread-safe.
#ifndef TESSERA_SERVICES_STATEMENT_REVISION_MATCHING_H_
#define TESSERA_SERVICES_STATEMENT_REVISION_MATCHING_H_

#include <string>
#include <vector>

#include "services/statement/statement_model.h"

namespace tessera::statement {

// A changed segment is at least this similar to its predecessor.
inline constexpr double kMinSimilarity = 0.5;

// The changes from revision `previous_revision` (ids and SegmentKeys in
// document order, parallel) to the new one (likewise). Similarities are in
// [kMinSimilarity, 1), since different keys never score 1.
RevisionChanges ComputeChanges(int previous_revision,
                               const std::vector<std::string>& old_ids,
                               const std::vector<std::string>& old_keys,
                               const std::vector<std::string>& new_ids,
                               const std::vector<std::string>& new_keys);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_REVISION_MATCHING_H_
