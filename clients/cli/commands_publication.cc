// publish, pull, watch.
#include <google/protobuf/struct.pb.h>

#include <fstream>

#include "clients/cli/commands.h"
#include "clients/cli/errors.h"
#include "clients/cli/render.h"

namespace tessera::cli {
namespace v1 = ::tessera::v1;
namespace {

std::string StatementName(const std::string& id) {
  return id.rfind("statements/", 0) == 0 ? id : "statements/" + id;
}

bool ParseFormat(const std::string& text, v1::DocumentFormat& format) {
  if (text.empty())
    format = v1::DOCUMENT_FORMAT_UNSPECIFIED;
  else if (text == "md" || text == "markdown")
    format = v1::DOCUMENT_FORMAT_MARKDOWN;
  else if (text == "txt" || text == "text")
    format = v1::DOCUMENT_FORMAT_PLAIN_TEXT;
  else if (text == "html")
    format = v1::DOCUMENT_FORMAT_HTML;
  else
    return false;
  return true;
}

std::string Extension(v1::DocumentFormat format) {
  switch (format) {
    case v1::DOCUMENT_FORMAT_HTML:
      return "html";
    case v1::DOCUMENT_FORMAT_PLAIN_TEXT:
      return "txt";
    default:
      return "md";
  }
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  return static_cast<bool>(out);
}

int Publish(Invocation& inv) {
  if (!inv.args().Has("lang"))
    return inv.Fail("--lang is required", kExitUsage);
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::PublishRequest req;
  req.set_statement(StatementName(inv.args().positional()[0]));
  req.set_language(inv.args().Get("lang"));
  const std::string policy = inv.args().Get("policy", "refuse");
  if (policy == "refuse")
    req.set_policy(v1::PUBLICATION_POLICY_REFUSE);
  else if (policy == "source-fallback")
    req.set_policy(v1::PUBLICATION_POLICY_SOURCE_FALLBACK);
  else if (policy == "mark-gaps")
    req.set_policy(v1::PUBLICATION_POLICY_MARK_GAPS);
  else
    return inv.Fail("--policy is refuse, source-fallback or mark-gaps",
                    kExitUsage);
  v1::Publication p;
  grpc::Status s =
      c->publications().Publish(c->Context(absl::Minutes(2)).get(), req, &p);
  if (!s.ok()) return inv.Fail(s);
  if (inv.json()) {
    inv.out() << ToJson(p) << "\n";
    return kExitOk;
  }
  inv.out() << "published " << p.name() << " ("
            << (p.complete() ? "complete" : "incomplete") << ", "
            << p.stats().approved_segment_count() << "/"
            << p.stats().translatable_segment_count() << " segments approved, "
            << p.size_bytes() << " bytes, sha256 "
            << p.content_sha256().substr(0, 12) << ")\n";
  return kExitOk;
}

int Pull(Invocation& inv) {
  if (!inv.args().Has("lang"))
    return inv.Fail("--lang is required", kExitUsage);
  v1::DocumentFormat format;
  if (!ParseFormat(inv.args().Get("format"), format)) {
    return inv.Fail("--format is md, txt or html", kExitUsage);
  }
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  const std::vector<std::string> langs = SplitList(inv.args().Get("lang"));
  const std::string statement = StatementName(inv.args().positional()[0]);
  const std::string output = inv.args().Get("output");
  const bool many = langs.size() > 1;
  if (many && output.empty()) {
    return inv.Fail("several languages need -o DIR", kExitUsage);
  }
  const bool show_progress = many && inv.io().err_tty && !inv.json();
  size_t done = 0;
  for (const std::string& lang : langs) {
    if (show_progress) {
      inv.err() << "\rpulling " << lang << " (" << done + 1 << "/"
                << langs.size() << ") "
                << ProgressBar(100.0 * done / langs.size(), 20) << std::flush;
    }
    v1::GetPublicationRequest req;
    req.set_name(statement + "/languages/" + lang + "/publications/" +
                 inv.args().Get("version", "latest"));
    req.set_format(format);
    v1::GetPublicationResponse resp;
    grpc::Status s = c->publications().GetPublication(
        c->Context(absl::Minutes(2)).get(), req, &resp);
    if (!s.ok()) {
      if (show_progress) inv.err() << "\n";
      return inv.Fail(s);
    }
    if (inv.json()) inv.out() << ToJson(resp.publication()) << "\n";
    std::string path = output;
    if (many) {
      path = output + "/" + LastComponent(statement) + "." + lang + "." +
             Extension(resp.format());
    }
    if (path.empty() || path == "-") {
      if (!inv.json()) inv.out() << resp.content() << std::flush;
    } else if (!WriteFile(path, resp.content())) {
      return inv.Fail("cannot write " + path, kExitError);
    } else if (!inv.json() && inv.io().err_tty) {
      inv.err() << (show_progress ? "\r\033[K" : "") << "wrote " << path << " ("
                << resp.publication().name() << ")\n";
    }
    ++done;
  }
  if (show_progress) inv.err() << "\r\033[K" << std::flush;
  return kExitOk;
}

int Watch(Invocation& inv) {
  v1::DocumentFormat format;
  if (!ParseFormat(inv.args().Get("format"), format)) {
    return inv.Fail("--format is md, txt or html", kExitUsage);
  }
  Client* c = inv.client();
  if (c == nullptr) return inv.exit_code_on_connect_failure();
  v1::WatchPublicationsRequest req;
  req.set_cursor(inv.args().Get("since"));
  req.set_start_at_now(inv.args().Has("now"));
  for (const std::string& id : SplitList(inv.args().Get("statement"))) {
    req.add_statements(StatementName(id));
  }
  for (const std::string& l : SplitList(inv.args().Get("lang"))) {
    req.add_languages(l);
  }
  const std::string out_dir = inv.args().Get("out-dir");
  const long limit = std::atol(inv.args().Get("count", "0").c_str());
  long seen = 0;
  auto ctx = c->Context(absl::ZeroDuration());
  auto reader = c->publications().WatchPublications(ctx.get(), req);
  v1::WatchPublicationsResponse msg;
  while (reader->Read(&msg)) {
    if (!msg.has_publication()) {
      if (msg.caught_up() && inv.io().err_tty) {
        inv.err() << "caught up; waiting for new publications (cursor "
                  << msg.cursor() << ")\n";
      }
      continue;
    }
    const v1::Publication& p = msg.publication();
    std::string path;
    if (!out_dir.empty()) {
      v1::GetPublicationRequest get;
      get.set_name(p.name());
      get.set_format(format);
      v1::GetPublicationResponse doc;
      grpc::Status s = c->publications().GetPublication(
          c->Context(absl::Minutes(2)).get(), get, &doc);
      if (!s.ok()) {
        ctx->TryCancel();
        return inv.Fail(s);
      }
      path = out_dir + "/" + LastComponent(p.statement()) + "." + p.language() +
             ".v" + std::to_string(p.version()) + "." + Extension(doc.format());
      if (!WriteFile(path, doc.content())) {
        ctx->TryCancel();
        return inv.Fail("cannot write " + path, kExitError);
      }
    }
    if (inv.json()) {
      google::protobuf::Value cursor, file;
      cursor.set_string_value(msg.cursor());
      file.set_string_value(path);
      inv.out() << "{\"cursor\":" << ToJson(cursor)
                << ",\"file\":" << ToJson(file)
                << ",\"publication\":" << ToJson(p) << "}" << std::endl;
    } else {
      inv.out() << msg.cursor() << "\t" << p.name() << "\t"
                << (path.empty() ? "-" : path) << "\t" << p.statement_title()
                << std::endl;
    }
    if (limit > 0 && ++seen >= limit) {
      ctx->TryCancel();
      reader->Finish();
      return kExitOk;
    }
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return inv.Fail(s);
  return kExitOk;
}

}  // namespace

std::vector<Command> PublicationCommands() {
  return {
      {{{"publish"},
        "ID",
        "publish one language of a statement now",
        "Policies for segments not approved: refuse (default: fail and list\n"
        "them), source-fallback (use the source text), mark-gaps (a visible\n"
        "marker, then the source).",
        "  tessera publish icor --lang de --policy source-fallback",
        {{"lang", 0, "LANG", "language (required)"},
         {"policy", 0, "POLICY", "refuse, source-fallback or mark-gaps"}},
        1,
        1},
       Publish},
      {{{"pull"},
        "ID",
        "download published documents",
        "Writes the latest publication (or --version N) to stdout or -o FILE.\n"
        "With several languages, -o names a directory and files are named\n"
        "ID.LANG.EXT; progress shows on a terminal only.",
        "  tessera pull icor --lang de -o icor.de.md\n"
        "  tessera pull icor --lang de,en,es --format html -o out/",
        {{"lang", 0, "LANGS", "language(s) (required)"},
         {"output", 'o', "FILE", "file (one language) or directory"},
         {"format", 0, "md|txt|html", "default: the source format"},
         {"version", 0, "N", "a publication version (default latest)"}},
        1,
        1},
       Pull},
      {{{"watch"},
        "",
        "print each publication as it is made",
        "Streams every publication after --since (all of them without it),\n"
        "then new ones as they come, one line each: CURSOR, publication\n"
        "name, file written (with --out-dir) or '-', title. Restart with\n"
        "--since the last cursor to miss nothing and repeat nothing.",
        "  tessera watch --since \"$(cat cursor)\" --out-dir site/ --format "
        "html",
        {{"since", 0, "CURSOR", "resume after this cursor"},
         {"now", 0, "", "skip existing publications"},
         {"statement", 0, "IDS", "only these statements"},
         {"lang", 0, "LANGS", "only these languages"},
         {"out-dir", 0, "DIR", "write each document to DIR/ID.LANG.vN.EXT"},
         {"format", 0, "md|txt|html", "format of written documents"},
         {"count", 0, "N", "exit after N publications"}},
        0,
        0},
       Watch},
  };
}

}  // namespace tessera::cli
