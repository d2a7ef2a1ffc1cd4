#pragma once
// The CMS simulator's JSON on the wire: records as both dialects render them, a reader that
// checks request field types and collects every error at once, and list paging.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "net/server_message.hpp"
#include "sim/cms_problem.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {

// Item metadata (no versions): key, contentType, container, created..., deleted when soft-deleted.
boost::json::object item_json(const CmsItem& item);
// The flat model's one-record-per-version shape (also the read-back shape).
boost::json::object flat_version_json(const CmsItem& item, const CmsVersion& version);
// v1's version resource: no contentType/container, property values wrapped as {"value": ...}.
boost::json::object v1_version_json(const CmsItem& item, const CmsVersion& version);

// One "read-only" error for each of `fields` whose value a merge patch changed (or removed).
std::vector<CmsFieldError> read_only_changes(const boost::json::object& before, const boost::json::object& after,
                                             std::span<const std::string_view> fields);

// Reads typed fields of a request object. Absent and null read as "not given"; a value of the
// wrong type is recorded as a field error (named `prefix + name`) and also reads as not given.
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& body, std::string prefix = {})
      : body_(body), prefix_(std::move(prefix)) {}

  bool given(std::string_view name) const;
  std::optional<std::string> string(std::string_view name);
  std::optional<boost::json::object> object(std::string_view name);
  std::optional<bool> boolean(std::string_view name);
  std::optional<std::int64_t> timestamp(std::string_view name);  // RFC 3339 -> unix ms
  std::optional<CmsStatus> status(std::string_view name);

  void fail(std::string_view name, std::string message);
  bool ok() const { return errors_.empty(); }
  std::vector<CmsFieldError>& errors() { return errors_; }

 private:
  const boost::json::value* find(std::string_view name) const;

  const boost::json::object& body_;
  std::string prefix_;
  std::vector<CmsFieldError> errors_;
};

struct CmsPage {
  std::size_t index = 0;
  std::size_t size = 100;
};
// `pageIndex` / `pageSize` query parameters (size 1..1000); anything else is a 400.
Expected<CmsPage, CmsProblem> read_page(const net::ServerRequest& request);
// {"items": [...this page...], "totalItemCount", "totalCount" (v1's name), "pageIndex", "pageSize"}
boost::json::object page_json(boost::json::array all, const CmsPage& page);

}  // namespace feedsync::sim
