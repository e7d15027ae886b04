#include "gateway/static_files.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace tessera::gateway {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tessera-static-XXXXXX";
    base_ = mkdtemp(tmpl);
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    Write(root_ / "index.html", "<!doctype html>");
    Write(root_ / "assets" / "app.js", "console.log(1)");
    Write(base_ / "secret.txt", "outside");
    fs::create_symlink(base_ / "secret.txt", root_ / "link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void Write(const fs::path& p, const std::string& s) {
    std::ofstream(p) << s;
  }
  fs::path base_, root_;
};

TEST_F(StaticFilesTest, ServesIndexAndTypes) {
  StaticFiles files(root_.string());
  StaticFile index = files.Get("/", "");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  StaticFile js = files.Get("/assets/app.js?v=1", "");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_FALSE(js.etag.empty());
  EXPECT_EQ(files.Get("/assets/app.js", js.etag).status, 304);
  // A page route without a file gets the page; a missing asset does not.
  EXPECT_EQ(files.Get("/work/segment", "").body, "<!doctype html>");
  EXPECT_EQ(files.Get("/assets/missing.js", "").status, 404);
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  StaticFiles files(root_.string());
  EXPECT_EQ(files.Get("/../secret.txt", "").status, 400);
  EXPECT_EQ(files.Get("/%2e%2e/secret.txt", "").status, 400);
  EXPECT_EQ(files.Get("/assets/%2E%2E/%2e%2e/secret.txt", "").status, 400);
  EXPECT_EQ(files.Get("/a%00b", "").status, 400);
  EXPECT_EQ(files.Get("/..%5csecret.txt", "").status, 400);
  EXPECT_EQ(files.Get("/link.txt", "").status, 404);
  EXPECT_EQ(files.Get("relative", "").status, 400);
}

TEST_F(StaticFilesTest, MissingRootGives404) {
  StaticFiles files((base_ / "nothing").string());
  EXPECT_EQ(files.Get("/", "").status, 404);
}

}  // namespace
}  // namespace tessera::gateway
