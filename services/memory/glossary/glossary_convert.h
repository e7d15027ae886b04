// Conversions between the glossary's domain types and the tessera.v1 API
// messages (memory.proto). Pure functions; thread-safe.
#ifndef TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CONVERT_H_
#define TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CONVERT_H_

#include "absl/status/statusor.h"
#include "services/memory/glossary/glossary_core.h"
#include "tessera/v1/memory.pb.h"

namespace tessera::memory::glossary {

void ToProto(const GlossaryEntry& entry, v1::GlossaryEntry* out);
void ToProto(const GlossaryHit& hit, v1::GlossaryHit* out);
void ToProto(const GlossaryPage& page, v1::ListGlossaryEntriesResponse* out);

// The fields a client sets; output-only fields are ignored.
GlossaryEntry EntryFromProto(const v1::GlossaryEntry& entry);

// The changes an UpdateGlossaryEntryRequest asks for. INVALID_ARGUMENT
// (field update_mask) for an empty mask or a path the contract does not
// allow.
absl::StatusOr<GlossaryUpdate> UpdateFromProto(
    const v1::UpdateGlossaryEntryRequest& request);

GlossaryQuery QueryFromProto(const v1::ListGlossaryEntriesRequest& request);

}  // namespace tessera::memory::glossary

#endif  // TESSERA_SERVICES_MEMORY_GLOSSARY_GLOSSARY_CONVERT_H_
