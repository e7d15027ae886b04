// Converts rocksdb::Status to absl::Status. Internal to storage/: the one
// place where RocksDB error codes are interpreted.
#ifndef TESSERA_STORAGE_STATUS_CONVERT_H_
#define TESSERA_STORAGE_STATUS_CONVERT_H_

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "rocksdb/status.h"

namespace tessera::storage {

absl::Status ToAbsl(const rocksdb::Status& s);

}  // namespace tessera::storage

#endif  // TESSERA_STORAGE_STATUS_CONVERT_H_
