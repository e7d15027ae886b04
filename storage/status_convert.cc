#include "storage/status_convert.h"

#include "absl/strings/str_cat.h"

namespace tessera::storage {

absl::Status ToAbsl(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("storage: ", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
      return absl::AbortedError(msg);
    case rocksdb::Status::kTimedOut:
      return absl::DeadlineExceededError(msg);
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported:
      return absl::FailedPreconditionError(msg);
    case rocksdb::Status::kIOError:
    case rocksdb::Status::kShutdownInProgress:
    case rocksdb::Status::kIncomplete:
      return absl::UnavailableError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace tessera::storage
