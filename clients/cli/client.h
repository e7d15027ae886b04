// A connection to tesserad: the channel (TLS when the server offers it),
// the service stubs, and per-call contexts carrying the bearer token.
#ifndef TESSERA_CLIENTS_CLI_CLIENT_H_
#define TESSERA_CLIENTS_CLI_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cli/config.h"
#include "tessera/v1/assignment.grpc.pb.h"
#include "tessera/v1/identity.grpc.pb.h"
#include "tessera/v1/publication.grpc.pb.h"
#include "tessera/v1/statement.grpc.pb.h"
#include "tessera/v1/translation.grpc.pb.h"

namespace tessera::cli {

class Client {
 public:
  // Builds the channel. kAuto tries TLS first; for a loopback address it
  // falls back to plaintext when the TLS handshake fails, elsewhere it
  // stays on TLS (the server refuses plaintext off loopback by default).
  static absl::StatusOr<std::unique_ptr<Client>> Connect(
      const Settings& settings);

  // A context with the token and a deadline; zero means none (streams).
  std::unique_ptr<grpc::ClientContext> Context(
      absl::Duration timeout = absl::Seconds(30)) const;

  const Settings& settings() const { return settings_; }
  bool tls() const { return tls_; }

  tessera::v1::IdentityService::Stub& identity() { return *identity_; }
  tessera::v1::StatementService::Stub& statements() { return *statements_; }
  tessera::v1::TranslationService::Stub& translations() {
    return *translations_;
  }
  tessera::v1::AssignmentService::Stub& assignments() { return *assignments_; }
  tessera::v1::PublicationService::Stub& publications() {
    return *publications_;
  }

 private:
  Client(Settings settings, std::shared_ptr<grpc::Channel> channel, bool tls);

  Settings settings_;
  std::shared_ptr<grpc::Channel> channel_;
  bool tls_;
  std::unique_ptr<tessera::v1::IdentityService::Stub> identity_;
  std::unique_ptr<tessera::v1::StatementService::Stub> statements_;
  std::unique_ptr<tessera::v1::TranslationService::Stub> translations_;
  std::unique_ptr<tessera::v1::AssignmentService::Stub> assignments_;
  std::unique_ptr<tessera::v1::PublicationService::Stub> publications_;
};

}  // namespace tessera::cli

#endif  // TESSERA_CLIENTS_CLI_CLIENT_H_
