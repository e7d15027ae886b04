// Test-only views of a domain error's details, shaped like the google.rpc
// messages the gRPC edge turns them into (ErrorInfo, PreconditionFailure,
// QuotaFailure), so that core tests read the way an API client would
// without linking gRPC.
#ifndef TESSERA_SERVICES_COMMON_ERROR_TESTING_H_
#define TESSERA_SERVICES_COMMON_ERROR_TESTING_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/common/errors.h"

namespace tessera::testing {

class ErrorInfoView {
 public:
  explicit ErrorInfoView(const ErrorDetails& d) : reason_(d.reason) {
    for (const auto& [k, v] : d.metadata) metadata_[k] = v;
  }
  const std::string& reason() const { return reason_; }
  const std::map<std::string, std::string>& metadata() const {
    return metadata_;
  }

 private:
  std::string reason_;
  std::map<std::string, std::string> metadata_;
};

struct ViolationView {
  std::string type_, subject_, description_;
  const std::string& type() const { return type_; }
  const std::string& subject() const { return subject_; }
  const std::string& description() const { return description_; }
};

class ViolationsView {
 public:
  explicit ViolationsView(std::vector<ViolationView> v) : v_(std::move(v)) {}
  int violations_size() const { return static_cast<int>(v_.size()); }
  const ViolationView& violations(int i) const { return v_.at(i); }

 private:
  std::vector<ViolationView> v_;
};

// The reason and metadata `s` carries; nullopt when it carries no details.
inline std::optional<ErrorInfoView> ErrorInfoOf(const absl::Status& s) {
  std::optional<ErrorDetails> d = DetailsOf(s);
  if (!d.has_value()) return std::nullopt;
  return ErrorInfoView(*d);
}

// The precondition violations `s` carries; nullopt when there are none.
inline std::optional<ViolationsView> PreconditionFailureOf(
    const absl::Status& s) {
  std::optional<ErrorDetails> d = DetailsOf(s);
  if (!d.has_value() || d->preconditions.empty()) return std::nullopt;
  std::vector<ViolationView> out;
  for (const auto& v : d->preconditions) {
    out.push_back({v.type, v.subject, v.description});
  }
  return ViolationsView(std::move(out));
}

// The quota violations `s` carries; nullopt when there are none.
inline std::optional<ViolationsView> QuotaFailureOf(const absl::Status& s) {
  std::optional<ErrorDetails> d = DetailsOf(s);
  if (!d.has_value() || d->quotas.empty()) return std::nullopt;
  std::vector<ViolationView> out;
  for (const auto& v : d->quotas) out.push_back({"", v.subject, v.description});
  return ViolationsView(std::move(out));
}

}  // namespace tessera::testing

#endif  // TESSERA_SERVICES_COMMON_ERROR_TESTING_H_
