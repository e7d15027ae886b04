// The key layout of the "assignments" column family, one builder per key
// kind; storage/FORMAT.md ("assignments") is the reference each one names.
// Every key starts [kind][u64]: the statement's internal id for keys of one
// statement, a random id for assignments and leases, an FNV-1a hash for
// keys that belong to a user, so every key lies in the family's 9-byte
// prefix extractor's domain.
//
// Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_KEYS_H_
#define TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::assignment {

// Key kinds; stored numbers.
inline constexpr uint8_t kAssignmentKind = 0x01;
inline constexpr uint8_t kLeaseKind = 0x02;
inline constexpr uint8_t kAssignmentOwnerKind = 0x03;
inline constexpr uint8_t kSlotKind = 0x04;
inline constexpr uint8_t kCurrentLeaseKind = 0x05;
inline constexpr uint8_t kAssignRequestKind = 0x06;

// Row "0x01 assignment": [0x01][u64 sid][u64 assignment id].
std::string AssignmentKey(uint64_t iid, uint64_t assignment);
// Row "0x01 assignment": the assignments of one statement.
std::string AssignmentPrefix(uint64_t iid);
// Row "0x01 assignment": every assignment.
std::string AllAssignmentsPrefix();
// Reads an "0x01 assignment" key back; false if `key` is not one.
bool ParseAssignmentKey(std::string_view key, uint64_t* iid,
                        uint64_t* assignment);

// Row "0x02 lease": [0x02][u64 lease id].
std::string LeaseKey(uint64_t lease);

// Row "0x03 assignment owner": [0x03][u64 assignment id].
std::string AssignmentOwnerKey(uint64_t assignment);

// Row "0x04 segment slot": [0x04][u64 sid][str language][u8 role]
// [str segment_id]; `role` is the stored WorkRole number.
std::string SlotKey(uint64_t iid, std::string_view language, uint8_t role,
                    std::string_view segment_id);

// Row "0x05 current lease": [0x05][u64 FNV-1a(user_id)][str user_id]
// [str language][u8 role].
std::string CurrentLeaseKey(std::string_view user_id, std::string_view language,
                            uint8_t role);
// Row "0x05 current lease": the pointers of one user.
std::string CurrentLeasePrefix(std::string_view user_id);
// Row "0x05 current lease": every user's pointers.
std::string AllCurrentLeasesPrefix();

// Row "0x06 assign request": [0x06][u64 FNV-1a(user_id "|" request_id)]
// [str user_id][str request_id].
std::string AssignRequestKey(std::string_view user_id,
                             std::string_view request_id);

}  // namespace tessera::assignment

#endif  // TESSERA_SERVICES_ASSIGNMENT_ASSIGNMENT_KEYS_H_
