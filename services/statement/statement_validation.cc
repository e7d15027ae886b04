#include "services/statement/statement_validation.h"

#include <algorithm>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "services/common/errors.h"
#include "text/language.h"
#include "text/normalize.h"

namespace tessera::statement {
namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLabelChar(char c) {
  return IsLower(c) || IsDigit(c) || c == '_' || c == '-';
}

}  // namespace

std::string StatementName(std::string_view id) {
  return StrCat("statements/", id);
}
std::string RevisionName(std::string_view id, int revision) {
  return StrCat("statements/", id, "/revisions/", revision);
}

absl::Status ResourceNotFound(std::string_view resource,
                              std::string_view what) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "NOT_FOUND",
                       StrCat("no ", what, " ", resource),
                       {{"resource", std::string(resource)}});
}

absl::Status WrongState(const Statement& s, std::string_view message) {
  std::string name = StatementName(s.statement_id);
  std::string state = StrCat("STATEMENT_STATE_", StatementStateName(s.state));
  absl::Status status(
      absl::StatusCode::kFailedPrecondition,
      ToAbsl(StrCat(name, " is ", StatementStateName(s.state), ": ", message)));
  ErrorDetails d;
  d.reason = "WRONG_STATE";
  d.metadata = {{"state", state}};
  d.preconditions.push_back({"WRONG_STATE", name, std::string(message)});
  SetDetails(status, d);
  return status;
}

absl::Status VersionConflict(std::string_view resource, uint64_t requested,
                             uint64_t current) {
  return ErrorWithInfo(absl::StatusCode::kAborted, "VERSION_CONFLICT",
                       StrCat(resource, " is at version ", current, ", not ",
                              requested, "; read it again and retry"),
                       {{"current_version", StrCat(current)}});
}

absl::Status StatementExists(std::string_view statement_id) {
  std::string name = StatementName(statement_id);
  return ErrorWithInfo(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                       StrCat(name, " already exists"), {{"resource", name}});
}

absl::Status RequestIdReused(std::string_view request_id) {
  return BadField("request_id",
                  StrCat("request_id \"", request_id,
                         "\" was already used with a different request"),
                  "REQUEST_ID_REUSED");
}

// ---------------------------------------------------------------------------
// Field checks.

bool IsValidStatementId(std::string_view id) {
  if (id.empty() || id.size() > kMaxStatementIdBytes || !IsLower(id[0])) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return IsLower(c) || IsDigit(c) || c == '-';
  });
}

absl::Status CheckStatementId(std::string_view field, std::string_view id) {
  if (!IsValidStatementId(id)) {
    return BadField(field, StrCat("must be 1 to ", kMaxStatementIdBytes,
                                  " characters of [a-z0-9-] starting with a "
                                  "letter, got \"",
                                  id.substr(0, 80), "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(std::string_view id) {
  if (id.empty()) return absl::OkStatus();
  bool ok = id.size() <= kMaxRequestIdBytes &&
            std::all_of(id.begin(), id.end(), [](char c) {
              return IsLower(c) || IsDigit(c) || (c >= 'A' && c <= 'Z') ||
                     c == '_' || c == '-';
            });
  if (!ok) {
    return BadField("request_id", StrCat("must be 1 to ", kMaxRequestIdBytes,
                                         " characters of [A-Za-z0-9_-]"));
  }
  return absl::OkStatus();
}

// Valid UTF-8, at most `max` bytes once in NFC, no control characters (C0,
// DEL, C1). Returns the NFC form.
absl::StatusOr<std::string> CheckText(std::string_view field,
                                      std::string_view value, size_t min,
                                      size_t max) {
  size_t bad = FindInvalidUtf8(value);
  if (bad != std::string_view::npos) {
    return BadField(field, StrCat("invalid UTF-8 at byte offset ", bad),
                    "INVALID_UTF8", {{"byte_offset", StrCat(bad)}});
  }
  std::string nfc = text::NormalizeNfc(value);
  if (nfc.size() < min || nfc.size() > max) {
    return BadField(field, StrCat("must be ", min, " to ", max,
                                  " bytes of UTF-8, got ", nfc.size()));
  }
  for (size_t i = 0; i < nfc.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(nfc[i]);
    bool c1 = c == 0xC2 && i + 1 < nfc.size() &&
              static_cast<unsigned char>(nfc[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(nfc[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      return BadField(field, "must not contain control characters");
    }
  }
  return nfc;
}

absl::StatusOr<std::string> CanonicalLanguage(std::string_view field,
                                              std::string_view tag) {
  auto canonical = text::CanonicalizeLanguageTag(tag);
  if (!canonical.ok()) {
    return BadField(field, std::string(canonical.status().message()));
  }
  return *std::move(canonical);
}

absl::StatusOr<std::vector<std::string>> CanonicalTargets(
    std::string_view field, const std::vector<std::string>& tags,
    std::string_view source_language) {
  if (tags.empty() || tags.size() > kMaxTargetLanguages) {
    return BadField(field, StrCat("must hold 1 to ", kMaxTargetLanguages,
                                  " language tags, got ", tags.size()));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string f = StrCat(field, "[", i, "]");
    ASSIGN_OR_RETURN(std::string tag, CanonicalLanguage(f, tags[i]));
    if (tag == source_language) {
      return BadField(f, StrCat(tag, " is the source language"));
    }
    if (std::find(out.begin(), out.end(), tag) == out.end()) {
      out.push_back(std::move(tag));
    }
  }
  return out;
}

absl::Status CheckLabelKey(std::string_view field, std::string_view key) {
  if (key.empty() || key.size() > kMaxLabelBytes || !IsLower(key[0]) ||
      !std::all_of(key.begin(), key.end(), IsLabelChar)) {
    return BadField(field, StrCat("label keys are 1 to ", kMaxLabelBytes,
                                  " characters of [a-z0-9_-] starting with a "
                                  "lowercase letter"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabelValue(std::string_view field, std::string_view value) {
  if (value.size() > kMaxLabelBytes ||
      !std::all_of(value.begin(), value.end(), IsLabelChar)) {
    return BadField(field, StrCat("label values are 0 to ", kMaxLabelBytes,
                                  " characters of [a-z0-9_-]"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabels(const std::map<std::string, std::string>& labels) {
  if (labels.size() > kMaxLabels) {
    return BadField("labels",
                    StrCat("at most ", kMaxLabels, " labels are allowed, got ",
                           labels.size()));
  }
  for (const auto& [k, v] : labels) {
    RETURN_IF_ERROR(CheckLabelKey(StrCat("labels[", k.substr(0, 80), "]"), k));
    RETURN_IF_ERROR(CheckLabelValue(StrCat("labels[", k, "]"), v));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CheckReviewRounds(std::string_view field, int rounds,
                                      bool zero_means_one) {
  if (rounds == 0 && zero_means_one) return 1;
  if (rounds < 1 || rounds > kMaxReviewRounds) {
    return BadField(
        field, StrCat("must be 1 to ", kMaxReviewRounds, ", got ", rounds));
  }
  return rounds;
}

absl::Status CheckRangesSyntax(std::string_view field,
                               const std::vector<NoTranslateRange>& ranges) {
  if (ranges.size() > kMaxNoTranslateRanges) {
    return BadField(field, StrCat("at most ", kMaxNoTranslateRanges,
                                  " ranges are allowed, got ", ranges.size()));
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    const NoTranslateRange& r = ranges[i];
    std::string f = StrCat(field, "[", i, "]");
    if (r.kind == NoTranslateRange::Kind::kBlocks) {
      if (r.first < 0 || r.last < r.first) {
        return BadField(f, StrCat("blocks ", r.first, " to ", r.last,
                                  ": need 0 <= first_block <= last_block"));
      }
    } else if (r.kind == NoTranslateRange::Kind::kLines) {
      if (r.first < 1 || r.last < r.first) {
        return BadField(f, StrCat("lines ", r.first, " to ", r.last,
                                  ": need 1 <= first_line <= last_line"));
      }
    } else {
      return BadField(f, "a range needs blocks or lines");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDocumentSize(std::string_view source, size_t limit) {
  if (source.size() > limit) {
    return QuotaExceededError("max_document_bytes", static_cast<int64_t>(limit),
                              StrCat("source is ", source.size(),
                                     " bytes; the limit "
                                     "max_document_bytes is ",
                                     limit, " bytes"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Permissions (see the statement.proto header).

absl::Status CheckCanChange(const Principal& caller,
                            const std::vector<std::string>& languages) {
  if (caller.IsAdmin()) return absl::OkStatus();
  if (!caller.HasRole(Role::kCoordinator)) {
    return ErrorWithInfo(absl::StatusCode::kPermissionDenied, "ROLE_DENIED",
                         StrCat("user ", caller.user_id,
                                " is neither an admin nor a coordinator"));
  }
  for (const auto& lang : languages) {
    if (!caller.HasRoleFor(Role::kCoordinator, lang)) {
      return ErrorWithInfo(
          absl::StatusCode::kPermissionDenied, "LANGUAGE_NOT_GRANTED",
          StrCat("user ", caller.user_id, " is not a coordinator for ", lang,
                 ", a target language of the statement"),
          {{"language", lang}});
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCanRead(const Principal& caller, const Statement& s) {
  if (caller.IsAdmin() || caller.HasRole(Role::kService)) {
    return absl::OkStatus();
  }
  for (Role role : {Role::kCoordinator, Role::kTranslator, Role::kReviewer}) {
    for (const auto& lang : s.target_languages) {
      if (caller.HasRoleFor(role, lang)) return absl::OkStatus();
    }
  }
  std::string first =
      s.target_languages.empty() ? std::string() : s.target_languages.front();
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied,
                       "LANGUAGE_NOT_GRANTED",
                       StrCat("user ", caller.user_id,
                              " holds no role for any target language of ",
                              StatementName(s.statement_id)),
                       {{"language", first}});
}

bool CanRead(const Principal& caller, const Statement& s) {
  return CheckCanRead(caller, s).ok();
}

}  // namespace tessera::statement
