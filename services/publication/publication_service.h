// PublicationServiceImpl: the gRPC adapter of PublicationCore.
//
// Publish, GetPublication and ListPublications are unary calls through
// UnaryCall (services/grpc/call.h): Publish on the worker pool as a write,
// the two reads there too as long reads (a rendering, a listing scan).
// Each handler converts the request, makes one core call and converts
// back.
//
// WatchPublications is a server stream on a callback reactor that never blocks
// a gRPC thread: each step (read a slice of the change feed, pick the next
// message) runs on the worker pool, at most one message is in flight per stream
// (the next is read only when gRPC has taken the last, so a slow reader holds
// the stream back through HTTP/2 flow control and nothing piles up in memory),
// and a stream that has caught up parks with one watcher thread that waits on
// the feed for all of them. The server's per-call timeout does not apply to the
// stream; a client deadline or cancellation ends it. The stream is authorised
// once (AuthorizeCall) and follows the core's FeedSource. BeginShutdown() ends
// every stream with UNAVAILABLE (SHUTTING_DOWN); each message carried its
// cursor, so clients resume where they were.
//
// Thread-safe; the core and the environment must outlive it.
#ifndef TESSERA_SERVICES_PUBLICATION_PUBLICATION_SERVICE_H_
#define TESSERA_SERVICES_PUBLICATION_PUBLICATION_SERVICE_H_

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/grpc/call.h"
#include "services/publication/publication_core.h"
#include "tessera/v1/publication.grpc.pb.h"

namespace tessera::publication {

// Feed events one watch step reads at most.
inline constexpr size_t kWatchBatchEvents = 256;
// A watch whose filters skip publications reports its position at most
// this often.
inline constexpr absl::Duration kProgressMarkInterval = absl::Seconds(10);

class PublicationServiceImpl final
    : public tessera::v1::PublicationService::CallbackService {
 public:
  PublicationServiceImpl(PublicationCore* core, const CallEnv* env);
  // Ends the streams (as BeginShutdown) and stops the watcher thread.
  ~PublicationServiceImpl() override;

  // Ends every watch with UNAVAILABLE and refuses new ones, and stops the
  // watcher thread: at once when the feed source was woken for shutdown
  // (Store::WakeFeedWaiters), else within a second. Call before the server
  // drains its calls. Idempotent.
  void BeginShutdown();

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx,
                                    const v1::PublishRequest* req,
                                    v1::Publication* resp) override;
  grpc::ServerUnaryReactor* GetPublication(
      grpc::CallbackServerContext* ctx, const v1::GetPublicationRequest* req,
      v1::GetPublicationResponse* resp) override;
  grpc::ServerUnaryReactor* ListPublications(
      grpc::CallbackServerContext* ctx, const v1::ListPublicationsRequest* req,
      v1::ListPublicationsResponse* resp) override;
  grpc::ServerWriteReactor<v1::WatchPublicationsResponse>* WatchPublications(
      grpc::CallbackServerContext* ctx,
      const v1::WatchPublicationsRequest* req) override;

 private:
  class Watch;
  friend class Watch;

  // Hands a caught-up stream to the watcher thread.
  void Park(std::shared_ptr<Watch> watch);
  void WatcherLoop();

  PublicationCore* core_;
  const CallEnv* env_;

  std::atomic<bool> shutting_down_{false};
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Watch>> parked_ ABSL_GUARDED_BY(mu_);
  bool stop_watcher_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watcher_;
};

}  // namespace tessera::publication

#endif  // TESSERA_SERVICES_PUBLICATION_PUBLICATION_SERVICE_H_
