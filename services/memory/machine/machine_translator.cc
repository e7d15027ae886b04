#include "services/memory/machine/machine_translator.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "common/strings.h"
#include "services/memory/machine/machine_support.h"

namespace tessera::memory::machine {
namespace {
constexpr char kNotSupportedPayload[] =
    "type.tessera.dev/memory.machine.NotSupported";
}  // namespace

std::string NormalizeLanguage(std::string_view tag) {
  std::string out(tag);
  for (char& c : out) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(
                             static_cast<unsigned char>(c)));
  }
  return out;
}

std::string PrimaryLanguage(std::string_view tag) {
  std::string n = NormalizeLanguage(tag);
  return n.substr(0, n.find('-'));
}

absl::Status NotSupportedError(std::string_view source_language,
                               std::string_view target_language) {
  absl::Status s = absl::NotFoundError(
      StrCat("no machine translation from ", source_language, " to ",
             target_language));
  s.SetPayload(kNotSupportedPayload, absl::Cord("1"));
  return s;
}

bool IsNotSupported(const absl::Status& status) {
  return absl::IsNotFound(status) &&
         status.GetPayload(kNotSupportedPayload).has_value();
}

CompositeTranslator::CompositeTranslator(
    std::vector<std::shared_ptr<MachineTranslator>> translators)
    : translators_(std::move(translators)) {}

bool CompositeTranslator::Supports(const LanguagePair& pair) const {
  return std::any_of(translators_.begin(), translators_.end(),
                     [&](const auto& t) { return t->Supports(pair); });
}

std::vector<LanguagePair> CompositeTranslator::Pairs() const {
  std::set<LanguagePair> all;
  for (const auto& t : translators_) {
    for (auto& p : t->Pairs()) all.insert(std::move(p));
  }
  return {all.begin(), all.end()};
}

absl::StatusOr<MachineResult> CompositeTranslator::Translate(
    std::string_view source_language, std::string_view target_language,
    std::string_view text, absl::Time deadline) {
  const LanguagePair pair{std::string(source_language),
                          std::string(target_language)};
  for (const auto& t : translators_) {
    if (t->Supports(pair)) {
      return t->Translate(source_language, target_language, text, deadline);
    }
  }
  return NotSupportedError(source_language, target_language);
}

// --- machine_support.h ---

std::string TranslationCache::Key(const LanguagePair& pair,
                                  std::string_view text) {
  return StrCat(NormalizeLanguage(pair.source), "\n",
                NormalizeLanguage(pair.target), "\n", text);
}

std::optional<std::string> TranslationCache::Get(const LanguagePair& pair,
                                                 std::string_view text) {
  if (capacity_ == 0) return std::nullopt;
  const std::string key = Key(pair, text);
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void TranslationCache::Put(const LanguagePair& pair, std::string_view text,
                           std::string translation) {
  if (capacity_ == 0) return;
  std::string key = Key(pair, text);
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    it->second->second = std::move(translation);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(key, std::move(translation));
  index_.emplace(std::move(key), order_.begin());
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

size_t TranslationCache::size() const {
  absl::MutexLock lock(&mu_);
  return order_.size();
}

bool ConcurrencyLimit::Acquire(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_use_ < limit_;
  };
  if (!mu_.AwaitWithDeadline(absl::Condition(&free), deadline)) return false;
  ++in_use_;
  return true;
}

void ConcurrencyLimit::Release() {
  absl::MutexLock lock(&mu_);
  --in_use_;
}

void PairTable::Add(const LanguagePair& pair, std::string payload) {
  pairs_.emplace(LanguagePair{NormalizeLanguage(pair.source),
                              NormalizeLanguage(pair.target)},
                 std::move(payload));
}

std::optional<std::pair<LanguagePair, std::string>> PairTable::Resolve(
    std::string_view source, std::string_view target) const {
  for (const LanguagePair& want :
       {LanguagePair{NormalizeLanguage(source), NormalizeLanguage(target)},
        LanguagePair{PrimaryLanguage(source), PrimaryLanguage(target)}}) {
    auto it = pairs_.find(want);
    if (it != pairs_.end()) return *it;
  }
  return std::nullopt;
}

std::vector<LanguagePair> PairTable::Pairs() const {
  std::vector<LanguagePair> out;
  for (const auto& [pair, payload] : pairs_) out.push_back(pair);
  return out;
}

}  // namespace tessera::memory::machine
