// Pure formatting and parsing helpers of the CLI: readable inline codes,
// progress bars, tables, times, role grants, JSON.
#ifndef TESSERA_CLIENTS_CLI_RENDER_H_
#define TESSERA_CLIENTS_CLI_RENDER_H_

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tessera/v1/common.pb.h"

namespace tessera::cli {

// "Nous {1}exigeons{/1} :{2/}" for a Content; literal braces doubled.
std::string ToReadable(const tessera::v1::Content& content);
// The inverse; INVALID_ARGUMENT with the byte offset of a malformed marker.
absl::StatusOr<tessera::v1::Content> ParseReadable(std::string_view text);

// "[########------------]  40%" with `width` cells; percent in [0, 100].
std::string ProgressBar(double percent, int width);

// Columns padded to their widest cell (counted in code points); the last
// column is not padded.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// RFC 3339 in UTC, or "-" when unset.
std::string FormatTime(const google::protobuf::Timestamp& ts);
// "2026-12-01", "2026-12-01T18:00:00Z" (RFC 3339), or relative to `now`:
// "+3d", "+12h", "+30m".
absl::StatusOr<google::protobuf::Timestamp> ParseTime(std::string_view text,
                                                      absl::Time now);

// "translator=de,en" / "admin" into a RoleGrant.
absl::StatusOr<tessera::v1::RoleGrant> ParseRoleGrant(std::string_view text);
// "translator=de,en" / "admin" from a RoleGrant.
std::string FormatRoleGrant(const tessera::v1::RoleGrant& grant);

// Enum value name without its prefix, lowercased: SEGMENT_STATE_APPROVED
// with prefix "SEGMENT_STATE_" gives "approved".
std::string ShortEnumName(const std::string& full, std::string_view prefix);

// One-line JSON with the proto field names (snake_case).
std::string ToJson(const google::protobuf::Message& message);

// Id of a resource name: "statements/icor" gives "icor".
std::string LastComponent(std::string_view name);

}  // namespace tessera::cli

#endif  // TESSERA_CLIENTS_CLI_RENDER_H_
