// The brute-force oracle of the memory score, for tests and benchmarks: a
// full dynamic programme written as memory.proto states the score, and a
// lookup that scores every unit.
#ifndef TESSERA_SERVICES_MEMORY_MEMORY_ORACLE_H_
#define TESSERA_SERVICES_MEMORY_MEMORY_ORACLE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "services/memory/memory_score.h"

namespace tessera::memory {

double OracleScore(const ScoreForm& a, const ScoreForm& b);

// (unit, score) of every unit scoring at least min_score, by unit.
std::vector<std::pair<uint64_t, double>> OracleLookup(
    const std::vector<std::pair<uint64_t, ScoreForm>>& units,
    const ScoreForm& query, double min_score);

}  // namespace tessera::memory

#endif  // TESSERA_SERVICES_MEMORY_MEMORY_ORACLE_H_
