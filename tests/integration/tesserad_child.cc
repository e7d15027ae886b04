#include "tests/integration/tesserad_child.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"

extern char** environ;

namespace tessera::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t StatusField(pid_t pid, const std::string& name) {
  std::istringstream in(Slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      return std::stoll(line.substr(name.size() + 1)) * 1024;  // kB
    }
  }
  return -1;
}

}  // namespace

TesseradChild::TesseradChild(const std::vector<std::string>& flags) {
  const std::string bin = std::string(TESSERA_BINARY_DIR) + "/server/tesserad";
  const std::string err = dir_.Sub("stderr");
  std::vector<std::string> args = {bin, "--listen=127.0.0.1:0",
                                   "--data_dir=" + dir_.Sub("data"),
                                   "--shutdown_grace=0s"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, dir_.Sub("stdout").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int rc =
      posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << bin;
    pid_ = -1;
    return;
  }
  const std::regex serving("serving on (127\\.0\\.0\\.1:[0-9]+)");
  const std::regex token("(tsr_[A-Za-z0-9_-]{43})");
  for (int i = 0; i < 300 && address_.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string text = Slurp(err);
    std::smatch m;
    if (std::regex_search(text, m, serving)) address_ = m[1];
    if (std::regex_search(text, m, token)) token_ = m[1];
  }
  if (address_.empty()) {
    ADD_FAILURE() << "tesserad did not start; stderr:\n" << Slurp(err);
    return;
  }
  channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
}

TesseradChild::~TesseradChild() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

int64_t TesseradChild::RssBytes() const { return StatusField(pid_, "VmRSS"); }

int64_t TesseradChild::PeakRssBytes() const {
  return StatusField(pid_, "VmHWM");
}

std::vector<pid_t> TesseradChild::Children() const {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") !=
                            std::string::npos) {
      continue;
    }
    const std::string stat = Slurp("/proc/" + name + "/stat");
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 1));
    std::string state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == pid_) out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  closedir(d);
  return out;
}

}  // namespace tessera::testing
