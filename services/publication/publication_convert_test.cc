#include "services/publication/publication_convert.h"

#include "common/status_matchers.h"
#include "gtest/gtest.h"

namespace tessera::publication {
namespace {

using ::tessera::testing::StatusIs;

TEST(PublicationConvertTest, PublishRequest) {
  v1::PublishRequest req;
  req.set_statement("statements/s-1");
  req.set_language("FR");
  req.set_policy(v1::PUBLICATION_POLICY_MARK_GAPS);
  ASSERT_OK_AND_ASSIGN(PublishParams p, FromProto(req));
  EXPECT_EQ(p.statement_id, "s-1");
  EXPECT_EQ(p.language, "FR");
  EXPECT_EQ(p.policy, Policy::kMarkGaps);
  req.set_policy(v1::PUBLICATION_POLICY_UNSPECIFIED);
  ASSERT_OK_AND_ASSIGN(p, FromProto(req));
  EXPECT_EQ(p.policy, Policy::kRefuse);

  v1::PublishRequest bad = req;
  bad.set_policy(static_cast<v1::PublicationPolicy>(9));
  EXPECT_THAT(FromProto(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad = req;
  bad.clear_language();
  EXPECT_THAT(FromProto(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad = req;
  bad.set_statement("s-1");
  EXPECT_THAT(FromProto(bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PublicationConvertTest, GetRequestAndNames) {
  v1::GetPublicationRequest req;
  req.set_name("statements/s-1/languages/fr/publications/latest");
  req.set_format(v1::DOCUMENT_FORMAT_HTML);
  req.set_view(v1::PUBLICATION_VIEW_FULL);
  ASSERT_OK_AND_ASSIGN(GetParams g, FromProto(req));
  EXPECT_EQ(g.name.statement_id, "s-1");
  EXPECT_EQ(g.name.language, "fr");
  EXPECT_FALSE(g.name.version.has_value());
  EXPECT_EQ(g.format, OutputFormat::kHtml);
  EXPECT_TRUE(g.full);
  req.set_name("statements/s-1/languages/fr/publications/3");
  ASSERT_OK_AND_ASSIGN(g, FromProto(req));
  EXPECT_EQ(g.name.version, 3);
  for (const char* name :
       {"statements/s-1/languages/fr/publications/0",
        "statements/s-1/languages/fr/publications/x",
        "statements/s-1/languages//publications/1", "statements/s-1"}) {
    req.set_name(name);
    EXPECT_THAT(FromProto(req), StatusIs(absl::StatusCode::kInvalidArgument))
        << name;
  }
}

TEST(PublicationConvertTest, DocumentAndPageResponses) {
  Document d;
  d.publication.statement_id = "s-1";
  d.publication.language = "fr";
  d.publication.version = 2;
  d.publication.publisher = "dora";
  d.content = "# Titre\n";
  d.format = OutputFormat::kMarkdown;
  d.content_type = "text/markdown; charset=utf-8";
  v1::GetPublicationResponse resp;
  ToProto(d, &resp);
  EXPECT_EQ(resp.publication().name(),
            "statements/s-1/languages/fr/publications/2");
  EXPECT_EQ(resp.publication().publisher(), "users/dora");
  EXPECT_EQ(resp.content(), "# Titre\n");
  EXPECT_EQ(resp.format(), v1::DOCUMENT_FORMAT_MARKDOWN);
  EXPECT_EQ(resp.content_type(), "text/markdown; charset=utf-8");

  PublicationPage page;
  page.publications = {d.publication, d.publication};
  page.next_page_token = "next";
  v1::ListPublicationsResponse list;
  ToProto(page, &list);
  EXPECT_EQ(list.publications_size(), 2);
  EXPECT_EQ(list.next_page_token(), "next");
}

TEST(PublicationConvertTest, ListQuery) {
  v1::ListPublicationsRequest req;
  req.set_statement("statements/s-1");
  req.add_languages("fr");
  req.mutable_create_time_range()->mutable_start_time()->set_seconds(10);
  auto* sel = req.add_label_selectors();
  sel->set_key("kind");
  req.set_latest_only(true);
  ASSERT_OK_AND_ASSIGN(ListQuery q, ListQueryFromProto(req));
  EXPECT_EQ(q.statement_id, "s-1");
  EXPECT_EQ(q.languages, std::vector<std::string>{"fr"});
  EXPECT_EQ(q.start_time, absl::FromUnixSeconds(10));
  EXPECT_FALSE(q.end_time.has_value());
  ASSERT_EQ(q.label_selectors.size(), 1u);
  EXPECT_FALSE(q.label_selectors[0].value.has_value());
  EXPECT_TRUE(q.latest_only);
  EXPECT_FALSE(q.full);
}

}  // namespace
}  // namespace tessera::publication
