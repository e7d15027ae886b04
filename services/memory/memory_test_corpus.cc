#include "services/memory/memory_test_corpus.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_split.h"
#include "text/segmenter.h"

namespace tessera::memory {
namespace {

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

void AddSentences(const std::string& language, const std::string& paragraph,
                  std::vector<CorpusSentence>* out) {
  auto seg = text::Segmenter::ForLanguage(language);
  if (!seg.ok()) return;
  size_t start = 0;
  for (size_t end : (*seg)->Split(paragraph)) {
    std::string s = Trim(paragraph.substr(start, end - start));
    start = end;
    if (!s.empty()) out->push_back({language, std::move(s)});
  }
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> w = absl::StrSplit(text, ' ', absl::SkipEmpty());
  return w;
}

std::string Join(const std::vector<std::string>& w) {
  std::string out;
  for (const std::string& s : w) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

}  // namespace

std::vector<CorpusSentence> LoadCorpus(const std::string& dir) {
  const std::vector<std::pair<std::string, std::string>> udhr = {
      {"udhr_arb.xml", "ar"},      {"udhr_ben.xml", "bn"},
      {"udhr_cmn_hans.xml", "zh"}, {"udhr_deu_1996.xml", "de"},
      {"udhr_eng.xml", "en"},      {"udhr_fra.xml", "fr"},
      {"udhr_heb.xml", "he"},      {"udhr_pes_1.xml", "fa"},
      {"udhr_rus.xml", "ru"},      {"udhr_spa.xml", "es"},
      {"udhr_tur.xml", "tr"}};
  std::vector<CorpusSentence> out;
  for (const auto& [file, lang] : udhr) {
    const std::string xml = Read(std::filesystem::path(dir) / "udhr" / file);
    size_t at = 0;
    while ((at = xml.find("<para>", at)) != std::string::npos) {
      const size_t end = xml.find("</para>", at);
      if (end == std::string::npos) break;
      AddSentences(lang, xml.substr(at + 6, end - at - 6), &out);
      at = end;
    }
  }
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(dir) / "seeds")) {
    const std::string body = Read(entry.path());
    for (absl::string_view para : absl::StrSplit(body, "\n\n")) {
      std::string p(para);
      for (char& c : p) {
        if (c == '\n') c = ' ';
      }
      AddSentences("fr", p, &out);
    }
  }
  return out;
}

std::vector<formats::Content> MakeVariants(const std::string& text,
                                           std::mt19937_64* rng) {
  std::vector<formats::Content> out;
  std::vector<std::string> w = Words(text);
  if (w.empty()) return out;
  auto pick = [&](size_t n) { return static_cast<size_t>((*rng)() % n); };
  static const char* const kExtra[] = {"nouveau", "very", "nicht", "toute",
                                       "2025", "(ONU)", "—", "libre"};
  {  // inserted word
    auto v = w;
    v.insert(v.begin() + static_cast<long>(pick(v.size() + 1)),
             kExtra[pick(8)]);
    out.push_back({Join(v), {}});
  }
  if (w.size() > 1) {  // deleted word
    auto v = w;
    v.erase(v.begin() + static_cast<long>(pick(v.size())));
    out.push_back({Join(v), {}});
  }
  if (w.size() > 2) {  // two swapped, one word misspelt
    auto v = w;
    std::swap(v[pick(v.size())], v[pick(v.size())]);
    std::string& x = v[pick(v.size())];
    // Only an ASCII letter, so the text stays UTF-8.
    if (x.size() > 3 && static_cast<unsigned char>(x[1]) < 0x80) x.erase(1, 1);
    out.push_back({Join(v), {}});
  }
  {  // number changed, or added
    auto v = w;
    bool changed = false;
    for (std::string& x : v) {
      if (!x.empty() && x[0] >= '0' && x[0] <= '9') {
        x = std::to_string(pick(1000));
        changed = true;
        break;
      }
    }
    if (!changed) v.push_back(std::to_string(pick(100)));
    out.push_back({Join(v), {}});
  }
  {  // codes around a word, then moved
    const std::string t = Join(w);
    const size_t sp = t.find(' ');
    const size_t cut = sp == std::string::npos ? t.size() : sp;
    formats::Content c{t, {{1, formats::CodeKind::kOpen, 0},
                           {1, formats::CodeKind::kClose, cut}}};
    out.push_back(c);
    if (sp != std::string::npos) {
      const size_t sp2 = t.find(' ', sp + 1);
      formats::Content m{t, {{1, formats::CodeKind::kOpen, sp + 1},
                             {1, formats::CodeKind::kClose,
                              sp2 == std::string::npos ? t.size() : sp2},
                             {2, formats::CodeKind::kStandalone, t.size()}}};
      out.push_back(m);
    }
  }
  {  // case changed
    std::string t = Join(w);
    for (char& c : t) {
      if (c >= 'a' && c <= 'z' && pick(3) == 0) c = static_cast<char>(c - 32);
    }
    out.push_back({t, {}});
  }
  {  // short
    std::vector<std::string> v(w.begin(),
                               w.begin() + static_cast<long>(std::min<size_t>(
                                               w.size(), 1 + pick(3))));
    out.push_back({Join(v), {}});
  }
  return out;
}

}  // namespace tessera::memory
