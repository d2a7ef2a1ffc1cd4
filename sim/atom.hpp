#pragma once
// The Feed API's default format: Atom 1.0 (RFC 4287). The documents show only JSON, so this is a
// reasonable rendering rather than a copy: one <entry> per article with its guid as the id
// (urn:guid:...), title, entry-level updated, published_at, authors, summary, the body as
// escaped HTML content, and a link when the article has one. `fields` does not apply.

#include <span>
#include <string>

#include "sim/feed_store.hpp"

namespace feedsync::sim {

std::string render_atom_page(const Feed& feed, std::span<const Article* const> entries,
                             const std::string& self_url);

}  // namespace feedsync::sim
