#include "services/assignment/assignment_keys.h"

#include "common/strings.h"
#include "storage/key_codec.h"

namespace tessera::assignment {

using ::tessera::storage::KeyBuilder;

namespace {

// FNV-1a: stable across processes, so user keys stay where they were.
uint64_t Hash64(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string AssignmentKey(uint64_t iid, uint64_t assignment) {
  return KeyBuilder(kAssignmentKind).U64(iid).U64(assignment).Build();
}

std::string AssignmentPrefix(uint64_t iid) {
  return KeyBuilder(kAssignmentKind).U64(iid).Build();
}

std::string AllAssignmentsPrefix() {
  return KeyBuilder(kAssignmentKind).Build();
}

bool ParseAssignmentKey(std::string_view key, uint64_t* iid,
                        uint64_t* assignment) {
  storage::KeyReader reader(key);
  uint8_t kind = 0;
  return reader.Kind(&kind) && kind == kAssignmentKind && reader.U64(iid) &&
         reader.U64(assignment);
}

std::string LeaseKey(uint64_t lease) {
  return KeyBuilder(kLeaseKind).U64(lease).Build();
}

std::string AssignmentOwnerKey(uint64_t assignment) {
  return KeyBuilder(kAssignmentOwnerKind).U64(assignment).Build();
}

std::string SlotKey(uint64_t iid, std::string_view language, uint8_t role,
                    std::string_view segment_id) {
  return KeyBuilder(kSlotKind)
      .U64(iid)
      .String(language)
      .U8(role)
      .String(segment_id)
      .Build();
}

std::string CurrentLeaseKey(std::string_view user_id, std::string_view language,
                            uint8_t role) {
  return KeyBuilder(kCurrentLeaseKind)
      .U64(Hash64(user_id))
      .String(user_id)
      .String(language)
      .U8(role)
      .Build();
}

std::string CurrentLeasePrefix(std::string_view user_id) {
  return KeyBuilder(kCurrentLeaseKind)
      .U64(Hash64(user_id))
      .String(user_id)
      .Build();
}

std::string AllCurrentLeasesPrefix() {
  return KeyBuilder(kCurrentLeaseKind).Build();
}

std::string AssignRequestKey(std::string_view user_id,
                             std::string_view request_id) {
  return KeyBuilder(kAssignRequestKind)
      .U64(Hash64(StrCat(user_id, "|", request_id)))
      .String(user_id)
      .String(request_id)
      .Build();
}

}  // namespace tessera::assignment
