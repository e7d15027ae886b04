#include "tests/crash/fault_fs.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tessera::testing {
namespace {

using rocksdb::DataVerificationInfo;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

class Writable final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  Writable(FaultFs* fs, std::string path,
           std::unique_ptr<rocksdb::FSWritableFile> f)
      : FSWritableFileOwnerWrapper(std::move(f)),
        fs_(fs),
        path_(std::move(path)) {}

  IOStatus Append(const Slice& data, const IOOptions& o,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kWrite);
    if (s.ok()) s = target()->Append(data, o, dbg);
    if (s.ok()) fs_->Wrote(path_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& o,
                  const DataVerificationInfo& /*info*/,
                  IODebugContext* dbg) override {
    return Append(data, o, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kWrite);
    if (s.ok()) s = target()->PositionedAppend(data, offset, o, dbg);
    if (s.ok()) fs_->Truncated(path_, offset + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& o,
                            const DataVerificationInfo& /*info*/,
                            IODebugContext* dbg) override {
    return PositionedAppend(data, offset, o, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o,
                    IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kWrite);
    if (s.ok()) s = target()->Truncate(size, o, dbg);
    if (s.ok()) fs_->Truncated(path_, size);
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kSync);
    if (s.ok()) s = target()->Sync(o, dbg);
    if (s.ok()) fs_->Synced(path_);
    return s;
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kSync);
    if (s.ok()) s = target()->Fsync(o, dbg);
    if (s.ok()) fs_->Synced(path_);
    return s;
  }
  // sync_file_range makes nothing durable (no metadata, no barrier), so it
  // is not a sync here.
  IOStatus RangeSync(uint64_t offset, uint64_t n, const IOOptions& o,
                     IODebugContext* dbg) override {
    return target()->RangeSync(offset, n, o, dbg);
  }

 private:
  FaultFs* const fs_;
  const std::string path_;
};

class RandomAccess final : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  RandomAccess(FaultFs* fs, std::unique_ptr<rocksdb::FSRandomAccessFile> f)
      : FSRandomAccessFileOwnerWrapper(std::move(f)), fs_(fs) {}
  IOStatus Read(uint64_t offset, size_t n, const IOOptions& o, Slice* result,
                char* scratch, IODebugContext* dbg) const override {
    IOStatus s = fs_->Check(FaultFs::Op::kRead);
    if (!s.ok()) return s;
    return target()->Read(offset, n, o, result, scratch, dbg);
  }
  IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num,
                     const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kRead);
    if (!s.ok()) {
      for (size_t i = 0; i < num; ++i) reqs[i].status = s;
      return s;
    }
    return target()->MultiRead(reqs, num, o, dbg);
  }

 private:
  FaultFs* const fs_;
};

class Sequential final : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  Sequential(FaultFs* fs, std::unique_ptr<rocksdb::FSSequentialFile> f)
      : FSSequentialFileOwnerWrapper(std::move(f)), fs_(fs) {}
  IOStatus Read(size_t n, const IOOptions& o, Slice* result, char* scratch,
                IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kRead);
    if (!s.ok()) return s;
    return target()->Read(n, o, result, scratch, dbg);
  }

 private:
  FaultFs* const fs_;
};

class Directory final : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(FaultFs* fs, std::string path,
            std::unique_ptr<rocksdb::FSDirectory> d)
      : FSDirectoryWrapper(std::move(d)), fs_(fs), path_(std::move(path)) {}
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(FaultFs::Op::kSync);
    if (s.ok()) s = FSDirectoryWrapper::Fsync(o, dbg);
    if (s.ok()) fs_->DirSynced(path_);
    return s;
  }
  IOStatus FsyncWithDirOptions(
      const IOOptions& o, IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& /*opts*/) override {
    return Fsync(o, dbg);
  }

 private:
  FaultFs* const fs_;
  const std::string path_;
};

std::string Normal(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

FaultFs::FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

std::unique_ptr<rocksdb::Env> FaultFs::NewEnv() {
  // The Env does not own us: the test keeps the FaultFs alive.
  return rocksdb::NewCompositeEnv(
      std::shared_ptr<rocksdb::FileSystem>(this, [](rocksdb::FileSystem*) {}));
}

void FaultFs::SetActive(bool active) {
  absl::MutexLock lock(&mu_);
  active_ = active;
}

void FaultFs::FailAt(Op op, int n, bool sticky) {
  absl::MutexLock lock(&mu_);
  faults_[static_cast<int>(op)] = {n, sticky, false};
}

void FaultFs::ClearFaults() {
  absl::MutexLock lock(&mu_);
  for (auto& f : faults_) f = Fault{};
  cut_at_sync_ = 0;
}

void FaultFs::CutPowerAtSync(int n) {
  absl::MutexLock lock(&mu_);
  cut_at_sync_ = n;
}

IOStatus FaultFs::Check(Op op) {
  absl::MutexLock lock(&mu_);
  if (op == Op::kSync && cut_at_sync_ > 0 && --cut_at_sync_ == 0) {
    active_ = false;
  }
  if (!active_ && op != Op::kRead) return IOStatus::IOError("power is off");
  Fault& f = faults_[static_cast<int>(op)];
  if (f.firing) {
    ++injected_;
    return IOStatus::IOError("injected fault");
  }
  if (f.countdown > 0 && --f.countdown == 0) {
    f.firing = f.sticky;
    ++injected_;
    return IOStatus::IOError("injected fault");
  }
  return IOStatus::OK();
}

std::string FaultFs::DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : Normal(path.substr(0, slash));
}

void FaultFs::Created(const std::string& path, uint64_t size) {
  files_[path] = FileState{size, 0};
  unsynced_entries_[DirOf(path)].insert(path);
}

void FaultFs::Wrote(const std::string& path, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  files_[path].size += bytes;
}

void FaultFs::Synced(const std::string& path) {
  absl::MutexLock lock(&mu_);
  auto& f = files_[path];
  f.synced = f.size;
}

void FaultFs::Truncated(const std::string& path, uint64_t size) {
  absl::MutexLock lock(&mu_);
  auto& f = files_[path];
  f.size = size;
  if (f.synced > size) f.synced = size;
}

void FaultFs::DirSynced(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  unsynced_entries_.erase(Normal(dir));
}

int FaultFs::DropUnsynced() {
  absl::MutexLock lock(&mu_);
  int changed = 0;
  std::set<std::string> removed;
  for (const auto& [dir, names] : unsynced_entries_) {
    for (const std::string& name : names) {
      if (::unlink(name.c_str()) == 0) ++changed;
      removed.insert(name);
    }
  }
  for (const auto& [path, f] : files_) {
    if (removed.count(path) || f.synced >= f.size) continue;
    if (::truncate(path.c_str(), static_cast<off_t>(f.synced)) == 0) {
      ++changed;
    }
  }
  files_.clear();
  unsynced_entries_.clear();
  return changed;
}

IOStatus FaultFs::NewWritableFile(const std::string& f,
                                  const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSWritableFile>* r,
                                  IODebugContext* dbg) {
  IOStatus s = Check(Op::kWrite);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> inner;
  s = target()->NewWritableFile(f, o, &inner, dbg);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    Created(f, 0);
  }
  *r = std::make_unique<Writable>(this, f, std::move(inner));
  return s;
}

IOStatus FaultFs::ReopenWritableFile(
    const std::string& f, const rocksdb::FileOptions& o,
    std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = Check(Op::kWrite);
  if (!s.ok()) return s;
  uint64_t size = 0;
  bool existed = target()->FileExists(f, IOOptions(), dbg).ok();
  if (existed) target()->GetFileSize(f, IOOptions(), &size, dbg);
  std::unique_ptr<rocksdb::FSWritableFile> inner;
  s = target()->ReopenWritableFile(f, o, &inner, dbg);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(f);
    if (it == files_.end()) {
      if (existed) {
        files_[f] = FileState{size, size};  // durable before we saw it
      } else {
        Created(f, 0);
      }
    }
  }
  *r = std::make_unique<Writable>(this, f, std::move(inner));
  return s;
}

IOStatus FaultFs::ReuseWritableFile(
    const std::string& f, const std::string& old,
    const rocksdb::FileOptions& o,
    std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = RenameFile(old, f, IOOptions(), dbg);
  if (!s.ok()) return s;
  return NewWritableFile(f, o, r, dbg);
}

IOStatus FaultFs::NewRandomAccessFile(
    const std::string& f, const rocksdb::FileOptions& o,
    std::unique_ptr<rocksdb::FSRandomAccessFile>* r, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSRandomAccessFile> inner;
  IOStatus s = target()->NewRandomAccessFile(f, o, &inner, dbg);
  if (s.ok()) *r = std::make_unique<RandomAccess>(this, std::move(inner));
  return s;
}

IOStatus FaultFs::NewSequentialFile(
    const std::string& f, const rocksdb::FileOptions& o,
    std::unique_ptr<rocksdb::FSSequentialFile>* r, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSSequentialFile> inner;
  IOStatus s = target()->NewSequentialFile(f, o, &inner, dbg);
  if (s.ok()) *r = std::make_unique<Sequential>(this, std::move(inner));
  return s;
}

IOStatus FaultFs::NewDirectory(const std::string& d, const IOOptions& o,
                               std::unique_ptr<rocksdb::FSDirectory>* r,
                               IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> inner;
  IOStatus s = target()->NewDirectory(d, o, &inner, dbg);
  if (s.ok()) *r = std::make_unique<Directory>(this, d, std::move(inner));
  return s;
}

IOStatus FaultFs::RenameFile(const std::string& s, const std::string& t,
                             const IOOptions& o, IODebugContext* dbg) {
  IOStatus st = Check(Op::kWrite);
  if (!st.ok()) return st;
  st = target()->RenameFile(s, t, o, dbg);
  if (!st.ok()) return st;
  absl::MutexLock lock(&mu_);
  // The new name is durable only once its directory is synced. (Whether
  // the rename itself is undone by a cut is not modelled: the target stays
  // if the source's creation was durable.)
  auto it = files_.find(s);
  if (it != files_.end()) {
    files_[t] = it->second;
    files_.erase(it);
  } else {
    files_.erase(t);
  }
  auto& src_dir = unsynced_entries_[DirOf(s)];
  if (src_dir.erase(s)) unsynced_entries_[DirOf(t)].insert(t);
  return st;
}

IOStatus FaultFs::LinkFile(const std::string& s, const std::string& t,
                           const IOOptions& o, IODebugContext* dbg) {
  IOStatus st = Check(Op::kWrite);
  if (!st.ok()) return st;
  st = target()->LinkFile(s, t, o, dbg);
  if (!st.ok()) return st;
  absl::MutexLock lock(&mu_);
  auto it = files_.find(s);
  if (it != files_.end()) files_[t] = it->second;
  unsynced_entries_[DirOf(t)].insert(t);
  return st;
}

IOStatus FaultFs::DeleteFile(const std::string& f, const IOOptions& o,
                             IODebugContext* dbg) {
  IOStatus st = Check(Op::kWrite);
  if (!st.ok()) return st;
  st = target()->DeleteFile(f, o, dbg);
  if (!st.ok()) return st;
  absl::MutexLock lock(&mu_);
  files_.erase(f);
  unsynced_entries_[DirOf(f)].erase(f);
  return st;
}

}  // namespace tessera::testing
