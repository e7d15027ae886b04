#include "clients/cli/errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace tessera::cli {

const char kExitCodeHelp[] =
    "Exit codes:\n"
    "  0    success\n"
    "  1    other error (invalid input, QA errors, server error)\n"
    "  2    usage error (unknown command or flag, missing argument)\n"
    "  3    server unreachable (connection refused, TLS failure, timeout)\n"
    "  4    bad token (missing, unknown or revoked: UNAUTHENTICATED)\n"
    "  5    call denied (your role or language grant does not allow it)\n"
    "  6    not found (statement, user, publication; nothing to claim)\n"
    "  7    conflict (stale version, already exists, wrong state)\n"
    "  130  interrupted (Ctrl-C; any lease held was released)\n";

namespace {

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!status.error_details().empty()) {
    rpc.ParseFromString(status.error_details());
  }
  return rpc;
}

template <typename T>
bool Find(const google::rpc::Status& rpc, T& out) {
  for (const auto& any : rpc.details()) {
    if (any.Is<T>()) return any.UnpackTo(&out);
  }
  return false;
}

int CodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnreachable;
    case grpc::StatusCode::UNAUTHENTICATED:
      return kExitUnauthenticated;
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitDenied;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return kExitConflict;
    default:
      return kExitError;
  }
}

}  // namespace

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::ErrorInfo info;
  if (Find(Details(status), info)) return info.reason();
  return "";
}

std::vector<tessera::v1::QaIssue> QaIssues(const grpc::Status& status) {
  tessera::v1::QaReport report;
  if (!Find(Details(status), report)) return {};
  return {report.issues().begin(), report.issues().end()};
}

ErrorReport DescribeError(const grpc::Status& status,
                          const std::string& server) {
  ErrorReport r;
  r.exit_code = CodeFor(status.error_code());
  google::rpc::Status rpc = Details(status);
  google::rpc::ErrorInfo info;
  if (Find(rpc, info)) r.reason = info.reason();

  std::string msg = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (r.reason.empty()) {
        r.message = "cannot reach the server" +
                    (server.empty() ? std::string() : " at " + server) + " (" +
                    msg +
                    "); check --server, TESSERA_SERVER or `tessera login`";
        return r;
      }
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      r.message = "the server" +
                  (server.empty() ? std::string() : " at " + server) +
                  " did not answer in time (" + msg + ")";
      return r;
    case grpc::StatusCode::UNAUTHENTICATED:
      r.message = "the server does not accept this token (" + msg +
                  "); pass --token, set TESSERA_TOKEN or run `tessera login`";
      return r;
    case grpc::StatusCode::PERMISSION_DENIED: {
      r.message = "denied: " + msg;
      auto lang = info.metadata().find("language");
      if (lang != info.metadata().end()) {
        r.message += " (language " + lang->second + ")";
      }
      if (!r.reason.empty()) r.message += " [" + r.reason + "]";
      return r;
    }
    case grpc::StatusCode::UNIMPLEMENTED:
      r.message =
          "the server does not offer this call (UNIMPLEMENTED); it "
          "may be older than this client";
      return r;
    default:
      break;
  }

  r.message = msg.empty() ? "call failed" : msg;
  google::rpc::BadRequest bad;
  if (Find(rpc, bad)) {
    for (const auto& v : bad.field_violations()) {
      r.message += "; " + v.field() + ": " + v.description();
    }
  }
  google::rpc::PreconditionFailure pre;
  if (Find(rpc, pre)) {
    int shown = 0;
    for (const auto& v : pre.violations()) {
      if (++shown > 5) {
        r.message +=
            "; and " + std::to_string(pre.violations_size() - 5) + " more";
        break;
      }
      r.message += "; " + v.subject() + ": " + v.description();
    }
  }
  google::rpc::QuotaFailure quota;
  if (Find(rpc, quota)) {
    for (const auto& v : quota.violations()) {
      r.message += "; " + v.subject() + ": " + v.description();
    }
  }
  tessera::v1::VersionConflict conflict;
  if (Find(rpc, conflict)) {
    r.message += "; " + conflict.resource() + " is now at version " +
                 std::to_string(conflict.current_version()) +
                 ", someone changed it meanwhile: look again and retry";
  }
  if (!r.reason.empty()) r.message += " [" + r.reason + "]";
  return r;
}

}  // namespace tessera::cli
