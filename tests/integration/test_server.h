// A real tesserad, started in-process on 127.0.0.1:0 over a fresh RocksDB
// in a temp directory, plus helpers to call it as a given user through a
// real gRPC channel. Test-only.
#ifndef TESSERA_TESTS_INTEGRATION_TEST_SERVER_H_
#define TESSERA_TESTS_INTEGRATION_TEST_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/tesserad.h"
#include "tessera/v1/identity.grpc.pb.h"

namespace tessera::testing {

class TestServer {
 public:
  // Starts a server; `tweak` may adjust options before the start.
  explicit TestServer(
      const std::function<void(ServerOptions&)>& tweak = nullptr);
  ~TestServer();

  // Stops the server (draining calls) and starts a new one on the same
  // data directory, as a restart would.
  void Restart();
  // Restarts with different option tweaks.
  void Restart(const std::function<void(ServerOptions&)>& tweak);
  void Stop();

  Tesserad& server() { return *server_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& admin_token() const { return admin_token_; }
  std::shared_ptr<grpc::Channel> NewChannel(
      const grpc::ChannelArguments& args = grpc::ChannelArguments()) const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // Creates a user with the given grants and returns a token for it.
  std::string CreateUserWithToken(const std::string& user_id,
                                  const std::vector<v1::RoleGrant>& grants);

 private:
  void StartServer();

  TempDir dir_;
  std::string data_dir_;
  std::function<void(ServerOptions&)> tweak_;
  std::unique_ptr<Tesserad> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string admin_token_;
};

// A ClientContext carrying `token` (if not empty) and a 30 s deadline.
std::unique_ptr<grpc::ClientContext> AuthContext(const std::string& token);

v1::RoleGrant Grant(v1::Role role, std::vector<std::string> languages = {});

// The first detail of type T in the status's google.rpc.Status, if any.
template <typename T>
std::optional<T> Detail(const grpc::Status& s) {
  google::rpc::Status rpc;
  if (s.error_details().empty() || !rpc.ParseFromString(s.error_details())) {
    return std::nullopt;
  }
  for (const auto& any : rpc.details()) {
    T out;
    if (any.UnpackTo(&out)) return out;
  }
  return std::nullopt;
}

// The ErrorInfo reason of a failed call, or "<no ErrorInfo>".
std::string Reason(const grpc::Status& s);

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_INTEGRATION_TEST_SERVER_H_
