// Bounds how much freed memory glibc's malloc keeps for tesserad.
//
// By default glibc gives every thread that allocates its own arena (up to
// 8 per core) and raises its mmap threshold each time a large block is
// freed, so the request buffers of large imports end up in arenas that are
// never returned: repeating a 5 MB import grew RSS by hundreds of MB.
// ConfigureAllocator pins the thresholds and caps the arenas; call it once
// at the start of main(), before any thread exists. Thread-safe otherwise.
#ifndef TESSERA_SERVER_ALLOCATOR_H_
#define TESSERA_SERVER_ALLOCATOR_H_

namespace tessera {

void ConfigureAllocator();

// Returns the free memory of every arena to the kernel (malloc_trim); the
// server runs it after each in-process parse of a large document.
void ReleaseFreedMemory();

}  // namespace tessera

#endif  // TESSERA_SERVER_ALLOCATOR_H_
