// The commands of the `tessera` CLI: their specs (flags, help, examples)
// and their handlers. Each handler is a thin translation of flags into one
// or a few RPCs and of the answers into text or JSON.
#ifndef TESSERA_CLIENTS_CLI_COMMANDS_H_
#define TESSERA_CLIENTS_CLI_COMMANDS_H_

#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clients/cli/args.h"
#include "clients/cli/client.h"
#include "clients/cli/config.h"

namespace tessera::cli {

// Process surroundings a command runs in; tests and main fill it.
struct Io {
  std::istream* in = &std::cin;
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  bool in_tty = false;
  bool out_tty = false;
  bool err_tty = false;
  std::map<std::string, std::string> env;
};

class Invocation {
 public:
  Invocation(const CommandSpec& command, ParsedArgs args, Io io)
      : command_(command), args_(std::move(args)), io_(std::move(io)) {}

  const ParsedArgs& args() const { return args_; }
  Io& io() { return io_; }
  std::ostream& out() { return *io_.out; }
  std::ostream& err() { return *io_.err; }
  bool json() const { return args_.Has("json"); }

  // Connects on first use; on failure prints why and returns null.
  Client* client();
  // Prints "tessera: <message>" for a failed call; returns its exit code.
  int Fail(const grpc::Status& status);
  // Prints "tessera: <message>"; returns `code`.
  int Fail(const std::string& message, int code);
  int exit_code_on_connect_failure() const { return connect_exit_; }

 private:
  const CommandSpec& command_;
  ParsedArgs args_;
  Io io_;
  std::unique_ptr<Client> client_;
  int connect_exit_ = 0;
};

using Handler = std::function<int(Invocation&)>;

struct Command {
  CommandSpec spec;
  Handler run;
};

std::vector<Command> AdminCommands();
std::vector<Command> StatementCommands();
std::vector<Command> WorkCommands();
std::vector<Command> PublicationCommands();

// All commands, in help order.
const std::vector<Command>& AllCommands();

// Text printed by `tessera --help`.
extern const char kOverview[];

// Runs the CLI on argv (without the program name). Returns the exit code.
int RunCli(const std::vector<std::string>& argv, Io io);

// Sets the action run when SIGINT or SIGTERM arrives (release the lease);
// null restores the default (exit at once). See main.cc.
void SetInterruptAction(std::function<void()> action);
void RunInterruptAction();

}  // namespace tessera::cli

#endif  // TESSERA_CLIENTS_CLI_COMMANDS_H_
