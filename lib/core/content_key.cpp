#include "core/content_key.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace feedsync {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid uuid_v5(const Uuid& name_space, std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, name_space.data(), name_space.size()) == 1 &&
                  EVP_DigestUpdate(ctx, name.data(), name.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest, &length) == 1;
  EVP_MD_CTX_free(ctx);
  // SHA-1 for UUIDs is not a security use, but a FIPS-restricted OpenSSL can still refuse it:
  // that is an installation problem, not something to carry on from.
  if (!ok || length < 16) throw std::runtime_error("OpenSSL SHA-1 is unavailable (UUIDv5 keys)");
  Uuid uuid;
  for (std::size_t i = 0; i < uuid.size(); ++i) uuid[i] = digest[i];
  uuid[6] = static_cast<std::uint8_t>((uuid[6] & 0x0F) | 0x50);
  uuid[8] = static_cast<std::uint8_t>((uuid[8] & 0x3F) | 0x80);
  return uuid;
}

std::optional<Uuid> parse_uuid(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  const bool dashed = text.size() == 36;
  if (!dashed && text.size() != 32) return std::nullopt;
  Uuid uuid{};
  std::size_t byte = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    uuid[byte++] = static_cast<std::uint8_t>(high * 16 + low);
    i += 2;
  }
  return uuid;
}

std::string uuid_hex(const Uuid& uuid) {
  std::string out;
  out.reserve(32);
  for (const auto b : uuid) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::string uuid_dashed(const Uuid& uuid) {
  const std::string hex = uuid_hex(uuid);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string content_key_name(std::string_view feed, std::string_view guid) {
  std::string name;
  name.reserve(feed.size() + 1 + guid.size());
  name.append(feed);
  name.push_back('\n');
  name.append(guid);
  return name;
}

std::string content_key(std::string_view feed, std::string_view guid, const Uuid& name_space) {
  return uuid_hex(uuid_v5(name_space, content_key_name(feed, guid)));
}

std::string group_content_key_name(std::string_view feed, std::string_view group_id) {
  return content_key_name(feed, "group\n" + std::string(group_id));
}

std::string group_content_key(std::string_view feed, std::string_view group_id, const Uuid& name_space) {
  return uuid_hex(uuid_v5(name_space, group_content_key_name(feed, group_id)));
}

}  // namespace feedsync
