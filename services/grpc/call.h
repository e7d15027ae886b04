// One unary gRPC call, from arrival to Finish (callback API).
//
// A handler reads as: authorise, convert the request, one line calling the
// core, convert back. UnaryCall does everything around that line, in this
// order, as named steps:
//   1. Authorise: the bearer token against the method table (policy.h).
//   2. Deadline: the client's, capped by CallEnv::call_timeout; a call that
//      arrives already late is refused before the body runs.
//   3. Run the body: inline on the gRPC thread for short reads, on the
//      worker pool for writes (which block on fsync), and on the bounded
//      read pool for long reads (renderings, listings, scans), so that
//      neither gRPC's threads nor the writers wait behind them. When the
//      read pool's queue is full the call gets RESOURCE_EXHAUSTED
//      (LIMIT_EXCEEDED, limits/read_queue) at once: retry with backoff.
//   4. Finish: a failed body gets DecorateError (reason, method) and the
//      service's own edge details (for example a VersionConflict); the
//      status is converted by ToGrpcStatus, once.
#ifndef TESSERA_SERVICES_GRPC_CALL_H_
#define TESSERA_SERVICES_GRPC_CALL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/common/authorizer.h"
#include "services/common/call_context.h"
#include "services/common/errors.h"
#include "services/common/principal.h"
#include "services/common/worker_pool.h"

namespace tessera {

// What every handler needs. Not owned; all must outlive the services.
struct CallEnv {
  const Authorizer* authorizer = nullptr;
  WorkerPool* workers = nullptr;
  // Long reads; bounded queue. Null: long reads use `workers`.
  WorkerPool* readers = nullptr;
  Clock* clock = Clock::Real();
  // Upper bound on any unary call, whatever deadline the client sent.
  absl::Duration call_timeout = absl::Seconds(30);
};

// kRead runs on the gRPC thread and must not block for long (point reads);
// kWrite runs on the worker pool (it may commit, so it may wait on fsync);
// kLongRead runs on the read pool (it may take long: rendering, listing or
// scanning a statement; it may commit too).
enum class CallKind { kRead, kWrite, kLongRead };

// The RESOURCE_EXHAUSTED a long read gets when the read pool's queue is
// full.
absl::Status ReadQueueFull(const WorkerPool& readers);

// The effective deadline: the client's, capped by env.call_timeout.
absl::Time EffectiveDeadline(const grpc::ServerContextBase& ctx,
                             const CallEnv& env);

// UNAUTHENTICATED when the call's `authorization` metadata is missing,
// malformed, unknown or revoked; PERMISSION_DENIED when the caller's roles
// may not call `method`.
absl::StatusOr<Principal> AuthorizeCall(const Authorizer& authorizer,
                                        const grpc::ServerContextBase& ctx,
                                        std::string_view method);

// Adds a service's own google.rpc details to a failed status.
using EdgeDetails = std::function<absl::Status(absl::Status)>;

class UnaryCall final : public CancellationSource {
 public:
  // `body` is `absl::Status(const CallContext&)` and fills the response.
  // `details` (optional) runs on a failed status before it is sent.
  template <typename Body>
  static grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx,
                                         const CallEnv& env,
                                         std::string_view method, CallKind kind,
                                         Body&& body,
                                         EdgeDetails details = nullptr) {
    auto* call = new UnaryCall(ctx, env, method, std::move(details));
    grpc::ServerUnaryReactor* reactor = call->reactor_;
    auto run = [call, body = std::forward<Body>(body)]() mutable {
      absl::Status status = call->Authorize();
      // A refused caller gets the reason and the method, never the
      // method's own details (they may read the store).
      status = status.ok() ? call->Decorate(body(call->context()))
                           : DecorateError(std::move(status), call->method_);
      call->Finish(status);
    };
    if (kind == CallKind::kLongRead && env.readers != nullptr) {
      if (!env.readers->TrySchedule(std::move(run))) {
        call->Finish(call->Decorate(ReadQueueFull(*env.readers)));
      }
    } else if (kind != CallKind::kRead && env.workers != nullptr) {
      env.workers->Schedule(std::move(run));
    } else {
      run();
    }
    return reactor;
  }

  bool IsCancelled() const override { return ctx_->IsCancelled(); }

 private:
  UnaryCall(grpc::CallbackServerContext* ctx, const CallEnv& env,
            std::string_view method, EdgeDetails details);

  // Steps 1 and 2; on success context() is valid.
  absl::Status Authorize();
  const CallContext& context() const { return *context_; }
  // Step 4: reason, method and edge details on a failed body.
  absl::Status Decorate(absl::Status status) const;
  // Sends the status and deletes the call.
  void Finish(const absl::Status& status);

  grpc::CallbackServerContext* ctx_;
  const CallEnv& env_;
  std::string_view method_;
  EdgeDetails details_;
  grpc::ServerUnaryReactor* reactor_;
  absl::Time deadline_;
  Principal caller_;
  std::optional<CallContext> context_;
};

// The same as UnaryCall::Serve.
template <typename Body>
grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* ctx,
                                      const CallEnv& env,
                                      std::string_view method, CallKind kind,
                                      Body&& body,
                                      EdgeDetails details = nullptr) {
  return UnaryCall::Serve(ctx, env, method, kind, std::forward<Body>(body),
                          std::move(details));
}

}  // namespace tessera

#endif  // TESSERA_SERVICES_GRPC_CALL_H_
