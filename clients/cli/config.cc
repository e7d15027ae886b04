#include "clients/cli/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tessera::cli {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string Lookup(const std::map<std::string, std::string>& m,
                   const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

absl::Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return absl::OkStatus();
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return absl::OkStatus();
  size_t slash = dir.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (absl::Status s = MakeDirs(dir.substr(0, slash)); !s.ok()) return s;
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(
        StrCat("cannot create ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ConfigPath(const std::map<std::string, std::string>& env) {
  std::string xdg = Lookup(env, "XDG_CONFIG_HOME");
  if (!xdg.empty()) return xdg + "/tessera/config";
  std::string home = Lookup(env, "HOME");
  if (!home.empty()) return home + "/.config/tessera/config";
  return "";
}

absl::StatusOr<std::map<std::string, std::string>> ReadConfig(
    const std::string& path) {
  std::map<std::string, std::string> values;
  if (path.empty()) return values;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return values;
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        StrCat(path,
               " is readable by other users; it holds a token. Run: "
               "chmod 600 ",
               path));
  }
  std::ifstream in(path);
  if (!in) {
    return absl::InternalError(StrCat("cannot read ", path));
  }
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    values[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  return values;
}

absl::Status WriteConfig(const std::string& path,
                         const std::map<std::string, std::string>& values) {
  if (path.empty()) {
    return absl::FailedPreconditionError(
        "neither XDG_CONFIG_HOME nor HOME is set; nowhere to write the config");
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) {
    if (absl::Status s = MakeDirs(path.substr(0, slash)); !s.ok()) return s;
  }
  std::ostringstream text;
  text << "# Written by `tessera login`. Holds a bearer token: keep it 0600.\n";
  for (const auto& [k, v] : values) text << k << " = " << v << "\n";
  const std::string data = text.str();
  // A fresh file created 0600, renamed over the old one.
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        StrCat("cannot create ", tmp, ": ", std::strerror(errno)));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      unlink(tmp.c_str());
      return absl::InternalError(
          StrCat("cannot write ", tmp, ": ", std::strerror(e)));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return absl::InternalError(StrCat("cannot write ", tmp));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    return absl::InternalError(
        StrCat("cannot replace ", path, ": ", std::strerror(e)));
  }
  return absl::OkStatus();
}

Settings ResolveSettings(const ParsedArgs& args,
                         const std::map<std::string, std::string>& env,
                         const std::map<std::string, std::string>& config) {
  Settings s;
  const auto pick = [&](const char* flag, const char* env_name, const char* key,
                        std::string& value, std::string& source) {
    if (args.Has(flag)) {
      value = args.Get(flag);
      source = "flag";
    } else if (!Lookup(env, env_name).empty()) {
      value = Lookup(env, env_name);
      source = "env";
    } else if (!Lookup(config, key).empty()) {
      value = Lookup(config, key);
      source = "config";
    }
  };
  pick("server", "TESSERA_SERVER", "server", s.server, s.server_source);
  pick("token", "TESSERA_TOKEN", "token", s.token, s.token_source);
  std::string ignored;
  pick("ca-file", "TESSERA_CA_FILE", "ca_file", s.ca_file, ignored);
  if (args.Has("insecure")) {
    s.tls = TlsMode::kPlaintext;
  } else if (args.Has("tls") || args.Has("ca-file")) {
    s.tls = TlsMode::kTls;
  } else {
    std::string mode = Lookup(config, "tls");
    if (mode == "true" || !s.ca_file.empty()) s.tls = TlsMode::kTls;
    if (mode == "false") s.tls = TlsMode::kPlaintext;
  }
  return s;
}

std::map<std::string, std::string> ProcessEnv() {
  std::map<std::string, std::string> env;
  for (const char* name : {"TESSERA_SERVER", "TESSERA_TOKEN", "TESSERA_CA_FILE",
                           "XDG_CONFIG_HOME", "HOME", "EDITOR", "VISUAL"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  return env;
}

bool IsLoopback(const std::string& server) {
  std::string host = server;
  if (host.rfind("unix:", 0) == 0) return true;
  if (host.rfind("dns:///", 0) == 0) host = host.substr(7);
  if (host.rfind("ipv4:", 0) == 0) host = host.substr(5);
  if (host.rfind("ipv6:", 0) == 0) host = host.substr(5);
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    host = host.substr(
        1, close == std::string::npos ? std::string::npos : close - 1);
  } else {
    size_t colon = host.rfind(':');
    if (colon != std::string::npos && host.find(':') == colon) {
      host = host.substr(0, colon);
    }
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace tessera::cli
