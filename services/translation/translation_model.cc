#include "services/translation/translation_model.h"

namespace tessera::translation {

std::string_view SegmentStateName(SegmentState state) {
  switch (state) {
    case SegmentState::kUnspecified:
      return "UNSPECIFIED";
    case SegmentState::kUntranslated:
      return "UNTRANSLATED";
    case SegmentState::kTranslated:
      return "TRANSLATED";
    case SegmentState::kApproved:
      return "APPROVED";
    case SegmentState::kRejected:
      return "REJECTED";
    case SegmentState::kNeedsUpdate:
      return "NEEDS_UPDATE";
  }
  return "UNKNOWN";
}

const Progress::Count& Progress::Of(SegmentState state) const {
  switch (state) {
    case SegmentState::kTranslated:
      return translated;
    case SegmentState::kApproved:
      return approved;
    case SegmentState::kRejected:
      return rejected;
    case SegmentState::kNeedsUpdate:
      return needs_update;
    default:
      return untranslated;
  }
}

}  // namespace tessera::translation
