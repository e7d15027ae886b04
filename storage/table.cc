#include "storage/table.h"

#include "common/random.h"
#include "common/strings.h"

namespace tessera::storage::table_internal {

namespace {
constexpr size_t kEnvelopeBytes = 1 + 8;
}  // namespace

absl::Status Layout::Corrupt(std::string_view key) const {
  return absl::InternalError(
      StrCat("corrupt ", what_, " record at key ", HexEncode(key)));
}

std::string Layout::Seal(uint64_t version, std::string_view payload) const {
  std::string out(1, static_cast<char>(format_));
  out.reserve(kEnvelopeBytes + payload.size());
  PutFixed64BE(&out, version);
  out.append(payload);
  return out;
}

absl::StatusOr<Envelope> Layout::Open(std::string_view key,
                                      std::string_view value) const {
  if (value.size() < kEnvelopeBytes ||
      static_cast<uint8_t>(value[0]) != format_) {
    return Corrupt(key);
  }
  value.remove_prefix(1);
  Envelope out;
  GetFixed64BE(&value, &out.version);
  out.payload = value;
  return out;
}

std::string Layout::Tag(std::string_view payload) const {
  std::string out(1, static_cast<char>(format_));
  out.append(payload);
  return out;
}

absl::StatusOr<std::string_view> Layout::Untag(std::string_view key,
                                               std::string_view value) const {
  if (value.empty() || static_cast<uint8_t>(value[0]) != format_) {
    return Corrupt(key);
  }
  return value.substr(1);
}

absl::StatusOr<std::optional<std::string>> Layout::Read(
    std::string_view key) const {
  return store_->Get(cf_, key);
}

absl::Status Layout::Scan(
    std::string_view begin, std::string_view end,
    const std::function<absl::StatusOr<bool>(
        std::string_view key, std::string_view value)>& fn) const {
  absl::Status inner;
  absl::Status scan = store_->Scan(
      cf_, begin, end, [&](std::string_view key, std::string_view value) {
        absl::StatusOr<bool> more = fn(key, value);
        if (!more.ok()) {
          inner = std::move(more).status();
          return false;
        }
        return *more;
      });
  if (!scan.ok()) return scan;
  return inner;
}

}  // namespace tessera::storage::table_internal
