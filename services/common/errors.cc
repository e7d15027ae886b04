#include "services/common/errors.h"

#include "absl/strings/cord.h"
#include "common/strings.h"
#include "services/common/error_detail.pb.h"

namespace tessera {
namespace {

using internal::DomainErrorDetail;

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

std::optional<ErrorDetails> DetailsOf(const absl::Status& status) {
  auto payload = status.GetPayload(ToAbsl(kDomainErrorUrl));
  if (!payload.has_value()) return std::nullopt;
  DomainErrorDetail d;
  if (!d.ParseFromString(std::string(*payload))) return std::nullopt;
  ErrorDetails out;
  out.reason = d.reason();
  for (const auto& [k, v] : d.metadata()) out.metadata.emplace_back(k, v);
  for (const auto& f : d.field_violations()) {
    out.fields.push_back({f.field(), f.description()});
  }
  for (const auto& p : d.precondition_violations()) {
    out.preconditions.push_back({p.type(), p.subject(), p.description()});
  }
  for (const auto& q : d.quota_violations()) {
    out.quotas.push_back({q.subject(), q.description()});
  }
  return out;
}

void SetDetails(absl::Status& status, const ErrorDetails& details) {
  if (status.ok()) return;
  DomainErrorDetail d;
  d.set_reason(details.reason);
  for (const auto& [k, v] : details.metadata) (*d.mutable_metadata())[k] = v;
  for (const auto& f : details.fields) {
    auto* v = d.add_field_violations();
    v->set_field(f.field);
    v->set_description(f.description);
  }
  for (const auto& p : details.preconditions) {
    auto* v = d.add_precondition_violations();
    v->set_type(p.type);
    v->set_subject(p.subject);
    v->set_description(p.description);
  }
  for (const auto& q : details.quotas) {
    auto* v = d.add_quota_violations();
    v->set_subject(q.subject);
    v->set_description(q.description);
  }
  status.SetPayload(ToAbsl(kDomainErrorUrl), absl::Cord(d.SerializeAsString()));
}

absl::Status ErrorWithInfo(absl::StatusCode code, std::string_view reason,
                           std::string_view message,
                           const ErrorMetadata& metadata) {
  absl::Status s(code, ToAbsl(message));
  ErrorDetails d;
  d.reason = std::string(reason);
  d.metadata = metadata;
  SetDetails(s, d);
  return s;
}

absl::Status BadField(std::string_view field, std::string_view description,
                      std::string_view reason, const ErrorMetadata& metadata) {
  absl::Status s(absl::StatusCode::kInvalidArgument,
                 ToAbsl(StrCat(field, ": ", description)));
  ErrorDetails d;
  d.reason = std::string(reason);
  d.metadata = metadata;
  d.fields.push_back({std::string(field), std::string(description)});
  SetDetails(s, d);
  return s;
}

absl::Status PreconditionError(std::string_view reason,
                               std::string_view subject,
                               std::string_view message,
                               const ErrorMetadata& metadata) {
  absl::Status s(absl::StatusCode::kFailedPrecondition,
                 ToAbsl(StrCat(subject, ": ", message)));
  ErrorDetails d;
  d.reason = std::string(reason);
  d.metadata = metadata;
  d.preconditions.push_back(
      {std::string(reason), std::string(subject), std::string(message)});
  SetDetails(s, d);
  return s;
}

absl::Status WrongStateError(std::string_view subject, std::string_view state,
                             std::string_view message) {
  return PreconditionError("WRONG_STATE", subject, message,
                           {{"state", std::string(state)}});
}

absl::Status QuotaExceededError(std::string_view limit, int64_t value,
                                std::string_view message) {
  absl::Status s(absl::StatusCode::kResourceExhausted, ToAbsl(message));
  ErrorDetails d;
  d.reason = "LIMIT_EXCEEDED";
  d.metadata = {{"limit", std::string(limit)}, {"value", StrCat(value)}};
  d.quotas.push_back(
      {StrCat("limits/", limit), StrCat("the limit ", limit, " is ", value)});
  SetDetails(s, d);
  return s;
}

absl::Status NotFoundError(std::string_view resource,
                           std::string_view message) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND", message,
                       {{"resource", std::string(resource)}});
}

absl::Status DecorateError(absl::Status status, std::string_view method) {
  if (status.ok()) return status;
  ErrorDetails d = DetailsOf(status).value_or(ErrorDetails{});
  if (d.reason.empty()) {
    std::string_view reason = DefaultReason(status.code());
    if (reason.empty()) return status;
    d.reason = std::string(reason);
  }
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    bool replaced = false;
    for (auto& [k, v] : d.metadata) {
      if (k == "method") {
        v = std::string(method);
        replaced = true;
      }
    }
    if (!replaced) d.metadata.emplace_back("method", std::string(method));
  }
  SetDetails(status, d);
  return status;
}

}  // namespace tessera
