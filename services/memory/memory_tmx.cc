#include "services/memory/memory_tmx.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "services/common/errors.h"
#include "services/translation/translation_convert.h"
#include "text/language.h"
#include "text/normalize.h"

namespace tessera::memory {
namespace {

using interchange::TmxProblem;
using interchange::TmxSegment;
using interchange::TmxUnit;
using storage::memory::MemoryUnitRecord;

// TMX files write "en_US" and "EN-us" as often as "en-US".
absl::StatusOr<std::string> Canonical(std::string tag) {
  std::replace(tag.begin(), tag.end(), '_', '-');
  return text::CanonicalizeLanguageTag(tag);
}

formats::CodeKind KindOf(interchange::TmxCodeKind k) {
  switch (k) {
    case interchange::TmxCodeKind::kOpen:
      return formats::CodeKind::kOpen;
    case interchange::TmxCodeKind::kClose:
      return formats::CodeKind::kClose;
    case interchange::TmxCodeKind::kStandalone:
      break;
  }
  return formats::CodeKind::kStandalone;
}

// The segment as Content, each text run in NFC (offsets follow).
formats::Content ContentOf(const TmxSegment& seg) {
  formats::Content out;
  size_t at = 0;
  for (const interchange::TmxCode& c : seg.codes) {
    out.text += text::NormalizeNfc(
        std::string_view(seg.text).substr(at, c.offset - at));
    at = c.offset;
    out.codes.push_back({c.id, KindOf(c.kind), out.text.size()});
  }
  out.text += text::NormalizeNfc(std::string_view(seg.text).substr(at));
  return out;
}

NativeMarkups NativesOf(const TmxSegment& seg) {
  NativeMarkups out;
  for (const auto& [id, n] : interchange::TmxNativesFromSegment(seg)) {
    out[id] = {n.open, n.close, n.type};
  }
  return out;
}

// What a <tu> adds, or why it adds nothing.
std::string UnitInputs(const TmxUnit& unit, const TmxImportOptions& options,
                       std::vector<UnitInput>* out) {
  const interchange::TmxVariant& src = unit.variants[unit.source];
  auto source_language = Canonical(options.source_language.empty()
                                       ? src.language
                                       : options.source_language);
  if (!source_language.ok()) {
    return StrCat("the source language \"", src.language,
                  "\" is not a BCP 47 language tag");
  }
  const formats::Content source = ContentOf(src.segment);
  const NativeMarkups source_natives = NativesOf(src.segment);
  std::vector<UnitInput> made;
  for (size_t i = 0; i < unit.variants.size(); ++i) {
    if (i == unit.source) continue;
    const interchange::TmxVariant& v = unit.variants[i];
    auto language = Canonical(v.language);
    if (!language.ok()) {
      // A variant that was asked for by its tag cannot be this one.
      if (!options.target_languages.empty()) continue;
      return StrCat("the variant language \"", v.language,
                    "\" is not a BCP 47 language tag");
    }
    if (*language == *source_language) continue;
    if (!options.target_languages.empty() &&
        std::find(options.target_languages.begin(),
                  options.target_languages.end(),
                  *language) == options.target_languages.end()) {
      continue;
    }
    UnitInput in;
    in.source_language = *source_language;
    in.target_language = *language;
    in.source = source;
    in.target = ContentOf(v.segment);
    in.unit_source = 2;  // tessera.v1.MEMORY_UNIT_SOURCE_TMX_IMPORT
    in.provenance = options.provenance;
    in.time = options.time;
    in.source_natives = source_natives;
    // Only the markup that differs from the source's for the same code.
    for (auto& [id, n] : NativesOf(v.segment)) {
      auto s = source_natives.find(id);
      if (s == source_natives.end() || !(s->second == n)) {
        in.target_natives[id] = std::move(n);
      }
    }
    made.push_back(std::move(in));
  }
  if (made.empty()) {
    if (options.target_languages.empty()) {
      return StrCat("no variant in a language other than the source (",
                    *source_language, ")");
    }
    return "no variant in the requested target languages";
  }
  for (UnitInput& in : made) out->push_back(std::move(in));
  return {};
}

std::string Hex(uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
  return buf;
}

std::map<int, interchange::TmxNative> TmxNatives(
    const google::protobuf::RepeatedPtrField<storage::memory::NativeCode>&
        primary,
    const google::protobuf::RepeatedPtrField<storage::memory::NativeCode>*
        fallback) {
  std::map<int, interchange::TmxNative> out;
  if (fallback != nullptr) {
    for (const auto& n : *fallback) out[n.id()] = {n.open(), n.close(), n.type()};
  }
  for (const auto& n : primary) out[n.id()] = {n.open(), n.close(), n.type()};
  return out;
}

absl::StatusOr<interchange::TmxVariant> Variant(
    std::string_view language, std::string_view readable,
    const std::map<int, interchange::TmxNative>& natives) {
  ASSIGN_OR_RETURN(formats::Content content, formats::ParseReadable(readable));
  v1::Content proto;
  translation::ToProto(content, &proto);
  interchange::TmxVariant v;
  v.language = std::string(language);
  ASSIGN_OR_RETURN(v.segment,
                   interchange::TmxSegmentFromContent(proto, natives));
  return v;
}

}  // namespace

absl::StatusOr<TmxImportPlan> PlanTmxImport(std::string_view tmx,
                                            const TmxImportOptions& options) {
  const TmxImportLimits& limits = options.limits;
  if (tmx.size() > limits.max_bytes) {
    return QuotaExceededError(
        "tmx_bytes", static_cast<int64_t>(limits.max_bytes),
        StrCat("the TMX document is ", tmx.size(), " bytes, over the limit of ",
               limits.max_bytes));
  }
  interchange::TmxReadOptions read;
  read.source_language = options.source_language;
  read.max_document_bytes = limits.max_bytes;
  read.max_units = limits.max_units;
  TmxImportPlan plan;
  auto skip = [&](TmxProblem p) {
    ++plan.units_skipped;
    if (plan.problems.size() < kMaxTmxProblems) {
      plan.problems.push_back(std::move(p));
    }
  };
  auto header = interchange::ReadTmxStream(
      tmx, read,
      [&](const interchange::TmxHeader& h) -> absl::Status {
        if (options.source_language.empty() && h.srclang == "*all*") {
          return BadField("source_language",
                          "required: the TMX header's srclang is \"*all*\"");
        }
        if (options.source_language.empty() && h.srclang.empty()) {
          return BadField("source_language",
                          "required: the TMX header has no srclang");
        }
        return absl::OkStatus();
      },
      [&](TmxUnit* unit, TmxProblem* problem) -> absl::Status {
        ++plan.units_read;
        if (problem != nullptr) {
          skip(std::move(*problem));
          return absl::OkStatus();
        }
        std::string why = UnitInputs(*unit, options, &plan.inputs);
        if (!why.empty()) skip({unit->index, unit->line, std::move(why)});
        return absl::OkStatus();
      });
  if (!header.ok()) {
    const absl::Status& s = header.status();
    if (DetailsOf(s).has_value()) return s;  // ours, from the header check
    if (absl::IsResourceExhausted(s)) {
      return QuotaExceededError("tmx_units",
                                static_cast<int64_t>(limits.max_units),
                                std::string(s.message()));
    }
    ErrorMetadata metadata;
    if (auto line = interchange::TmxErrorLine(s); line.has_value()) {
      metadata.emplace_back("line", StrCat(*line));
    }
    return BadField("tmx", std::string(s.message()), "INVALID_FIELD", metadata);
  }
  for (const UnitInput& in : plan.inputs) {
    plan.target_languages.insert(in.target_language);
  }
  return plan;
}

absl::StatusOr<TmxUnit> TmxUnitFromRecord(const MemoryUnitRecord& r) {
  TmxUnit u;
  u.tuid = Hex(r.unit_id());
  u.creationdate = interchange::FormatTmxDate(absl::FromUnixMicros(r.create_time_us()));
  u.changedate = interchange::FormatTmxDate(absl::FromUnixMicros(r.update_time_us()));
  u.creationid = r.author();
  u.changeid = r.reviewer();
  if (!r.provenance().empty()) {
    u.props.push_back({"x-tessera-provenance", "", r.provenance()});
  }
  if (!r.translation().empty()) {
    u.props.push_back({"x-tessera-translation", "", r.translation()});
  }
  ASSIGN_OR_RETURN(
      interchange::TmxVariant source,
      Variant(r.source_language(), r.source(),
              TmxNatives(r.source_natives(), nullptr)));
  ASSIGN_OR_RETURN(
      interchange::TmxVariant target,
      Variant(r.target_language(), r.target(),
              TmxNatives(r.target_natives(), &r.source_natives())));
  u.variants.push_back(std::move(source));
  u.variants.push_back(std::move(target));
  return u;
}

}  // namespace tessera::memory
