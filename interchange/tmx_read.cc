// The TMX reader: libxml2's xmlTextReader walks the document, and each
// <header> and <tu> is expanded into a small DOM subtree that is read and
// then freed, so memory follows the largest unit, not the document.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "common/strings.h"
#include "interchange/tmx.h"

namespace tessera::interchange {
namespace {

constexpr char kLinePayload[] = "type.tessera.dev/interchange.TmxErrorLine";

absl::Status ErrorAt(absl::StatusCode code, int line, std::string_view what) {
  absl::Status s(code, StrCat("line ", line, ": ", what));
  s.SetPayload(kLinePayload, absl::Cord(StrCat(line)));
  return s;
}

absl::Status LimitError(std::string_view name, size_t value) {
  return absl::ResourceExhaustedError(
      StrCat("TMX document over a limit: limit ", name, " is ", value));
}

std::string_view Name(const xmlNode* n) {
  return n->name == nullptr ? std::string_view()
                            : reinterpret_cast<const char*>(n->name);
}

std::string ToString(xmlChar* s) {
  if (s == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(s));
  xmlFree(s);
  return out;
}

// Every attribute of an element, "xml:lang" for the xml namespace's.
std::vector<std::pair<std::string, std::string>> Attributes(xmlNode* n) {
  std::vector<std::pair<std::string, std::string>> out;
  for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    std::string name(reinterpret_cast<const char*>(a->name));
    if (a->ns != nullptr && a->ns->prefix != nullptr) {
      name = StrCat(reinterpret_cast<const char*>(a->ns->prefix), ":", name);
    }
    out.emplace_back(std::move(name),
                     ToString(xmlNodeListGetString(n->doc, a->children, 1)));
  }
  return out;
}

std::string Text(xmlNode* n) { return ToString(xmlNodeGetContent(n)); }

int LineOf(const xmlNode* n) { return static_cast<int>(xmlGetLineNo(n)); }

bool SameLanguage(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] == '_' ? '-' : a[i], y = b[i] == '_' ? '-' : b[i];
    if (std::tolower(static_cast<unsigned char>(x)) !=
        std::tolower(static_cast<unsigned char>(y))) {
      return false;
    }
  }
  return true;
}

// Attributes that have a field of their own, or that the DTD does not
// allow on the element (dropped, so that a write stays valid).
const std::set<std::string_view> kTuOther = {
    "o-encoding",  "datatype",           "usagecount", "lastusagedate",
    "creationtool", "creationtoolversion", "segtype",   "o-tmf"};
const std::set<std::string_view> kTuvOther = {
    "o-encoding",   "datatype",           "usagecount", "lastusagedate",
    "creationtool", "creationtoolversion", "o-tmf"};

// Fills the dated fields shared by header, tu and tuv; true if it took it.
template <typename T>
bool TakeDated(T* t, const std::string& name, std::string value) {
  if (name == "creationdate") t->creationdate = std::move(value);
  else if (name == "creationid") t->creationid = std::move(value);
  else if (name == "changedate") t->changedate = std::move(value);
  else if (name == "changeid") t->changeid = std::move(value);
  else return false;
  return true;
}

class UnitParser {
 public:
  UnitParser(const TmxReadOptions& options, const TmxHeader& header,
             int base_depth)
      : options_(options), header_(header), base_depth_(base_depth) {}

  // base_depth: 1-based depth of the unit's <seg> elements.
  // Empty problem when the unit is usable.
  std::string Parse(xmlNode* tu, TmxUnit* unit) {
    for (auto& [name, value] : Attributes(tu)) {
      if (name == "tuid") unit->tuid = std::move(value);
      else if (name == "srclang") unit->srclang = std::move(value);
      else if (TakeDated(unit, name, value)) {
      } else if (kTuOther.count(name)) {
        unit->other_attributes.emplace_back(name, std::move(value));
      }
    }
    for (xmlNode* c = tu->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      const std::string_view name = Name(c);
      std::string problem;
      if (name == "prop") {
        problem = Prop(c, &unit->props);
      } else if (name == "note") {
        problem = Note(c, &unit->notes);
      } else if (name == "tuv") {
        if (unit->variants.size() == options_.max_variants) {
          return StrCat("the unit has more than ", options_.max_variants,
                        " variants (limit max_variants)");
        }
        problem = Variant(c, &unit->variants.emplace_back());
      }
      if (!problem.empty()) return problem;
    }
    return Check(unit);
  }

 private:
  std::string Prop(xmlNode* n, std::vector<TmxProp>* props) {
    TmxProp p;
    for (auto& [name, value] : Attributes(n)) {
      if (name == "type") p.type = std::move(value);
      else if (name == "xml:lang" || name == "lang") p.lang = std::move(value);
    }
    p.value = Text(n);
    if (p.value.size() > options_.max_segment_bytes) {
      return StrCat("a <prop> is ", p.value.size(),
                    " bytes, over the limit of ", options_.max_segment_bytes);
    }
    props->push_back(std::move(p));
    return {};
  }

  std::string Note(xmlNode* n, std::vector<TmxNote>* notes) {
    TmxNote note;
    for (auto& [name, value] : Attributes(n)) {
      if (name == "xml:lang" || name == "lang") note.lang = std::move(value);
    }
    note.text = Text(n);
    if (note.text.size() > options_.max_segment_bytes) {
      return StrCat("a <note> is ", note.text.size(),
                    " bytes, over the limit of ", options_.max_segment_bytes);
    }
    notes->push_back(std::move(note));
    return {};
  }

  std::string Variant(xmlNode* tuv, TmxVariant* v) {
    std::string lang_11;
    for (auto& [name, value] : Attributes(tuv)) {
      if (name == "xml:lang") v->language = std::move(value);
      else if (name == "lang") lang_11 = std::move(value);
      else if (TakeDated(v, name, value)) {
      } else if (kTuvOther.count(name)) {
        v->other_attributes.emplace_back(name, std::move(value));
      }
    }
    if (v->language.empty()) v->language = std::move(lang_11);
    if (v->language.empty()) return "a <tuv> has no xml:lang";
    int segs = 0;
    for (xmlNode* c = tuv->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      const std::string_view name = Name(c);
      std::string problem;
      if (name == "prop") {
        problem = Prop(c, &v->props);
      } else if (name == "note") {
        problem = Note(c, &v->notes);
      } else if (name == "seg") {
        if (++segs > 1) {
          return StrCat("the <tuv> in ", v->language, " has several <seg>");
        }
        problem = Segment(c, v->language, &v->segment);
      }
      if (!problem.empty()) return problem;
    }
    if (segs == 0) return StrCat("the <tuv> in ", v->language, " has no <seg>");
    return {};
  }

  std::string Segment(xmlNode* seg, const std::string& lang, TmxSegment* s) {
    open_.clear();
    used_.clear();
    std::string problem = Inline(seg, lang, s, 0);
    if (!problem.empty()) return problem;
    if (!open_.empty()) {
      return StrCat("in ", lang, ", <bpt i=\"", *open_.begin(),
                    "\"> has no <ept>");
    }
    if (s->text.size() > options_.max_segment_bytes) {
      return StrCat("the segment in ", lang, " is ", s->text.size(),
                    " bytes, over the limit of ", options_.max_segment_bytes);
    }
    return {};
  }

  std::string Inline(xmlNode* parent, const std::string& lang, TmxSegment* s,
                     int depth) {
    for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        if (c->content != nullptr) {
          s->text += reinterpret_cast<const char*>(c->content);
        }
        continue;
      }
      if (c->type != XML_ELEMENT_NODE) continue;
      if (s->codes.size() >= options_.max_codes) {
        return StrCat("the segment in ", lang, " has more than ",
                      options_.max_codes, " inline codes (limit max_codes)");
      }
      if (base_depth_ + depth + 1 > options_.max_depth) {
        return StrCat("the segment in ", lang, " nests deeper than ",
                      options_.max_depth, " (limit max_depth)");
      }
      const std::string_view name = Name(c);
      TmxCode code;
      code.offset = s->text.size();
      for (auto& [attr, value] : Attributes(c)) {
        if (attr == "i") code.i = std::move(value);
        else if (attr == "x") code.x = std::move(value);
        else if (attr == "type") code.type = std::move(value);
        else if (attr == "pos") code.pos = std::move(value);
        else if (attr == "assoc") code.assoc = std::move(value);
      }
      if (name == "hi") {
        code.element = TmxElement::kHi;
        code.kind = TmxCodeKind::kOpen;
        TmxCode close = code;
        s->codes.push_back(std::move(code));
        std::string problem = Inline(c, lang, s, depth + 1);
        if (!problem.empty()) return problem;
        close.kind = TmxCodeKind::kClose;
        close.offset = s->text.size();
        s->codes.push_back(std::move(close));
        continue;
      }
      if (name == "bpt") {
        code.element = TmxElement::kBpt;
        code.kind = TmxCodeKind::kOpen;
        if (code.i.empty()) return StrCat("in ", lang, ", a <bpt> has no i");
        if (!used_.insert(code.i).second) {
          return StrCat("in ", lang, ", two <bpt> have i=\"", code.i, "\"");
        }
        open_.insert(code.i);
      } else if (name == "ept") {
        code.element = TmxElement::kEpt;
        code.kind = TmxCodeKind::kClose;
        if (open_.erase(code.i) == 0) {
          return StrCat("in ", lang, ", <ept i=\"", code.i,
                        "\"> closes no open <bpt>");
        }
      } else if (name == "it" && code.pos != "begin" && code.pos != "end") {
        return StrCat("in ", lang, ", an <it> needs pos=\"begin\" or "
                      "pos=\"end\"");
      } else if (name == "ph" || name == "it" || name == "ut") {
        code.element = name == "ph"   ? TmxElement::kPh
                       : name == "it" ? TmxElement::kIt
                                      : TmxElement::kUt;
        code.kind = TmxCodeKind::kStandalone;
      } else {
        return StrCat("in ", lang, ", <", name, "> is not allowed in <seg>");
      }
      code.native = Text(c);
      if (code.native.size() > options_.max_segment_bytes) {
        return StrCat("an inline code in ", lang, " is over ",
                      options_.max_segment_bytes, " bytes");
      }
      s->codes.push_back(std::move(code));
    }
    return {};
  }

  static bool Blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char ch) {
      return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
    });
  }

  std::string Check(TmxUnit* unit) {
    if (unit->variants.empty()) return "the unit has no <tuv>";
    std::string src = options_.source_language;
    if (src.empty()) src = unit->srclang;
    if (src.empty()) src = header_.srclang;
    size_t source = 0;
    if (!src.empty() && src != "*all*") {
      source = unit->variants.size();
      for (size_t i = 0; i < unit->variants.size(); ++i) {
        if (SameLanguage(unit->variants[i].language, src)) {
          source = i;
          break;
        }
      }
      if (source == unit->variants.size()) {
        return StrCat("no variant in the source language ", src);
      }
    }
    if (unit->variants.size() < 2) {
      return StrCat("no variant besides the source (",
                    unit->variants[source].language, ")");
    }
    for (size_t i = 0; i < unit->variants.size(); ++i) {
      const TmxVariant& v = unit->variants[i];
      if (Blank(v.segment.text)) {
        return StrCat(i == source ? "the source segment (" : "the segment in ",
                      v.language, i == source ? ") is empty" : " is empty");
      }
    }
    unit->source = source;
    AssignIds(unit, source);
    return {};
  }

  // Ids agree across variants: a code is known by its x, else by its bpt
  // i, else as the n-th of its element; the k-th repeat of a key within a
  // segment is a distinct code.
  static void AssignIds(TmxUnit* unit, size_t source) {
    std::map<std::string, int> ids;
    int next = 1;
    auto assign = [&](TmxSegment& seg) {
      std::map<std::string, int> seen;
      std::map<std::string, std::string> pair_key;  // bpt i -> key
      std::map<TmxElement, int> ordinal;
      std::vector<std::string> hi_keys;
      auto id_of = [&](const std::string& key) {
        auto [it, fresh] = ids.emplace(key, next);
        if (fresh) ++next;
        return it->second;
      };
      for (TmxCode& c : seg.codes) {
        std::string key;
        if (c.element == TmxElement::kEpt) {
          c.id = id_of(pair_key[c.i]);
          continue;
        }
        if (c.element == TmxElement::kHi && c.kind == TmxCodeKind::kClose) {
          c.id = id_of(hi_keys.back());
          hi_keys.pop_back();
          continue;
        }
        const int n = c.x.empty() ? ordinal[c.element]++ : 0;
        switch (c.element) {
          case TmxElement::kBpt:
            key = c.x.empty() ? StrCat("p i", c.i) : StrCat("p x", c.x);
            break;
          case TmxElement::kHi:
            key = c.x.empty() ? StrCat("h #", n) : StrCat("h x", c.x);
            break;
          default:
            key = c.x.empty() ? StrCat("s ", static_cast<int>(c.element), "#",
                                       n)
                              : StrCat("s x", c.x);
        }
        key = StrCat(key, "/", seen[key]++);
        if (c.element == TmxElement::kBpt) pair_key[c.i] = key;
        if (c.element == TmxElement::kHi) hi_keys.push_back(key);
        c.id = id_of(key);
      }
    };
    assign(unit->variants[source].segment);
    for (size_t i = 0; i < unit->variants.size(); ++i) {
      if (i != source) assign(unit->variants[i].segment);
    }
  }

  const TmxReadOptions& options_;
  const TmxHeader& header_;
  const int base_depth_;
  std::set<std::string> open_, used_;
};

void ParseHeader(xmlNode* n, TmxHeader* h) {
  for (auto& [name, value] : Attributes(n)) {
    if (name == "creationtool") h->creationtool = std::move(value);
    else if (name == "creationtoolversion") h->creationtoolversion = value;
    else if (name == "segtype") h->segtype = std::move(value);
    else if (name == "o-tmf") h->o_tmf = std::move(value);
    else if (name == "adminlang") h->adminlang = std::move(value);
    else if (name == "srclang") h->srclang = std::move(value);
    else if (name == "datatype") h->datatype = std::move(value);
    else if (TakeDated(h, name, value)) {
    } else if (name == "o-encoding") {
      h->other_attributes.emplace_back(name, std::move(value));
    }
  }
  for (xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (Name(c) == "prop") {
      TmxProp p;
      for (auto& [name, value] : Attributes(c)) {
        if (name == "type") p.type = std::move(value);
        else if (name == "xml:lang" || name == "lang") p.lang = value;
      }
      p.value = Text(c);
      h->props.push_back(std::move(p));
    } else if (Name(c) == "note") {
      TmxNote note;
      for (auto& [name, value] : Attributes(c)) {
        if (name == "xml:lang" || name == "lang") note.lang = value;
      }
      note.text = Text(c);
      h->notes.push_back(std::move(note));
    }
  }
}

struct ErrorCapture {
  bool set = false;
  int line = 0;
  std::string message;
};

void OnError(void* arg, xmlErrorPtr error) {
  auto* capture = static_cast<ErrorCapture*>(arg);
  if (capture->set || error == nullptr || error->level < XML_ERR_ERROR) return;
  capture->set = true;
  capture->line = error->line;
  capture->message = error->message != nullptr ? error->message : "error";
  while (!capture->message.empty() && capture->message.back() == '\n') {
    capture->message.pop_back();
  }
}

struct ReaderDeleter {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};

}  // namespace

std::optional<int> TmxErrorLine(const absl::Status& status) {
  auto payload = status.GetPayload(kLinePayload);
  int line = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &line)) {
    return std::nullopt;
  }
  return line;
}

absl::StatusOr<TmxHeader> ReadTmxStream(
    std::string_view bytes, const TmxReadOptions& options,
    const std::function<absl::Status(const TmxHeader&)>& on_header,
    const TmxUnitSink& on_unit) {
  if (bytes.size() > options.max_document_bytes) {
    return LimitError("max_document_bytes", options.max_document_bytes);
  }
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return LimitError("max_document_bytes", INT32_MAX);
  }
  // No NOENT (no entity substitution), no DTDLOAD or DTDATTR (the DTD is
  // never read), NONET: nothing leaves the process.
  const int flags = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                    XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
  std::unique_ptr<xmlTextReader, ReaderDeleter> reader(xmlReaderForMemory(
      bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr, flags));
  if (reader == nullptr) {
    return ErrorAt(absl::StatusCode::kInvalidArgument, 1,
                   "not a TMX document: the XML parser refused it");
  }
  xmlTextReader* r = reader.get();
  ErrorCapture capture;
  xmlTextReaderSetStructuredErrorHandler(r, OnError, &capture);

  TmxHeader header;
  bool seen_root = false, seen_header = false, seen_body = false;
  int body_depth = -1;
  int index = 0;
  auto parse_error = [&]() {
    const int line = capture.set ? capture.line
                                 : xmlTextReaderGetParserLineNumber(r);
    return ErrorAt(absl::StatusCode::kInvalidArgument, line,
                   StrCat("not well-formed XML: ",
                          capture.set ? capture.message : "parse error"));
  };
  int ret = xmlTextReaderRead(r);
  while (ret == 1) {
    bool skip = false;
    const int type = xmlTextReaderNodeType(r);
    const int depth = xmlTextReaderDepth(r);
    const int line = xmlTextReaderGetParserLineNumber(r);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      // Not xmlTextReaderCurrentDoc, which hands the document over to
      // the caller (and leaks it).
      xmlNode* node = xmlTextReaderCurrentNode(r);
      const xmlDtd* dtd = node != nullptr && node->type == XML_DTD_NODE
                              ? reinterpret_cast<const xmlDtd*>(node)
                              : nullptr;
      if (dtd != nullptr &&
          (dtd->entities != nullptr || dtd->pentities != nullptr)) {
        return ErrorAt(absl::StatusCode::kInvalidArgument, line,
                       "the document declares entities; TMX needs none and "
                       "they are not expanded");
      }
    } else if (type == XML_READER_TYPE_ENTITY_REFERENCE ||
               type == XML_READER_TYPE_ENTITY) {
      return ErrorAt(absl::StatusCode::kInvalidArgument, line,
                     "entity references are not allowed");
    } else if (type == XML_READER_TYPE_ELEMENT) {
      if (depth + 1 > options.max_depth) {
        return ErrorAt(absl::StatusCode::kInvalidArgument, line,
                       StrCat("elements nest deeper than ", options.max_depth,
                              " (limit max_depth)"));
      }
      const char* raw = reinterpret_cast<const char*>(xmlTextReaderConstName(r));
      const std::string_view name = raw != nullptr ? raw : "";
      if (!seen_root) {
        if (name != "tmx") {
          return ErrorAt(absl::StatusCode::kInvalidArgument, line,
                         StrCat("not a TMX document: the root element is <",
                                name, ">, not <tmx>"));
        }
        seen_root = true;
      } else if (depth == 1 && name == "header" && !seen_header) {
        xmlNode* n = xmlTextReaderExpand(r);
        if (n == nullptr) return parse_error();
        ParseHeader(n, &header);
        seen_header = true;
        if (on_header) {
          absl::Status s = on_header(header);
          if (!s.ok()) return s;
        }
        skip = true;
      } else if (depth == 1 && name == "body" && !seen_body) {
        if (!seen_header) {
          return ErrorAt(absl::StatusCode::kInvalidArgument, line,
                         "not a TMX document: <body> before <header>");
        }
        seen_body = true;
        body_depth = depth;
      } else if (seen_body && depth == body_depth + 1 && name == "tu") {
        if (static_cast<size_t>(index) >= options.max_units) {
          return LimitError("max_units", options.max_units);
        }
        xmlNode* n = xmlTextReaderExpand(r);
        if (n == nullptr) return parse_error();
        TmxUnit unit;
        unit.index = index;
        unit.line = LineOf(n);
        UnitParser parser(options, header, depth + 3);
        std::string problem = parser.Parse(n, &unit);
        absl::Status s;
        if (problem.empty()) {
          s = on_unit(&unit, nullptr);
        } else {
          TmxProblem p{index, unit.line, std::move(problem)};
          s = on_unit(nullptr, &p);
        }
        if (!s.ok()) return s;
        ++index;
        skip = true;
      }
    }
    ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
  }
  if (ret < 0 || capture.set) return parse_error();
  if (!seen_root) {
    return ErrorAt(absl::StatusCode::kInvalidArgument, 1,
                   "not a TMX document: no root element");
  }
  if (!seen_header || !seen_body) {
    return ErrorAt(absl::StatusCode::kInvalidArgument,
                   xmlTextReaderGetParserLineNumber(r),
                   StrCat("not a TMX document: no <",
                          seen_header ? "body" : "header", ">"));
  }
  return header;
}

absl::StatusOr<TmxDocument> ReadTmx(std::string_view bytes,
                                    const TmxReadOptions& options) {
  TmxDocument doc;
  auto header = ReadTmxStream(
      bytes, options, nullptr, [&](TmxUnit* unit, TmxProblem* problem) {
        ++doc.units_read;
        if (unit != nullptr) doc.units.push_back(std::move(*unit));
        if (problem != nullptr) doc.problems.push_back(std::move(*problem));
        return absl::OkStatus();
      });
  if (!header.ok()) return header.status();
  doc.header = std::move(*header);
  return doc;
}

}  // namespace tessera::interchange
