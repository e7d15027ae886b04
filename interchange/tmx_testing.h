// Test helpers for TMX: a file's bytes, and xmllint's verdict on a
// document against the shared TMX 1.4b DTD. Tests only.
#ifndef TESSERA_INTERCHANGE_TMX_TESTING_H_
#define TESSERA_INTERCHANGE_TMX_TESTING_H_

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/temp_dir.h"

namespace tessera::interchange::tmx_testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs xmllint --dtdvalid on `doc` against the DTD in `dtd_dir`; returns
// its exit code and fills *log with what it printed.
inline int XmllintDtd(const std::string& dtd_dir, const std::string& doc,
                      std::string* log) {
  tessera::testing::TempDir dir;
  const std::string file = dir.Sub("out.tmx"), out = dir.Sub("log");
  std::ofstream(file, std::ios::binary) << doc;
  const std::string cmd = "xmllint --noout --nonet --dtdvalid " + dtd_dir +
                          "/tmx14.dtd --path " + dtd_dir + " " + file + " >" +
                          out + " 2>&1";
  const int rc = std::system(cmd.c_str());
  *log = ReadFile(out);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace tessera::interchange::tmx_testing

#endif  // TESSERA_INTERCHANGE_TMX_TESTING_H_
