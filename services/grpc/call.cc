#include "services/grpc/call.h"

#include <chrono>
#include <iterator>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/grpc_status.h"

namespace tessera {
namespace {

constexpr std::string_view kBearer = "bearer ";

}  // namespace

absl::Status ReadQueueFull(const WorkerPool& readers) {
  return QuotaExceededError(
      "read_queue", static_cast<int64_t>(readers.max_queued()),
      StrCat("the server is busy: ", readers.max_queued(),
             " long reads are already waiting; retry with backoff"));
}

absl::Time EffectiveDeadline(const grpc::ServerContextBase& ctx,
                             const CallEnv& env) {
  absl::Time cap = env.clock->Now() + env.call_timeout;
  auto client = ctx.deadline();
  if (client == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(cap, absl::FromChrono(client));
}

absl::StatusOr<Principal> AuthorizeCall(const Authorizer& authorizer,
                                        const grpc::ServerContextBase& ctx,
                                        std::string_view method) {
  const auto& md = ctx.client_metadata();
  auto range = md.equal_range("authorization");
  if (range.first == range.second) {
    return absl::UnauthenticatedError(
        "missing credentials: send 'authorization: Bearer <token>' metadata");
  }
  if (std::next(range.first) != range.second) {
    return absl::UnauthenticatedError("more than one authorization header");
  }
  std::string_view value(range.first->second.data(),
                         range.first->second.size());
  if (value.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(
          absl::string_view(value.data(), kBearer.size()),
          absl::string_view(kBearer.data(), kBearer.size()))) {
    return absl::UnauthenticatedError(
        "authorization metadata must be 'Bearer <token>'");
  }
  return authorizer.AuthorizeSecret(value.substr(kBearer.size()), method);
}

UnaryCall::UnaryCall(grpc::CallbackServerContext* ctx, const CallEnv& env,
                     std::string_view method, EdgeDetails details)
    : ctx_(ctx),
      env_(env),
      method_(method),
      details_(std::move(details)),
      reactor_(ctx->DefaultReactor()),
      deadline_(EffectiveDeadline(*ctx, env)) {}

absl::Status UnaryCall::Authorize() {
  absl::StatusOr<Principal> caller =
      AuthorizeCall(*env_.authorizer, *ctx_, method_);
  if (!caller.ok()) return caller.status();
  caller_ = *std::move(caller);
  context_.emplace(caller_, deadline_, env_.clock, this);
  return context_->CheckDeadline();
}

absl::Status UnaryCall::Decorate(absl::Status status) const {
  if (status.ok()) return status;
  status = DecorateError(std::move(status), method_);
  if (details_) status = details_(std::move(status));
  return status;
}

void UnaryCall::Finish(const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = reactor_;
  grpc::Status out = ToGrpcStatus(status);
  delete this;
  reactor->Finish(out);
}

}  // namespace tessera
