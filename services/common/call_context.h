// CallContext: who is calling and until when, handed from the edge into the
// cores. It is the one deadline and cancellation policy: a core calls
// CheckDeadline() just before every commit, so a call the client gave up
// on (deadline passed or call cancelled) writes nothing. Reads may check it
// between long steps.
//
// A Principal converts implicitly into a context without deadline, for
// internal callers and tests.
//
// Thread-compatible; the principal and the cancellation source are not owned
// and must outlive the context.
#ifndef TESSERA_SERVICES_COMMON_CALL_CONTEXT_H_
#define TESSERA_SERVICES_COMMON_CALL_CONTEXT_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/common/principal.h"

namespace tessera {

// Tells whether the client has given up on the call (the gRPC edge asks its
// server context).
class CancellationSource {
 public:
  virtual ~CancellationSource() = default;
  virtual bool IsCancelled() const = 0;
};

class CallContext {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): see the header comment.
  CallContext(const Principal& caller)
      : caller_(caller),
        deadline_(absl::InfiniteFuture()),
        clock_(Clock::Real()) {}
  CallContext(const Principal& caller, absl::Time deadline, Clock* clock,
              const CancellationSource* cancelled = nullptr)
      : caller_(caller),
        deadline_(deadline),
        clock_(clock),
        cancelled_(cancelled) {}

  const Principal& caller() const { return caller_; }
  absl::Time deadline() const { return deadline_; }
  // The client's cancellation, for work that must stop when it leaves (a
  // parse child); may be null.
  const CancellationSource* cancellation() const { return cancelled_; }

  // OK while the call may still change state. DEADLINE_EXCEEDED once the
  // deadline has passed, CANCELLED once the client cancelled; the message
  // says that nothing was changed.
  absl::Status CheckDeadline() const;

 private:
  const Principal& caller_;
  absl::Time deadline_;
  Clock* clock_;
  const CancellationSource* cancelled_ = nullptr;
};

}  // namespace tessera

#endif  // TESSERA_SERVICES_COMMON_CALL_CONTEXT_H_
