// Where the CLI connects and with which token: flags, then the environment,
// then the config file written by `tessera login`.
#ifndef TESSERA_CLIENTS_CLI_CONFIG_H_
#define TESSERA_CLIENTS_CLI_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cli/args.h"

namespace tessera::cli {

enum class TlsMode {
  kAuto,       // TLS, falling back to plaintext for loopback addresses only
  kTls,        // TLS only
  kPlaintext,  // plaintext only
};

struct Settings {
  std::string server;
  std::string token;
  TlsMode tls = TlsMode::kAuto;
  std::string ca_file;
  // Where each value came from, for messages: "flag", "env", "config".
  std::string server_source;
  std::string token_source;
};

// The config file: $XDG_CONFIG_HOME/tessera/config, else
// $HOME/.config/tessera/config. Empty if neither variable is set.
std::string ConfigPath(const std::map<std::string, std::string>& env);

// Reads "key = value" lines; '#' starts a comment. A missing file is an
// empty map; a file readable by others is refused, since it holds a token.
absl::StatusOr<std::map<std::string, std::string>> ReadConfig(
    const std::string& path);

// Writes the file, creating it (and its directory, 0700) with mode 0600
// from the start: the token is never readable by others, not even briefly.
absl::Status WriteConfig(const std::string& path,
                         const std::map<std::string, std::string>& values);

// Flags > environment (TESSERA_SERVER, TESSERA_TOKEN) > config file.
Settings ResolveSettings(const ParsedArgs& args,
                         const std::map<std::string, std::string>& env,
                         const std::map<std::string, std::string>& config);

// The environment as a map (variables used by the CLI only).
std::map<std::string, std::string> ProcessEnv();

// True for localhost, 127.0.0.0/8, ::1 and unix sockets.
bool IsLoopback(const std::string& server);

}  // namespace tessera::cli

#endif  // TESSERA_CLIENTS_CLI_CONFIG_H_
