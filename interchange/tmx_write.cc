// The TMX writer, TMX dates, and the mapping between TMX segments and
// tessera.v1.Content.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "interchange/tmx.h"

namespace tessera::interchange {
namespace {

bool XmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Well-formed UTF-8 holding only characters XML 1.0 allows.
absl::Status CheckXmlText(std::string_view s, std::string_view what) {
  const size_t bad = FindInvalidUtf8(s);
  if (bad != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat(what, ": invalid UTF-8 at byte offset ", bad));
  }
  for (size_t pos = 0; pos < s.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(s, pos, &cp);
    if (!XmlChar(cp)) {
      return absl::InvalidArgumentError(
          StrCat(what, ": character U+", absl::Hex(static_cast<uint32_t>(cp)),
                 " at byte offset ", pos, " cannot be written in XML 1.0"));
    }
    pos += n;
  }
  return absl::OkStatus();
}

void AppendEscaped(std::string* out, std::string_view s, bool attribute) {
  for (char c : s) {
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      // XML turns a raw CR into LF, and attribute whitespace into spaces.
      case '\r': *out += "&#13;"; break;
      case '"': *out += attribute ? "&quot;" : "\""; break;
      case '\n': *out += attribute ? "&#10;" : "\n"; break;
      case '\t': *out += attribute ? "&#9;" : "\t"; break;
      default: *out += c;
    }
  }
}

class Out {
 public:
  explicit Out(std::string* buffer) : b_(buffer) {}
  absl::Status Attr(std::string_view name, std::string_view value,
                    bool required = false) {
    if (value.empty() && !required) return absl::OkStatus();
    RETURN_IF_ERROR(CheckXmlText(value, StrCat("attribute ", name)));
    StrAppend(b_, " ", name, "=\"");
    AppendEscaped(b_, value, true);
    *b_ += '"';
    return absl::OkStatus();
  }
  absl::Status Text(std::string_view s, std::string_view what) {
    RETURN_IF_ERROR(CheckXmlText(s, what));
    AppendEscaped(b_, s, false);
    return absl::OkStatus();
  }
  void Raw(std::string_view s) { StrAppend(b_, s); }

 private:
  std::string* b_;
};

template <typename T>
absl::Status DatedAttributes(Out& o, const T& t) {
  RETURN_IF_ERROR(o.Attr("creationdate", t.creationdate));
  RETURN_IF_ERROR(o.Attr("creationid", t.creationid));
  RETURN_IF_ERROR(o.Attr("changedate", t.changedate));
  RETURN_IF_ERROR(o.Attr("changeid", t.changeid));
  for (const auto& [name, value] : t.other_attributes) {
    RETURN_IF_ERROR(o.Attr(name, value, true));
  }
  return absl::OkStatus();
}

absl::Status PropsAndNotes(Out& o, const std::vector<TmxProp>& props,
                           const std::vector<TmxNote>& notes,
                           std::string_view indent) {
  for (const TmxProp& p : props) {
    o.Raw(StrCat(indent, "<prop"));
    RETURN_IF_ERROR(o.Attr("type", p.type, true));
    RETURN_IF_ERROR(o.Attr("xml:lang", p.lang));
    o.Raw(">");
    RETURN_IF_ERROR(o.Text(p.value, "prop"));
    o.Raw("</prop>\n");
  }
  for (const TmxNote& n : notes) {
    o.Raw(StrCat(indent, "<note"));
    RETURN_IF_ERROR(o.Attr("xml:lang", n.lang));
    o.Raw(">");
    RETURN_IF_ERROR(o.Text(n.text, "note"));
    o.Raw("</note>\n");
  }
  return absl::OkStatus();
}

std::string_view Or(std::string_view value, std::string_view fallback) {
  return value.empty() ? fallback : value;
}

absl::Status WriteSegment(Out& o, const TmxSegment& seg) {
  size_t at = 0;
  std::vector<int> hi_open;
  for (const TmxCode& c : seg.codes) {
    if (c.offset < at || c.offset > seg.text.size()) {
      return absl::InvalidArgumentError(
          StrCat("inline code ", c.id, " at byte offset ", c.offset,
                 " is out of order or past the text"));
    }
    if (c.offset < seg.text.size() &&
        (static_cast<unsigned char>(seg.text[c.offset]) & 0xC0) == 0x80) {
      return absl::InvalidArgumentError(
          StrCat("inline code ", c.id, " at byte offset ", c.offset,
                 " is inside a character"));
    }
    RETURN_IF_ERROR(
        o.Text(std::string_view(seg.text).substr(at, c.offset - at), "seg"));
    at = c.offset;
    const std::string id = StrCat(c.id);
    switch (c.element) {
      case TmxElement::kBpt:
        o.Raw("<bpt");
        RETURN_IF_ERROR(o.Attr("i", Or(c.i, id), true));
        RETURN_IF_ERROR(o.Attr("x", c.x));
        RETURN_IF_ERROR(o.Attr("type", c.type));
        break;
      case TmxElement::kEpt:
        o.Raw("<ept");
        RETURN_IF_ERROR(o.Attr("i", Or(c.i, id), true));
        break;
      case TmxElement::kPh:
        o.Raw("<ph");
        RETURN_IF_ERROR(o.Attr("x", c.x));
        RETURN_IF_ERROR(o.Attr("assoc", c.assoc));
        RETURN_IF_ERROR(o.Attr("type", c.type));
        break;
      case TmxElement::kIt:
        o.Raw("<it");
        RETURN_IF_ERROR(o.Attr("pos", Or(c.pos, "begin"), true));
        RETURN_IF_ERROR(o.Attr("x", c.x));
        RETURN_IF_ERROR(o.Attr("type", c.type));
        break;
      case TmxElement::kUt:
        o.Raw("<ut");
        RETURN_IF_ERROR(o.Attr("x", c.x));
        break;
      case TmxElement::kHi:
        if (c.kind == TmxCodeKind::kOpen) {
          o.Raw("<hi");
          RETURN_IF_ERROR(o.Attr("x", c.x));
          RETURN_IF_ERROR(o.Attr("type", c.type));
          o.Raw(">");
          hi_open.push_back(c.id);
        } else {
          if (hi_open.empty() || hi_open.back() != c.id) {
            return absl::InvalidArgumentError(
                StrCat("<hi> code ", c.id, " closes out of order"));
          }
          hi_open.pop_back();
          o.Raw("</hi>");
        }
        continue;
    }
    o.Raw(">");
    RETURN_IF_ERROR(o.Text(c.native, "inline code"));
    static constexpr std::string_view kNames[] = {"bpt", "ept", "ph",
                                                  "it",  "ut",  "hi"};
    o.Raw(StrCat("</", kNames[static_cast<int>(c.element)], ">"));
  }
  if (!hi_open.empty()) {
    return absl::InvalidArgumentError(
        StrCat("<hi> code ", hi_open.back(), " is never closed"));
  }
  return o.Text(std::string_view(seg.text).substr(at), "seg");
}

}  // namespace

TmxWriter::TmxWriter(Sink sink, size_t chunk_bytes)
    : sink_(std::move(sink)), chunk_bytes_(std::max<size_t>(chunk_bytes, 1)) {}

absl::Status TmxWriter::Flush(bool all) {
  size_t at = 0;
  while (buffer_.size() - at >= chunk_bytes_ ||
         (all && at < buffer_.size())) {
    const size_t n = std::min(chunk_bytes_, buffer_.size() - at);
    absl::Status s = sink_(std::string_view(buffer_).substr(at, n));
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
    at += n;
  }
  buffer_.erase(0, at);
  return absl::OkStatus();
}

absl::Status TmxWriter::Begin(const TmxHeader& h) {
  if (!failed_.ok()) return failed_;
  if (begun_) return absl::FailedPreconditionError("Begin called twice");
  if (h.srclang.empty()) {
    return absl::InvalidArgumentError("the TMX header needs a srclang");
  }
  std::string out;
  Out o(&out);
  o.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n"
        "<tmx version=\"1.4\">\n  <header");
  RETURN_IF_ERROR(o.Attr("creationtool", Or(h.creationtool, "Tessera"), true));
  RETURN_IF_ERROR(o.Attr("creationtoolversion",
                         Or(h.creationtoolversion, "0.1.0"), true));
  RETURN_IF_ERROR(o.Attr("segtype", Or(h.segtype, "sentence"), true));
  RETURN_IF_ERROR(o.Attr("o-tmf", Or(h.o_tmf, "tessera"), true));
  RETURN_IF_ERROR(o.Attr("adminlang", Or(h.adminlang, "en"), true));
  RETURN_IF_ERROR(o.Attr("srclang", h.srclang, true));
  RETURN_IF_ERROR(o.Attr("datatype", Or(h.datatype, "plaintext"), true));
  RETURN_IF_ERROR(DatedAttributes(o, h));
  if (h.props.empty() && h.notes.empty()) {
    o.Raw("/>\n");
  } else {
    o.Raw(">\n");
    RETURN_IF_ERROR(PropsAndNotes(o, h.props, h.notes, "    "));
    o.Raw("  </header>\n");
  }
  o.Raw("  <body>\n");
  begun_ = true;
  buffer_ += out;
  return Flush(false);
}

absl::Status TmxWriter::Add(const TmxUnit& u) {
  if (!failed_.ok()) return failed_;
  if (!begun_ || finished_) {
    return absl::FailedPreconditionError("Add outside Begin and Finish");
  }
  if (u.variants.empty()) {
    return absl::InvalidArgumentError(
        StrCat("unit ", u.tuid, " has no variant"));
  }
  std::string out;
  Out o(&out);
  o.Raw("    <tu");
  RETURN_IF_ERROR(o.Attr("tuid", u.tuid));
  RETURN_IF_ERROR(o.Attr("srclang", u.srclang));
  RETURN_IF_ERROR(DatedAttributes(o, u));
  o.Raw(">\n");
  RETURN_IF_ERROR(PropsAndNotes(o, u.props, u.notes, "      "));
  for (const TmxVariant& v : u.variants) {
    if (v.language.empty()) {
      return absl::InvalidArgumentError(
          StrCat("unit ", u.tuid, " has a variant without a language"));
    }
    o.Raw("      <tuv");
    RETURN_IF_ERROR(o.Attr("xml:lang", v.language, true));
    RETURN_IF_ERROR(DatedAttributes(o, v));
    o.Raw(">\n");
    RETURN_IF_ERROR(PropsAndNotes(o, v.props, v.notes, "        "));
    o.Raw("        <seg>");
    RETURN_IF_ERROR(WriteSegment(o, v.segment));
    o.Raw("</seg>\n      </tuv>\n");
  }
  o.Raw("    </tu>\n");
  buffer_ += out;
  return Flush(false);
}

absl::Status TmxWriter::Finish() {
  if (!failed_.ok()) return failed_;
  if (!begun_ || finished_) {
    return absl::FailedPreconditionError("Finish without Begin, or twice");
  }
  finished_ = true;
  buffer_ += "  </body>\n</tmx>\n";
  return Flush(true);
}

absl::StatusOr<std::string> WriteTmx(const TmxHeader& header,
                                     const std::vector<TmxUnit>& units) {
  std::string doc;
  TmxWriter w([&](std::string_view chunk) {
    doc.append(chunk);
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(w.Begin(header));
  for (const TmxUnit& u : units) RETURN_IF_ERROR(w.Add(u));
  RETURN_IF_ERROR(w.Finish());
  return doc;
}

std::string FormatTmxDate(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseTmxDate(std::string_view s) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        StrCat("not a TMX date (YYYYMMDDThhmmssZ): \"", s, "\""));
  };
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return bad();
  int64_t f[6] = {0, 0, 0, 0, 0, 0};
  static constexpr int kStart[] = {0, 4, 6, 9, 11, 13};
  static constexpr int kLen[] = {4, 2, 2, 2, 2, 2};
  for (int k = 0; k < 6; ++k) {
    for (int j = 0; j < kLen[k]; ++j) {
      const char c = s[kStart[k] + j];
      if (c < '0' || c > '9') return bad();
      f[k] = f[k] * 10 + (c - '0');
    }
  }
  const absl::CivilSecond cs(f[0], f[1], f[2], f[3], f[4], f[5]);
  // CivilSecond normalises 13 months or 61 seconds: refuse those.
  if (cs.year() != f[0] || cs.month() != f[1] || cs.day() != f[2] ||
      cs.hour() != f[3] || cs.minute() != f[4] || cs.second() != f[5]) {
    return bad();
  }
  return absl::FromCivil(cs, absl::UTCTimeZone());
}

namespace {

v1::CodeKind ApiKind(TmxCodeKind k) {
  switch (k) {
    case TmxCodeKind::kOpen: return v1::CODE_KIND_OPEN;
    case TmxCodeKind::kClose: return v1::CODE_KIND_CLOSE;
    case TmxCodeKind::kStandalone: break;
  }
  return v1::CODE_KIND_STANDALONE;
}

v1::CodeType ApiType(std::string_view type) {
  if (type == "bold") return v1::CODE_TYPE_STRONG;
  if (type == "italic") return v1::CODE_TYPE_EMPHASIS;
  if (type == "link") return v1::CODE_TYPE_LINK;
  if (type == "image") return v1::CODE_TYPE_IMAGE;
  if (type == "lb") return v1::CODE_TYPE_LINE_BREAK;
  if (type == "fnote" || type == "enote") {
    return v1::CODE_TYPE_FOOTNOTE_REFERENCE;
  }
  if (type == "x-strikethrough") return v1::CODE_TYPE_STRIKETHROUGH;
  if (type == "x-code") return v1::CODE_TYPE_CODE_SPAN;
  if (type == "x-html") return v1::CODE_TYPE_HTML;
  return v1::CODE_TYPE_OTHER;
}

}  // namespace

std::string TmxTypeFromCodeType(v1::CodeType type) {
  switch (type) {
    case v1::CODE_TYPE_STRONG: return "bold";
    case v1::CODE_TYPE_EMPHASIS: return "italic";
    case v1::CODE_TYPE_LINK: return "link";
    case v1::CODE_TYPE_IMAGE: return "image";
    case v1::CODE_TYPE_LINE_BREAK: return "lb";
    case v1::CODE_TYPE_FOOTNOTE_REFERENCE: return "fnote";
    case v1::CODE_TYPE_STRIKETHROUGH: return "x-strikethrough";
    case v1::CODE_TYPE_CODE_SPAN: return "x-code";
    case v1::CODE_TYPE_HTML: return "x-html";
    default: return "";
  }
}

v1::Content ContentFromTmxSegment(const TmxSegment& segment) {
  v1::Content c;
  c.set_text(segment.text);
  for (const TmxCode& code : segment.codes) {
    v1::CodeRef* ref = c.add_codes();
    ref->set_id(code.id);
    ref->set_kind(ApiKind(code.kind));
    ref->set_offset(static_cast<uint32_t>(code.offset));
  }
  return c;
}

std::vector<v1::InlineCode> InlineCodesFromTmxSegment(
    const TmxSegment& segment) {
  std::vector<v1::InlineCode> out;
  std::set<int> seen;
  for (const TmxCode& code : segment.codes) {
    if (!seen.insert(code.id).second) continue;
    v1::InlineCode& ic = out.emplace_back();
    ic.set_id(code.id);
    ic.set_kind(ApiKind(code.kind));
    ic.set_type(ApiType(code.type));
    ic.set_display(code.native);
  }
  return out;
}

std::map<int, TmxNative> TmxNativesFromSegment(const TmxSegment& segment) {
  std::map<int, TmxNative> out;
  for (const TmxCode& code : segment.codes) {
    TmxNative& n = out[code.id];
    if (code.kind == TmxCodeKind::kClose) {
      n.close = code.native;
    } else {
      n.open = code.native;
      n.type = code.type;
    }
  }
  return out;
}

absl::StatusOr<TmxSegment> TmxSegmentFromContent(
    const v1::Content& content, const std::map<int, TmxNative>& natives) {
  TmxSegment seg;
  seg.text = content.text();
  std::set<int> open, used;
  size_t last = 0;
  for (int k = 0; k < content.codes_size(); ++k) {
    const v1::CodeRef& ref = content.codes(k);
    const size_t off = ref.offset();
    if (off < last || off > seg.text.size() ||
        (off < seg.text.size() &&
         (static_cast<unsigned char>(seg.text[off]) & 0xC0) == 0x80)) {
      return absl::InvalidArgumentError(
          StrCat("codes[", k, "].offset ", off,
                 " is out of order, past the text or inside a character"));
    }
    last = off;
    TmxCode c;
    c.id = ref.id();
    c.offset = off;
    const std::string id = StrCat(ref.id());
    auto n = natives.find(ref.id());
    switch (ref.kind()) {
      case v1::CODE_KIND_OPEN:
        if (!used.insert(ref.id()).second) {
          return absl::InvalidArgumentError(
              StrCat("codes[", k, "]: code ", ref.id(), " opens twice"));
        }
        open.insert(ref.id());
        c.element = TmxElement::kBpt;
        c.kind = TmxCodeKind::kOpen;
        c.i = c.x = id;
        if (n != natives.end()) {
          c.native = n->second.open;
          c.type = n->second.type;
        }
        break;
      case v1::CODE_KIND_CLOSE:
        if (open.erase(ref.id()) == 0) {
          return absl::InvalidArgumentError(
              StrCat("codes[", k, "]: code ", ref.id(), " closes unopened"));
        }
        c.element = TmxElement::kEpt;
        c.kind = TmxCodeKind::kClose;
        c.i = id;
        if (n != natives.end()) c.native = n->second.close;
        break;
      case v1::CODE_KIND_STANDALONE:
        c.element = TmxElement::kPh;
        c.kind = TmxCodeKind::kStandalone;
        c.x = id;
        if (n != natives.end()) {
          c.native = n->second.open;
          c.type = n->second.type;
        }
        break;
      default:
        return absl::InvalidArgumentError(
            StrCat("codes[", k, "].kind is not set"));
    }
    seg.codes.push_back(std::move(c));
  }
  if (!open.empty()) {
    return absl::InvalidArgumentError(
        StrCat("code ", *open.begin(), " is opened and never closed"));
  }
  return seg;
}

}  // namespace tessera::interchange
