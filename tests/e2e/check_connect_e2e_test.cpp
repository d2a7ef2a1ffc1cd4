// `feedsyncd check --connect` validates each feed's mapping against the CMS before anything is
// written (issue 16): against feedsync-sim serving a typed content type, a disabled locale and
// one extra container, a config that fits exits 0 in both dialects; one with a property missing
// on the type, a value of the wrong kind, an unknown container and a disabled locale exits 78
// with each problem at its file:line.
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// What config/demo.yaml's mapping writes, typed as the vendor's ContentType.
constexpr const char* kContentTypes = R"([{
  "key": "ArticlePage", "baseType": "page",
  "properties": {
    "CmpGuid": {"type": "string", "isRequired": true},
    "Heading": {"type": "string", "isRequired": true},
    "Body": {"type": "richText"},
    "Summary": {"type": "string"},
    "HeroImage": {"type": "url"},
    "Authors": {"type": "string"},
    "Tags": {"type": "array", "items": {"type": "string"}}
  }}])";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("demo config has no " + from);
  return text.replace(at, from.size(), to);
}

std::string v1(std::string config) {
  if (testing::e2e_cms_v1()) return config;
  config = replace(config, "api: version2", "api: v1");
  config = replace(config, "base_url: ${SIM_URL}/_cms/version2", "base_url: ${SIM_URL}/v1");
  return replace(config, "token_url: ${SIM_URL}/_cms/version2/oauth/token", "token_url: ${SIM_URL}/oauth/token");
}

// Line of the first occurrence of `text` in `config` (1-based).
int line_of(const std::string& config, const std::string& text) {
  const auto at = config.find(text);
  return at == std::string::npos ? 0 : 1 + static_cast<int>(std::count(config.begin(), config.begin() + at, '\n'));
}

class CheckConnectE2E : public ::testing::Test {
 protected:
  CheckConnectE2E()
      : types_(dir_.write("types.json", kContentTypes)),
        sim_({"--generate", "3", "--cms-content-types", types_.string(), "--cms-locales", "en,sv:off"}) {}

  testing::ProcessResult check(const std::string& config) {
    const auto file = dir_.write("feedsync.yaml", config);
    return testing::run_process(FEEDSYNC_DAEMON_BIN, {"check", "--connect", "--config", file.string()},
                                {{"SIM_URL", sim_.base_url()},
                                 {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
                                 {"CMS_CLIENT_SECRET", "sim-secret"}},
                                60s);
  }

  testing::TempDir dir_;
  std::filesystem::path types_;
  testing::SimProcess sim_;
};

TEST_F(CheckConnectE2E, AMappingThatFitsTheCmsPassesInBothDialects) {
  for (const auto& config : {testing::demo_config(), v1(testing::demo_config())}) {
    const auto result = check(config);
    EXPECT_EQ(result.exit_status, 0) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("demo mapping against the CMS: ok (content type ArticlePage, 6 mapped "
                                      "properties, container, 1 locale)"));
  }
  EXPECT_EQ(sim_.get("/_sim/cms/items").json().as_array().size(), 0u);  // reads only
}

TEST_F(CheckConnectE2E, EachMismatchIsAConfigErrorAtItsLine) {
  std::string config = v1(testing::demo_config());
  config = replace(config, "container: 43f936c99b234ea397b261c538ad07c9", "container: 0123456789abcdef0123456789abcdef");
  config = replace(config, "locale: en", "locale: sv");
  config = replace(config, "Body: description | strip_pixel", "Body: description");
  config = replace(config, "Summary: meta_description", "Teaser: meta_description");
  const auto result = check(config);
  EXPECT_EQ(result.exit_status, 78) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("demo mapping against the CMS: 4 problems"));
  const auto at = [&](const std::string& text) {
    return "feedsync.yaml:" + std::to_string(line_of(config, text)) + ":";
  };
  const std::string& err = result.err;
  EXPECT_THAT(err, HasSubstr(at("Body: description") + "15: feed demo: mapping.properties.Body: `description` produces "
                             "any value (a bare field), but Body is a richText property"));
  EXPECT_THAT(err, HasSubstr(at("Teaser:") + "17: feed demo: mapping.properties.Teaser: content type ArticlePage has "
                             "no property Teaser"));
  EXPECT_THAT(err, HasSubstr(at("container:") + "16: feed demo: container: no content item "
                             "0123456789abcdef0123456789abcdef in the CMS"));
  EXPECT_THAT(err, HasSubstr(at("locale: sv") + "13: feed demo: locale: locale sv is not enabled in the CMS"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("sim-secret")));
  EXPECT_EQ(sim_.get("/_sim/cms/items").json().as_array().size(), 0u);
}

TEST_F(CheckConnectE2E, AnUnknownContentTypeAndAMissingRequiredPropertyAreReported) {
  std::string config = testing::demo_config();
  config = replace(config, "        CmpGuid: guid\n", "");
  auto result = check(config);
  EXPECT_EQ(result.exit_status, 78) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr("content type ArticlePage requires property CmpGuid (string), which the mapping "
                                    "does not set"));

  result = check(replace(testing::demo_config(), "content_type: ArticlePage", "content_type: StoryPage"));
  EXPECT_EQ(result.exit_status, 78) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr(":19: feed demo: content_type: content type StoryPage does not exist in the CMS"));
}

}  // namespace
}  // namespace feedsync
