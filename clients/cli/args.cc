#include "clients/cli/args.h"

#include <algorithm>
#include <charconv>

namespace tessera::cli {

bool ParsedArgs::Has(std::string_view name) const {
  return flags_.find(name) != flags_.end();
}

std::string ParsedArgs::Get(std::string_view name, std::string fallback) const {
  auto it = flags_.find(name);
  if (it == flags_.end() || it->second.empty()) return fallback;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(std::string_view name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return {};
  return it->second;
}

void ParsedArgs::Add(std::string name, std::string value) {
  flags_[std::move(name)].push_back(std::move(value));
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"server", 0, "ADDR",
       "server address host:port (env TESSERA_SERVER, else the config file)"},
      {"token", 0, "TOKEN",
       "bearer token (env TESSERA_TOKEN, else the config file)"},
      {"tls", 0, "", "always use TLS"},
      {"ca-file", 0, "FILE",
       "PEM roots to verify the server with (implies --tls)"},
      {"insecure", 0, "", "always use plaintext"},
      {"json", 0, "", "print JSON instead of text"},
      {"help", 'h', "", "show help"},
  };
  return *flags;
}

namespace {

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags,
                         std::string_view name, char short_name) {
  for (const FlagSpec& f : flags) {
    if (short_name != 0 ? f.short_name == short_name : f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

const FlagSpec* FindAnyFlag(const CommandSpec* command, std::string_view name,
                            char short_name) {
  if (command != nullptr) {
    if (const FlagSpec* f = FindFlag(command->flags, name, short_name)) {
      return f;
    }
  }
  return FindFlag(GlobalFlags(), name, short_name);
}

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

void AppendFlagHelp(std::string& out, const std::vector<FlagSpec>& flags) {
  for (const FlagSpec& f : flags) {
    std::string left = "  ";
    if (f.short_name != 0) {
      left += '-';
      left += f.short_name;
      left += ", ";
    }
    left += "--" + f.name;
    if (!f.value_name.empty()) left += " " + f.value_name;
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    out += left + f.help;
    if (f.repeated) out += " (repeatable)";
    out += "\n";
  }
}

bool IsPrefix(const std::vector<std::string>& prefix,
              const std::vector<std::string>& path) {
  if (prefix.size() > path.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), path.begin());
}

std::string GroupHelp(const std::vector<std::string>& prefix,
                      const std::vector<CommandSpec>& commands,
                      std::string_view program, std::string_view overview) {
  std::string out;
  if (prefix.empty()) {
    out += std::string(overview);
  } else {
    out += "Usage: " + std::string(program) + " " + Joined(prefix) +
           " COMMAND [flags]\n";
  }
  out += "\nCommands:\n";
  for (const CommandSpec& c : commands) {
    if (!IsPrefix(prefix, c.path)) continue;
    std::string left = "  " + Joined(c.path);
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "  ";
    out += left + c.summary + "\n";
  }
  out += "\nGlobal flags:\n";
  AppendFlagHelp(out, GlobalFlags());
  out += "\nRun '" + std::string(program) +
         " COMMAND --help' for a command's flags and an example.\n";
  return out;
}

}  // namespace

std::string CommandHelp(const CommandSpec& c, std::string_view program) {
  std::string out = "Usage: " + std::string(program) + " " + Joined(c.path);
  if (!c.flags.empty()) out += " [flags]";
  if (!c.args_usage.empty()) out += " " + c.args_usage;
  out += "\n\n" + c.summary + "\n";
  if (!c.description.empty()) out += "\n" + c.description + "\n";
  if (!c.flags.empty()) {
    out += "\nFlags:\n";
    AppendFlagHelp(out, c.flags);
  }
  out += "\nGlobal flags:\n";
  AppendFlagHelp(out, GlobalFlags());
  if (!c.example.empty()) out += "\nExample:\n" + c.example + "\n";
  return out;
}

ParseResult Parse(const std::vector<std::string>& argv,
                  const std::vector<CommandSpec>& commands,
                  std::string_view program, std::string_view overview) {
  ParseResult result;
  const auto error = [&](std::string message) {
    result.kind = ParseResult::Kind::kError;
    result.text = std::move(message);
    return result;
  };

  // Words before the first flag or positional that names no command select
  // the command; global flags may come before them.
  std::vector<std::string> words;
  std::vector<size_t> word_positions;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") break;
    if (!a.empty() && a[0] == '-') {
      const FlagSpec* f = nullptr;
      if (a.size() > 2 && a[1] == '-') {
        std::string name = a.substr(2, a.find('=') - 2);
        f = FindFlag(GlobalFlags(), name, 0);
        if (f != nullptr && !f->value_name.empty() &&
            a.find('=') == std::string::npos) {
          ++i;
        }
      }
      if (f == nullptr) break;  // a command flag: the command path has ended
      continue;
    }
    std::vector<std::string> candidate = words;
    candidate.push_back(a);
    bool any = std::any_of(
        commands.begin(), commands.end(),
        [&](const CommandSpec& c) { return IsPrefix(candidate, c.path); });
    if (!any) break;
    words = std::move(candidate);
    word_positions.push_back(i);
  }

  const CommandSpec* command = nullptr;
  for (const CommandSpec& c : commands) {
    if (c.path == words) command = &c;
  }

  // Parse flags and positionals, skipping the command words.
  ParsedArgs args;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (std::find(word_positions.begin(), word_positions.end(), i) !=
        word_positions.end()) {
      continue;
    }
    const std::string& a = argv[i];
    if (only_positional || a.empty() || a[0] != '-' || a == "-") {
      args.AddPositional(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    const FlagSpec* f = nullptr;
    std::string value;
    bool has_inline_value = false;
    if (a[1] == '-') {
      size_t eq = a.find('=');
      std::string name = a.substr(2, eq == std::string::npos ? eq : eq - 2);
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        has_inline_value = true;
      }
      f = FindAnyFlag(command, name, 0);
    } else if (a.size() >= 2) {
      f = FindAnyFlag(command, "", a[1]);
      if (a.size() > 2) {
        value = a.substr(2);
        has_inline_value = true;
      }
    }
    if (f == nullptr) {
      // Help for a group prints the group even when a flag is unknown.
      return error("unknown flag " + a +
                   (command != nullptr ? "; see " + std::string(program) + " " +
                                             Joined(command->path) + " --help"
                                       : ""));
    }
    if (f->value_name.empty()) {
      if (has_inline_value)
        return error("flag --" + f->name + " takes no value");
      value = "true";
    } else if (!has_inline_value) {
      if (i + 1 >= argv.size()) {
        return error("flag --" + f->name + " needs a value (" + f->value_name +
                     ")");
      }
      value = argv[++i];
    }
    if (!f->repeated && args.Has(f->name)) {
      return error("flag --" + f->name + " given twice");
    }
    args.Add(f->name, std::move(value));
  }

  if (args.Has("help") || command == nullptr) {
    if (command == nullptr && !args.Has("help") && !args.positional().empty()) {
      std::string prefix = words.empty() ? "" : Joined(words) + " ";
      return error("unknown command \"" + prefix + args.positional().front() +
                   "\"; see " + std::string(program) + " --help");
    }
    if (command == nullptr && !words.empty() && !args.Has("help")) {
      return error("missing subcommand of \"" + Joined(words) + "\"\n\n" +
                   GroupHelp(words, commands, program, overview));
    }
    result.kind = ParseResult::Kind::kHelp;
    result.command = command;
    result.text = command != nullptr
                      ? CommandHelp(*command, program)
                      : GroupHelp(words, commands, program, overview);
    return result;
  }

  const int n = static_cast<int>(args.positional().size());
  if (n < command->min_positional ||
      (command->max_positional >= 0 && n > command->max_positional)) {
    return error("usage: " + std::string(program) + " " +
                 Joined(command->path) + " " + command->args_usage +
                 "; see --help");
  }
  result.kind = ParseResult::Kind::kRun;
  result.command = command;
  result.args = std::move(args);
  return result;
}

std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

std::optional<std::pair<int, int>> ParseRange(std::string_view text, int min) {
  const auto parse_int = [min](std::string_view s) -> std::optional<int> {
    int v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v < min) {
      return std::nullopt;
    }
    return v;
  };
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    auto v = parse_int(text);
    if (!v) return std::nullopt;
    return std::make_pair(*v, *v);
  }
  auto first = parse_int(text.substr(0, dash));
  auto last = parse_int(text.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  return std::make_pair(*first, *last);
}

}  // namespace tessera::cli
