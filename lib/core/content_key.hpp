#pragma once
// CMS content keys (DESIGN.md §4 "Keys"): derived from the article, never stored first, so a
// retry after a crash addresses the item the first attempt created (409 -> update) instead of
// creating a second one. Pure (OpenSSL only for SHA-1).
//
// key = UUIDv5(namespace, name) written as 32 lower-case hex digits without dashes (the CMS's
// key format), where
//   namespace = kContentKeyNamespace (1bf10b18-b24f-464f-a631-ee345354ff46) unless
//               cms.key_namespace overrides it, and
//   name      = the UTF-8 bytes of the feed name, one "\n" (0x0A), the guid's bytes; nothing
//               else (no trailing newline, no normalisation). Feed names cannot contain "\n",
//               so two (feed, guid) pairs never share a name.
// Changing the namespace or a feed's name therefore changes every key of that feed: the CMS
// would see new items. That is why both are part of the configuration's contract.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace feedsync {

using Uuid = std::array<std::uint8_t, 16>;

// feedsync's own namespace, generated once at random (a version 4 UUID) for this purpose.
inline constexpr Uuid kContentKeyNamespace = {0x1b, 0xf1, 0x0b, 0x18, 0xb2, 0x4f, 0x46, 0x4f,
                                              0xa6, 0x31, 0xee, 0x34, 0x53, 0x54, 0xff, 0x46};

// RFC 9562 (RFC 4122) name-based UUID, version 5: SHA-1 over the namespace's 16 bytes followed
// by the name, first 16 bytes of the digest, version nibble 5, variant bits 10.
Uuid uuid_v5(const Uuid& name_space, std::string_view name);

// "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6BA7B8109DAD11D180B400C04FD430C8" or with braces:
// case-insensitive, dashes optional but only in the standard places.
std::optional<Uuid> parse_uuid(std::string_view text);
std::string uuid_hex(const Uuid& uuid);     // 32 lower-case hex digits
std::string uuid_dashed(const Uuid& uuid);  // 8-4-4-4-12, lower case

// The exact name bytes hashed for (feed, guid): feed + "\n" + guid.
std::string content_key_name(std::string_view feed, std::string_view guid);
std::string content_key(std::string_view feed, std::string_view guid,
                        const Uuid& name_space = kContentKeyNamespace);

// feeds[].translations: group (issue 23): the one item of all translations sharing a CMP
// group_id. name = feed + "\ngroup\n" + group_id: a guid never holds "\n", so no group key
// equals an article key, and a group_id equal to some guid still gets a key of its own.
std::string group_content_key_name(std::string_view feed, std::string_view group_id);
std::string group_content_key(std::string_view feed, std::string_view group_id,
                              const Uuid& name_space = kContentKeyNamespace);

}  // namespace feedsync
