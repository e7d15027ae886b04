// The import pipeline: from uploaded bytes to a segmented document, nothing
// stored. Import validates the upload as UTF-8, normalises it to NFC, cuts
// it into sentence segments through the formats and text modules, marks
// verbatim and no-translate segments, counts words and gives every segment
// a stable id derived from its normalised text: a revision keeps a
// segment's id whenever its text is unchanged, wherever it moved.
//
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_IMPORT_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_IMPORT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "formats/document.h"
#include "services/statement/statement_model.h"

namespace tessera::statement {

// Validates, normalises and segments `bytes`; the importer of
// CreateStatement and ReviseStatement, exposed for later services and
// benchmarks. Checks, in order: the size limit (RESOURCE_EXHAUSTED,
// QuotaFailure "limits/max_document_bytes"), UTF-8 (INVALID_ARGUMENT,
// ErrorInfo INVALID_UTF8 with the byte offset), the language tag
// (INVALID_ARGUMENT), the no-translate ranges (INVALID_ARGUMENT when
// malformed), the known quadratic Markdown patterns when
// limits.parse.prechecks (RESOURCE_EXHAUSTED, statement_parse.h), then
// parses, in the child limits.parse.helper when set: RESOURCE_EXHAUSTED
// past its CPU or memory budget, DEADLINE_EXCEEDED once options.deadline
// passes. Segmenting stops as soon as the segment count passes
// limits.max_segments (RESOURCE_EXHAUSTED, QuotaFailure
// "limits/max_segments_per_statement"). Then the no-translate ranges past
// the end of the document (INVALID_ARGUMENT) and the segment length
// (INVALID_ARGUMENT naming the segment's block and line).
absl::StatusOr<ImportResult> ImportDocument(formats::Format format,
                                            std::string_view source_language,
                                            std::string_view bytes,
                                            const ImportOptions& options);

// The normalised text a segment id is derived from: the readable form
// (formats::ToReadable) with runs of ASCII whitespace collapsed to one space
// and trimmed. Equal keys are "unchanged text" across revisions.
std::string SegmentKey(const formats::Content& content);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_IMPORT_H_
