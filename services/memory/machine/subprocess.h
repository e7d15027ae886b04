// Runs a program with input on stdin and collects stdout, under a deadline.
// posix_spawn (never fork, never a shell), the child in a process group of
// its own so that a kill reaches the pipeline it starts, signals reset to
// their defaults. Thread-safe.
#ifndef TESSERA_SERVICES_MEMORY_MACHINE_SUBPROCESS_H_
#define TESSERA_SERVICES_MEMORY_MACHINE_SUBPROCESS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tessera::memory::machine {

struct ProcessResult {
  int exit_code = -1;   // when the child exited
  int signal = 0;       // when a signal ended it
  std::string output;   // stdout
  std::string errors;   // stderr, first 4 KiB
};

// argv[0] is the program's path. DEADLINE_EXCEEDED (group killed) when the
// deadline passes; RESOURCE_EXHAUSTED (group killed) when stdout grows
// past `max_output`; UNAVAILABLE when it cannot start.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         std::string_view input,
                                         absl::Time deadline,
                                         size_t max_output);

}  // namespace tessera::memory::machine

#endif  // TESSERA_SERVICES_MEMORY_MACHINE_SUBPROCESS_H_
