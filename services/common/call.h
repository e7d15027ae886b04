// Shared plumbing for unary gRPC handlers (callback API).
//
// A handler is thin: HandleUnary authenticates and authorises the caller
// against the method table, works out the call's deadline, runs the body
// (inline for reads, on the WorkerPool for writes, which block on fsync),
// converts the absl::Status once, and finishes the reactor.
#ifndef TESSERA_SERVICES_COMMON_CALL_H_
#define TESSERA_SERVICES_COMMON_CALL_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/common/authorizer.h"
#include "services/common/grpc_status.h"
#include "services/common/principal.h"
#include "services/common/worker_pool.h"

namespace tessera {

// What every handler needs. Not owned; all must outlive the services.
struct CallEnv {
  const Authorizer* authorizer = nullptr;
  WorkerPool* workers = nullptr;
  Clock* clock = Clock::Real();
  // Upper bound on any unary call, whatever deadline the client sent.
  absl::Duration call_timeout = absl::Seconds(30);
};

// Per-call facts handed to the body.
class CallContext {
 public:
  CallContext(const Principal& caller, absl::Time deadline, Clock* clock)
      : caller_(caller), deadline_(deadline), clock_(clock) {}

  const Principal& caller() const { return caller_; }
  absl::Time deadline() const { return deadline_; }
  // DEADLINE_EXCEEDED once the call's deadline has passed. Cores check it
  // before committing, so a call the client gave up on writes nothing.
  absl::Status CheckDeadline() const;

 private:
  const Principal& caller_;
  absl::Time deadline_;
  Clock* clock_;
};

enum class CallKind { kRead, kWrite };

// The effective deadline: the client's, capped by env.call_timeout.
absl::Time EffectiveDeadline(const grpc::CallbackServerContext& ctx,
                             const CallEnv& env);

// `body` is `absl::Status(const CallContext&)`; it fills the response.
template <typename Body>
grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* ctx,
                                      const CallEnv& env,
                                      std::string_view method, CallKind kind,
                                      Body&& body) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Time deadline = EffectiveDeadline(*ctx, env);
  auto run = [ctx, &env, method, deadline, reactor,
              body = std::forward<Body>(body)]() mutable {
    absl::StatusOr<Principal> caller = env.authorizer->Authorize(*ctx, method);
    absl::Status status = caller.status();
    if (status.ok()) {
      CallContext call(*caller, deadline, env.clock);
      status = call.CheckDeadline();
      if (status.ok()) status = body(call);
    }
    reactor->Finish(ToGrpcStatus(status));
  };
  if (kind == CallKind::kWrite && env.workers != nullptr) {
    env.workers->Schedule(std::move(run));
  } else {
    run();
  }
  return reactor;
}

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_CALL_H_
