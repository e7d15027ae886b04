// Test and benchmark data for the memory: the sentences of the shared
// corpus (seeds and UDHR in 11 languages, cut by the project's segmenter)
// and generated variants of them.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_TEST_CORPUS_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_TEST_CORPUS_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "formats/document.h"

namespace tessera::memory {

struct CorpusSentence {
  std::string language;  // canonical tag
  std::string text;
};

// Every sentence of the corpus under `dir` (.../corpus), trimmed.
std::vector<CorpusSentence> LoadCorpus(const std::string& dir);

// Variants of `text`: a word inserted, deleted, two swapped, a number
// changed or added, a code added and moved, case changed, a short prefix.
std::vector<formats::Content> MakeVariants(const std::string& text,
                                           std::mt19937_64* rng);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_TEST_CORPUS_H_
