#include "tests/fuzz/fuzz_util.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace tessera::fuzz {

std::string ReadFileOrEmpty(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  if (ok != nullptr) *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> FilesIn(const std::string& dir,
                                 std::string_view suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    std::string p = e.path().string();
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string SharedDir() { return TESSERA_SHARED_DIR; }
std::string SourceDir() { return TESSERA_SOURCE_DIR; }

void MaybeWriteSeeds(const std::function<void(const SeedSink&)>& write) {
  const char* out = std::getenv("TESSERA_FUZZ_SEEDS_OUT");
  if (out == nullptr || *out == '\0') return;
  std::filesystem::create_directories(out);
  int n = 0;
  write([&](std::string_view bytes) {
    char name[32];
    std::snprintf(name, sizeof(name), "/seed-%05d", n++);
    std::ofstream f(std::string(out) + name, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
  std::fprintf(stderr, "wrote %d seeds to %s\n", n, out);
  std::exit(n > 0 ? 0 : 1);
}

std::vector<std::string> JsonlStrings(const std::string& path,
                                      const std::string& field) {
  std::vector<std::string> out;
  std::istringstream lines(ReadFileOrEmpty(path));
  std::string line;
  while (std::getline(lines, line)) {
    google::protobuf::Struct s;
    if (!google::protobuf::util::JsonStringToMessage(line, &s).ok()) continue;
    auto it = s.fields().find(field);
    if (it != s.fields().end() && it->second.has_string_value()) {
      out.push_back(it->second.string_value());
    }
  }
  return out;
}

}  // namespace tessera::fuzz
