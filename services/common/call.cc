#include "services/common/call.h"

#include <chrono>

#include "common/strings.h"

namespace tessera {

absl::Status CallContext::CheckDeadline() const {
  if (clock_->Now() >= deadline_) {
    return absl::DeadlineExceededError(
        "the call's deadline passed before it could complete; nothing was "
        "changed");
  }
  return absl::OkStatus();
}

absl::Time EffectiveDeadline(const grpc::CallbackServerContext& ctx,
                             const CallEnv& env) {
  absl::Time cap = env.clock->Now() + env.call_timeout;
  auto client = ctx.deadline();
  if (client == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(cap, absl::FromChrono(client));
}

}  // namespace tessera
