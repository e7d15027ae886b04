// A real tesserad on 127.0.0.1:0 over a temp directory, for scenarios that
// measure it, with the set-up calls they share. Benchmark-only.
#ifndef TESSERA_TESTS_BENCH_BENCH_SERVER_H_
#define TESSERA_TESTS_BENCH_BENCH_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/temp_dir.h"
#include "server/tesserad.h"
#include "tessera/v1/common.pb.h"

namespace tessera::bench {

class BenchServer {
 public:
  // Shuts the server down if it runs.
  ~BenchServer();

  absl::Status Start();

  std::string address() const { return server_->address(); }
  const std::string& admin_token() const { return admin_token_; }
  // A channel for set-up calls.
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Creates `user_id` with `role` in `language` and returns a new token.
  absl::StatusOr<std::string> CreateUserWithToken(const std::string& user_id,
                                                  v1::Role role,
                                                  const std::string& language);

 private:
  testing::TempDir dir_;
  std::unique_ptr<Tesserad> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string admin_token_;
};

// A context carrying `token` with a 60 s deadline.
std::unique_ptr<grpc::ClientContext> BenchContext(const std::string& token);

// OK, or INTERNAL naming `what` and the gRPC error.
absl::Status FromGrpc(const grpc::Status& s, std::string_view what);

}  // namespace tessera::bench

#endif  // TESSERA_TESTS_BENCH_BENCH_SERVER_H_
