// What the statement service checks before it touches storage: request
// fields, the caller's rights on a statement, and the domain errors it
// answers with. Internal to the service (the core and the importer).
//
// Every field check returns OK or INVALID_ARGUMENT built by BadField
// (services/common/errors.h): reason INVALID_FIELD unless stated, one field
// violation naming `field`. Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_VALIDATION_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_VALIDATION_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/principal.h"
#include "services/statement/statement_model.h"

namespace tessera::statement {

// ---------------------------------------------------------------------------
// Resource names and the errors about them.

// "statements/{id}" and "statements/{id}/revisions/{revision}".
std::string StatementName(std::string_view statement_id);
std::string RevisionName(std::string_view statement_id, int revision);

// NOT_FOUND (reason NOT_FOUND, metadata resource) "no <what> <resource>".
absl::Status ResourceNotFound(std::string_view resource, std::string_view what);

// FAILED_PRECONDITION (reason WRONG_STATE, metadata state) on `statement`,
// whose state forbids the change `message` explains.
absl::Status WrongState(const Statement& statement, std::string_view message);

// ABORTED (reason VERSION_CONFLICT, metadata current_version): `resource`
// is at `current`, the caller wrote against `requested`.
absl::Status VersionConflict(std::string_view resource, uint64_t requested,
                             uint64_t current);

// ALREADY_EXISTS (reason ALREADY_EXISTS) for statement `statement_id`.
absl::Status StatementExists(std::string_view statement_id);

// INVALID_ARGUMENT (reason REQUEST_ID_REUSED) on field request_id.
absl::Status RequestIdReused(std::string_view request_id);

// ---------------------------------------------------------------------------
// Field checks.

// 1 to kMaxStatementIdBytes of [a-z0-9-], starting with a letter.
bool IsValidStatementId(std::string_view id);
absl::Status CheckStatementId(std::string_view field, std::string_view id);

// Empty, or 1 to kMaxRequestIdBytes of [A-Za-z0-9_-].
absl::Status CheckRequestId(std::string_view id);

// Valid UTF-8 (else reason INVALID_UTF8 with the byte offset), `min` to
// `max` bytes once in NFC, no control characters (C0, DEL, C1). Returns
// the NFC form.
absl::StatusOr<std::string> CheckText(std::string_view field,
                                      std::string_view value, size_t min,
                                      size_t max);

// The canonical BCP 47 form of `tag`.
absl::StatusOr<std::string> CanonicalLanguage(std::string_view field,
                                              std::string_view tag);

// 1 to kMaxTargetLanguages canonical tags, none the source language, in
// the given order without duplicates.
absl::StatusOr<std::vector<std::string>> CanonicalTargets(
    std::string_view field, const std::vector<std::string>& tags,
    std::string_view source_language);

// Label keys: 1 to kMaxLabelBytes of [a-z0-9_-] starting with a letter;
// values: 0 to kMaxLabelBytes of [a-z0-9_-]; at most kMaxLabels labels.
absl::Status CheckLabelKey(std::string_view field, std::string_view key);
absl::Status CheckLabelValue(std::string_view field, std::string_view value);
absl::Status CheckLabels(const std::map<std::string, std::string>& labels);

// 1 to kMaxReviewRounds (0 means 1 when `zero_means_one`).
absl::StatusOr<int> CheckReviewRounds(std::string_view field, int rounds,
                                      bool zero_means_one);

// At most kMaxNoTranslateRanges well-formed ranges; whether they fit the
// document is the importer's check.
absl::Status CheckRangesSyntax(std::string_view field,
                               const std::vector<NoTranslateRange>& ranges);

// RESOURCE_EXHAUSTED (QuotaFailure "limits/max_document_bytes") when
// `source` is longer than `limit`.
absl::Status CheckDocumentSize(std::string_view source, size_t limit);

// ---------------------------------------------------------------------------
// Rights (see the statement.proto header).

// OK for an admin or a coordinator of every one of `languages`;
// PERMISSION_DENIED (ROLE_DENIED or LANGUAGE_NOT_GRANTED) otherwise.
absl::Status CheckCanChange(const Principal& caller,
                            const std::vector<std::string>& languages);

// OK for an admin, a service, or a role granted one of the statement's
// target languages; PERMISSION_DENIED (LANGUAGE_NOT_GRANTED) otherwise.
absl::Status CheckCanRead(const Principal& caller, const Statement& statement);
bool CanRead(const Principal& caller, const Statement& statement);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_VALIDATION_H_
