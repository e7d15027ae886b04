#include "clients/cli/commands.h"

#include <mutex>

#include "clients/cli/errors.h"

namespace tessera::cli {

const char kOverview[] =
    "Usage: tessera COMMAND [flags] [args]\n"
    "\n"
    "tessera is the command-line client of a Tessera server: admins manage\n"
    "users and tokens, coordinators import statements, assign, follow and\n"
    "publish, translators and reviewers work segment by segment, services\n"
    "pull and watch publications. All logic is in the server.\n"
    "\n"
    "Connection: --server and --token, else TESSERA_SERVER and\n"
    "TESSERA_TOKEN, else the config file `tessera login` writes\n"
    "($XDG_CONFIG_HOME/tessera/config, mode 0600). TLS is used when the\n"
    "server offers it; plaintext is tried only for loopback addresses.\n";

Client* Invocation::client() {
  if (client_ != nullptr) return client_.get();
  absl::StatusOr<std::map<std::string, std::string>> config =
      ReadConfig(ConfigPath(io_.env));
  if (!config.ok()) {
    connect_exit_ = kExitUsage;
    Fail(std::string(config.status().message()), kExitUsage);
    return nullptr;
  }
  Settings settings = ResolveSettings(args_, io_.env, *config);
  absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(settings);
  if (!client.ok()) {
    connect_exit_ = kExitUsage;
    Fail(std::string(client.status().message()), kExitUsage);
    return nullptr;
  }
  client_ = std::move(*client);
  return client_.get();
}

int Invocation::Fail(const grpc::Status& status) {
  ErrorReport report = DescribeError(
      status, client_ != nullptr ? client_->settings().server : "");
  return Fail(report.message, report.exit_code);
}

int Invocation::Fail(const std::string& message, int code) {
  err() << "tessera: " << message << std::endl;
  return code;
}

const std::vector<Command>& AllCommands() {
  static const auto* all = [] {
    auto* v = new std::vector<Command>;
    for (auto part : {AdminCommands(), StatementCommands(), WorkCommands(),
                      PublicationCommands()}) {
      for (Command& c : part) v->push_back(std::move(c));
    }
    return v;
  }();
  return *all;
}

int RunCli(const std::vector<std::string>& argv, Io io) {
  std::vector<CommandSpec> specs;
  for (const Command& c : AllCommands()) specs.push_back(c.spec);
  std::string overview = std::string(kOverview);
  ParseResult parsed = Parse(argv, specs, "tessera", overview);
  switch (parsed.kind) {
    case ParseResult::Kind::kHelp:
      *io.out << parsed.text;
      if (parsed.command == nullptr) *io.out << "\n" << kExitCodeHelp;
      return kExitOk;
    case ParseResult::Kind::kError:
      *io.err << "tessera: " << parsed.text << std::endl;
      return kExitUsage;
    case ParseResult::Kind::kRun:
      break;
  }
  for (const Command& c : AllCommands()) {
    if (c.spec.path == parsed.command->path) {
      Invocation inv(c.spec, std::move(parsed.args), std::move(io));
      return c.run(inv);
    }
  }
  return kExitUsage;
}

namespace {
std::mutex interrupt_mu;
std::function<void()>* interrupt_action = nullptr;
}  // namespace

void SetInterruptAction(std::function<void()> action) {
  std::lock_guard<std::mutex> lock(interrupt_mu);
  delete interrupt_action;
  interrupt_action =
      action ? new std::function<void()>(std::move(action)) : nullptr;
}

void RunInterruptAction() {
  std::lock_guard<std::mutex> lock(interrupt_mu);
  if (interrupt_action != nullptr) (*interrupt_action)();
}

}  // namespace tessera::cli
