#include "core/locale_match.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync {
namespace {

using ::testing::ElementsAre;

// The locale, or what went wrong: "not mapped: a, b" / "ambiguous: a, b".
std::string resolved(const std::map<std::string, std::string>& map, std::string_view code) {
  auto result = resolve_locale(map, code);
  if (result) return *result;
  std::string out = result.error().kind == LocaleMiss::Kind::ambiguous ? "ambiguous:" : "not mapped:";
  for (const auto& key : result.error().keys) out += " " + key;
  return out;
}

TEST(LocaleMatch, NormalizesCaseAndSeparator) {
  EXPECT_EQ(normalized_lang_code("EN_us"), "en-us");
  EXPECT_EQ(normalized_lang_code("de-DE"), "de-de");
  EXPECT_EQ(normalized_lang_code("eng"), "eng");
}

TEST(LocaleMatch, ExactEntryIgnoringCaseAndSeparator) {
  const std::map<std::string, std::string> map{{"en_US", "en-US"}, {"EN", "en"}};
  EXPECT_EQ(resolved(map, "en_US"), "en-US");
  EXPECT_EQ(resolved(map, "en-us"), "en-US");
  EXPECT_EQ(resolved(map, "EN-US"), "en-US");
  EXPECT_EQ(resolved(map, "en"), "en");  // exact wins over the single regional entry
}

TEST(LocaleMatch, RegionFallsBackToItsLanguage) {
  const std::map<std::string, std::string> map{{"en", "en"}, {"de", "de"}};
  EXPECT_EQ(resolved(map, "en_US"), "en");
  EXPECT_EQ(resolved(map, "en-GB"), "en");
  EXPECT_EQ(resolved(map, "DE_at"), "de");
  EXPECT_EQ(resolved(map, "fr_FR"), "not mapped: de en");
}

TEST(LocaleMatch, LanguageFallsBackToItsOnlyRegionalEntry) {
  const std::map<std::string, std::string> map{{"en_US", "en-US"}, {"de-DE", "de"}};
  EXPECT_EQ(resolved(map, "en"), "en-US");
  EXPECT_EQ(resolved(map, "EN"), "en-US");
  EXPECT_EQ(resolved(map, "de"), "de");
  // Another region of the language is not a fallback: en-GB is not en-US.
  EXPECT_EQ(resolved(map, "en_GB"), "not mapped: de-DE en_US");
  // A language is not a prefix of a longer code: "e" is not "en".
  EXPECT_EQ(resolved(map, "e"), "not mapped: de-DE en_US");
}

TEST(LocaleMatch, TwoRegionalEntriesForABareLanguageAreAmbiguous) {
  const std::map<std::string, std::string> map{{"en-GB", "en-GB"}, {"en_US", "en-US"}, {"fr", "fr"}};
  EXPECT_EQ(resolved(map, "en"), "ambiguous: en-GB en_US");
  EXPECT_EQ(resolved(map, "en_US"), "en-US");  // exact still wins
  const auto miss = resolve_locale(map, "en").error();
  EXPECT_THAT(miss.keys, ElementsAre("en-GB", "en_US"));
  // With an entry of its own the language is not ambiguous.
  auto with_language = map;
  with_language.emplace("en", "en");
  EXPECT_EQ(resolved(with_language, "en"), "en");
}

TEST(LocaleMatch, ThreeLetterCodesMatchOnlyThemselves) {
  const std::map<std::string, std::string> map{{"eng", "en"}, {"en_US", "en-US"}};
  EXPECT_EQ(resolved(map, "eng"), "en");
  EXPECT_EQ(resolved(map, "en"), "en-US");
  EXPECT_EQ(resolved(map, "deu"), "not mapped: en_US eng");
}

}  // namespace
}  // namespace feedsync
