// Rate limit for protobuf's own log lines.
//
// Protobuf logs one "libprotobuf ERROR" line for every message it fails to
// parse for certain reasons (a string field that is not UTF-8), and gRPC
// parses requests before any authentication, so without a limit anyone can
// fill the server's log. The handler writes at most `lines_per_second`
// lines a second to stderr and then one summary line
// "libprotobuf: suppressed K line(s)" when the next line is let through.
#ifndef TESSERA_SERVER_PROTOBUF_LOG_H_
#define TESSERA_SERVER_PROTOBUF_LOG_H_

#include <cstdint>

namespace tessera {

// Installs the rate-limited handler for the whole process (protobuf has one
// global handler). Call once, early in main.
void LimitProtobufLogging(int lines_per_second);

// Lines the handler dropped so far.
int64_t SuppressedProtobufLogLines();

}  // namespace tessera

#endif  // TESSERA_SERVER_PROTOBUF_LOG_H_
