// The subcommand and flag parser of the `tessera` CLI.
//
// absl flags are process-global and know nothing of subcommands, so the CLI
// describes each command as data (CommandSpec) and parses argv against the
// table: the longest run of leading words naming a command selects it, then
// its flags and the global flags are accepted anywhere after it.
#ifndef TESSERA_CLIENTS_CLI_ARGS_H_
#define TESSERA_CLIENTS_CLI_ARGS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::cli {

struct FlagSpec {
  std::string name;        // without the leading "--"
  char short_name = 0;     // e.g. 'o' for -o; 0 for none
  std::string value_name;  // empty: a boolean flag taking no value
  std::string help;
  bool repeated = false;  // may be given several times
};

class ParsedArgs {
 public:
  bool Has(std::string_view name) const;
  // The last value given, or `fallback`.
  std::string Get(std::string_view name, std::string fallback = "") const;
  std::vector<std::string> GetAll(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  void Add(std::string name, std::string value);
  void AddPositional(std::string value) { positional_.push_back(value); }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> flags_;
  std::vector<std::string> positional_;
};

struct CommandSpec {
  std::vector<std::string> path;  // {"statement", "import"}
  std::string args_usage;         // "FILE", "[ID]"
  std::string summary;            // one line
  std::string description;        // paragraphs, may be empty
  std::string example;            // one or more lines of shell
  std::vector<FlagSpec> flags;
  int min_positional = 0;
  int max_positional = 0;  // -1: unbounded
};

// Flags every command accepts (connection, --json, --help).
const std::vector<FlagSpec>& GlobalFlags();

struct ParseResult {
  enum class Kind { kRun, kHelp, kError };
  Kind kind = Kind::kError;
  const CommandSpec* command = nullptr;  // kRun; kHelp for a command's help
  ParsedArgs args;
  std::string text;  // kHelp: the help text; kError: the message
};

// Parses argv[1..] against `commands`. `program` names the binary in help.
ParseResult Parse(const std::vector<std::string>& argv,
                  const std::vector<CommandSpec>& commands,
                  std::string_view program, std::string_view overview);

// Help text of one command.
std::string CommandHelp(const CommandSpec& command, std::string_view program);

// Parses "a,b, c" into {"a","b","c"}, dropping empty items.
std::vector<std::string> SplitList(std::string_view list);

// Parses "N" or "N-M" (inclusive, both >= min) into {first, last}.
std::optional<std::pair<int, int>> ParseRange(std::string_view text,
                                              int min = 1);

}  // namespace tessera::cli

#endif  // TESSERA_CLIENTS_CLI_ARGS_H_
