// Parsing an uploaded document into a formats::Document under a budget.
//
// cmark-gfm 0.29.0.gfm.6 (Debian 12) takes quadratic time on some inputs
// (tables with many cells per row, runs of "![[]()", repeated "<![CDATA[").
// A parse that cannot be interrupted therefore runs in a child process, the
// helper `tessera-parse`, under RLIMIT_CPU and RLIMIT_AS; the caller kills
// it when the call's deadline or the CPU budget passes. The document
// crosses the pipe in formats::SerializeDocument's form, so the caller gets
// exactly what formats:: would have returned in process. Cheap pre-checks
// refuse the known patterns before any parse.
//
// Thread-safe: ParseDocument may run on many threads at once; each call
// spawns its own child (posix_spawn, never fork).
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_PARSE_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_PARSE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "formats/document.h"
#include "formats/import.h"
#include "services/statement/statement_model.h"

namespace tessera::text {
class Segmenter;
}

namespace tessera::statement {

// Everything the formats importers need, as plain values that cross a pipe.
struct ParseRequest {
  formats::Format format = formats::Format::kMarkdown;
  std::string language;  // canonical tag, for the sentence segmenter
  std::vector<formats::BlockRange> no_translate_blocks;
  size_t max_segments = 0;  // formats::ImportOptions::max_segments
  std::string_view source;  // NFC; borrowed
};

// The formats import of `request` in this process, with `segmenter`
// splitting sentences and text::IsNonTranslatable as the verbatim check.
// Errors are formats::ImportMarkdown's / ImportPlainText's.
absl::StatusOr<formats::Document> ParseInProcess(
    const ParseRequest& request,
    std::shared_ptr<const text::Segmenter> segmenter);

// RESOURCE_EXHAUSTED (QuotaFailure "limits/markdown_table_cells",
// "limits/markdown_image_brackets" or "limits/markdown_cdata_sections")
// when Markdown `source` holds one of the patterns known to make
// cmark-gfm 0.29 quadratic, in amounts no real statement has.
absl::Status CheckMarkdownHazards(std::string_view source);

// Parses `request` in the child `budget.helper` (in process when empty).
// Besides the importers' own errors: RESOURCE_EXHAUSTED (QuotaFailure
// "limits/parse_cpu_budget" or "limits/parse_memory_bytes") when the parse
// passes its budget; DEADLINE_EXCEEDED when `deadline` passes first; the
// child is killed in both cases. UNAVAILABLE if the helper cannot be
// started, INTERNAL if it crashes or answers garbage. CANCELLED, with the
// child killed, once `cancelled` (may be null) says the client left.
// RESOURCE_EXHAUSTED ("limits/parse_children") when budget.max_children
// parses are running and none ends in time (see ParseBudget).
absl::StatusOr<formats::Document> ParseDocument(
    const ParseRequest& request, const ParseBudget& budget,
    absl::Time deadline, const CancellationSource* cancelled = nullptr);

// The body of tessera-parse: `tessera-parse CPU_SECONDS MEMORY_BYTES`
// limits itself, reads one encoded request on stdin and writes the encoded
// result on stdout. Returns the exit code.
int RunParseHelper(int argc, char** argv);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_PARSE_H_
