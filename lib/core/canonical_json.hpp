#pragma once
// One byte sequence per JSON value, so that "same content" can be decided by comparing hashes
// (DESIGN.md §4, step 4). Pure (OpenSSL only for the digest).
//
// Canonical form:
// - object members sorted by key, comparing the UTF-8 bytes (which orders by code point);
// - no whitespace outside strings;
// - strings escape only '"', '\\' and control characters below U+0020 (as \b \f \n \r \t, the
//   others as \u00XX with lower-case hex); everything else, '/' and non-ASCII included, is
//   written as the raw UTF-8 it is;
// - numbers as format_json_number gives them; true, false, null as themselves.

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace feedsync {

// The shortest text that reads back as the same double. A whole number below 2^53 in
// magnitude is written without fraction or exponent (1.0 -> "1", -0.0 -> "0", 1e15 ->
// "1000000000000000"), so a number does not change its hash by arriving as 1 or 1.0; larger or
// fractional values use the shortest round-trip form of std::to_chars ("0.1", "1e+300").
// NaN and infinities, which JSON cannot carry, are "null".
std::string format_json_number(double value);

std::string canonical_json(const boost::json::value& value);

// SHA-256 of `data` as 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);

}  // namespace feedsync
