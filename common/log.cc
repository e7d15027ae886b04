#include "common/log.h"

#include <cstdio>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace tessera {
namespace {

struct SinkSlot {
  absl::Mutex mu;
  LogSink sink ABSL_GUARDED_BY(mu);
};

SinkSlot& Slot() {
  // Never destroyed: background threads may log during process exit.
  static SinkSlot* slot = new SinkSlot;
  return *slot;
}

}  // namespace

LogSink SetLogSink(LogSink sink) {
  SinkSlot& slot = Slot();
  absl::MutexLock lock(&slot.mu);
  std::swap(slot.sink, sink);
  return sink;
}

void Log(LogLevel level, std::string_view component, std::string_view message) {
  SinkSlot& slot = Slot();
  absl::MutexLock lock(&slot.mu);
  if (slot.sink) {
    slot.sink(level, component, message);
    return;
  }
  std::fprintf(stderr, "tesserad: %.*s: %.*s\n",
               static_cast<int>(component.size()), component.data(),
               static_cast<int>(message.size()), message.data());
}

void LogError(std::string_view component, const absl::Status& status) {
  std::string text = status.ToString();
  Log(LogLevel::kError, component, text);
}

}  // namespace tessera
