#pragma once
// What the two CMS dialects (dialect_flat.cpp, dialect_v1.cpp) request the same way: the reads,
// :undelete, and JSON bodies. Only those two files include this; everyone else sees CmsDialect.

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "cms/dialect.hpp"

namespace feedsync::cms {

class DialectBase : public CmsDialect {
 public:
  explicit DialectBase(std::string base_url) : base_(std::move(base_url)) {}

  net::Request undelete(std::string_view key) const final;
  net::Request get_item(std::string_view key) const final;
  net::Request get_version(std::string_view key, std::string_view version) const final;
  // GET {base}/content/{key}/versions with the locales / statuses filters that are not "".
  net::Request list_versions(std::string_view key, std::string_view locale, std::string_view status) const final;
  net::Request list_items(std::string_view container, std::size_t page_index, std::size_t page_size) const final;
  net::Request move(std::string_view key, std::string_view container) const final;

 protected:
  const std::string& base() const { return base_; }

 private:
  std::string base_;
};

// A JSON request body (serialised, with its Content-Type).
net::Request json_request(net::Method method, std::string url, const boost::json::object& body,
                          std::string_view content_type = "application/json");

}  // namespace feedsync::cms
