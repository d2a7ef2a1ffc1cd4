// The CMS simulator's definitions (sim/cms_schema_api): content types and locales in the
// vendor's v1 shapes under both bases, plain containers readable as items, and the writes they
// govern (required properties, locales that do not exist or are not enabled).

#include "unit/sim/cms_test_support.hpp"

#include "sim/cms_schema_api.hpp"

namespace feedsync::sim::testing {
namespace {

using net::Method;

constexpr const char* kFolder = "98eb33cfa7df48d1b987442c522984c8";

CmsSimOptions typed_options() {
  CmsSimOptions options;
  options.content_types = {
      {"ArticlePage", true, {{"Heading", "string", true}, {"Body", "richText"}, {"Tags", "array", false, "string"}}},
      {"LooseType", true, {}}};
  options.locales = {{"en", true}, {"sv", false}};
  options.containers = {kFolder};
  return options;
}

class CmsSchemaTest : public CmsTest {
 protected:
  CmsSchemaTest() : CmsTest(typed_options()) {}
};

TEST_F(CmsSchemaTest, AContentTypeIsServedInTheVendorsShapeUnderBothBases) {
  for (const std::string base : {kV1, kFlat}) {
    const auto reply = get(base + "/contenttypes/ArticlePage");
    ASSERT_EQ(reply.status, 200) << base << reply.body;
    const auto type = reply.object();
    EXPECT_EQ(str(type.at("key")), "ArticlePage");
    EXPECT_EQ(str(type.at("baseType")), "page");
    const auto& properties = type.at("properties").as_object();
    EXPECT_EQ(str(properties.at("Heading").at("type")), "string");
    EXPECT_TRUE(properties.at("Heading").at("isRequired").as_bool());
    EXPECT_EQ(str(properties.at("Body").at("type")), "richText");
    EXPECT_EQ(str(properties.at("Tags").at("items").at("type")), "string");
  }
  EXPECT_FALSE(get(std::string(kV1) + "/contenttypes/LooseType").object().contains("properties"));
  const auto missing = get(std::string(kV1) + "/contenttypes/NoSuchType");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("NoSuchType"), std::string::npos);
  EXPECT_EQ(send(Method::get, std::string(kV1) + "/contenttypes/ArticlePage").status, 401);
}

TEST_F(CmsSchemaTest, LocalesAnswerWhetherTheyExistAndAreEnabled) {
  const auto en = get(std::string(kV1) + "/locales/en");
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_TRUE(en.object().at("isEnabled").as_bool());
  EXPECT_FALSE(get(std::string(kV1) + "/locales/sv").object().at("isEnabled").as_bool());
  EXPECT_EQ(get(std::string(kV1) + "/locales/de").status, 404);
}

TEST_F(CmsSchemaTest, PlainContainersAreReadableAsItemsAndUnknownKeysAreNot) {
  for (const std::string& key : {std::string(kRoot), std::string(kFolder)}) {
    const auto reply = get(std::string(kV1) + "/content/" + key);
    ASSERT_EQ(reply.status, 200) << key << reply.body;
    EXPECT_EQ(str(reply.object().at("key")), key);
  }
  EXPECT_EQ(get(content(kFolder)).status, 200);
  EXPECT_EQ(get(std::string(kV1) + "/content/0123456789abcdef0123456789abcdef").status, 404);
}

TEST_F(CmsSchemaTest, WritesNeedRequiredPropertiesAndAnEnabledLocale) {
  auto no_heading = article("", "Hello");
  no_heading["properties"] = json::object{{"Body", "<p>x</p>"}};
  const auto refused = post(content(), no_heading);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("properties.Heading"), std::string::npos) << refused.body;

  auto swedish = article("", "Hej");
  swedish["locale"] = "sv";
  const auto disabled = post(content(), swedish);
  EXPECT_EQ(disabled.status, 400);
  EXPECT_NE(disabled.body.find("not enabled"), std::string::npos) << disabled.body;

  auto german = article("", "Hallo");
  german["locale"] = "de";
  EXPECT_NE(post(content(), german).body.find("does not exist"), std::string::npos);
  EXPECT_EQ(post(content(), article("", "Hello")).status, 201);
}

TEST(CmsSchemaParse, ContentTypesAndLocalesFromTheirCommandLineForms) {
  const auto types = content_types_from_json(json::parse(R"([
    {"key": "Story", "properties": {"Heading": {"type": "string", "isRequired": true},
                                    "Tags": {"type": "array", "items": {"type": "string"}}}},
    {"key": "Folder", "baseType": "folder"}])"));
  ASSERT_TRUE(types) << types.error();
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].properties.size(), 2u);
  EXPECT_TRUE((*types)[0].properties[0].required || (*types)[0].properties[1].required);
  EXPECT_FALSE((*types)[1].localized);
  EXPECT_FALSE(content_types_from_json(json::parse(R"([{"properties": {}}])")));
  EXPECT_FALSE(content_types_from_json(json::parse(R"([{"key": "A", "properties": {"B": {}}}])")));

  const auto locales = locales_from_list({"en", "fr:off"});
  ASSERT_TRUE(locales);
  EXPECT_TRUE((*locales)[0].enabled);
  EXPECT_FALSE((*locales)[1].enabled);
  EXPECT_FALSE(locales_from_list({"fr:maybe"}));
}

}  // namespace
}  // namespace feedsync::sim::testing
