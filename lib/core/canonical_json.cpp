#include "core/canonical_json.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

namespace feedsync {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void write_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void write(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(value.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(value.get_uint64()); break;
    case boost::json::kind::double_: out += format_json_number(value.get_double()); break;
    case boost::json::kind::string: write_string(out, value.get_string()); break;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write(out, item);
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::object: {
      const auto& object = value.get_object();
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(object.size());
      for (const auto& member : object) members.push_back(&member);
      // std::string_view compares as unsigned bytes (char_traits<char>::compare is memcmp-like),
      // and UTF-8 byte order is code point order.
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) {
                  return std::string_view(a->key()) < std::string_view(b->key());
                });
      out.push_back('{');
      bool first = true;
      for (const auto* member : members) {
        if (!first) out.push_back(',');
        first = false;
        write_string(out, member->key());
        out.push_back(':');
        write(out, member->value());
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace

std::string format_json_number(double value) {
  if (!std::isfinite(value)) return "null";
  constexpr double kExact = 9007199254740992.0;  // 2^53: every whole double below is exact
  if (std::trunc(value) == value && std::fabs(value) < kExact) {
    return std::to_string(static_cast<long long>(value));  // also turns -0.0 into 0
  }
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

std::string canonical_json(const boost::json::value& value) {
  std::string out;
  write(out, value);
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only a broken OpenSSL installation gets here: a programming-level failure.
    throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
  }
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace feedsync
