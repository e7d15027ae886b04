#include "services/statement/statement_model.h"

namespace tessera::statement {

std::string_view StatementStateName(StatementState state) {
  switch (state) {
    case StatementState::kDraft:
      return "DRAFT";
    case StatementState::kOpen:
      return "OPEN";
    case StatementState::kClosed:
      return "CLOSED";
    case StatementState::kArchived:
      return "ARCHIVED";
  }
  return "UNSPECIFIED";
}

}  // namespace tessera::statement
