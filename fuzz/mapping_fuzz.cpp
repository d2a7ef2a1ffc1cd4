// Mapping expressions (lib/core/mapping.hpp): compile, then apply to an entry's content. The input
// is an expression, a newline, then the content as JSON; content that is not a JSON object is
// replaced by the vendor's documented sample entry (seeds/cmp-feed-api-v2.txt), so a fuzzed
// expression always meets realistic content and fuzzed content meets the expression. The
// expression is used as displayName, as a property, as routeSegment and as publishAt, so each
// output's own rules run. The contract: compile errors and apply errors are values that name
// the feed; no crash, UB or leak; every produced string is free of control characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "core/mapping.hpp"

namespace {

constexpr const char* kSampleContent = R"({
 "guid": "151a3f3ccda517geab6db0aF5f9be72d9", "meta_title": "Feed Article Sample", "meta_url": "/",
 "meta_keywords": [], "videos": [], "authors": null, "topics": [], "link": null,
 "images": [{"caption": "mango.png", "height": "512", "width": "369",
             "url": "https://img.optimizely.com/Zz0y/mango.png", "mimetype": "image/png",
             "source": {"name": "Martin's Test Group"}}],
 "title": "Feed Article Sample",
 "description": "<p>Lorem &amp; ipsum</p><img src=\"https://pixel.optimizely.com/px.gif?key=YXJ0\" class=\"nc_pixel\"/>",
 "created_at": "2025-07-24T11:59:10Z", "modified_at": "2025-07-24T12:01:43Z",
 "published_at": "2025-07-24T12:01:43.120+02:00", "lang_code": "en",
 "custom_fields": [{"label": "Ad Date", "values": ["2025-07-24T11:00:00.000Z"]}],
 "content_pillar": [{"label": "BLOG:Social Impact"}], "n": 512, "f": -1.5e300, "b": true
})";

const boost::json::object& sample() {
  static const boost::json::object object = boost::json::parse(kSampleContent).as_object();
  return object;
}

bool has_control_character(std::string_view text) {
  return feedsync::strip_control_characters(text) != text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string expression(input.substr(0, newline));
  const std::string_view json = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(json, ec);
  const boost::json::object& content = (!ec && parsed.is_object()) ? parsed.as_object() : sample();

  feedsync::MappingSpec spec;
  spec.feed = "fuzz";
  spec.display_name = expression;
  spec.route_segment = expression;
  spec.properties = {{"Value", expression}, {"Body", "description | strip_pixel"}};
  spec.locale_map = {{"en", "en"}, {"de-DE", "de"}};
  spec.publish_at = expression;

  auto compiled = feedsync::compile_mapping(spec);
  if (!compiled) {
    for (const auto& error : compiled.error())
      if (error.message.find("fuzz") == std::string::npos) std::abort();
    return 0;
  }
  auto mapped = feedsync::apply_mapping(*compiled, content, "fuzz-guid");
  if (!mapped) {
    for (const auto& error : mapped.error())
      if (error.message.empty()) std::abort();
    return 0;
  }
  if (has_control_character(mapped->display_name)) std::abort();
  if (mapped->route_segment && has_control_character(*mapped->route_segment)) std::abort();
  return 0;
}
