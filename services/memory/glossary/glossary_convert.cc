#include "services/memory/glossary/glossary_convert.h"

#include <string>

#include "common/strings.h"
#include "services/common/errors.h"
#include "services/grpc/timestamp.h"

namespace tessera::memory::glossary {

void ToProto(const GlossaryEntry& e, v1::GlossaryEntry* out) {
  out->Clear();
  out->set_name(EntryName(e.entry_id));
  out->set_source_language(e.source_language);
  out->set_target_language(e.target_language);
  out->set_source_term(e.source_term);
  out->set_target_term(e.target_term);
  out->set_do_not_translate(e.do_not_translate);
  out->set_case_sensitive(e.case_sensitive);
  out->set_match_inflections(e.match_inflections);
  out->set_part_of_speech(
      static_cast<v1::PartOfSpeech>(static_cast<int>(e.part_of_speech)));
  out->set_note(e.note);
  out->set_creator(StrCat("users/", e.creator));
  ToTimestamp(e.create_time, out->mutable_create_time());
  ToTimestamp(e.update_time, out->mutable_update_time());
  out->set_version(static_cast<int64_t>(e.version));
}

void ToProto(const GlossaryHit& hit, v1::GlossaryHit* out) {
  ToProto(hit.entry, out->mutable_entry());
  out->set_start(static_cast<uint32_t>(hit.start));
  out->set_end(static_cast<uint32_t>(hit.end));
}

void ToProto(const GlossaryPage& page, v1::ListGlossaryEntriesResponse* out) {
  out->Clear();
  for (const GlossaryEntry& e : page.entries) {
    ToProto(e, out->add_glossary_entries());
  }
  out->set_next_page_token(page.next_page_token);
}

GlossaryEntry EntryFromProto(const v1::GlossaryEntry& p) {
  GlossaryEntry e;
  e.source_language = p.source_language();
  e.target_language = p.target_language();
  e.source_term = p.source_term();
  e.target_term = p.target_term();
  e.do_not_translate = p.do_not_translate();
  e.case_sensitive = p.case_sensitive();
  e.match_inflections = p.match_inflections();
  e.part_of_speech = static_cast<PartOfSpeech>(p.part_of_speech());
  e.note = p.note();
  return e;
}

absl::StatusOr<GlossaryUpdate> UpdateFromProto(
    const v1::UpdateGlossaryEntryRequest& request) {
  const v1::GlossaryEntry& p = request.glossary_entry();
  if (request.update_mask().paths().empty()) {
    return BadField("update_mask", "must name at least one field");
  }
  GlossaryUpdate u;
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "source_term") {
      u.source_term = p.source_term();
    } else if (path == "target_term") {
      u.target_term = p.target_term();
    } else if (path == "do_not_translate") {
      u.do_not_translate = p.do_not_translate();
    } else if (path == "case_sensitive") {
      u.case_sensitive = p.case_sensitive();
    } else if (path == "match_inflections") {
      u.match_inflections = p.match_inflections();
    } else if (path == "part_of_speech") {
      u.part_of_speech = static_cast<PartOfSpeech>(p.part_of_speech());
    } else if (path == "note") {
      u.note = p.note();
    } else {
      return BadField("update_mask",
                      StrCat("path \"", path,
                             "\" cannot be updated; allowed: source_term, "
                             "target_term, do_not_translate, case_sensitive, "
                             "note, part_of_speech, match_inflections"));
    }
  }
  return u;
}

GlossaryQuery QueryFromProto(const v1::ListGlossaryEntriesRequest& request) {
  GlossaryQuery q;
  q.source_language = request.source_language();
  q.target_language = request.target_language();
  q.term_query = request.term_query();
  return q;
}

}  // namespace tessera::memory::glossary
