#include "cms/dialect_common.hpp"

#include <boost/json/serialize.hpp>

#include "cms/cms_transport.hpp"

namespace feedsync::cms {

net::Request DialectBase::undelete(std::string_view key) const {
  net::Request request;
  request.method = net::Method::post;
  request.url = cms_url(base_, {"content", std::string(key) + ":undelete"});
  request.idempotent = true;  // restoring a restored item changes nothing
  return request;
}

net::Request DialectBase::get_item(std::string_view key) const {
  net::Request request;
  request.url = cms_url(base_, {"content", key});
  return request;
}

net::Request DialectBase::get_version(std::string_view key, std::string_view version) const {
  net::Request request;
  request.url = cms_url(base_, {"content", key, "versions", version});
  return request;
}

net::Request DialectBase::list_versions(std::string_view key, std::string_view locale, std::string_view status) const {
  net::Request request;
  if (locale.empty() && status.empty()) {
    request.url = cms_url(base_, {"content", key, "versions"});
  } else if (status.empty()) {
    request.url = cms_url(base_, {"content", key, "versions"}, {{"locales", locale}});
  } else if (locale.empty()) {
    request.url = cms_url(base_, {"content", key, "versions"}, {{"statuses", status}});
  } else {
    request.url = cms_url(base_, {"content", key, "versions"}, {{"locales", locale}, {"statuses", status}});
  }
  return request;
}

net::Request DialectBase::list_items(std::string_view container, std::size_t page_index, std::size_t page_size) const {
  const std::string index = std::to_string(page_index);
  const std::string size = std::to_string(page_size);
  net::Request request;
  request.url = cms_url(base_, {"content", container, "items"}, {{"pageIndex", index}, {"pageSize", size}});
  return request;
}

net::Request DialectBase::move(std::string_view key, std::string_view container) const {
  auto request = json_request(net::Method::patch, cms_url(base_, {"content", key}),
                              boost::json::object{{"container", container}}, "application/merge-patch+json");
  request.idempotent = true;  // moving to where it is changes nothing
  return request;
}

net::Request json_request(net::Method method, std::string url, const boost::json::object& body,
                          std::string_view content_type) {
  net::Request request;
  request.method = method;
  request.url = std::move(url);
  request.headers.set("Content-Type", std::string(content_type));
  request.body = boost::json::serialize(body);
  return request;
}

}  // namespace feedsync::cms
