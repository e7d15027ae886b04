#include "services/common/call_context.h"

namespace tessera {

absl::Status CallContext::CheckDeadline() const {
  if (cancelled_ != nullptr && cancelled_->IsCancelled()) {
    return absl::CancelledError(
        "the call was cancelled before it could complete; nothing was "
        "changed");
  }
  if (deadline_ != absl::InfiniteFuture() && clock_->Now() >= deadline_) {
    return absl::DeadlineExceededError(
        "the call's deadline passed before it could complete; nothing was "
        "changed");
  }
  return absl::OkStatus();
}

}  // namespace tessera
