#include "services/statement/statement_tables.h"

#include "common/random.h"
#include "services/statement/statement_keys.h"

namespace tessera::statement {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t m) { return absl::FromUnixMicros(m); }

void ToRecord(const NoTranslateRange& r, rec::NoTranslateRangeRecord* out) {
  out->set_kind(static_cast<int>(r.kind));
  out->set_first(r.first);
  out->set_last(r.last);
}

}  // namespace

StatementTables::StatementTables(storage::Store* store)
    : names(store, kStatementsCf, kStatementFormat, "statement name"),
      statements(store, kStatementsCf, kStatementFormat, "statement"),
      revisions(store, kStatementsCf, kStatementFormat, "revision"),
      revision_counts(store, kStatementsCf, kStatementFormat, "revision"),
      sources(store, kStatementsCf, kStatementFormat, "source"),
      documents(store, kStatementsCf, kStatementFormat, "revision document"),
      segments(store, kStatementsCf, kStatementFormat, "segment"),
      segment_ids(store, kStatementsCf, kStatementFormat, "segment index"),
      listing(store, kStatementsCf, kStatementFormat, "statement list"),
      requests(store, kStatementsCf, kStatementFormat, "request") {}

rec::StatementRecord ToRecord(const Statement& s, uint64_t iid) {
  rec::StatementRecord r;
  r.set_statement_id(s.statement_id);
  r.set_internal_id(iid);
  r.set_title(s.title);
  r.set_source_language(s.source_language);
  r.set_format(static_cast<int>(s.format));
  for (const auto& l : s.target_languages) r.add_target_languages(l);
  if (s.deadline) r.set_deadline_micros(Micros(*s.deadline));
  for (const auto& [k, v] : s.labels) (*r.mutable_labels())[k] = v;
  r.set_state(static_cast<int>(s.state));
  r.set_review_rounds(s.review_rounds);
  r.set_allow_open_claiming(s.allow_open_claiming);
  r.set_current_revision(s.current_revision);
  r.set_segment_count(s.segment_count);
  r.set_translatable_segment_count(s.translatable_segment_count);
  r.set_word_count(s.word_count);
  r.set_creator(s.creator);
  r.set_create_time_micros(Micros(s.create_time));
  r.set_update_time_micros(Micros(s.update_time));
  return r;
}

Statement FromRecord(const rec::StatementRecord& r, uint64_t version) {
  Statement s;
  s.statement_id = r.statement_id();
  s.title = r.title();
  s.source_language = r.source_language();
  s.format = static_cast<formats::Format>(r.format());
  s.target_languages.assign(r.target_languages().begin(),
                            r.target_languages().end());
  if (r.deadline_micros() != 0) s.deadline = FromMicros(r.deadline_micros());
  for (const auto& [k, v] : r.labels()) s.labels[k] = v;
  s.state = static_cast<StatementState>(r.state());
  s.review_rounds = r.review_rounds();
  s.allow_open_claiming = r.allow_open_claiming();
  s.current_revision = r.current_revision();
  s.segment_count = r.segment_count();
  s.translatable_segment_count = r.translatable_segment_count();
  s.word_count = r.word_count();
  s.creator = r.creator();
  s.create_time = FromMicros(r.create_time_micros());
  s.update_time = FromMicros(r.update_time_micros());
  s.version = version;
  return s;
}

rec::RevisionRecord ToRecord(const Revision& r, std::string_view raw_sha256) {
  rec::RevisionRecord out;
  out.set_revision_number(r.revision_number);
  out.set_format(static_cast<int>(r.format));
  out.set_source_size_bytes(r.source_size_bytes);
  out.set_source_sha256(std::string(raw_sha256));
  for (const auto& range : r.no_translate_ranges) {
    ToRecord(range, out.add_no_translate_ranges());
  }
  out.set_segment_count(r.segment_count);
  out.set_translatable_segment_count(r.translatable_segment_count);
  out.set_word_count(r.word_count);
  auto* c = out.mutable_changes();
  c->set_previous_revision(r.changes.previous_revision);
  for (const auto& id : r.changes.added_segment_ids)
    c->add_added_segment_ids(id);
  for (const auto& id : r.changes.removed_segment_ids) {
    c->add_removed_segment_ids(id);
  }
  for (const auto& ch : r.changes.changed_segments) {
    auto* cr = c->add_changed_segments();
    cr->set_segment_id(ch.segment_id);
    cr->set_predecessor_segment_id(ch.predecessor_segment_id);
    cr->set_similarity(ch.similarity);
  }
  c->set_unchanged_segment_count(r.changes.unchanged_segment_count);
  for (const auto& id : r.changes.moved_segment_ids)
    c->add_moved_segment_ids(id);
  out.set_note(r.note);
  out.set_creator(r.creator);
  out.set_create_time_micros(Micros(r.create_time));
  return out;
}

Revision FromRecord(std::string_view statement_id,
                    const rec::RevisionRecord& r) {
  Revision out;
  out.statement_id = std::string(statement_id);
  out.revision_number = r.revision_number();
  out.format = static_cast<formats::Format>(r.format());
  out.source_size_bytes = r.source_size_bytes();
  out.source_sha256 = HexEncode(r.source_sha256());
  for (const auto& range : r.no_translate_ranges()) {
    out.no_translate_ranges.push_back(
        {static_cast<NoTranslateRange::Kind>(range.kind()), range.first(),
         range.last()});
  }
  out.segment_count = r.segment_count();
  out.translatable_segment_count = r.translatable_segment_count();
  out.word_count = r.word_count();
  const auto& c = r.changes();
  out.changes.previous_revision = c.previous_revision();
  out.changes.added_segment_ids.assign(c.added_segment_ids().begin(),
                                       c.added_segment_ids().end());
  out.changes.removed_segment_ids.assign(c.removed_segment_ids().begin(),
                                         c.removed_segment_ids().end());
  for (const auto& ch : c.changed_segments()) {
    out.changes.changed_segments.push_back(
        {ch.segment_id(), ch.predecessor_segment_id(), ch.similarity()});
  }
  out.changes.unchanged_segment_count = c.unchanged_segment_count();
  out.changes.moved_segment_ids.assign(c.moved_segment_ids().begin(),
                                       c.moved_segment_ids().end());
  out.note = r.note();
  out.creator = r.creator();
  out.create_time = FromMicros(r.create_time_micros());
  return out;
}

rec::SourceSegmentRecord ToRecord(const formats::Segment& s,
                                  const SegmentInfo& info) {
  rec::SourceSegmentRecord r;
  r.set_segment_id(info.segment_id);
  r.set_text(s.content.text);
  for (const auto& ref : s.content.codes) {
    auto* cr = r.add_code_refs();
    cr->set_id(ref.id);
    cr->set_kind(static_cast<int>(ref.kind));
    cr->set_offset(static_cast<uint32_t>(ref.offset));
  }
  for (const auto& code : s.codes) {
    auto* c = r.add_codes();
    c->set_id(code.id);
    c->set_kind(static_cast<int>(code.kind));
    c->set_type(static_cast<int>(code.type));
    c->set_data(code.data);
    c->set_equiv(code.equiv);
  }
  r.set_block_kind(static_cast<int>(s.context.kind));
  r.set_heading_level(s.context.heading_level);
  r.set_block_index(s.context.block_index);
  for (auto k : s.context.nesting) r.add_nesting(static_cast<int>(k));
  r.set_index_in_block(info.index_in_block);
  r.set_block_segment_count(info.block_segment_count);
  r.set_source_line(info.source_line);
  r.set_section_heading(info.section_heading);
  r.set_word_count(info.word_count);
  r.set_translatable(s.translatable);
  for (const auto& run : s.source_runs) r.add_source_runs(run);
  r.set_no_translate_reason(static_cast<int>(info.no_translate_reason));
  for (const auto& p : info.placeholders) {
    auto* pr = r.add_placeholders();
    pr->set_type(static_cast<int>(p.kind) + 1);
    pr->set_start(static_cast<uint32_t>(p.begin));
    pr->set_end(static_cast<uint32_t>(p.end));
  }
  return r;
}

void FromRecord(const rec::SourceSegmentRecord& r, formats::Segment* s,
                SegmentInfo* info) {
  info->segment_id = r.segment_id();
  s->content.text = r.text();
  for (const auto& cr : r.code_refs()) {
    s->content.codes.push_back(formats::CodeRef{
        cr.id(), static_cast<formats::CodeKind>(cr.kind()), cr.offset()});
  }
  for (const auto& c : r.codes()) {
    s->codes.push_back(formats::InlineCode{
        c.id(), static_cast<formats::CodeKind>(c.kind()),
        static_cast<formats::CodeType>(c.type()), c.data(), c.equiv()});
  }
  s->context.kind = static_cast<formats::BlockKind>(r.block_kind());
  s->context.heading_level = r.heading_level();
  s->context.block_index = r.block_index();
  for (int k : r.nesting()) {
    s->context.nesting.push_back(static_cast<formats::BlockKind>(k));
  }
  s->translatable = r.translatable();
  s->source_runs.assign(r.source_runs().begin(), r.source_runs().end());
  info->index_in_block = r.index_in_block();
  info->block_segment_count = r.block_segment_count();
  info->source_line = r.source_line();
  info->section_heading = r.section_heading();
  info->word_count = r.word_count();
  info->no_translate_reason =
      static_cast<NoTranslateReason>(r.no_translate_reason());
  for (const auto& p : r.placeholders()) {
    info->placeholders.push_back(text::Placeholder{
        static_cast<text::PlaceholderKind>(p.type() - 1), p.start(), p.end()});
  }
}

}  // namespace tessera::statement
