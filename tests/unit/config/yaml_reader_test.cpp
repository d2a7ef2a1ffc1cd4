#include "config/yaml_reader.hpp"

#include <gtest/gtest.h>

namespace feedsync::config::detail {
namespace {

TEST(KeyPaths, PlainKeysUseDotsOthersAreQuoted) {
  EXPECT_EQ(child_path("", "cms"), "cms");
  EXPECT_EQ(child_path("cms", "base_url"), "cms.base_url");
  EXPECT_EQ(child_path("source.headers", "X-Api-Key"), "source.headers.X-Api-Key");
  EXPECT_EQ(child_path("p", "Ad Date"), "p[\"Ad Date\"]");
  EXPECT_EQ(child_path("p", "a\"b"), "p[\"a\\\"b\"]");
  EXPECT_EQ(child_path("", ""), "[\"\"]");
  EXPECT_EQ(index_path("feeds", 3), "feeds[3]");
}

TEST(Document, FormatsPositionsOneBasedAndLeavesOutWhatIsUnknown) {
  const Environment env;
  const Document doc("feedsync.yaml", env);
  YAML::Mark mark;
  mark.line = 22;
  mark.column = 6;
  EXPECT_EQ(doc.format(mark, "feeds[1].interval", "bad"),
            "feedsync.yaml:23:7: feeds[1].interval: bad");
  EXPECT_EQ(doc.format(mark, "", "bad"), "feedsync.yaml:23:7: bad");
  EXPECT_EQ(doc.format(YAML::Mark::null_mark(), "cms", "bad"), "feedsync.yaml: cms: bad");
  EXPECT_EQ(doc.pos(mark).line, 23);
  EXPECT_EQ(doc.pos(mark).column, 7);
  EXPECT_EQ(doc.pos(YAML::Mark::null_mark()).line, 0);
}

TEST(Document, MasksSecretsInEveryMessage) {
  const Environment env;
  Document doc("f.yaml", env);
  doc.remember_secret("hunter2");
  EXPECT_EQ(doc.format(YAML::Mark::null_mark(), "k", "got \"hunter2hunter2\""),
            "f.yaml: k: got \"<redacted><redacted>\"");
}

TEST(Document, MaskingTerminatesWhenTheSecretOccursInTheMask) {
  const Environment env;
  Document doc("f.yaml", env);
  doc.remember_secret("dact");
  EXPECT_EQ(doc.format(YAML::Mark::null_mark(), "k", "dact dact"), "f.yaml: k: <redacted> <redacted>");
}

TEST(Document, ShortSecretsAreNotMasked) {
  const Environment env;
  Document doc("f.yaml", env);
  doc.remember_secret("x");
  EXPECT_EQ(doc.format(YAML::Mark::null_mark(), "k", "expected x"), "f.yaml: k: expected x");
}

}  // namespace
}  // namespace feedsync::config::detail
