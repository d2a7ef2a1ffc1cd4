#include "config/values.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>

namespace feedsync::config::detail {
namespace {

template <class T>
std::string error(const Parsed<T>& parsed) {
  return parsed.value ? "(accepted)" : parsed.error;
}

TEST(DurationValue, MessagesSayWhatIsExpected) {
  EXPECT_EQ(parse_duration_value("1h30m").value, std::chrono::minutes(90));
  EXPECT_EQ(error(parse_duration_value("often")), "expected a duration like 30s, got \"often\"");
  EXPECT_EQ(error(parse_duration_value("30")),
            "expected a duration like 30s, got \"30\" (add a unit: ms, s, m, h or d)");
  EXPECT_EQ(error(parse_duration_value("200000d")),
            "duration \"200000d\" is too long (the maximum is 106751d)");
}

TEST(RateValue, Messages) {
  EXPECT_EQ(parse_rate_value("600/m").value, Rate{10.0});
  EXPECT_EQ(error(parse_rate_value("fast")),
            "expected a rate like 10/s, 600/m or unlimited, got \"fast\"");
}

TEST(IntegerValue, RangeAndSyntax) {
  EXPECT_EQ(parse_integer_value("1", 1, 999).value, 1);
  EXPECT_EQ(parse_integer_value("999", 1, 999).value, 999);
  EXPECT_EQ(error(parse_integer_value("0", 1, 999)),
            "expected a whole number from 1 to 999, got \"0\"");
  EXPECT_EQ(error(parse_integer_value("1000", 1, 999)),
            "expected a whole number from 1 to 999, got \"1000\"");
  EXPECT_EQ(error(parse_integer_value("12abc", 1, 999)),
            "expected a whole number from 1 to 999, got \"12abc\"");
  EXPECT_EQ(error(parse_integer_value("1.0", 1, 999)),
            "expected a whole number from 1 to 999, got \"1.0\"");
  EXPECT_EQ(error(parse_integer_value("-1", 0, std::numeric_limits<long long>::max())),
            "expected a whole number of at least 0, got \"-1\"");
  EXPECT_EQ(error(parse_integer_value("99999999999999999999", 0, 10)),
            "expected a whole number from 0 to 10, got \"99999999999999999999\"");
}

TEST(NumberValue, RangeAndSyntax) {
  EXPECT_EQ(parse_number_value("0", 0, 1).value, 0.0);
  EXPECT_EQ(parse_number_value("0.25", 0, 1).value, 0.25);
  EXPECT_EQ(parse_number_value("1", 0, 1).value, 1.0);
  EXPECT_EQ(error(parse_number_value("1.5", 0, 1)), "expected a number from 0 to 1, got \"1.5\"");
  EXPECT_EQ(error(parse_number_value("-0.1", 0, 1)), "expected a number from 0 to 1, got \"-0.1\"");
  EXPECT_EQ(error(parse_number_value("nan", 0, 1)), "expected a number from 0 to 1, got \"nan\"");
  EXPECT_EQ(error(parse_number_value("20%", 0, 1)), "expected a number from 0 to 1, got \"20%\"");
}

TEST(BoolValue, OnlyYaml12Spellings) {
  EXPECT_EQ(parse_bool_value("true").value, true);
  EXPECT_EQ(parse_bool_value("False").value, false);
  EXPECT_EQ(error(parse_bool_value("yes")), "expected true or false, got \"yes\"");
  EXPECT_EQ(error(parse_bool_value("1")), "expected true or false, got \"1\"");
}

TEST(ChoiceValue, ListsTheChoices) {
  constexpr std::array<std::string_view, 3> kChoices{"soft", "permanent", "keep"};
  EXPECT_EQ(parse_choice_value("keep", kChoices).value, 2u);
  EXPECT_EQ(error(parse_choice_value("Soft", kChoices)),
            "expected soft, permanent or keep, got \"Soft\"");
}

TEST(HttpUrlValue, AcceptsHttpAndHttpsWithAHost) {
  for (const char* url : {"https://api.optimizely.com", "http://127.0.0.1:8080/x?y=1",
                          "https://[::1]:8443/_cms/version2", "HTTPS://Example.COM/"}) {
    EXPECT_EQ(parse_http_url_value(url).value, url) << url;
  }
}

TEST(HttpUrlValue, RejectsEverythingElse) {
  EXPECT_EQ(error(parse_http_url_value("api.optimizely.com")),
            "expected an absolute URL like https://example.com, got \"api.optimizely.com\"");
  EXPECT_EQ(error(parse_http_url_value("https://exa mple.com")),
            "expected an absolute URL like https://example.com, got \"https://exa mple.com\"");
  EXPECT_EQ(error(parse_http_url_value("ftp://example.com")),
            "expected an http:// or https:// URL, got \"ftp://example.com\"");
  EXPECT_EQ(error(parse_http_url_value("https:///path")), "URL has no host: \"https:///path\"");
  EXPECT_EQ(error(parse_http_url_value("https:/path")), "URL has no host: \"https:/path\"");
}

TEST(HttpUrlValue, CredentialsInAUrlAreRejectedWithoutEchoingThem) {
  const auto message = error(parse_http_url_value("https://user:pa55word@example.com/"));
  EXPECT_EQ(message,
            "URLs must not contain a user name or password; credentials have their own keys");
  EXPECT_EQ(message.find("pa55word"), std::string::npos);
}

TEST(ListenValue, HostPortForms) {
  auto v4 = parse_listen_value("127.0.0.1:9464");
  ASSERT_TRUE(v4.value);
  EXPECT_EQ(v4.value->host, "127.0.0.1");
  EXPECT_EQ(v4.value->port, 9464);

  auto v6 = parse_listen_value("[::1]:1");
  ASSERT_TRUE(v6.value);
  EXPECT_EQ(v6.value->host, "::1");
  EXPECT_EQ(v6.value->port, 1);

  auto any = parse_listen_value("127.0.0.1:0");  // any free port
  ASSERT_TRUE(any.value);
  EXPECT_EQ(any.value->port, 0);

  auto name = parse_listen_value("localhost:65535");
  ASSERT_TRUE(name.value);
  EXPECT_EQ(name.value->host, "localhost");
  EXPECT_EQ(name.value->port, 65535);
}

TEST(ListenValue, RejectsBadShapesAndPorts) {
  for (const char* text : {"localhost", ":9464", "::1:9464", "[::1]", "user@host:1",
                           "host:", "[v1.x]:80", "host:80/x", ""}) {
    EXPECT_EQ(error(parse_listen_value(text)),
              "expected host:port or [ipv6]:port, got " + quote(text))
        << text;
  }
  EXPECT_EQ(error(parse_listen_value("127.0.0.1:65536")),
            "expected a port from 0 to 65535, got \"127.0.0.1:65536\"");
  EXPECT_EQ(error(parse_listen_value("127.0.0.1:99999999999999999999")),
            "expected a port from 0 to 65535, got \"127.0.0.1:99999999999999999999\"");
}

TEST(FeedNameValue, LowercaseSlugs) {
  for (const char* name : {"blog", "0news", "a_b-c", "x"}) {
    EXPECT_TRUE(parse_feed_name_value(name).value) << name;
  }
  for (const char* name : {"", "Blog", "-blog", "_blog", "blog post", "blög", "a.b"}) {
    EXPECT_EQ(
        error(parse_feed_name_value(name)),
        "expected a name of a-z, 0-9, _ and - starting with a letter or digit, got " + quote(name));
  }
}

TEST(FeedIdValue, LettersAndDigits) {
  EXPECT_TRUE(parse_feed_id_value("0569f69ed223720c699936eddbc7tyxP8d3").value);
  EXPECT_EQ(error(parse_feed_id_value("abc-123")),
            "expected a feed id of letters and digits, got \"abc-123\"");
  EXPECT_EQ(error(parse_feed_id_value("")), "expected a feed id of letters and digits, got \"\"");
}

TEST(ContainerValue, NormalisesToLowercaseUndashedHex) {
  EXPECT_EQ(parse_container_value("98eb33cfa7df48d1b987442c522984c8").value,
            "98eb33cfa7df48d1b987442c522984c8");
  EXPECT_EQ(parse_container_value("98EB33CFA7DF48D1B987442C522984C8").value,
            "98eb33cfa7df48d1b987442c522984c8");
  EXPECT_EQ(parse_container_value("98eb33cf-a7df-48d1-b987-442c522984c8").value,
            "98eb33cfa7df48d1b987442c522984c8");
}

TEST(ContainerValue, RejectsOtherShapes) {
  for (const char* text :
       {"", "98eb33cfa7df48d1b987442c522984c", "98eb33cfa7df48d1b987442c522984c8a",
        "98eb33cfa7df48d1b987442c522984cg", "98eb33cf-a7df48d1-b987-442c522984c8",
        "98eb33cfa-7df-48d1-b987-442c522984c8", "{98eb33cf-a7df-48d1-b987-442c522984c8}"}) {
    EXPECT_EQ(error(parse_container_value(text)),
              "expected a container GUID of 32 hex digits, got " + quote(text))
        << text;
  }
}

TEST(UrlTemplateValue, KnownPlaceholdersInAnHttpUrl) {
  for (const char* text : {"https://www.example.com/{locale}/{route_segment}",
                           "https://{locale}.example.com/{key}?g={guid}",
                           "https://www.example.com/{meta_url}", "https://www.example.com/"}) {
    EXPECT_EQ(parse_url_template_value(text).value, text) << text;
  }
}

TEST(UrlTemplateValue, Errors) {
  EXPECT_EQ(
      error(parse_url_template_value("https://x.com/{slug}")),
      "unknown placeholder {slug}; use {locale}, {route_segment}, {key}, {guid} or {meta_url}");
  EXPECT_EQ(error(parse_url_template_value("https://x.com/{}")),
            "unknown placeholder {}; use {locale}, {route_segment}, {key}, {guid} or {meta_url}");
  EXPECT_EQ(error(parse_url_template_value("https://x.com/{locale")),
            "unbalanced \"{\" in URL template \"https://x.com/{locale\"");
  EXPECT_EQ(error(parse_url_template_value("https://x.com/locale}")),
            "unbalanced \"}\" in URL template \"https://x.com/locale}\"");
  EXPECT_EQ(error(parse_url_template_value("/{locale}/{route_segment}")),
            "expected an http(s) URL template like "
            "https://www.example.com/{locale}/{route_segment}, got \"/{locale}/{route_segment}\"");
  EXPECT_EQ(error(parse_url_template_value("{meta_url}")),
            "expected an http(s) URL template like "
            "https://www.example.com/{locale}/{route_segment}, got \"{meta_url}\"");
}

TEST(HeaderValues, NamesAreTokensValuesHaveNoLineBreaks) {
  EXPECT_TRUE(parse_header_name_value("X-Api-Key").value);
  EXPECT_TRUE(parse_header_name_value("User-Agent").value);
  EXPECT_EQ(error(parse_header_name_value("Bad Header")),
            "expected an HTTP header name, got \"Bad Header\"");
  EXPECT_EQ(error(parse_header_name_value("X:Y")), "expected an HTTP header name, got \"X:Y\"");
  EXPECT_TRUE(parse_header_value("feedsync (ops@example.com)").value);
  EXPECT_EQ(error(parse_header_value("a\r\nX-Evil: 1")),
            "header values must not contain line breaks or NUL");
  EXPECT_EQ(error(parse_header_value(std::string_view("a\0b", 3))),
            "header values must not contain line breaks or NUL");
}

}  // namespace
}  // namespace feedsync::config::detail
