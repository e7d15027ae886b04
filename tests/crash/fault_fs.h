// FaultFs: a RocksDB FileSystem that remembers, per file, what was synced
// and what was only written, so that a test can "cut the power": every
// byte not made durable by Sync/Fsync is dropped, and every file whose
// creation was not made durable by an fsync of its directory is removed
// (RocksDB's FaultInjectionTestFS is the model). It also fails the Nth
// write, sync or read from now on, once or until cleared. Test-only.
//
// Usage: fs = std::make_shared<FaultFs>(); env = fs->NewEnv(); open the
// store with env; ...; fs->SetActive(false) (the machine is off: every
// write and sync fails from now); close the store; fs->DropUnsynced();
// fs->SetActive(true); reopen.
//
// Thread-safe.
#ifndef TESSERA_TESTS_CRASH_FAULT_FS_H_
#define TESSERA_TESTS_CRASH_FAULT_FS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace tessera::testing {

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  enum class Op { kWrite, kSync, kRead };

  FaultFs();
  const char* Name() const override { return "TesseraFaultFs"; }

  // An Env over this file system; must not outlive it.
  std::unique_ptr<rocksdb::Env> NewEnv();

  // While inactive, every write, sync, create, rename and delete fails with
  // an I/O error and changes nothing.
  void SetActive(bool active);

  // The `n`th operation of kind `op` from now (1 = the next one) fails with
  // an I/O error; with `sticky`, every later one too, until ClearFaults().
  void FailAt(Op op, int n, bool sticky);
  void ClearFaults();
  // The power goes off at the `n`th sync from now, before it syncs: what
  // that sync would have made durable is in the page cache only.
  void CutPowerAtSync(int n);
  // Faults injected so far.
  int injected() const { return injected_.load(); }

  // The power cut: truncates every file written through this file system
  // to its last synced size and deletes every file created since the last
  // fsync of its directory. Call with the database closed. Returns the
  // number of files changed.
  int DropUnsynced();

  // Called by the file wrappers.
  rocksdb::IOStatus Check(Op op);
  void Wrote(const std::string& path, uint64_t bytes);
  void Synced(const std::string& path);
  void Truncated(const std::string& path, uint64_t size);
  void DirSynced(const std::string& dir);

  rocksdb::IOStatus NewWritableFile(const std::string& f,
                                    const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& f, const rocksdb::FileOptions& o,
      std::unique_ptr<rocksdb::FSWritableFile>* r,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& f, const std::string& old,
      const rocksdb::FileOptions& o,
      std::unique_ptr<rocksdb::FSWritableFile>* r,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(
      const std::string& f, const rocksdb::FileOptions& o,
      std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewSequentialFile(
      const std::string& f, const rocksdb::FileOptions& o,
      std::unique_ptr<rocksdb::FSSequentialFile>* r,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& d,
                                 const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f,
                               const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  static std::string DirOf(const std::string& path);
  void Created(const std::string& path, uint64_t size)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  bool active_ ABSL_GUARDED_BY(mu_) = true;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  // Per directory: names created (or renamed in) since its last fsync.
  std::map<std::string, std::set<std::string>> unsynced_entries_
      ABSL_GUARDED_BY(mu_);
  struct Fault {
    int countdown = 0;  // 0: none armed
    bool sticky = false;
    bool firing = false;
  };
  Fault faults_[3] ABSL_GUARDED_BY(mu_);
  int cut_at_sync_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int> injected_{0};
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_CRASH_FAULT_FS_H_
