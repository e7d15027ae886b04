#include "services/memory/machine/apertium_translator.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "services/memory/machine/subprocess.h"

namespace tessera::memory::machine {

std::string LanguageFromApertiumCode(std::string_view code) {
  // The ISO 639-3 codes of Debian's pairs, and a few neighbours.
  static const auto* kCodes = new std::map<std::string_view, std::string_view>{
      {"afr", "af"}, {"arg", "an"}, {"ast", "ast"}, {"bre", "br"},
      {"cat", "ca"}, {"deu", "de"}, {"eng", "en"},  {"epo", "eo"},
      {"eus", "eu"}, {"fra", "fr"}, {"frp", "frp"}, {"glg", "gl"},
      {"hbs", "sh"}, {"isl", "is"}, {"ita", "it"},  {"mkd", "mk"},
      {"nld", "nl"}, {"oci", "oc"}, {"por", "pt"},  {"ron", "ro"},
      {"slv", "sl"}, {"spa", "es"}, {"srd", "sc"},  {"swe", "sv"},
      {"dan", "da"}, {"nob", "nb"}, {"nno", "nn"},  {"rus", "ru"},
      {"ukr", "uk"}, {"bel", "be"}, {"kaz", "kk"},  {"tat", "tt"}};
  const std::string n = NormalizeLanguage(code);
  if (n.size() == 2) return n;
  auto it = kCodes->find(n);
  return it == kCodes->end() ? std::string() : std::string(it->second);
}

ApertiumTranslator::ApertiumTranslator(ApertiumOptions options)
    : options_(std::move(options)),
      limit_(options_.max_concurrency),
      cache_(options_.cache_entries) {}

std::unique_ptr<ApertiumTranslator> ApertiumTranslator::Create(
    ApertiumOptions options) {
  std::unique_ptr<ApertiumTranslator> t(
      new ApertiumTranslator(std::move(options)));
  std::error_code ec;
  std::vector<std::string> modes;
  for (const auto& entry :
       std::filesystem::directory_iterator(t->options_.modes_dir, ec)) {
    if (entry.path().extension() == ".mode") {
      modes.push_back(entry.path().stem().string());
    }
  }
  // Sorted, so that of "en-es" and "eng-spa" the same one always wins.
  std::sort(modes.begin(), modes.end());
  for (const std::string& mode : modes) {
    // "eng-cat_valencia" is a variant, "eco-fr-es" not a plain pair.
    if (mode.find('_') != std::string::npos) continue;
    const size_t dash = mode.find('-');
    if (dash == std::string::npos || mode.find('-', dash + 1) != std::string::npos) {
      continue;
    }
    const std::string src = LanguageFromApertiumCode(mode.substr(0, dash));
    const std::string tgt = LanguageFromApertiumCode(mode.substr(dash + 1));
    if (src.empty() || tgt.empty() || src == tgt) continue;
    if (!t->pairs_.Resolve(src, tgt).has_value()) {
      t->pairs_.Add({src, tgt}, mode);
    }
  }
  return t;
}

bool ApertiumTranslator::Supports(const LanguagePair& pair) const {
  return pairs_.Resolve(pair.source, pair.target).has_value();
}

std::vector<LanguagePair> ApertiumTranslator::Pairs() const {
  return pairs_.Pairs();
}

absl::StatusOr<MachineResult> ApertiumTranslator::Translate(
    std::string_view source_language, std::string_view target_language,
    std::string_view text, absl::Time deadline) {
  auto served = pairs_.Resolve(source_language, target_language);
  if (!served.has_value()) {
    return NotSupportedError(source_language, target_language);
  }
  const auto& [pair, mode] = *served;
  if (text.empty() || text.size() > options_.max_text_bytes) {
    return absl::InvalidArgumentError(
        StrCat("the text must be 1 to ", options_.max_text_bytes, " bytes"));
  }
  const std::string engine = StrCat("apertium ", mode);
  if (auto hit = cache_.Get(pair, text)) {
    return MachineResult{std::move(*hit), engine, true};
  }
  deadline = std::min(deadline, absl::Now() + options_.timeout);
  ConcurrencyLimit::Slot slot(&limit_, deadline);
  if (!slot.held()) {
    return absl::DeadlineExceededError(
        "the deadline passed while waiting for a free Apertium process");
  }
  // -u: unknown words unmarked (no "*"), as a translator would want them.
  // The trailing newline ends the last sentence for every stage.
  auto run = RunProcess({options_.binary, "-u", mode}, StrCat(text, "\n"),
                        deadline, text.size() * 8 + 4096);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    return absl::UnavailableError(StrCat(
        "apertium ", mode, " failed (exit ", run->exit_code, ", signal ",
        run->signal, "): ", run->errors.substr(0, 300)));
  }
  std::string out = std::move(run->output);
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  if (out.empty()) {
    return absl::UnavailableError(StrCat("apertium ", mode, " answered nothing"));
  }
  cache_.Put(pair, text, out);
  return MachineResult{std::move(out), engine, false};
}

}  // namespace tessera::memory::machine
