#pragma once
// What the CMS says about a content version, read from either dialect's responses, and the
// read-back comparison (api-notes.md "Quirks": some writes silently dropped `properties`). Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace feedsync::cms {

struct VersionRecord {
  std::string key;     // the item's key, when the record says (listings across items need it)
  std::string locale;  // "" = not said (or a locale-neutral type)
  std::string version;  // the CMS's version id (a number or a string on the wire); "" = not said
  std::string status;   // "published", "draft", ...; "" = not said
  std::optional<std::string> route_segment;
  // Property values as stored, v1's {"value": x} unwrapped to x; nullopt = not in the response.
  std::optional<boost::json::object> properties;
};

// From a response body: the version record itself (flat; v1 version resource), or a content
// item that nests its version (v1 create: "initialVersion", "version", "latestVersion" objects).
// `wrapped`: property values are {"value": x} (v1). nullopt when the body is no JSON object
// or carries no version information at all.
std::optional<VersionRecord> read_version_record(std::string_view body, bool wrapped);

// From a versions listing ({"items": [...]} or a bare array): the newest record of `locale`
// ("" = any). The definition does not say in which order versions are listed, so the newest is
// the highest version number (ids are compared as numbers when both are; else the longer, then
// the greater string), not the first listed.
std::optional<VersionRecord> newest_version(std::string_view body, std::string_view locale, bool wrapped);

// Every record of such a listing of `locale` ("" = any), in the order listed.
std::vector<VersionRecord> listed_versions(std::string_view body, std::string_view locale, bool wrapped);

// The version id at the end of a Location header ".../content/{key}/versions/{version}".
std::optional<std::string> version_from_location(std::string_view location);

// Properties sent with a value (not null) that the stored record lacks or holds as null, in the
// order sent.
std::vector<std::string> dropped_properties(const boost::json::object& sent, const boost::json::object& stored);

}  // namespace feedsync::cms
