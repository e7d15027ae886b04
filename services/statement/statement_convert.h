// Conversions between tessera.v1 statement messages and StatementCore
// types, and parsing of statement resource names. Pure functions; errors
// are INVALID_ARGUMENT with google.rpc details naming the request field.
#ifndef TESSERA_SERVICES_STATEMENT_STATEMENT_CONVERT_H_
#define TESSERA_SERVICES_STATEMENT_STATEMENT_CONVERT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "services/statement/statement_core.h"
#include "tessera/v1/statement.pb.h"

namespace tessera::statement {

void ToProto(const Statement& statement, v1::Statement* out);
// `out->source` and `out->skeleton` are set only when the revision carries
// them (the full view).
void ToProto(const Revision& revision, v1::Revision* out);
void ToProto(const SourceSegment& segment, v1::SourceSegment* out);
void ToProto(const StatementPage& page, v1::ListStatementsResponse* out);
void ToProto(const RevisionPage& page, v1::ListRevisionsResponse* out);
void ToProto(const SourceSegmentPage& page,
             v1::ListSourceSegmentsResponse* out);

// DOCUMENT_FORMAT_MARKDOWN or DOCUMENT_FORMAT_PLAIN_TEXT; INVALID_ARGUMENT
// naming `field` otherwise.
absl::StatusOr<formats::Format> FormatFromProto(std::string_view field,
                                                v1::DocumentFormat format);

absl::StatusOr<std::vector<NoTranslateRange>> RangesFromProto(
    std::string_view field,
    const google::protobuf::RepeatedPtrField<v1::NoTranslateRange>& ranges);

absl::StatusOr<CreateParams> CreateParamsFromProto(
    const v1::CreateStatementRequest& request);

absl::StatusOr<ReviseParams> ReviseParamsFromProto(
    const v1::ReviseStatementRequest& request);

// The fields of request.statement named by request.update_mask. An empty
// mask or an unknown path is INVALID_ARGUMENT.
absl::StatusOr<StatementUpdate> UpdateFromProto(
    const v1::UpdateStatementRequest& request);

absl::StatusOr<ListStatementsQuery> QueryFromProto(
    const v1::ListStatementsRequest& request);

// A statement and the version a change is made against.
struct VersionedName {
  std::string statement_id;
  uint64_t version = 0;
};

// The statement named by `name` (field `name_field`) at `version` (field
// `version_field`), which must be positive: INVALID_ARGUMENT otherwise.
absl::StatusOr<VersionedName> VersionedNameFromProto(
    std::string_view name_field, std::string_view name,
    std::string_view version_field, int64_t version);

// Whether `view` asks for the full revision; INVALID_ARGUMENT (field view)
// for an unknown view.
absl::StatusOr<bool> FullViewFromProto(v1::RevisionView view);

// "statements/{statement_id}" → statement_id.
absl::StatusOr<std::string> ParseStatementName(std::string_view field,
                                               std::string_view name);
// "statements/{statement_id}/revisions/{revision}" → (id, revision >= 1).
absl::StatusOr<std::pair<std::string, int>> ParseRevisionName(
    std::string_view field, std::string_view name);
// "statements/{statement_id}/segments/{segment_id}" → (id, segment_id).
absl::StatusOr<std::pair<std::string, std::string>> ParseSegmentName(
    std::string_view field, std::string_view name);

// An optional revision name of statement `statement_id`: 0 when empty,
// INVALID_ARGUMENT when it names another statement.
absl::StatusOr<int> ParseOptionalRevision(std::string_view field,
                                          std::string_view name,
                                          std::string_view statement_id);

}  // namespace tessera::statement

#endif  // TESSERA_SERVICES_STATEMENT_STATEMENT_CONVERT_H_
