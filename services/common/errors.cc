#include "services/common/errors.h"

#include "common/strings.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/grpc_status.h"

namespace tessera {
namespace {

constexpr std::string_view kErrorInfoUrl =
    "type.googleapis.com/google.rpc.ErrorInfo";

// The reason an error gets when the core attached none.
std::string_view DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_FIELD";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kAborted:
      return "VERSION_CONFLICT";
    case absl::StatusCode::kFailedPrecondition:
      return "WRONG_STATE";
    case absl::StatusCode::kResourceExhausted:
      return "LIMIT_EXCEEDED";
    case absl::StatusCode::kPermissionDenied:
      return "ROLE_DENIED";
    case absl::StatusCode::kUnavailable:
      return "SHUTTING_DOWN";
    default:
      return {};
  }
}

}  // namespace

absl::Status ErrorWithInfo(absl::StatusCode code, std::string_view reason,
                           std::string_view message,
                           const ErrorMetadata& metadata) {
  absl::Status s(code, ToAbsl(message));
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain("tessera");
  for (const auto& [k, v] : metadata) (*info.mutable_metadata())[k] = v;
  AttachDetail(s, info);
  return s;
}

absl::Status BadField(std::string_view field, std::string_view description,
                      std::string_view reason, const ErrorMetadata& metadata) {
  absl::Status s = ErrorWithInfo(absl::StatusCode::kInvalidArgument, reason,
                                 StrCat(field, ": ", description), metadata);
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field(std::string(field));
  v->set_description(std::string(description));
  AttachDetail(s, bad);
  return s;
}

absl::Status DecorateError(absl::Status status, std::string_view method) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  auto payload = status.GetPayload(ToAbsl(kErrorInfoUrl));
  if (payload.has_value()) {
    if (!info.ParseFromString(std::string(*payload))) return status;
  } else {
    std::string_view reason = DefaultReason(status.code());
    if (reason.empty()) return status;
    info.set_reason(std::string(reason));
    info.set_domain("tessera");
  }
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    (*info.mutable_metadata())["method"] = std::string(method);
  }
  AttachDetail(status, info);
  return status;
}

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest) * 1000);
}

}  // namespace tessera
