#include "server/allocator.h"

#include <malloc.h>

namespace tessera {

void ConfigureAllocator() {
  // Blocks of 256 KiB and more (documents, request messages, segment
  // vectors) are mmapped and go back to the kernel when freed; setting
  // the threshold also stops glibc from raising it on its own.
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  // Free space at the top of a heap above this is returned.
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  // Few arenas for many worker threads: less memory stranded per thread,
  // at the price of some contention in malloc.
  mallopt(M_ARENA_MAX, 4);
}

void ReleaseFreedMemory() { malloc_trim(0); }

}  // namespace tessera
