#include "net/gzip.hpp"

#include <zlib.h>

#include <climits>

namespace feedsync::net {
namespace {

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK; }  // 16+: gzip wrapper only
  ~Inflater() {
    if (ok_) inflateEnd(&z_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

GunzipError corrupt(std::string message) { return {GunzipError::corrupt, std::move(message)}; }

}  // namespace

Expected<std::string, GunzipError> gunzip(std::string_view compressed, std::size_t max_output) {
  Inflater inflater;
  if (!inflater.ok()) return unexpected(corrupt("zlib initialisation failed"));
  z_stream& z = inflater.stream();
  // zlib counts in uInt; bodies are capped far below 4 GiB, but stay correct if they are not.
  if (compressed.size() > UINT_MAX) return unexpected(corrupt("gzip body too large for zlib"));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());

  std::string out;
  char chunk[16384];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > max_output)
      return unexpected(
          GunzipError{GunzipError::too_large,
                      "decoded body exceeds the " + std::to_string(max_output) + "-byte cap"});
    out.append(chunk, produced);

    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) return out;
      // RFC 1952 allows several members back to back; anything else after the end is corrupt
      // and inflate will say so on the next round.
      if (inflateReset(&z) != Z_OK) return unexpected(corrupt("zlib reset failed"));
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && produced == 0)
      return unexpected(corrupt("gzip stream ends early"));
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return unexpected(corrupt(std::string("corrupt gzip data: ") + (z.msg ? z.msg : "unknown")));
  }
}

}  // namespace feedsync::net
