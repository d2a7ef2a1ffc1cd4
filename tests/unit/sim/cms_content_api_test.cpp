// The content routes both CMS dialects share (sim/cms_content_api.hpp), called directly on each
// dialect: the same lookups and refusals, answered in each dialect's way (its policy).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <memory>
#include <string>

#include "sim/cms_flat.hpp"
#include "sim/cms_sim.hpp"
#include "sim/cms_v1.hpp"

namespace feedsync::sim {
namespace {

namespace json = boost::json;

constexpr const char* kKey = "6946107a8ad6414f8f1786364dab1ec2";
constexpr const char* kUnknownKey = "0123456789abcdef0123456789abcdef";

// What each dialect answers differently, as the tests below expect it.
struct DialectCase {
  const char* name;
  bool v1;
  int undelete_live_status;
  const char* undelete_live_code;
  int soft_delete_status;  // without Prefer
  json::kind errors_kind;  // field errors: keyed by field (flat) or listed (v1)
};

const DialectCase kFlat{"flat", false, 409, "Conflict", 200, json::kind::object};
const DialectCase kV1{"v1", true, 400, "ValidationFailed", 204, json::kind::array};

struct Request {
  net::ServerRequest request;

  Request& key(std::string k) { return param("key", std::move(k)); }
  Request& param(std::string name, std::string value) {
    request.params.add(std::move(name), std::move(value));
    return *this;
  }
  Request& query(std::string name, std::string value) {
    request.query.add(std::move(name), std::move(value));
    return *this;
  }
  Request& header(std::string_view name, std::string value) {
    request.headers.set(name, std::move(value));
    return *this;
  }
  Request& body(std::string_view content_type, const json::object& body) {
    request.headers.set("Content-Type", std::string(content_type));
    request.body = json::serialize(body);
    return *this;
  }
};

json::object body_of(const net::ServerResponse& response) {
  const json::value parsed = json::parse(response.body);
  return parsed.as_object();
}

class CmsContentApiTest : public ::testing::TestWithParam<DialectCase> {
 protected:
  CmsContentApiTest() {
    api_ = GetParam().v1 ? make_v1_api(store_, options_) : make_flat_api(store_, options_);
    CmsCreateInput input{kKey, "ArticlePage", kCmsRootContainer, {}};
    input.version.locale = "en";
    input.version.display_name = "Hello";
    input.version.route_segment = "hello";
    auto item = store_.create(std::move(input), actor_);
    EXPECT_TRUE(item.has_value());
    version_ = (*item)->versions.back().id();
  }

  template <class Handler>
  net::ServerResponse call(Handler handler, const Request& r) {
    return (*api_.*handler)(CmsCall{r.request, actor_});
  }
  CmsItem* stored(bool allow_deleted = true) { return store_.find(kKey, allow_deleted); }

  CmsSimOptions options_;
  CmsStore store_{options_.content_types};
  CmsActor actor_{"tester", 1'700'000'000'000};
  std::unique_ptr<CmsContentApi> api_;
  std::string version_;
};

TEST_P(CmsContentApiTest, AnUnknownOrMalformedKeyIsNotFoundOnEveryItemRoute) {
  for (const std::string key : {kUnknownKey, "not-a-key"}) {
    const auto request = Request().key(key).param("version", version_);
    for (auto handler : {&CmsContentApi::get_item, &CmsContentApi::delete_item, &CmsContentApi::undelete,
                         &CmsContentApi::list_versions, &CmsContentApi::get_version, &CmsContentApi::delete_version}) {
      const auto response = call(handler, request);
      ASSERT_EQ(response.status, 404) << key << ": " << response.body;
      EXPECT_EQ(body_of(response).at("detail"), json::value("Content '" + key + "' does not exist."));
      EXPECT_EQ(body_of(response).at("code"), "NotFound");
    }
  }
}

TEST_P(CmsContentApiTest, AnUnknownVersionIsNotFoundNamingTheVersionAndTheItem) {
  const auto request = Request().key(kKey).param("version", "999").body("application/merge-patch+json", {});
  for (auto handler : {&CmsContentApi::get_version, &CmsContentApi::patch_version, &CmsContentApi::delete_version}) {
    const auto response = call(handler, request);
    ASSERT_EQ(response.status, 404) << response.body;
    EXPECT_EQ(body_of(response).at("detail"), json::value("Version '999' of content '" + std::string(kKey) + "' does not exist."));
  }
  const auto found = call(&CmsContentApi::get_version, Request().key(kKey).param("version", version_));
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.headers.get("ETag"), "\"" + std::to_string(stored()->versions.back().revision) + "\"");
}

TEST_P(CmsContentApiTest, ASoftDeletedItemIsFoundOnlyWhenDeletedItemsAreAllowed) {
  store_.soft_delete(*stored(), actor_);
  EXPECT_EQ(call(&CmsContentApi::get_item, Request().key(kKey)).status, 404);
  EXPECT_EQ(call(&CmsContentApi::get_item, Request().key(kKey).query("allowDeleted", "TRUE")).status, 200);
  EXPECT_EQ(call(&CmsContentApi::list_versions, Request().key(kKey).query("allowDeleted", "true")).status, 200);
  // Writes never see it.
  EXPECT_EQ(call(&CmsContentApi::delete_version, Request().key(kKey).param("version", version_)).status, 404);
  EXPECT_EQ(call(&CmsContentApi::undelete, Request().key(kKey)).status, 200);
  EXPECT_FALSE(stored()->deleted_ms);
}

TEST_P(CmsContentApiTest, UndeletingALiveItemIsRefusedWithTheDialectsStatus) {
  const auto response = call(&CmsContentApi::undelete, Request().key(kKey));
  EXPECT_EQ(response.status, GetParam().undelete_live_status) << response.body;
  EXPECT_EQ(body_of(response).at("code"), GetParam().undelete_live_code);
  EXPECT_EQ(body_of(response).at("detail"), json::value("Content '" + std::string(kKey) + "' is not deleted."));
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json");
}

TEST_P(CmsContentApiTest, AStaleIfMatchIsAPreconditionFailure) {
  const auto request = Request().key(kKey).param("version", version_).header("If-Match", "\"999999\"");
  EXPECT_EQ(call(&CmsContentApi::delete_version, request).status, 412);
  EXPECT_EQ(call(&CmsContentApi::delete_item, request).status, 412);
  EXPECT_EQ(stored(false)->versions.size(), 1u);
}

TEST_P(CmsContentApiTest, FieldErrorsTakeTheDialectsShape) {
  const auto response = call(&CmsContentApi::patch_item, Request().key(kKey).body("application/merge-patch+json",
                                                                                   {{"contentType", "NewsPage"}}));
  ASSERT_EQ(response.status, 400) << response.body;
  const auto body = body_of(response);
  ASSERT_EQ(body.at("errors").kind(), GetParam().errors_kind) << response.body;
  const std::string errors = json::serialize(body.at("errors"));
  EXPECT_NE(errors.find("contentType"), std::string::npos) << errors;
}

TEST_P(CmsContentApiTest, ASoftDeleteAnswersInTheDialectsWay) {
  const auto response = call(&CmsContentApi::delete_item, Request().key(kKey));
  EXPECT_EQ(response.status, GetParam().soft_delete_status) << response.body;
  EXPECT_TRUE(stored()->deleted_ms);
  if (GetParam().v1) {
    EXPECT_TRUE(response.body.empty());
    store_.undelete(*stored(), actor_);
    const auto preferred =
        call(&CmsContentApi::delete_item, Request().key(kKey).header("Prefer", "Return=Representation"));
    EXPECT_EQ(preferred.status, 200);
    EXPECT_TRUE(body_of(preferred).contains("deleted"));
    EXPECT_EQ(preferred.headers.get("Location"), "/v1/content/" + std::string(kKey));
  } else {
    EXPECT_TRUE(body_of(response).contains("deleted"));
    EXPECT_FALSE(response.headers.get("Location"));
  }
}

TEST_P(CmsContentApiTest, PermanentDeletionIsAskedForInTheDialectsWayOnly) {
  const auto by_query = Request().key(kKey).query("permanent", "true");
  const auto by_header = Request().key(kKey).header("cms-permanent-delete", "True");
  const auto& asks = GetParam().v1 ? by_header : by_query;
  const auto& ignored = GetParam().v1 ? by_query : by_header;

  EXPECT_EQ(call(&CmsContentApi::delete_item, ignored).status, GetParam().soft_delete_status);
  ASSERT_NE(stored(), nullptr);  // soft-deleted only
  EXPECT_EQ(call(&CmsContentApi::delete_item, asks).status, 204);  // a soft-deleted item can go for good
  EXPECT_EQ(stored(), nullptr);
}

TEST_P(CmsContentApiTest, DeletingALocaleNamesItInTheDialectsWay) {
  auto request = Request().key(kUnknownKey);
  if (GetParam().v1) request.param("locale", "en");
  // flat: the missing ?locale= is found before the unknown key.
  EXPECT_EQ(call(&CmsContentApi::delete_locale, request).status, GetParam().v1 ? 404 : 400);

  CmsVersionInput swedish;
  swedish.locale = "sv";
  swedish.display_name = "Hej";
  swedish.route_segment = "hej";
  ASSERT_TRUE(store_.add_version(*stored(), std::move(swedish), actor_).has_value());
  auto named = Request().key(kKey);
  if (GetParam().v1) {
    named.param("locale", "sv");
  } else {
    named.query("locale", "sv");
  }
  const auto response = call(&CmsContentApi::delete_locale, named);
  EXPECT_EQ(response.status, 204) << response.body;
  ASSERT_EQ(stored()->versions.size(), 1u);
  EXPECT_EQ(stored()->versions.front().locale, "en");
}

INSTANTIATE_TEST_SUITE_P(Dialects, CmsContentApiTest, ::testing::Values(kFlat, kV1),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace feedsync::sim
