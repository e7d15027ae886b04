// A real tesserad process started by a test: its own data directory, port
// 0, the admin token it prints on a first start, and its memory as the
// kernel reports it. Test-only.
#ifndef TESSERA_TESTS_INTEGRATION_TESSERAD_CHILD_H_
#define TESSERA_TESTS_INTEGRATION_TESSERAD_CHILD_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/temp_dir.h"

namespace tessera::testing {

class TesseradChild {
 public:
  // Starts build/server/tesserad with `flags` added; ADD_FAILURE if it
  // does not serve within 15 s.
  explicit TesseradChild(const std::vector<std::string>& flags);
  // SIGTERM, then waits for the exit.
  ~TesseradChild();

  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }
  const std::string& admin_token() const { return token_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // VmRSS and VmHWM (peak) of the process, in bytes.
  int64_t RssBytes() const;
  int64_t PeakRssBytes() const;
  // Processes whose parent is this server (parse helpers still running).
  std::vector<pid_t> Children() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::string address_;
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_INTEGRATION_TESSERAD_CHILD_H_
