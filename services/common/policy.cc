#include "services/common/policy.h"

#include <algorithm>
#include <unordered_map>

#include "common/strings.h"

namespace tessera {
namespace {

constexpr bool kAnyone = true;

std::vector<MethodPolicy>* BuildTable() {
  const std::vector<Role> kCoordinators = {Role::kCoordinator};
  const std::vector<Role> kReaders = {Role::kCoordinator, Role::kTranslator,
                                      Role::kReviewer, Role::kService};
  const std::vector<Role> kTranslators = {Role::kCoordinator,
                                          Role::kTranslator};
  const std::vector<Role> kReviewers = {Role::kCoordinator, Role::kReviewer};
  const std::vector<Role> kCommenters = {Role::kCoordinator, Role::kTranslator,
                                         Role::kReviewer};
  const std::vector<Role> kWatchers = {Role::kCoordinator, Role::kService};
  auto* t = new std::vector<MethodPolicy>{
      // IdentityService. Token calls are open to every user because the
      // core limits non-admins to their own tokens.
      {"/tessera.v1.IdentityService/CreateUser", false, {}},
      {"/tessera.v1.IdentityService/ListUsers", false, {}},
      {"/tessera.v1.IdentityService/SetRoles", false, {}},
      {"/tessera.v1.IdentityService/IssueToken", kAnyone, {}},
      {"/tessera.v1.IdentityService/ListTokens", kAnyone, {}},
      {"/tessera.v1.IdentityService/RevokeToken", kAnyone, {}},
      {"/tessera.v1.IdentityService/WhoAmI", kAnyone, {}},
      // StatementService. Changes need a coordinator, reads any role that
      // works on statements; the core then checks the statement's target
      // languages against the caller's grants.
      {"/tessera.v1.StatementService/CreateStatement", false, kCoordinators},
      {"/tessera.v1.StatementService/UpdateStatement", false, kCoordinators},
      {"/tessera.v1.StatementService/ReviseStatement", false, kCoordinators},
      {"/tessera.v1.StatementService/OpenStatement", false, kCoordinators},
      {"/tessera.v1.StatementService/CloseStatement", false, kCoordinators},
      {"/tessera.v1.StatementService/ArchiveStatement", false, kCoordinators},
      {"/tessera.v1.StatementService/GetStatement", false, kReaders},
      {"/tessera.v1.StatementService/ListStatements", false, kReaders},
      {"/tessera.v1.StatementService/GetRevision", false, kReaders},
      {"/tessera.v1.StatementService/ListRevisions", false, kReaders},
      {"/tessera.v1.StatementService/GetSourceSegment", false, kReaders},
      {"/tessera.v1.StatementService/ListSourceSegments", false, kReaders},
      // TranslationService. The core then checks the caller's grants
      // against the segment's language, and four eyes.
      {"/tessera.v1.TranslationService/ListSegments", false, kReaders},
      {"/tessera.v1.TranslationService/GetSegment", false, kReaders},
      {"/tessera.v1.TranslationService/GetHistory", false, kReaders},
      {"/tessera.v1.TranslationService/ListComments", false, kReaders},
      {"/tessera.v1.TranslationService/SaveDraft", false, kTranslators},
      {"/tessera.v1.TranslationService/Submit", false, kTranslators},
      {"/tessera.v1.TranslationService/Approve", false, kReviewers},
      {"/tessera.v1.TranslationService/Reject", false, kReviewers},
      {"/tessera.v1.TranslationService/Reopen", false, kCoordinators},
      {"/tessera.v1.TranslationService/AddComment", false, kCommenters},
      // AssignmentService. The core then limits translators and reviewers
      // to their own assignments and leases, and checks language grants.
      {"/tessera.v1.AssignmentService/Assign", false, kCoordinators},
      {"/tessera.v1.AssignmentService/UpdateAssignment", false, kCoordinators},
      {"/tessera.v1.AssignmentService/Unassign", false, kCoordinators},
      {"/tessera.v1.AssignmentService/GetAssignment", false, kCommenters},
      {"/tessera.v1.AssignmentService/ListAssignments", false, kCommenters},
      {"/tessera.v1.AssignmentService/ClaimNext", false, kCommenters},
      {"/tessera.v1.AssignmentService/RenewLease", false, kCommenters},
      {"/tessera.v1.AssignmentService/ReleaseLease", false, kCommenters},
      {"/tessera.v1.AssignmentService/GetProgress", false, kCommenters},
      {"/tessera.v1.AssignmentService/GetMyWork", kAnyone, {}},
      // PublicationService. The core then checks the language grants.
      {"/tessera.v1.PublicationService/Publish", false, kCoordinators},
      {"/tessera.v1.PublicationService/GetPublication", false, kReaders},
      {"/tessera.v1.PublicationService/ListPublications", false, kReaders},
      {"/tessera.v1.PublicationService/WatchPublications", false, kWatchers},
      // MemoryService. The core then checks the target language's grant.
      {"/tessera.v1.MemoryService/Lookup", false, kCommenters},
      {"/tessera.v1.MemoryService/GetSuggestions", false, kCommenters},
      {"/tessera.v1.MemoryService/SearchConcordance", false, kCommenters},
      {"/tessera.v1.MemoryService/GetGlossaryEntry", false, kReaders},
      {"/tessera.v1.MemoryService/ListGlossaryEntries", false, kReaders},
      {"/tessera.v1.MemoryService/CreateGlossaryEntry", false, kCoordinators},
      {"/tessera.v1.MemoryService/UpdateGlossaryEntry", false, kCoordinators},
      {"/tessera.v1.MemoryService/DeleteGlossaryEntry", false, kCoordinators},
      {"/tessera.v1.MemoryService/ImportTmx", false, kCoordinators},
      {"/tessera.v1.MemoryService/ExportTmx", false, kCoordinators},
  };
  return t;
}

}  // namespace

const std::vector<MethodPolicy>& AllMethodPolicies() {
  static const std::vector<MethodPolicy>* table = BuildTable();
  return *table;
}

const MethodPolicy* FindMethodPolicy(std::string_view method) {
  // Keys point into the static table's string literals.
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const MethodPolicy*>();
    for (const auto& p : AllMethodPolicies()) (*m)[p.method] = &p;
    return m;
  }();
  auto it = index->find(method);
  return it == index->end() ? nullptr : it->second;
}

bool PolicyAllows(const MethodPolicy& policy, const Principal& caller) {
  if (policy.any_authenticated || caller.IsAdmin()) return true;
  return std::any_of(policy.roles.begin(), policy.roles.end(),
                     [&](Role r) { return caller.HasRole(r); });
}

}  // namespace tessera
