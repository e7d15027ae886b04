#include "server/protobuf_log.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "google/protobuf/stubs/logging.h"

namespace tessera {
namespace {

std::mutex mu;
int limit = 10;
std::chrono::steady_clock::time_point window_start;
int in_window = 0;
int64_t suppressed_pending = 0;
int64_t suppressed_total = 0;

const char* LevelName(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return "INFO";
    case google::protobuf::LOGLEVEL_WARNING:
      return "WARNING";
    case google::protobuf::LOGLEVEL_ERROR:
      return "ERROR";
    case google::protobuf::LOGLEVEL_FATAL:
      return "FATAL";
  }
  return "?";
}

void Handler(google::protobuf::LogLevel level, const char* filename, int line,
             const std::string& message) {
  std::lock_guard<std::mutex> lock(mu);
  auto now = std::chrono::steady_clock::now();
  if (now - window_start >= std::chrono::seconds(1)) {
    window_start = now;
    in_window = 0;
  }
  // FATAL lines precede an abort; never hide them.
  if (in_window >= limit && level != google::protobuf::LOGLEVEL_FATAL) {
    ++suppressed_pending;
    ++suppressed_total;
    return;
  }
  ++in_window;
  if (suppressed_pending > 0) {
    fprintf(stderr, "[libprotobuf WARNING] suppressed %lld line(s)\n",
            static_cast<long long>(suppressed_pending));
    suppressed_pending = 0;
  }
  fprintf(stderr, "[libprotobuf %s %s:%d] %s\n", LevelName(level), filename,
          line, message.c_str());
  fflush(stderr);
}

}  // namespace

void LimitProtobufLogging(int lines_per_second) {
  {
    std::lock_guard<std::mutex> lock(mu);
    limit = lines_per_second < 1 ? 1 : lines_per_second;
  }
  google::protobuf::SetLogHandler(&Handler);
}

int64_t SuppressedProtobufLogLines() {
  std::lock_guard<std::mutex> lock(mu);
  return suppressed_total;
}

}  // namespace tessera
