// Static files of the web client: maps a request path to a file under the
// web root, refusing anything that would leave it (.., encoded or not, and
// symbolic links pointing outside).
//
// Thread-safe; reads the file system on every call.
#ifndef TESSERA_GATEWAY_STATIC_FILES_H_
#define TESSERA_GATEWAY_STATIC_FILES_H_

#include <string>
#include "absl/strings/string_view.h"

namespace tessera::gateway {

struct StaticFile {
  int status = 404;  // 200, 304, 400 or 404
  std::string content_type;
  std::string etag;
  std::string cache_control;
  std::string body;
};

class StaticFiles {
 public:
  // `root` may not exist yet (the bundle is built later); requests then
  // get 404.
  explicit StaticFiles(std::string root);

  // `target` is the request target (path and query). "/" and directories
  // give their index.html; a missing path whose last segment has no dot
  // gives /index.html, so the page's own routes survive a reload.
  // `if_none_match` matching the ETag gives 304 with no body.
  StaticFile Get(absl::string_view target, absl::string_view if_none_match) const;

  static absl::string_view MimeType(absl::string_view path);

 private:
  StaticFile Load(const std::string& path, absl::string_view if_none_match) const;
  std::string root_;
};

}  // namespace tessera::gateway

#endif  // TESSERA_GATEWAY_STATIC_FILES_H_
