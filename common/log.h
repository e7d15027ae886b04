// The one seam for messages that have no caller to return to: background
// errors (a failed feed batch, a failed lease sweep) and internal errors
// hidden from clients. By default they go to stderr as
// "tesserad: <component>: <message>"; a process or a test may install its
// own sink.
//
// Thread-safe: the sink is called under a lock, one message at a time.
#ifndef TESSERA_COMMON_LOG_H_
#define TESSERA_COMMON_LOG_H_

#include <functional>
#include <string_view>

#include "absl/status/status.h"

namespace tessera {

enum class LogLevel { kInfo, kWarning, kError };

using LogSink = std::function<void(LogLevel level, std::string_view component,
                                   std::string_view message)>;

// Installs `sink` (null restores stderr) and returns the previous one.
LogSink SetLogSink(LogSink sink);

void Log(LogLevel level, std::string_view component, std::string_view message);

// Log(kError, component, status.ToString()).
void LogError(std::string_view component, const absl::Status& status);

}  // namespace tessera

#endif  // TESSERA_COMMON_LOG_H_
