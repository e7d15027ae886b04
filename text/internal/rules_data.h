// The rule files of text/rules/, compiled into the library at build time by
// text/embed_rules.cmake. Internal to text/.
#ifndef TESSERA_TEXT_INTERNAL_RULES_DATA_H_
#define TESSERA_TEXT_INTERNAL_RULES_DATA_H_

#include <optional>
#include <string_view>
#include <vector>

namespace tessera::text::internal {

// Returns the text of text/rules/<name>.rules, or nullopt when there is no
// such file. The view points at static storage.
std::optional<std::string_view> BuiltinRuleFile(std::string_view name);

// Names of all built-in rule files ("common", "en", ...), sorted.
std::vector<std::string_view> BuiltinRuleFileNames();

}  // namespace tessera::text::internal

#endif  // TESSERA_TEXT_INTERNAL_RULES_DATA_H_
