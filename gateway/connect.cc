#include "gateway/connect.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"

namespace tessera::gateway {
namespace {

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// The detail's fields as JSON when its type is linked in; empty otherwise.
std::string DebugJson(absl::string_view type, const std::string& value) {
  const google::protobuf::Descriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(type));
  if (d == nullptr) return "";
  const google::protobuf::Message* proto =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
  if (proto == nullptr) return "";
  std::unique_ptr<google::protobuf::Message> m(proto->New());
  if (!m->ParseFromString(value)) return "";
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*m, &json).ok()) return "";
  return json;
}

std::string ErrorObject(const grpc::Status& status) {
  std::string out = "{\"code\":";
  AppendJsonString(&out, ConnectCodeName(status.error_code()));
  if (!status.error_message().empty()) {
    out.append(",\"message\":");
    AppendJsonString(&out, status.error_message());
  }
  google::rpc::Status rpc;
  if (!status.error_details().empty() &&
      rpc.ParseFromString(status.error_details()) && rpc.details_size() > 0) {
    out.append(",\"details\":[");
    for (int i = 0; i < rpc.details_size(); ++i) {
      const auto& any = rpc.details(i);
      absl::string_view type = any.type_url();
      if (size_t slash = type.rfind('/'); slash != absl::string_view::npos) {
        type = type.substr(slash + 1);
      }
      if (i > 0) out.push_back(',');
      out.append("{\"type\":");
      AppendJsonString(&out, type);
      out.append(",\"value\":");
      AppendJsonString(&out, Base64Unpadded(any.value()));
      std::string debug = DebugJson(type, any.value());
      if (!debug.empty()) absl::StrAppend(&out, ",\"debug\":", debug);
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

}  // namespace

absl::string_view ConnectCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED: return "canceled";
    case grpc::StatusCode::INVALID_ARGUMENT: return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND: return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS: return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED: return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "failed_precondition";
    case grpc::StatusCode::ABORTED: return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED: return "unimplemented";
    case grpc::StatusCode::INTERNAL: return "internal";
    case grpc::StatusCode::UNAVAILABLE: return "unavailable";
    case grpc::StatusCode::DATA_LOSS: return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED: return "unauthenticated";
    default: return "unknown";
  }
}

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT: return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::ALREADY_EXISTS: return 409;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::FAILED_PRECONDITION: return 400;
    case grpc::StatusCode::ABORTED: return 409;
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    default: return 500;
  }
}

std::string ErrorJson(const grpc::Status& status) {
  return ErrorObject(status);
}

std::optional<ContentType> ParseContentType(absl::string_view header) {
  std::vector<absl::string_view> parts = absl::StrSplit(header, ';');
  std::string type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string param = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[i]));
    if (absl::StartsWith(param, "charset=") && param != "charset=utf-8" &&
        param != "charset=\"utf-8\"") {
      return std::nullopt;
    }
  }
  ContentType ct;
  if (type == "application/json") return ct;
  if (type == "application/proto") {
    ct.codec = Codec::kProto;
    return ct;
  }
  ct.streaming = true;
  if (type == "application/connect+json") return ct;
  if (type == "application/connect+proto") {
    ct.codec = Codec::kProto;
    return ct;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseTimeoutMs(absl::string_view header) {
  if (header.empty() || header.size() > 10) return std::nullopt;
  for (char c : header) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t ms = 0;
  if (!absl::SimpleAtoi(header, &ms)) return std::nullopt;
  return ms;
}

std::string Envelope(uint8_t flags, absl::string_view payload) {
  std::string out;
  out.reserve(5 + payload.size());
  uint32_t n = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload.data(), payload.size());
  return out;
}

std::optional<std::pair<uint8_t, absl::string_view>> SingleEnvelope(
    absl::string_view body) {
  if (body.size() < 5) return std::nullopt;
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(body[i])); };
  uint32_t n = (b(1) << 24) | (b(2) << 16) | (b(3) << 8) | b(4);
  if (body.size() - 5 != n) return std::nullopt;
  return std::make_pair(static_cast<uint8_t>(body[0]), body.substr(5));
}

std::string EndStreamJson(
    const grpc::Status& status,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string out = "{";
  bool first = true;
  if (!status.ok()) {
    absl::StrAppend(&out, "\"error\":", ErrorObject(status));
    first = false;
  }
  if (!metadata.empty()) {
    if (!first) out.push_back(',');
    out.append("\"metadata\":{");
    // Keys repeat when a value was sent several times: group them.
    std::vector<std::pair<std::string, std::vector<std::string>>> grouped;
    for (const auto& [k, v] : metadata) {
      std::string value = absl::EndsWith(k, "-bin") ? Base64Unpadded(v) : v;
      auto it = std::find_if(grouped.begin(), grouped.end(),
                             [&key = k](const auto& g) { return g.first == key; });
      if (it == grouped.end()) {
        grouped.push_back({k, {value}});
      } else {
        it->second.push_back(value);
      }
    }
    for (size_t i = 0; i < grouped.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(&out, grouped[i].first);
      out.append(":[");
      for (size_t j = 0; j < grouped[i].second.size(); ++j) {
        if (j > 0) out.push_back(',');
        AppendJsonString(&out, grouped[i].second[j]);
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

std::string Base64Unpadded(absl::string_view bytes) {
  std::string out = absl::Base64Escape(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::optional<std::string> Base64Decode(absl::string_view text) {
  std::string out;
  if (absl::Base64Unescape(text, &out)) return out;
  if (absl::WebSafeBase64Unescape(text, &out)) return out;
  return std::nullopt;
}

}  // namespace tessera::gateway
