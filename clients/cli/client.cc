#include "clients/cli/client.h"

#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tessera::cli {
namespace {

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& server,
    std::shared_ptr<grpc::ChannelCredentials> creds) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  // Fail fast on a dead address instead of retrying for the whole deadline.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(server, creds, args);
}

// Waits until the channel is READY (true) or has failed once (false).
bool Handshakes(grpc::Channel& channel, absl::Duration timeout) {
  auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE ||
        state == GRPC_CHANNEL_SHUTDOWN) {
      return false;
    }
    if (!channel.WaitForStateChange(state, deadline)) return false;
    state = channel.GetState(true);
  }
  return true;
}

}  // namespace

Client::Client(Settings settings, std::shared_ptr<grpc::Channel> channel,
               bool tls)
    : settings_(std::move(settings)), channel_(std::move(channel)), tls_(tls) {
  identity_ = tessera::v1::IdentityService::NewStub(channel_);
  statements_ = tessera::v1::StatementService::NewStub(channel_);
  translations_ = tessera::v1::TranslationService::NewStub(channel_);
  assignments_ = tessera::v1::AssignmentService::NewStub(channel_);
  publications_ = tessera::v1::PublicationService::NewStub(channel_);
}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(
    const Settings& settings) {
  if (settings.server.empty()) {
    return absl::InvalidArgumentError(
        "no server: pass --server HOST:PORT, set TESSERA_SERVER or run "
        "`tessera login`");
  }
  if (settings.tls == TlsMode::kPlaintext) {
    auto channel =
        MakeChannel(settings.server, grpc::InsecureChannelCredentials());
    return std::unique_ptr<Client>(new Client(settings, channel, false));
  }
  grpc::SslCredentialsOptions ssl;
  if (!settings.ca_file.empty()) {
    std::ifstream in(settings.ca_file, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(
          StrCat("cannot read --ca-file ", settings.ca_file));
    }
    std::stringstream pem;
    pem << in.rdbuf();
    ssl.pem_root_certs = pem.str();
  }
  auto tls_channel = MakeChannel(settings.server, grpc::SslCredentials(ssl));
  if (settings.tls == TlsMode::kAuto && IsLoopback(settings.server) &&
      !Handshakes(*tls_channel, absl::Seconds(5))) {
    auto channel =
        MakeChannel(settings.server, grpc::InsecureChannelCredentials());
    return std::unique_ptr<Client>(new Client(settings, channel, false));
  }
  return std::unique_ptr<Client>(new Client(settings, tls_channel, true));
}

std::unique_ptr<grpc::ClientContext> Client::Context(
    absl::Duration timeout) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!settings_.token.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + settings_.token);
  }
  if (timeout > absl::ZeroDuration()) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(timeout));
  }
  return ctx;
}

}  // namespace tessera::cli
