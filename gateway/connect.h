// The Connect protocol's pieces that do not depend on sockets: the code and
// HTTP status tables, error bodies (google.rpc.Status details decoded),
// envelopes, and header parsing. See connectrpc.com/docs/protocol.
//
// Pure functions; thread-safe.
#ifndef TESSERA_GATEWAY_CONNECT_H_
#define TESSERA_GATEWAY_CONNECT_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "grpcpp/support/status.h"

namespace tessera::gateway {

// "invalid_argument" etc.; OK has no Connect name and gives "unknown".
absl::string_view ConnectCodeName(grpc::StatusCode code);
// The HTTP status a unary error with `code` is sent with.
int HttpStatusFor(grpc::StatusCode code);

// The Connect error JSON for `status`: {"code","message","details"}, where
// details come from status.error_details() (a serialized google.rpc.Status)
// as {"type","value" (base64, unpadded),"debug" (JSON, when the type is
// known)}.
std::string ErrorJson(const grpc::Status& status);

// How a request body is framed and encoded.
enum class Codec { kJson, kProto };
struct ContentType {
  bool streaming = false;  // application/connect+*
  Codec codec = Codec::kJson;
};
// Parses a Content-Type header: application/json, application/proto,
// application/connect+json, application/connect+proto (case-insensitive,
// parameters ignored except a charset other than utf-8). nullopt otherwise.
std::optional<ContentType> ParseContentType(absl::string_view header);

// Connect-Timeout-Ms: 1 to 10 digits. nullopt when malformed.
std::optional<int64_t> ParseTimeoutMs(absl::string_view header);

// Envelope flags.
inline constexpr uint8_t kFlagCompressed = 0x01;
inline constexpr uint8_t kFlagEndStream = 0x02;
// 1 flag byte, 4 bytes of big-endian length, then the payload.
std::string Envelope(uint8_t flags, absl::string_view payload);
// Splits a request body that must hold exactly one envelope. Returns the
// flags and the payload, or nullopt when the body is not one whole
// envelope.
std::optional<std::pair<uint8_t, absl::string_view>> SingleEnvelope(
    absl::string_view body);

// The end-stream message: {"error":…,"metadata":{k:[v…]}}, either part
// left out when empty. `metadata` keys ending in -bin hold raw bytes and
// are base64-encoded.
std::string EndStreamJson(
    const grpc::Status& status,
    const std::vector<std::pair<std::string, std::string>>& metadata);

// Standard base64 without padding, as Connect sends binary values.
std::string Base64Unpadded(absl::string_view bytes);
// Accepts standard or URL-safe base64, padded or not.
std::optional<std::string> Base64Decode(absl::string_view text);

}  // namespace tessera::gateway

#endif  // TESSERA_GATEWAY_CONNECT_H_
