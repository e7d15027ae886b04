// Turns a failed gRPC call into one line for people and an exit code for
// scripts, using the google.rpc details the server attaches (ErrorInfo,
// BadRequest, PreconditionFailure, QuotaFailure, VersionConflict).
#ifndef TESSERA_CLIENTS_CLI_ERRORS_H_
#define TESSERA_CLIENTS_CLI_ERRORS_H_

#include <grpcpp/support/status.h>

#include <string>
#include <vector>

#include "tessera/v1/common.pb.h"

namespace tessera::cli {

// Exit codes, documented in `tessera --help`.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,            // anything else (invalid argument, state, ...)
  kExitUsage = 2,            // bad command line
  kExitUnreachable = 3,      // cannot connect (UNAVAILABLE, DEADLINE_EXCEEDED)
  kExitUnauthenticated = 4,  // missing, unknown or revoked token
  kExitDenied = 5,           // PERMISSION_DENIED
  kExitNotFound = 6,         // NOT_FOUND
  kExitConflict = 7,         // ABORTED, ALREADY_EXISTS, FAILED_PRECONDITION
  kExitInterrupted = 130,    // Ctrl-C
};

extern const char kExitCodeHelp[];

struct ErrorReport {
  int exit_code = kExitError;
  std::string reason;   // ErrorInfo.reason, e.g. "NOTHING_TO_CLAIM"
  std::string message;  // one line, without the program name
};

ErrorReport DescribeError(const grpc::Status& status,
                          const std::string& server = "");

// The ErrorInfo reason of a status, or "".
std::string ErrorReason(const grpc::Status& status);

// The QA findings a Submit failed with (QaReport detail), if any.
std::vector<tessera::v1::QaIssue> QaIssues(const grpc::Status& status);

}  // namespace tessera::cli

#endif  // TESSERA_CLIENTS_CLI_ERRORS_H_
