#include "clients/cli/render.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "common/strings.h"
#include "formats/document.h"

namespace tessera::cli {
namespace {

size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

std::string ToReadable(const tessera::v1::Content& content) {
  formats::Content c;
  c.text = content.text();
  for (const auto& ref : content.codes()) {
    formats::CodeKind kind = formats::CodeKind::kStandalone;
    if (ref.kind() == tessera::v1::CODE_KIND_OPEN)
      kind = formats::CodeKind::kOpen;
    if (ref.kind() == tessera::v1::CODE_KIND_CLOSE) {
      kind = formats::CodeKind::kClose;
    }
    c.codes.push_back({ref.id(), kind, ref.offset()});
  }
  return formats::ToReadable(c);
}

absl::StatusOr<tessera::v1::Content> ParseReadable(std::string_view text) {
  absl::StatusOr<formats::Content> parsed = formats::ParseReadable(text);
  if (!parsed.ok()) return parsed.status();
  tessera::v1::Content out;
  out.set_text(parsed->text);
  for (const formats::CodeRef& ref : parsed->codes) {
    auto* code = out.add_codes();
    code->set_id(ref.id);
    code->set_offset(static_cast<uint32_t>(ref.offset));
    switch (ref.kind) {
      case formats::CodeKind::kOpen:
        code->set_kind(tessera::v1::CODE_KIND_OPEN);
        break;
      case formats::CodeKind::kClose:
        code->set_kind(tessera::v1::CODE_KIND_CLOSE);
        break;
      case formats::CodeKind::kStandalone:
        code->set_kind(tessera::v1::CODE_KIND_STANDALONE);
        break;
    }
  }
  return out;
}

std::string ProgressBar(double percent, int width) {
  if (!(percent >= 0)) percent = 0;  // also NaN
  if (percent > 100) percent = 100;
  int filled = static_cast<int>(std::floor(percent * width / 100.0 + 1e-9));
  std::string bar = "[";
  bar.append(filled, '#');
  bar.append(width - filled, '-');
  bar += "] ";
  std::string pct = std::to_string(static_cast<int>(std::floor(percent)));
  bar.append(3 - std::min<size_t>(3, pct.size()), ' ');
  bar += pct + "%";
  return bar;
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatTime(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  google::protobuf::Timestamp t = ts;
  t.set_nanos(0);
  return google::protobuf::util::TimeUtil::ToString(t);
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(std::string_view text,
                                                      absl::Time now) {
  google::protobuf::Timestamp ts;
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        StrCat("bad time \"", text,
               "\": use 2026-12-01, 2026-12-01T18:00:00Z or +3d, +12h, +30m"));
  };
  if (!text.empty() && text[0] == '+') {
    if (text.size() < 3) return bad();
    int64_t n = 0;
    auto [ptr, ec] =
        std::from_chars(text.data() + 1, text.data() + text.size() - 1, n);
    if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0) {
      return bad();
    }
    absl::Duration unit;
    switch (text.back()) {
      case 'd':
        unit = absl::Hours(24);
        break;
      case 'h':
        unit = absl::Hours(1);
        break;
      case 'm':
        unit = absl::Minutes(1);
        break;
      default:
        return bad();
    }
    absl::Time t = now + n * unit;
    ts.set_seconds(absl::ToUnixSeconds(t));
    return ts;
  }
  std::string s(text);
  if (s.size() == 10) s += "T00:00:00Z";
  if (!google::protobuf::util::TimeUtil::FromString(s, &ts)) return bad();
  return ts;
}

absl::StatusOr<tessera::v1::RoleGrant> ParseRoleGrant(std::string_view text) {
  tessera::v1::RoleGrant grant;
  size_t eq = text.find('=');
  std::string role(text.substr(0, eq));
  std::string upper = "ROLE_" + role;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  tessera::v1::Role value;
  if (role.empty() || !tessera::v1::Role_Parse(upper, &value) ||
      value == tessera::v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        StrCat("bad role \"", role,
               "\": one of admin, coordinator, translator, reviewer, service"));
  }
  grant.set_role(value);
  if (eq != std::string_view::npos) {
    std::string_view langs = text.substr(eq + 1);
    size_t start = 0;
    while (start <= langs.size()) {
      size_t comma = langs.find(',', start);
      if (comma == std::string_view::npos) comma = langs.size();
      if (comma > start) {
        grant.add_languages(std::string(langs.substr(start, comma - start)));
      }
      start = comma + 1;
    }
  }
  return grant;
}

std::string FormatRoleGrant(const tessera::v1::RoleGrant& grant) {
  std::string out =
      ShortEnumName(tessera::v1::Role_Name(grant.role()), "ROLE_");
  for (int i = 0; i < grant.languages_size(); ++i) {
    out += (i == 0 ? "=" : ",") + grant.languages(i);
  }
  return out;
}

std::string ShortEnumName(const std::string& full, std::string_view prefix) {
  std::string out = full;
  if (out.compare(0, prefix.size(), prefix) == 0)
    out = out.substr(prefix.size());
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string LastComponent(std::string_view name) {
  size_t slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name
                                                     : name.substr(slash + 1));
}

}  // namespace tessera::cli
