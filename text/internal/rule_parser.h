// Parser for segmentation rule files (format: text/rules/README.md).
//
// The parser only reads and checks the structure of the files: directives,
// field counts, list references and includes. Compiling the patterns and
// applying the rules is the segmenter's job. Internal to text/.
#ifndef TESSERA_TEXT_INTERNAL_RULE_PARSER_H_
#define TESSERA_TEXT_INTERNAL_RULE_PARSER_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tessera::text::internal {

// One `break` or `nobreak` line.
struct ParsedRule {
  bool is_break = false;
  // Regular expression the text before the candidate position must end
  // with; empty means "anything". Unused when `list` is set.
  std::string before;
  // Name of a word list when the before field was `@LIST`.
  std::string list;
  // Regular expression the text from the candidate position on must start
  // with; empty means "anything". Unused when `after_list` is set.
  std::string after;
  // Name of a word list when the after field was `@LIST`: the word after
  // the candidate must be in it.
  std::string after_list;
  // "file:line", for error messages.
  std::string origin;
};

struct WordList {
  bool case_insensitive = false;
  std::vector<std::string> words;
  std::string origin;  // where the list was first declared
};

struct ParsedPattern {
  std::string pattern;
  std::string origin;
};

// A rule file with its includes expanded, rules in evaluation order.
struct ParsedRuleSet {
  std::vector<ParsedRule> rules;
  std::map<std::string, WordList, std::less<>> lists;
  std::vector<ParsedPattern> candidates;
  std::string spaced_closers;  // UTF-8
  std::string closers;         // UTF-8
  std::string terminators;     // UTF-8
  // `quotes` pairs, each the UTF-8 of exactly two code points (open,
  // close), in declaration order, without duplicates.
  std::vector<std::string> quote_pairs;
  // `enumerations` styles such as "N." or "(a)", without duplicates.
  std::vector<std::string> enumerations;
};

// The marker styles an `enumerations` line may name: a decimal number (N),
// a lower-case (a) or an upper-case (A) Latin letter, written with a
// period, a parenthesis, both, or between parentheses.
bool IsEnumerationStyle(std::string_view style);

// Returns the text of the rule file called `name`, or nullopt.
using RuleFileResolver =
    std::function<std::optional<std::string_view>(std::string_view name)>;

// Parses the rule file `text`, called `name` in messages, resolving
// `include` lines through `resolve`. Each file is included at most once.
// Returns INVALID_ARGUMENT naming file and line for a malformed line, an
// unknown directive, an include that cannot be resolved or is circular, a
// reference to a list that is never declared, a list declared both
// case-sensitive and case-insensitive, a `quotes` pair that is not two
// characters, or an unknown `enumerations` style.
absl::StatusOr<ParsedRuleSet> ParseRuleSet(std::string_view name,
                                           std::string_view text,
                                           const RuleFileResolver& resolve);

}  // namespace tessera::text::internal

#endif  // TESSERA_TEXT_INTERNAL_RULE_PARSER_H_
