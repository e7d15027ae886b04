#include "gateway/static_files.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tessera::gateway {
namespace {

// Percent-decodes a path; false on a bad escape or a decoded NUL.
bool DecodePath(absl::string_view in, std::string* out) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        h = absl::ascii_tolower(h);
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        return -1;
      };
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return false;
    out->push_back(c);
  }
  return true;
}

std::string RealPath(const std::string& p) {
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf) == nullptr) return "";
  return buf;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

absl::string_view StaticFiles::MimeType(absl::string_view path) {
  size_t dot = path.rfind('.');
  std::string ext =
      dot == absl::string_view::npos ? "" : absl::AsciiStrToLower(path.substr(dot + 1));
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "ttf") return "font/ttf";
  if (ext == "otf") return "font/otf";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  if (ext == "webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

StaticFile StaticFiles::Get(absl::string_view target,
                            absl::string_view if_none_match) const {
  StaticFile bad;
  bad.status = 400;
  absl::string_view raw = target.substr(0, target.find_first_of("?#"));
  std::string path;
  if (raw.empty() || raw[0] != '/' || !DecodePath(raw, &path)) return bad;
  // Every segment is checked after decoding, so %2e%2e is caught too.
  for (absl::string_view seg : absl::StrSplit(path, '/')) {
    if (seg == ".." || seg == ".") return bad;
  }
  if (path.find('\\') != std::string::npos) return bad;
  std::string root = RealPath(root_);
  if (root.empty()) return StaticFile{};
  std::string full = root + path;
  struct stat st;
  if (stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    if (full.back() != '/') full.push_back('/');
    full += "index.html";
  } else if (stat(full.c_str(), &st) != 0) {
    size_t slash = path.rfind('/');
    if (path.find('.', slash) != std::string::npos) return StaticFile{};
    full = root + "/index.html";
  }
  std::string real = RealPath(full);
  if (real.empty() || !absl::StartsWith(real, root + "/")) return StaticFile{};
  return Load(real, if_none_match);
}

StaticFile StaticFiles::Load(const std::string& path,
                             absl::string_view if_none_match) const {
  StaticFile f;
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return f;
  f.etag = absl::StrCat("\"", st.st_size, "-", st.st_mtim.tv_sec, ".",
                        st.st_mtim.tv_nsec, "\"");
  f.content_type = std::string(MimeType(path));
  // The bundle keeps its names across builds: revalidate every time (the
  // ETag makes that a 304).
  f.cache_control = "no-cache";
  if (!if_none_match.empty() &&
      (if_none_match == f.etag || if_none_match == "W/" + f.etag)) {
    f.status = 304;
    return f;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return StaticFile{};
  std::ostringstream ss;
  ss << in.rdbuf();
  f.body = ss.str();
  f.status = 200;
  return f;
}

}  // namespace tessera::gateway
