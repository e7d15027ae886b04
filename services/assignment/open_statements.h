// OpenStatements: per language, the open statements that target it, by
// deadline then age, for ClaimNext calls that name no statement. A list is
// reused while the change feed since it was built holds no "statement."
// event: every change of a statement's state, deadline, languages, open
// claiming or revision commits one (storage/FORMAT.md, "feed").
//
// Thread-safe.
#ifndef TESSERA_SERVICES_ASSIGNMENT_OPEN_STATEMENTS_H_
#define TESSERA_SERVICES_ASSIGNMENT_OPEN_STATEMENTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/assignment/statement_reader.h"
#include "services/statement/statement_model.h"
#include "storage/feed_source.h"

namespace tessera::assignment::internal {

class OpenStatements {
 public:
  // Statements with their internal ids.
  using List = std::vector<std::pair<statement::Statement, uint64_t>>;

  // Neither owned; both must outlive the cache.
  OpenStatements(const storage::FeedSource* feed, StatementReader* statements)
      : feed_(feed), statements_(statements) {}

  // The open statements targeting `language` (canonical). Errors are the
  // feed's and the statement reader's.
  absl::StatusOr<std::shared_ptr<const List>> Of(const std::string& language);

  // How many times a list was built rather than reused.
  int BuildsForTest() {
    absl::MutexLock lock(&mu_);
    return builds_;
  }

 private:
  struct Entry {
    std::shared_ptr<const List> list;
    uint64_t seq = 0;  // the feed position the list is valid at
  };

  const storage::FeedSource* feed_;
  StatementReader* statements_;

  absl::Mutex mu_;
  std::map<std::string, Entry> lists_ ABSL_GUARDED_BY(mu_);
  int builds_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tessera::assignment::internal

#endif  // TESSERA_SERVICES_ASSIGNMENT_OPEN_STATEMENTS_H_
