#include "services/memory/machine/http_translator.h"

#include <curl/curl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"

namespace tessera::memory::machine {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Response {
  long code = 0;
  std::string body;
  size_t limit = 0;
  bool too_big = false;
};

size_t OnData(char* data, size_t size, size_t n, void* arg) {
  auto* r = static_cast<Response*>(arg);
  const size_t bytes = size * n;
  if (r->body.size() + bytes > r->limit) {
    r->too_big = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  r->body.append(data, bytes);
  return bytes;
}

// One request: GET when `post_json` is null.
absl::StatusOr<Response> Fetch(const std::string& url,
                               const std::string* post_json,
                               absl::Time deadline, size_t max_bytes) {
  GlobalInit();
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError("the deadline passed before the call");
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  Response r;
  r.limit = max_bytes;
  curl_slist* headers = nullptr;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(
                       std::max<int64_t>(1, absl::ToInt64Milliseconds(left))));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  headers = curl_slist_append(headers, "Accept: application/json");
  if (post_json != nullptr) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_json->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(post_json->size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError(
        StrCat(url, " did not answer before the deadline"));
  }
  if (r.too_big) {
    return absl::UnavailableError(
        StrCat(url, " answered more than ", max_bytes, " bytes"));
  }
  if (rc != CURLE_OK) {
    return absl::UnavailableError(
        StrCat(url, ": ", curl_easy_strerror(rc)));
  }
  return r;
}

absl::Status FromHttp(const std::string& url, const Response& r) {
  if (r.code >= 200 && r.code < 300) return absl::OkStatus();
  std::string what = r.body.substr(0, 300);
  Struct err;
  if (google::protobuf::util::JsonStringToMessage(r.body, &err).ok()) {
    auto it = err.fields().find("error");
    if (it != err.fields().end() && it->second.has_string_value()) {
      what = it->second.string_value();
    }
  }
  const std::string msg = StrCat(url, " answered HTTP ", r.code, ": ", what);
  if (r.code == 429) return absl::ResourceExhaustedError(msg);
  if (r.code >= 500) return absl::UnavailableError(msg);
  return absl::FailedPreconditionError(msg);
}

}  // namespace

HttpTranslator::HttpTranslator(HttpTranslatorOptions options)
    : options_(std::move(options)),
      engine_(StrCat("libretranslate ", options_.url)),
      limit_(options_.max_concurrency),
      cache_(options_.cache_entries) {}

absl::StatusOr<std::unique_ptr<HttpTranslator>> HttpTranslator::Create(
    HttpTranslatorOptions options, absl::Time deadline) {
  while (!options.url.empty() && options.url.back() == '/') {
    options.url.pop_back();
  }
  if (options.url.rfind("http://", 0) != 0 &&
      options.url.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError(
        StrCat("the translation service URL must be http(s): \"",
               options.url, "\""));
  }
  std::unique_ptr<HttpTranslator> t(new HttpTranslator(std::move(options)));
  const std::string url = t->options_.url + "/languages";
  deadline = std::min(deadline, absl::Now() + t->options_.timeout);
  auto r = Fetch(url, nullptr, deadline, t->options_.max_response_bytes);
  if (!r.ok()) return r.status();
  if (absl::Status s = FromHttp(url, *r); !s.ok()) {
    return absl::UnavailableError(s.message());
  }
  ListValue langs;
  if (!google::protobuf::util::JsonStringToMessage(r->body, &langs).ok()) {
    return absl::UnavailableError(
        StrCat(url, " did not answer a JSON list of languages"));
  }
  for (const Value& v : langs.values()) {
    if (!v.has_struct_value()) continue;
    const auto& f = v.struct_value().fields();
    auto code = f.find("code");
    auto targets = f.find("targets");
    if (code == f.end() || !code->second.has_string_value() ||
        targets == f.end() || !targets->second.has_list_value()) {
      continue;
    }
    for (const Value& target : targets->second.list_value().values()) {
      if (target.has_string_value() &&
          target.string_value() != code->second.string_value()) {
        // The payload is the service's own spelling of the two codes.
        t->pairs_.Add({code->second.string_value(), target.string_value()},
                      StrCat(code->second.string_value(), "\n",
                             target.string_value()));
      }
    }
  }
  return t;
}

bool HttpTranslator::Supports(const LanguagePair& pair) const {
  return pairs_.Resolve(pair.source, pair.target).has_value();
}

std::vector<LanguagePair> HttpTranslator::Pairs() const {
  return pairs_.Pairs();
}

absl::StatusOr<MachineResult> HttpTranslator::Translate(
    std::string_view source_language, std::string_view target_language,
    std::string_view text, absl::Time deadline) {
  auto served = pairs_.Resolve(source_language, target_language);
  if (!served.has_value()) {
    return NotSupportedError(source_language, target_language);
  }
  const auto& [pair, codes] = *served;
  if (text.empty() || text.size() > options_.max_text_bytes) {
    return absl::InvalidArgumentError(
        StrCat("the text must be 1 to ", options_.max_text_bytes, " bytes"));
  }
  if (auto hit = cache_.Get(pair, text)) {
    return MachineResult{std::move(*hit), engine_, true};
  }
  deadline = std::min(deadline, absl::Now() + options_.timeout);
  ConcurrencyLimit::Slot slot(&limit_, deadline);
  if (!slot.held()) {
    return absl::DeadlineExceededError(
        "the deadline passed while waiting for a free request slot");
  }
  Struct req;
  auto& f = *req.mutable_fields();
  const size_t nl = codes.find('\n');
  f["q"].set_string_value(std::string(text));
  f["source"].set_string_value(codes.substr(0, nl));
  f["target"].set_string_value(codes.substr(nl + 1));
  f["format"].set_string_value("text");
  if (!options_.api_key.empty()) f["api_key"].set_string_value(options_.api_key);
  std::string body;
  if (!google::protobuf::util::MessageToJsonString(req, &body).ok()) {
    return absl::InvalidArgumentError("the text cannot be sent as JSON");
  }
  const std::string url = options_.url + "/translate";
  auto r = Fetch(url, &body, deadline, options_.max_response_bytes);
  if (!r.ok()) return r.status();
  if (absl::Status s = FromHttp(url, *r); !s.ok()) return s;
  Struct answer;
  if (!google::protobuf::util::JsonStringToMessage(r->body, &answer).ok()) {
    return absl::UnavailableError(StrCat(url, " did not answer JSON"));
  }
  auto it = answer.fields().find("translatedText");
  if (it == answer.fields().end() || !it->second.has_string_value() ||
      it->second.string_value().empty()) {
    return absl::UnavailableError(
        StrCat(url, " answered no translatedText"));
  }
  std::string out = it->second.string_value();
  cache_.Put(pair, text, out);
  return MachineResult{std::move(out), engine_, false};
}

}  // namespace tessera::memory::machine
