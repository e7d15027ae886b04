// Unit tests of the CLI library: parsing, config, error mapping, readable
// inline codes and formatting. End-to-end behaviour is in tests/e2e/.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "clients/cli/args.h"
#include "clients/cli/commands.h"
#include "clients/cli/config.h"
#include "clients/cli/errors.h"
#include "clients/cli/render.h"
#include "common/status_matchers.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace tessera::cli {
namespace {

using ::tessera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<CommandSpec> Specs() {
  return {
      {{"statement", "import"},
       "FILE",
       "import",
       "",
       "",
       {{"title", 0, "TEXT", ""},
        {"draft", 0, "", ""},
        {"label", 0, "K=V", "", true},
        {"output", 'o', "FILE", ""}},
       1,
       1},
      {{"statement", "list"}, "", "list", "", "", {}, 0, 0},
      {{"progress"},
       "[ID]",
       "progress",
       "",
       "  tessera progress icor",
       {},
       0,
       1},
  };
}

ParseResult P(std::vector<std::string> argv) {
  static const auto* specs = new std::vector<CommandSpec>(Specs());
  return Parse(argv, *specs, "tessera", "overview\n");
}

TEST(ParseTest, SelectsSubcommandAndParsesFlagsAnywhere) {
  ParseResult r =
      P({"--server", "h:1", "statement", "import", "--title=T", "f.md",
         "--draft", "--label", "a=1", "--label", "b=2", "-o", "out", "--json"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.text;
  EXPECT_THAT(r.command->path, ElementsAre("statement", "import"));
  EXPECT_EQ(r.args.Get("server"), "h:1");
  EXPECT_EQ(r.args.Get("title"), "T");
  EXPECT_TRUE(r.args.Has("draft"));
  EXPECT_TRUE(r.args.Has("json"));
  EXPECT_THAT(r.args.GetAll("label"), ElementsAre("a=1", "b=2"));
  EXPECT_EQ(r.args.Get("output"), "out");
  EXPECT_THAT(r.args.positional(), ElementsAre("f.md"));
}

TEST(ParseTest, ShortFlagWithAttachedValueAndDoubleDash) {
  ParseResult r = P({"statement", "import", "-oout", "--", "--odd-name.md"});
  ASSERT_EQ(r.kind, ParseResult::Kind::kRun) << r.text;
  EXPECT_EQ(r.args.Get("output"), "out");
  EXPECT_THAT(r.args.positional(), ElementsAre("--odd-name.md"));
}

TEST(ParseTest, UsageErrors) {
  EXPECT_EQ(P({"statement", "import", "--nope", "f"}).kind,
            ParseResult::Kind::kError);
  EXPECT_THAT(P({"statement", "import", "--nope", "f"}).text,
              HasSubstr("unknown flag --nope"));
  EXPECT_THAT(P({"statement", "import"}).text, HasSubstr("usage:"));
  EXPECT_THAT(P({"statement", "import", "a", "b"}).text, HasSubstr("usage:"));
  EXPECT_THAT(P({"statement", "import", "f", "--title"}).text,
              HasSubstr("needs a value"));
  EXPECT_THAT(
      P({"statement", "import", "f", "--title", "a", "--title", "b"}).text,
      HasSubstr("given twice"));
  EXPECT_THAT(P({"statement", "import", "f", "--draft=yes"}).text,
              HasSubstr("takes no value"));
  EXPECT_THAT(P({"frobnicate"}).text, HasSubstr("unknown command"));
  EXPECT_THAT(P({"statement"}).text, HasSubstr("missing subcommand"));
  EXPECT_THAT(P({"statement", "bogus"}).text,
              HasSubstr("unknown command \"statement bogus\""));
}

TEST(ParseTest, HelpAtEveryLevel) {
  ParseResult top = P({"--help"});
  ASSERT_EQ(top.kind, ParseResult::Kind::kHelp);
  EXPECT_THAT(top.text, HasSubstr("overview"));
  EXPECT_THAT(top.text, HasSubstr("statement import"));
  EXPECT_THAT(top.text, HasSubstr("progress"));

  ParseResult group = P({"statement", "-h"});
  ASSERT_EQ(group.kind, ParseResult::Kind::kHelp);
  EXPECT_THAT(group.text, HasSubstr("statement list"));
  EXPECT_THAT(group.text, Not(HasSubstr("progress")));

  ParseResult cmd = P({"progress", "--help"});
  ASSERT_EQ(cmd.kind, ParseResult::Kind::kHelp);
  EXPECT_THAT(cmd.text, HasSubstr("Usage: tessera progress [ID]"));
  EXPECT_THAT(cmd.text, HasSubstr("Example:\n  tessera progress icor"));
  // Help wins over missing positionals.
  EXPECT_EQ(P({"statement", "import", "--help"}).kind,
            ParseResult::Kind::kHelp);
}

TEST(ParseTest, EveryRealCommandHasHelpWithAnExample) {
  for (const Command& c : AllCommands()) {
    std::string name;
    for (const auto& w : c.spec.path) name += w + " ";
    EXPECT_FALSE(c.spec.summary.empty()) << name;
    EXPECT_THAT(c.spec.example, HasSubstr("tessera ")) << name;
    std::vector<std::string> argv = c.spec.path;
    argv.push_back("--help");
    std::ostringstream out, err;
    Io io;
    io.out = &out;
    io.err = &err;
    EXPECT_EQ(RunCli(argv, io), kExitOk) << name;
    EXPECT_THAT(out.str(), HasSubstr("Example:")) << name;
  }
  std::ostringstream out, err;
  Io io;
  io.out = &out;
  io.err = &err;
  EXPECT_EQ(RunCli({"--help"}, io), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("4    bad token"));
  EXPECT_EQ(RunCli({"translate"}, io), kExitUsage);  // --lang missing
  EXPECT_THAT(err.str(), HasSubstr("--lang is required"));
}

TEST(ParseTest, Ranges) {
  EXPECT_EQ(ParseRange("1-40"), std::make_pair(1, 40));
  EXPECT_EQ(ParseRange("7"), std::make_pair(7, 7));
  EXPECT_EQ(ParseRange("0-3", 0), std::make_pair(0, 3));
  EXPECT_FALSE(ParseRange("0-3").has_value());
  EXPECT_FALSE(ParseRange("5-2").has_value());
  EXPECT_FALSE(ParseRange("a-b").has_value());
  EXPECT_FALSE(ParseRange("").has_value());
  EXPECT_THAT(SplitList("de, en,,es "), ElementsAre("de", "en", "es"));
}

TEST(ConfigTest, WrittenWithMode0600AndReadBack) {
  testing::TempDir dir;
  std::map<std::string, std::string> env = {{"XDG_CONFIG_HOME", dir.path()},
                                            {"HOME", "/nonexistent"}};
  const std::string path = ConfigPath(env);
  EXPECT_EQ(path, dir.path() + "/tessera/config");
  ASSERT_OK(WriteConfig(path, {{"server", "h:1"}, {"token", "tsr_x"}}));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((dir.path() + "/tessera").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  ASSERT_OK_AND_ASSIGN(auto values, ReadConfig(path));
  EXPECT_EQ(values["server"], "h:1");
  EXPECT_EQ(values["token"], "tsr_x");
  // Rewriting keeps 0600 (a fresh file replaces the old one).
  ASSERT_OK(WriteConfig(path, {{"server", "h:2"}}));
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  EXPECT_EQ(ConfigPath({{"HOME", "/home/a"}}),
            "/home/a/.config/tessera/config");
}

TEST(ConfigTest, RefusesAConfigOthersCanRead) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/config";
  std::ofstream(path) << "token = x\n";
  chmod(path.c_str(), 0644);
  EXPECT_THAT(ReadConfig(path).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(ReadConfig(dir.path() + "/missing").ok());
}

TEST(ConfigTest, FlagsBeatEnvBeatConfig) {
  ParsedArgs none;
  std::map<std::string, std::string> env = {{"TESSERA_SERVER", "env:1"}};
  std::map<std::string, std::string> config = {{"server", "cfg:1"},
                                               {"token", "cfg-token"}};
  Settings s = ResolveSettings(none, env, config);
  EXPECT_EQ(s.server, "env:1");
  EXPECT_EQ(s.server_source, "env");
  EXPECT_EQ(s.token, "cfg-token");
  EXPECT_EQ(s.token_source, "config");
  EXPECT_EQ(s.tls, TlsMode::kAuto);

  ParsedArgs flags;
  flags.Add("server", "flag:1");
  flags.Add("insecure", "true");
  s = ResolveSettings(flags, env, config);
  EXPECT_EQ(s.server, "flag:1");
  EXPECT_EQ(s.tls, TlsMode::kPlaintext);

  ParsedArgs ca;
  ca.Add("ca-file", "/ca.pem");
  EXPECT_EQ(ResolveSettings(ca, {}, {}).tls, TlsMode::kTls);
  EXPECT_EQ(ResolveSettings(none, {}, {{"tls", "true"}}).tls, TlsMode::kTls);
}

TEST(ConfigTest, Loopback) {
  EXPECT_TRUE(IsLoopback("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopback("localhost:1"));
  EXPECT_TRUE(IsLoopback("[::1]:443"));
  EXPECT_TRUE(IsLoopback("dns:///localhost:1"));
  EXPECT_TRUE(IsLoopback("unix:/tmp/s"));
  EXPECT_FALSE(IsLoopback("tessera.example.org:443"));
  EXPECT_FALSE(IsLoopback("10.0.0.1:1"));
  EXPECT_FALSE(IsLoopback("[2001:db8::1]:1"));
}

grpc::Status WithDetails(
    grpc::StatusCode code, const std::string& message,
    const std::vector<const google::protobuf::Message*>& details) {
  google::rpc::Status rpc;
  rpc.set_code(code);
  rpc.set_message(message);
  for (const auto* d : details) rpc.add_details()->PackFrom(*d);
  return grpc::Status(code, message, rpc.SerializeAsString());
}

google::rpc::ErrorInfo Info(const std::string& reason) {
  google::rpc::ErrorInfo info;
  info.set_domain("tessera");
  info.set_reason(reason);
  return info;
}

TEST(ErrorsTest, DistinctExitCodes) {
  EXPECT_EQ(DescribeError(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "connection refused"),
                          "h:1")
                .exit_code,
            kExitUnreachable);
  EXPECT_EQ(DescribeError(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "x"))
                .exit_code,
            kExitUnauthenticated);
  EXPECT_EQ(
      DescribeError(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "x"))
          .exit_code,
      kExitDenied);
  EXPECT_EQ(
      DescribeError(grpc::Status(grpc::StatusCode::NOT_FOUND, "x")).exit_code,
      kExitNotFound);
  EXPECT_EQ(
      DescribeError(grpc::Status(grpc::StatusCode::ABORTED, "x")).exit_code,
      kExitConflict);
  EXPECT_EQ(DescribeError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "x"))
                .exit_code,
            kExitError);
}

TEST(ErrorsTest, OneLineMessagesFromDetails) {
  ErrorReport unreachable = DescribeError(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect"), "h:1");
  EXPECT_THAT(unreachable.message, HasSubstr("cannot reach the server at h:1"));

  EXPECT_THAT(
      DescribeError(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown"))
          .message,
      HasSubstr("does not accept this token"));

  google::rpc::ErrorInfo denied = Info("LANGUAGE_NOT_GRANTED");
  (*denied.mutable_metadata())["language"] = "tr";
  ErrorReport d = DescribeError(WithDetails(grpc::StatusCode::PERMISSION_DENIED,
                                            "not granted", {&denied}));
  EXPECT_EQ(d.message,
            "denied: not granted (language tr) [LANGUAGE_NOT_GRANTED]");
  EXPECT_EQ(d.reason, "LANGUAGE_NOT_GRANTED");

  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("target_languages[1]");
  v->set_description("not a language tag");
  google::rpc::ErrorInfo invalid = Info("INVALID_FIELD");
  ErrorReport b = DescribeError(WithDetails(grpc::StatusCode::INVALID_ARGUMENT,
                                            "bad request", {&invalid, &bad}));
  EXPECT_EQ(b.message,
            "bad request; target_languages[1]: not a language tag "
            "[INVALID_FIELD]");
  EXPECT_EQ(b.message.find('\n'), std::string::npos);

  google::rpc::PreconditionFailure pre;
  auto* pv = pre.add_violations();
  pv->set_type("ASSIGNMENT_OVERLAP");
  pv->set_subject("assignments/7");
  pv->set_description("held by users/bob");
  google::rpc::ErrorInfo overlap = Info("ASSIGNMENT_OVERLAP");
  ErrorReport p = DescribeError(WithDetails(
      grpc::StatusCode::FAILED_PRECONDITION, "overlap", {&overlap, &pre}));
  EXPECT_THAT(p.message, HasSubstr("assignments/7: held by users/bob"));
  EXPECT_EQ(p.exit_code, kExitConflict);

  tessera::v1::VersionConflict conflict;
  conflict.set_resource("statements/a");
  conflict.set_current_version(5);
  ErrorReport c = DescribeError(
      WithDetails(grpc::StatusCode::ABORTED, "stale", {&conflict}));
  EXPECT_THAT(c.message, HasSubstr("statements/a is now at version 5"));
}

TEST(ErrorsTest, QaIssuesAndReason) {
  tessera::v1::QaReport report;
  auto* issue = report.add_issues();
  issue->set_code(tessera::v1::QA_CODE_CODE_MISSING);
  issue->set_message("code 1 is missing");
  google::rpc::ErrorInfo info = Info("QA_ERRORS");
  grpc::Status s =
      WithDetails(grpc::StatusCode::INVALID_ARGUMENT, "qa", {&info, &report});
  ASSERT_EQ(QaIssues(s).size(), 1u);
  EXPECT_EQ(QaIssues(s)[0].message(), "code 1 is missing");
  EXPECT_EQ(ErrorReason(s), "QA_ERRORS");
  EXPECT_TRUE(QaIssues(grpc::Status(grpc::StatusCode::INTERNAL, "x")).empty());
}

TEST(RenderTest, ReadableCodesRoundTrip) {
  tessera::v1::Content c;
  c.set_text("Nous exigeons : {x}");
  auto add = [&](int id, tessera::v1::CodeKind kind, uint32_t offset) {
    auto* r = c.add_codes();
    r->set_id(id);
    r->set_kind(kind);
    r->set_offset(offset);
  };
  add(1, tessera::v1::CODE_KIND_OPEN, 5);
  add(1, tessera::v1::CODE_KIND_CLOSE, 13);
  add(2, tessera::v1::CODE_KIND_STANDALONE, 15);
  const std::string readable = ToReadable(c);
  EXPECT_EQ(readable, "Nous {1}exigeons{/1} :{2/} {{x}}");
  ASSERT_OK_AND_ASSIGN(tessera::v1::Content back, ParseReadable(readable));
  EXPECT_EQ(back.SerializeAsString(), c.SerializeAsString());

  EXPECT_THAT(ParseReadable("bad {x} marker").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReadable("lone } brace").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RenderTest, ProgressBarAndTable) {
  EXPECT_EQ(ProgressBar(0, 10), "[----------]   0%");
  EXPECT_EQ(ProgressBar(45.5, 10), "[####------]  45%");
  EXPECT_EQ(ProgressBar(100, 10), "[##########] 100%");
  EXPECT_EQ(ProgressBar(150, 4), "[####] 100%");
  EXPECT_EQ(ProgressBar(-3, 4), "[----]   0%");
  EXPECT_EQ(FormatTable({{"LANG", "WORDS"}, {"de", "12"}, {"pt-BR", "3"}}),
            "LANG   WORDS\n"
            "de     12\n"
            "pt-BR  3\n");
  // Widths count characters, not bytes.
  EXPECT_EQ(FormatTable({{"é", "x"}, {"ab", "y"}}), "é   x\nab  y\n");
}

TEST(RenderTest, TimesAndRoles) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(auto t, ParseTime("+3d", now));
  EXPECT_EQ(t.seconds(), 1'700'000'000 + 3 * 86400);
  ASSERT_OK_AND_ASSIGN(t, ParseTime("+12h", now));
  EXPECT_EQ(t.seconds(), 1'700'000'000 + 12 * 3600);
  ASSERT_OK_AND_ASSIGN(t, ParseTime("2026-12-01", now));
  EXPECT_EQ(FormatTime(t), "2026-12-01T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(t, ParseTime("2026-12-01T18:30:00Z", now));
  EXPECT_EQ(FormatTime(t), "2026-12-01T18:30:00Z");
  EXPECT_FALSE(ParseTime("tomorrow", now).ok());
  EXPECT_FALSE(ParseTime("+3w", now).ok());
  EXPECT_EQ(FormatTime(google::protobuf::Timestamp()), "-");

  ASSERT_OK_AND_ASSIGN(auto g, ParseRoleGrant("translator=de,en"));
  EXPECT_EQ(g.role(), tessera::v1::ROLE_TRANSLATOR);
  EXPECT_THAT(g.languages(), ElementsAre("de", "en"));
  EXPECT_EQ(FormatRoleGrant(g), "translator=de,en");
  ASSERT_OK_AND_ASSIGN(g, ParseRoleGrant("Admin"));
  EXPECT_EQ(g.role(), tessera::v1::ROLE_ADMIN);
  EXPECT_EQ(FormatRoleGrant(g), "admin");
  EXPECT_FALSE(ParseRoleGrant("wizard").ok());
  EXPECT_FALSE(ParseRoleGrant("unspecified").ok());
  EXPECT_EQ(LastComponent("statements/icor"), "icor");
  EXPECT_EQ(ShortEnumName("SEGMENT_STATE_NEEDS_UPDATE", "SEGMENT_STATE_"),
            "needs_update");
}

TEST(CommandTest, UnreachableServerExitsWith3) {
  std::ostringstream out, err;
  Io io;
  io.out = &out;
  io.err = &err;
  // A port nothing listens on (reserved, discard).
  EXPECT_EQ(RunCli({"whoami", "--server", "127.0.0.1:9", "--token", "t",
                    "--insecure"},
                   io),
            kExitUnreachable);
  EXPECT_THAT(err.str(), HasSubstr("cannot reach the server at 127.0.0.1:9"));
}

TEST(CommandTest, NoServerConfiguredIsAUsageError) {
  testing::TempDir dir;
  std::ostringstream out, err;
  Io io;
  io.out = &out;
  io.err = &err;
  io.env = {{"XDG_CONFIG_HOME", dir.path()}};
  EXPECT_EQ(RunCli({"whoami"}, io), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("no server"));
}

}  // namespace
}  // namespace tessera::cli
