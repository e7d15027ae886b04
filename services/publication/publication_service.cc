#include "services/publication/publication_service.h"

#include <deque>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/grpc_status.h"
#include "services/publication/publication_convert.h"
#include "services/statement/statement_convert.h"

namespace tessera::publication {
namespace {

#define TESSERA_PUBLICATION_METHOD(name) \
  constexpr std::string_view k##name = "/tessera.v1.PublicationService/" #name

TESSERA_PUBLICATION_METHOD(Publish);
TESSERA_PUBLICATION_METHOD(GetPublication);
TESSERA_PUBLICATION_METHOD(ListPublications);
TESSERA_PUBLICATION_METHOD(WatchPublications);

#undef TESSERA_PUBLICATION_METHOD

absl::Status ShuttingDown() {
  return ErrorWithInfo(absl::StatusCode::kUnavailable, "SHUTTING_DOWN",
                       "the server is shutting down; reconnect with the last "
                       "cursor received");
}

}  // namespace

// One WatchPublications stream. Owned by itself (self_) until gRPC calls
// OnDone, and by whoever holds a shared_ptr: a queued step or the watcher
// thread. State changes under mu_; StartWrite and Finish are called after
// mu_ is released, as the last thing a step does, since OnWriteDone and
// OnDone may run on another thread at once.
class PublicationServiceImpl::Watch final
    : public grpc::ServerWriteReactor<v1::WatchPublicationsResponse> {
 public:
  Watch(PublicationServiceImpl* service, grpc::CallbackServerContext* ctx,
        const v1::WatchPublicationsRequest* req)
      : service_(service), ctx_(ctx), req_(req) {}

  void Begin(std::shared_ptr<Watch> self) {
    self_ = self;
    absl::Status status = Setup();
    if (!status.ok()) {
      Finish(std::move(status));
      return;
    }
    Schedule(std::move(self));
  }

  enum class Wake { kStay, kRemove, kWoken };
  // For the parking lot (under its lock): wakes a parked stream whose feed
  // grew, that owes a progress mark, or at shutdown. kWoken: the caller
  // must Schedule() it once the lot's lock is released.
  Wake TryWake(uint64_t last_visible, absl::Time now, bool shutting_down) {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kParked) return Wake::kRemove;
    const bool wake =
        shutting_down || cancelled_ || position_ < last_visible ||
        (position_ > reported_ && now >= last_mark_ + kProgressMarkInterval);
    if (!wake) return Wake::kStay;
    state_ = State::kScheduled;
    return Wake::kWoken;
  }

  void Schedule(std::shared_ptr<Watch> self) {
    WorkerPool* workers = service_->env_->workers;
    if (workers == nullptr) {
      self->Step();
      return;
    }
    workers->Schedule([self = std::move(self)] { self->Step(); });
  }

  void OnWriteDone(bool ok) override {
    std::shared_ptr<Watch> self;
    {
      absl::MutexLock lock(&mu_);
      if (!ok) {
        // The client went away or the call was cancelled.
        state_ = State::kFinished;
      } else {
        state_ = State::kScheduled;
        self = self_;
      }
    }
    if (self == nullptr) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    Schedule(std::move(self));
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      if (state_ != State::kParked) return;  // the running step sees it
      state_ = State::kFinished;
    }
    Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    std::shared_ptr<Watch> keep;
    absl::MutexLock lock(&mu_);
    state_ = State::kFinished;
    keep = std::move(self_);
    // `keep` may be the last owner: nothing touches *this after it goes.
  }

 private:
  enum class State { kScheduled, kWriting, kParked, kFinished };

  absl::Status Setup() {
    if (service_->shutting_down_) return ShuttingDown();
    const CallEnv& env = *service_->env_;
    ASSIGN_OR_RETURN(caller_,
                     AuthorizeCall(*env.authorizer, *ctx_, kWatchPublications));
    ASSIGN_OR_RETURN(filter_, WatchFilterFromProto(*req_));
    PublicationCore* core = service_->core_;
    RETURN_IF_ERROR(core->CheckWatch(caller_, &filter_));
    if (!req_->cursor().empty()) {
      if (req_->start_at_now()) {
        return BadField("start_at_now",
                        "may not be set together with a cursor");
      }
      ASSIGN_OR_RETURN(position_, core->DecodeCursor(req_->cursor()));
    } else if (req_->start_at_now()) {
      position_ = core->feed()->LastVisibleFeedSeq();
    }
    reported_ = position_;
    last_mark_ = env.clock->Now();
    return absl::OkStatus();
  }

  void Finish(absl::Status status) {
    {
      absl::MutexLock lock(&mu_);
      state_ = State::kFinished;
    }
    grpc::ServerWriteReactor<v1::WatchPublicationsResponse>::Finish(
        ToGrpcStatus(DecorateError(std::move(status), kWatchPublications)));
  }
  using grpc::ServerWriteReactor<v1::WatchPublicationsResponse>::Finish;

  // One step: send the next message, or park.
  void Step() {
    bool cancelled = false;
    {
      absl::MutexLock lock(&mu_);
      if (state_ == State::kFinished) return;
      cancelled = cancelled_;
      if (cancelled) state_ = State::kFinished;
    }
    if (cancelled) {
      grpc::ServerWriteReactor<v1::WatchPublicationsResponse>::Finish(
          grpc::Status::CANCELLED);
      return;
    }
    if (service_->shutting_down_) {
      Finish(ShuttingDown());
      return;
    }
    const CallEnv& env = *service_->env_;
    bool send = false;
    // Read slices of the feed until there is something to send or the end
    // is reached; a step reads a bounded amount, then yields.
    for (int slice = 0; !send && slice < 16; ++slice) {
      if (!queue_.empty()) {
        FillMessage(std::move(queue_.front()));
        queue_.pop_front();
        if (queue_.empty()) position_ = batch_end_;
        send = true;
        break;
      }
      auto batch = service_->core_->ReadWatch(caller_, filter_, position_,
                                              kWatchBatchEvents);
      if (!batch.ok()) {
        Finish(batch.status());
        return;
      }
      batch_end_ = batch->scanned_to;
      at_end_ = batch->at_end;
      if (!batch->items.empty()) {
        queue_.assign(std::make_move_iterator(batch->items.begin()),
                      std::make_move_iterator(batch->items.end()));
        continue;
      }
      position_ = batch_end_;
      if (!at_end_) continue;
      const absl::Time now = env.clock->Now();
      if (!caught_up_sent_) {
        message_.Clear();
        message_.set_cursor(PublicationCore::EncodeCursor(position_));
        message_.set_caught_up(true);
        caught_up_sent_ = true;
        reported_ = position_;
        last_mark_ = now;
        send = true;
      } else if (position_ > reported_ &&
                 now >= last_mark_ + kProgressMarkInterval) {
        message_.Clear();
        message_.set_cursor(PublicationCore::EncodeCursor(position_));
        reported_ = position_;
        last_mark_ = now;
        send = true;
      }
      break;
    }
    std::shared_ptr<Watch> self;
    bool park = false;
    {
      absl::MutexLock lock(&mu_);
      if (send) {
        state_ = State::kWriting;
      } else if (!at_end_ || !queue_.empty()) {
        // Yield the worker; carry on at once.
        state_ = State::kScheduled;
        self = self_;
      } else {
        state_ = State::kParked;
        self = self_;
        park = true;
      }
    }
    if (send) {
      StartWrite(&message_);
      return;
    }
    if (self == nullptr) return;
    if (park) {
      service_->Park(std::move(self));
    } else {
      Schedule(std::move(self));
    }
  }

  void FillMessage(WatchBatch::Item item) {
    message_.Clear();
    message_.set_cursor(PublicationCore::EncodeCursor(item.seq));
    ToProto(item.publication, message_.mutable_publication());
    reported_ = item.seq;
    position_ = item.seq;
    last_mark_ = service_->env_->clock->Now();
  }

  PublicationServiceImpl* service_;
  grpc::CallbackServerContext* ctx_;
  const v1::WatchPublicationsRequest* req_;

  // Set up once, then used by one step at a time.
  Principal caller_;
  WatchFilter filter_;
  uint64_t position_ = 0;  // every event up to here is handled
  uint64_t reported_ = 0;  // the last cursor sent
  uint64_t batch_end_ = 0;
  bool at_end_ = false;
  bool caught_up_sent_ = false;
  absl::Time last_mark_;
  std::deque<WatchBatch::Item> queue_;
  v1::WatchPublicationsResponse message_;

  absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kScheduled;
  std::atomic<bool> cancelled_{false};
  std::shared_ptr<Watch> self_;
};

PublicationServiceImpl::PublicationServiceImpl(PublicationCore* core,
                                               const CallEnv* env)
    : core_(core), env_(env) {
  watcher_ = std::thread([this] { WatcherLoop(); });
}

PublicationServiceImpl::~PublicationServiceImpl() { BeginShutdown(); }

void PublicationServiceImpl::BeginShutdown() {
  shutting_down_ = true;
  {
    absl::MutexLock lock(&mu_);
    if (stop_watcher_) return;
    stop_watcher_ = true;
  }
  // The watcher ends the parked streams and exits at its next wake: at
  // once if the feed was woken for shutdown, else within its poll.
  if (watcher_.joinable()) watcher_.join();
}

void PublicationServiceImpl::Park(std::shared_ptr<Watch> watch) {
  Watch::Wake wake;
  {
    absl::MutexLock lock(&mu_);
    // The feed may have grown since the step read it, before the watcher
    // could see this stream: check once more under the lot's lock.
    wake = watch->TryWake(core_->feed()->LastVisibleFeedSeq(),
                          env_->clock->Now(), stop_watcher_);
    if (wake == Watch::Wake::kStay) parked_.push_back(watch);
  }
  if (wake == Watch::Wake::kWoken) watch->Schedule(watch);
}

void PublicationServiceImpl::WatcherLoop() {
  uint64_t seen = core_->feed()->LastVisibleFeedSeq();
  while (true) {
    // Wakes on new events, at shutdown, and every second for progress
    // marks.
    core_->feed()->WaitForFeed(seen, absl::Now() + absl::Seconds(1));
    seen = core_->feed()->LastVisibleFeedSeq();
    const absl::Time now = env_->clock->Now();
    std::vector<std::shared_ptr<Watch>> woken;
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      stopping = stop_watcher_;
      std::vector<std::shared_ptr<Watch>> still;
      for (auto& w : parked_) {
        switch (w->TryWake(seen, now, stopping)) {
          case Watch::Wake::kStay:
            still.push_back(std::move(w));
            break;
          case Watch::Wake::kWoken:
            woken.push_back(std::move(w));
            break;
          case Watch::Wake::kRemove:
            break;
        }
      }
      parked_ = std::move(still);
    }
    for (auto& w : woken) w->Schedule(w);
    if (stopping) return;
  }
}

grpc::ServerWriteReactor<v1::WatchPublicationsResponse>*
PublicationServiceImpl::WatchPublications(
    grpc::CallbackServerContext* ctx, const v1::WatchPublicationsRequest* req) {
  auto watch = std::make_shared<Watch>(this, ctx, req);
  Watch* raw = watch.get();
  raw->Begin(std::move(watch));
  return raw;
}

grpc::ServerUnaryReactor* PublicationServiceImpl::Publish(
    grpc::CallbackServerContext* ctx, const v1::PublishRequest* req,
    v1::Publication* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kPublish, CallKind::kWrite,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(PublishParams params, FromProto(*req));
        ASSIGN_OR_RETURN(Publication p,
                         core_->Publish(call, params.statement_id,
                                        params.language, params.policy));
        ToProto(p, resp);
        return absl::OkStatus();
      });
}

// Renders a whole document (HTML or plain text on read): too long for the
// gRPC thread.
grpc::ServerUnaryReactor* PublicationServiceImpl::GetPublication(
    grpc::CallbackServerContext* ctx, const v1::GetPublicationRequest* req,
    v1::GetPublicationResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kGetPublication, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(GetParams params, FromProto(*req));
        ASSIGN_OR_RETURN(
            Document d,
            core_->GetPublication(call.caller(), params.name.statement_id,
                                  params.name.language, params.name.version,
                                  params.format, params.full));
        ToProto(std::move(d), resp);
        return absl::OkStatus();
      });
}

// Scans the listing past every entry the filters skip: too long for the
// gRPC thread.
grpc::ServerUnaryReactor* PublicationServiceImpl::ListPublications(
    grpc::CallbackServerContext* ctx, const v1::ListPublicationsRequest* req,
    v1::ListPublicationsResponse* resp) {
  return UnaryCall::Serve(
      ctx, *env_, kListPublications, CallKind::kLongRead,
      [=, this](const CallContext& call) -> absl::Status {
        ASSIGN_OR_RETURN(ListQuery query, ListQueryFromProto(*req));
        ASSIGN_OR_RETURN(
            PublicationPage page,
            core_->ListPublications(call.caller(), query, req->page_size(),
                                    req->page_token()));
        ToProto(page, resp);
        return absl::OkStatus();
      });
}

}  // namespace tessera::publication
