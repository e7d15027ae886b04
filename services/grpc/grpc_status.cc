#include "services/grpc/grpc_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/strings.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/errors.h"

namespace tessera {
namespace {

constexpr std::string_view kTypePrefix = "type.googleapis.com/";

grpc::StatusCode ToGrpcCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return grpc::StatusCode::OK;
    case absl::StatusCode::kCancelled:
      return grpc::StatusCode::CANCELLED;
    case absl::StatusCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case absl::StatusCode::kDeadlineExceeded:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case absl::StatusCode::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case absl::StatusCode::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case absl::StatusCode::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case absl::StatusCode::kResourceExhausted:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case absl::StatusCode::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case absl::StatusCode::kAborted:
      return grpc::StatusCode::ABORTED;
    case absl::StatusCode::kOutOfRange:
      return grpc::StatusCode::OUT_OF_RANGE;
    case absl::StatusCode::kUnimplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
    case absl::StatusCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case absl::StatusCode::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    default:
      return grpc::StatusCode::INTERNAL;
  }
}

}  // namespace

absl::Status WithRpcDetails(absl::Status status) {
  std::optional<ErrorDetails> d = DetailsOf(status);
  if (!d.has_value()) return status;
  status.ErasePayload(ToAbsl(kDomainErrorUrl));
  google::rpc::ErrorInfo info;
  info.set_reason(d->reason);
  info.set_domain("tessera");
  for (const auto& [k, v] : d->metadata) (*info.mutable_metadata())[k] = v;
  AttachDetail(status, info);
  if (!d->fields.empty()) {
    google::rpc::BadRequest bad;
    for (const auto& f : d->fields) {
      auto* v = bad.add_field_violations();
      v->set_field(f.field);
      v->set_description(f.description);
    }
    AttachDetail(status, bad);
  }
  if (!d->preconditions.empty()) {
    google::rpc::PreconditionFailure pf;
    for (const auto& p : d->preconditions) {
      auto* v = pf.add_violations();
      v->set_type(p.type);
      v->set_subject(p.subject);
      v->set_description(p.description);
    }
    AttachDetail(status, pf);
  }
  if (!d->quotas.empty()) {
    google::rpc::QuotaFailure quota;
    for (const auto& q : d->quotas) {
      auto* v = quota.add_violations();
      v->set_subject(q.subject);
      v->set_description(q.description);
    }
    AttachDetail(status, quota);
  }
  return status;
}

void AttachDetail(absl::Status& status,
                  const google::protobuf::Message& detail) {
  std::string url = StrCat(kTypePrefix, detail.GetDescriptor()->full_name());
  status.SetPayload(absl::string_view(url.data(), url.size()),
                    absl::Cord(detail.SerializeAsString()));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  grpc::StatusCode code = ToGrpcCode(status.code());
  if (code == grpc::StatusCode::INTERNAL) {
    // Keep internals out of the response; keep them in the log.
    LogError("rpc", status);
    return grpc::Status(code, "internal error");
  }
  std::string message(status.message().data(), status.message().size());
  google::rpc::Status rpc_status;
  WithRpcDetails(status).ForEachPayload([&](absl::string_view url,
                                            const absl::Cord& value) {
    if (!absl::StartsWith(
            url, absl::string_view(kTypePrefix.data(), kTypePrefix.size()))) {
      return;
    }
    auto* any = rpc_status.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(value));
  });
  if (rpc_status.details_size() == 0) return grpc::Status(code, message);
  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(message);
  return grpc::Status(code, message, rpc_status.SerializeAsString());
}

}  // namespace tessera
