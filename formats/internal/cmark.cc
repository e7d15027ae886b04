#include "formats/internal/cmark.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <cmark-gfm/buffer.h>
#include <cmark-gfm/houdini.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace tessera::formats::internal {
namespace {

void EnsureRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

constexpr int kParseFlags = CMARK_OPT_FOOTNOTES;

}  // namespace

ParsedMarkdown::ParsedMarkdown(std::string_view markdown,
                               ParseOptions options) {
  EnsureRegistered();
  parser_ = cmark_parser_new(kParseFlags);
  const char* extensions[] = {"table", "strikethrough", "autolink"};
  for (const char* name : extensions) {
    if (!options.autolink && std::strcmp(name, "autolink") == 0) continue;
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (ext != nullptr) cmark_parser_attach_syntax_extension(parser_, ext);
  }
  cmark_parser_feed(parser_, markdown.data(), markdown.size());
  root_ = cmark_parser_finish(parser_);
}

ParsedMarkdown::~ParsedMarkdown() {
  if (root_ != nullptr) cmark_node_free(root_);
  if (parser_ != nullptr) cmark_parser_free(parser_);
}

std::string ParsedMarkdown::Html() const {
  char* html = cmark_render_html(root_, kParseFlags | CMARK_OPT_UNSAFE,
                                 cmark_parser_get_syntax_extensions(parser_));
  std::string out(html);
  std::free(html);
  return out;
}

std::string ParsedMarkdown::PlainText() const {
  char* text = cmark_render_plaintext(root_, kParseFlags, 0);
  std::string out(text);
  std::free(text);
  return out;
}

bool IsTableCell(cmark_node* node) {
  return std::strcmp(cmark_node_get_type_string(node), "table_cell") == 0;
}

bool IsStrikethrough(cmark_node* node) {
  return std::strcmp(cmark_node_get_type_string(node), "strikethrough") == 0;
}

size_t EntityLength(std::string_view s, size_t pos, std::string* decoded) {
  if (pos >= s.size() || s[pos] != '&') return 0;
  cmark_strbuf buf;
  cmark_strbuf_init(cmark_get_default_mem_allocator(), &buf, 0);
  const bufsize_t n = houdini_unescape_ent(
      &buf, reinterpret_cast<const uint8_t*>(s.data() + pos + 1),
      static_cast<bufsize_t>(s.size() - pos - 1));
  if (n > 0) decoded->assign(reinterpret_cast<const char*>(buf.ptr), buf.size);
  cmark_strbuf_free(&buf);
  return n > 0 ? static_cast<size_t>(n) + 1 : 0;
}

Analysis Analyze(cmark_node* root) {
  Analysis analysis;
  std::string& out = analysis.signature;
  cmark_iter* it = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(it);
    const cmark_node_type type = cmark_node_get_type(node);
    // A soft line break is a space: a translation may reflow its lines.
    if (type == CMARK_NODE_TEXT || type == CMARK_NODE_SOFTBREAK) continue;
    if (ev == CMARK_EVENT_ENTER && type == CMARK_NODE_LINK) {
      std::string text;
      bool plain = true;
      for (cmark_node* c = cmark_node_first_child(node); c != nullptr;
           c = cmark_node_next(c)) {
        if (cmark_node_get_type(c) != CMARK_NODE_TEXT) {
          plain = false;
          break;
        }
        text.append(cmark_node_get_literal(c));
      }
      const std::string url = cmark_node_get_url(node);
      if (plain && !text.empty() &&
          (url == text || url == "http://" + text || url == "mailto:" + text)) {
        analysis.autolinks.emplace_back(std::move(text), url);
        cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
        continue;
      }
    }
    if (ev == CMARK_EVENT_EXIT) {
      out.append("/");
      continue;
    }
    // Extension types (tables, strikethrough) have no fixed number but a
    // stable name; footnote nodes have a number but no name.
    absl::StrAppend(&out, static_cast<int>(type), ":",
                    cmark_node_get_type_string(node));
    if (type == CMARK_NODE_HEADING) {
      absl::StrAppend(&out, cmark_node_get_heading_level(node));
    } else if (type == CMARK_NODE_LIST) {
      absl::StrAppend(&out, static_cast<int>(cmark_node_get_list_type(node)));
    }
    out.append(" ");
  }
  cmark_iter_free(it);
  std::sort(analysis.autolinks.begin(), analysis.autolinks.end());
  return analysis;
}

}  // namespace tessera::formats::internal
