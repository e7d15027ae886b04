// MachineTranslator over an HTTP translation service speaking the
// LibreTranslate API, for operators who run their own engine:
//   GET  {url}/languages  -> [{"code": "en", "targets": ["es", ...]}, ...]
//   POST {url}/translate  {"q", "source", "target", "format": "text",
//                          "api_key"?} -> {"translatedText": "..."}
// with errors as {"error": "..."} and an HTTP status. libcurl, one easy
// handle per request, only http and https, no redirects followed.
#ifndef TESSERA_SERVICES_MEMORY_MACHINE_HTTP_TRANSLATOR_H_
#define TESSERA_SERVICES_MEMORY_MACHINE_HTTP_TRANSLATOR_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/memory/machine/machine_support.h"
#include "services/memory/machine/machine_translator.h"

namespace tessera::memory::machine {

struct HttpTranslatorOptions {
  std::string url;      // base URL, such as "http://127.0.0.1:5000"
  std::string api_key;  // sent as "api_key" when set
  absl::Duration timeout = absl::Seconds(5);  // per request
  int max_concurrency = 4;  // requests in flight
  size_t cache_entries = 10'000;
  size_t max_text_bytes = 65'536;
  size_t max_response_bytes = 1 << 20;
};

class HttpTranslator : public MachineTranslator {
 public:
  // Reads {url}/languages before `deadline`. INVALID_ARGUMENT for a URL
  // that is not http(s); UNAVAILABLE or DEADLINE_EXCEEDED when the service
  // does not answer a language list.
  static absl::StatusOr<std::unique_ptr<HttpTranslator>> Create(
      HttpTranslatorOptions options, absl::Time deadline);

  bool Supports(const LanguagePair& pair) const override;
  std::vector<LanguagePair> Pairs() const override;
  // Beyond the port's errors: RESOURCE_EXHAUSTED for HTTP 429,
  // UNAVAILABLE for 5xx or an unreadable answer, FAILED_PRECONDITION for
  // another 4xx; the message holds the service's "error".
  absl::StatusOr<MachineResult> Translate(std::string_view source_language,
                                          std::string_view target_language,
                                          std::string_view text,
                                          absl::Time deadline) override;

 private:
  explicit HttpTranslator(HttpTranslatorOptions options);

  const HttpTranslatorOptions options_;
  const std::string engine_;
  PairTable pairs_;
  ConcurrencyLimit limit_;
  TranslationCache cache_;
};

}  // namespace tessera::memory::machine

#endif  // TESSERA_SERVICES_MEMORY_MACHINE_HTTP_TRANSLATOR_H_
