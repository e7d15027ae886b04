// Test hook for the segmenter. Internal to text/.
//
// Segmenter::Split asks ICU's sentence iterator for its proposal only at
// the end of each terminator run, on a small window around it, and
// remembers answers per window shape. SplitWithFullTextIcu gives the same
// result computed the straightforward way, from one ICU iteration over the
// whole text, so tests can check that the windows never change ICU's
// answer.
#ifndef TESSERA_TEXT_INTERNAL_SEGMENTER_TESTING_H_
#define TESSERA_TEXT_INTERNAL_SEGMENTER_TESTING_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "text/segmenter.h"

namespace tessera::text::internal {

// Splits like segmenter.Split(utf8), but with ICU's proposals taken from an
// iteration over the whole text. Slow; for tests only.
std::vector<size_t> SplitWithFullTextIcu(const Segmenter& segmenter,
                                         std::string_view utf8);

}  // namespace tessera::text::internal

#endif  // TESSERA_TEXT_INTERNAL_SEGMENTER_TESTING_H_
