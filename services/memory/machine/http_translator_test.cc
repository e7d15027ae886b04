// The HTTP adapter against a LibreTranslate look-alike (testdata/
// fake_libretranslate.py) that each test starts on a loopback port.
#include "services/memory/machine/http_translator.h"

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/memory/machine/apertium_translator.h"

extern char** environ;

namespace tessera::memory::machine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tessera::testing::StatusIs;

absl::Time In(absl::Duration d) { return absl::Now() + d; }

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

class FakeLibreTranslate : public ::testing::Test {
 protected:
  void SetUp() override {
    int in[2], out[2];
    ASSERT_EQ(pipe(in), 0);
    ASSERT_EQ(pipe(out), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const std::string script = std::string(TESSERA_SOURCE_DIR) +
                               "/services/memory/machine/testdata/"
                               "fake_libretranslate.py";
    char* argv[] = {const_cast<char*>("/usr/bin/python3"),
                    const_cast<char*>(script.c_str()), nullptr};
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &fa, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    ASSERT_FALSE(line.empty()) << "the fake server did not start";
    url_ = "http://127.0.0.1:" + line;
  }
  void TearDown() override {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  HttpTranslatorOptions Options() {
    HttpTranslatorOptions o;
    o.url = url_;
    return o;
  }
  std::unique_ptr<HttpTranslator> Make(HttpTranslatorOptions o) {
    auto t = HttpTranslator::Create(std::move(o), In(absl::Seconds(10)));
    EXPECT_OK(t);
    return t.ok() ? std::move(*t) : nullptr;
  }
  // The server's /stats, as JSON text.
  std::string Stats() {
    CURL* curl = curl_easy_init();
    std::string body;
    const std::string url = url_ + "/stats";
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    return body;
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string url_;
};

TEST_F(FakeLibreTranslate, ReadsThePairsAndTranslates) {
  auto t = Make(Options());
  ASSERT_NE(t, nullptr);
  EXPECT_THAT(t->Pairs(), ElementsAre(LanguagePair{"en", "es"},
                                      LanguagePair{"en", "fr"},
                                      LanguagePair{"fr", "en"}));
  ASSERT_OK_AND_ASSIGN(auto r, t->Translate("en-GB", "fr", "Hello «you»",
                                            In(absl::Seconds(10))));
  EXPECT_EQ(r.text, "[fr] »uoy« olleH");  // UTF-8 both ways
  EXPECT_EQ(r.engine, "libretranslate " + url_);
  EXPECT_FALSE(r.from_cache);
  const std::string stats = Stats();
  EXPECT_THAT(stats, HasSubstr("\"source\": \"en\""));
  EXPECT_THAT(stats, HasSubstr("\"format\": \"text\""));
  EXPECT_THAT(stats, HasSubstr("\"translate\": 1,"));
  EXPECT_THAT(stats, HasSubstr("\"languages\": 1,"));
}

TEST_F(FakeLibreTranslate, SendsTheApiKeyAndCachesAnswers) {
  HttpTranslatorOptions o = Options();
  o.api_key = "k3y";
  auto t = Make(o);
  ASSERT_NE(t, nullptr);
  ASSERT_OK(t->Translate("en", "es", "One", In(absl::Seconds(10))));
  EXPECT_THAT(Stats(), HasSubstr("\"api_key\": \"k3y\""));
  ASSERT_OK_AND_ASSIGN(auto again,
                       t->Translate("en", "es", "One", In(absl::Seconds(10))));
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.text, "[es] enO");
  EXPECT_THAT(Stats(), HasSubstr("\"translate\": 1,"));
}

TEST_F(FakeLibreTranslate, PairsTheServiceLacksAreNotSupportedAndNotAsked) {
  auto t = Make(Options());
  ASSERT_NE(t, nullptr);
  auto r = t->Translate("fr", "es", "Bonjour", In(absl::Seconds(10)));
  EXPECT_TRUE(IsNotSupported(r.status())) << r.status();
  EXPECT_THAT(Stats(), HasSubstr("\"translate\": 0,"));
}

TEST_F(FakeLibreTranslate, ServiceErrorsMapToStatusCodes) {
  auto t = Make(Options());
  ASSERT_NE(t, nullptr);
  const absl::Time d = In(absl::Seconds(10));
  EXPECT_THAT(t->Translate("en", "fr", "boom", d),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("the engine crashed")));
  EXPECT_THAT(t->Translate("en", "fr", "busy", d),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(t->Translate("en", "fr", "bad", d),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("bad request")));
  EXPECT_THAT(t->Translate("en", "fr", "garbage", d),
              StatusIs(absl::StatusCode::kUnavailable));
  // Errors are not cached: the next call asks again.
  EXPECT_THAT(t->Translate("en", "fr", "boom", d),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(Stats(), HasSubstr("\"translate\": 5,"));
}

TEST_F(FakeLibreTranslate, ASlowAnswerTimesOut) {
  HttpTranslatorOptions o = Options();
  o.timeout = absl::Milliseconds(300);
  auto t = Make(o);
  ASSERT_NE(t, nullptr);
  absl::Time start = absl::Now();
  EXPECT_THAT(t->Translate("en", "fr", "sleep:3 slow", In(absl::Seconds(30))),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // An earlier call deadline wins over a longer timeout.
  o.timeout = absl::Seconds(30);
  t = Make(o);
  start = absl::Now();
  EXPECT_THAT(t->Translate("en", "fr", "sleep:3 slow", In(absl::Milliseconds(300))),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

int MostInFlight(const std::string& stats) {
  const std::string key = "\"max_in_flight\": ";
  const size_t at = stats.find(key);
  return at == std::string::npos ? -1 : std::stoi(stats.substr(at + key.size()));
}

TEST_F(FakeLibreTranslate, TheConcurrencyLimitHolds) {
  HttpTranslatorOptions o = Options();
  o.max_concurrency = 1;
  auto t = Make(o);
  ASSERT_NE(t, nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_OK(t->Translate("en", "fr", "sleep:0.2 " + std::to_string(i),
                             In(absl::Seconds(20))));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(MostInFlight(Stats()), 1);
  // With room for three, the server does see them together.
  o.max_concurrency = 3;
  t = Make(o);
  threads.clear();
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_OK(t->Translate("en", "fr", "sleep:0.3 again " + std::to_string(i),
                             In(absl::Seconds(20))));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GE(MostInFlight(Stats()), 2);
}

TEST(HttpTranslatorTest, BadOrDeadServicesAreRefusedAtCreation) {
  HttpTranslatorOptions o;
  o.url = "file:///etc/passwd";
  EXPECT_THAT(HttpTranslator::Create(o, In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A loopback port nobody listens on.
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  close(s);
  o.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  EXPECT_THAT(HttpTranslator::Create(o, In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(FakeLibreTranslate, TheCompositeUsesTheFirstAdapterWithThePair) {
  auto http = Make(Options());
  ASSERT_NE(http, nullptr);
  CompositeTranslator c({std::shared_ptr<MachineTranslator>(
                             ApertiumTranslator::Create({})),
                         std::shared_ptr<MachineTranslator>(std::move(http))});
  const absl::Time d = In(absl::Seconds(30));
  ASSERT_OK_AND_ASSIGN(auto en_fr, c.Translate("en", "fr", "Peace", d));
  EXPECT_EQ(en_fr.engine, "libretranslate " + url_);  // Apertium has no en-fr
  ASSERT_OK_AND_ASSIGN(auto en_es, c.Translate("en", "es", "Peace", d));
  EXPECT_EQ(en_es.engine, "apertium eng-spa");  // both have it; first wins
  EXPECT_TRUE(IsNotSupported(c.Translate("de", "fr", "Frieden", d).status()));
}

}  // namespace
}  // namespace tessera::memory::machine
