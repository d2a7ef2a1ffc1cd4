#pragma once
// Decoding of `Content-Encoding: gzip` response bodies, bounded so that a small compressed body
// cannot expand without limit (a "gzip bomb").

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace feedsync::net {

struct GunzipError {
  enum Kind { too_large, corrupt } kind = corrupt;
  std::string message;
};

// Inflates one or more concatenated gzip members. Fails with too_large as soon as the output
// would exceed `max_output` bytes, and with corrupt for bad data or a stream cut short.
Expected<std::string, GunzipError> gunzip(std::string_view compressed, std::size_t max_output);

}  // namespace feedsync::net
