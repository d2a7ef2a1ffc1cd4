// The Feed API page parser (lib/feed/page_parser.hpp) on arbitrary bytes: a page body as the
// Feed API (or anything between it and us) might send. The first byte picks an index page or a
// full page, the rest is the body. Besides "no crash, no UB, no leak", the parser's promises are
// checked: every accepted entry has a guid, every rejected one a reason, and
// entries + rejected never exceed what the page held.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feed/page_parser.hpp"

using feedsync::feed::ParseContent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ParseContent content = (data[0] & 1) ? ParseContent::yes : ParseContent::no;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto page = feedsync::feed::parse_feed_page(body, content);
  if (page) {
    if (page->entries.size() + page->rejected.size() > page->raw_entry_count) std::abort();
    if (content == ParseContent::yes && page->full_entries.size() != page->entries.size()) std::abort();
    for (const auto& entry : page->entries)
      if (entry.guid.empty()) std::abort();
    for (const auto& rejected : page->rejected)
      if (rejected.reason.empty() || rejected.position >= page->raw_entry_count) std::abort();
  } else if (page.error().empty()) {
    std::abort();  // a failed page must say why
  }
  (void)feedsync::feed::parse_feed_error(body);
  return 0;
}
