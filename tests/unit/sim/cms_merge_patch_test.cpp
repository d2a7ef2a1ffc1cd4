// JSON Merge Patch: the examples of RFC 7396 Appendix A, plus the simulator's edge cases.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sim/cms_merge_patch.hpp"

namespace feedsync::sim {
namespace {

std::string patched(const char* target, const char* patch) {
  boost::json::value t = boost::json::parse(target);
  apply_merge_patch(t, boost::json::parse(patch));
  return boost::json::serialize(t);
}

TEST(CmsMergePatch, Rfc7396AppendixA) {
  EXPECT_EQ(patched(R"({"a":"b"})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(patched(R"({"a":"b"})", R"({"b":"c"})"), R"({"a":"b","b":"c"})");
  EXPECT_EQ(patched(R"({"a":"b"})", R"({"a":null})"), R"({})");
  EXPECT_EQ(patched(R"({"a":"b","b":"c"})", R"({"a":null})"), R"({"b":"c"})");
  EXPECT_EQ(patched(R"({"a":["b"]})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(patched(R"({"a":"c"})", R"({"a":["b"]})"), R"({"a":["b"]})");
  EXPECT_EQ(patched(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), R"({"a":{"b":"d"}})");
  EXPECT_EQ(patched(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), R"({"a":[1]})");
  EXPECT_EQ(patched(R"(["a","b"])", R"(["c","d"])"), R"(["c","d"])");
  EXPECT_EQ(patched(R"({"a":"b"})", R"(["c"])"), R"(["c"])");
  EXPECT_EQ(patched(R"({"a":"foo"})", "null"), "null");
  EXPECT_EQ(patched(R"({"a":"foo"})", R"("bar")"), R"("bar")");
  EXPECT_EQ(patched(R"({"e":null})", R"({"a":1})"), R"({"e":null,"a":1})");
  EXPECT_EQ(patched(R"([1,2])", R"({"a":"b","c":null})"), R"({"a":"b"})");
  EXPECT_EQ(patched(R"({})", R"({"a":{"bb":{"ccc":null}}})"), R"({"a":{"bb":{}}})");
}

TEST(CmsMergePatch, EmptyPatchChangesNothing) {
  EXPECT_EQ(patched(R"({"properties":{"Heading":"x"}})", "{}"), R"({"properties":{"Heading":"x"}})");
}

}  // namespace
}  // namespace feedsync::sim
