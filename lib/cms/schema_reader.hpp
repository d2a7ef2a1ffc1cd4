#pragma once
// Reads the CMS definitions a feed's mapping is checked against (`check --connect`): its content
// type, its container and the locales it writes, through the same authorized transport as every
// write. 404 is an answer (the thing does not exist), anything else that is not 2xx is an error.
// Content types and locales are read once however many feeds share them.

#include <map>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "cms/cms_transport.hpp"
#include "cms/mapping_check.hpp"
#include "config/config.hpp"
#include "core/expected.hpp"

namespace feedsync::cms {

class SchemaReader {
 public:
  SchemaReader(CmsTransport& transport, std::string base_url);

  boost::asio::awaitable<Expected<FeedTargetsInCms, CmsError>> feed_targets(const config::FeedConfig& feed);

 private:
  // The body of a 2xx answer, nullopt on 404, the error otherwise.
  boost::asio::awaitable<Expected<std::optional<std::string>, CmsError>> read(net::Request request, std::string context);
  // A definition from `cache`, or read (and cached, absent ones too).
  template <class T>
  boost::asio::awaitable<Expected<std::optional<T>, CmsError>> definition(
      std::map<std::string, std::optional<T>>& cache, std::string key, net::Request request,
      std::string context, Expected<T, std::string> (*reader)(const boost::json::value&));
  boost::asio::awaitable<Expected<std::optional<ContentTypeDefinition>, CmsError>> content_type(const std::string& key);
  boost::asio::awaitable<Expected<std::optional<LocaleDefinition>, CmsError>> locale(const std::string& key);

  CmsTransport& transport_;
  std::string base_url_;
  std::map<std::string, std::optional<ContentTypeDefinition>> types_;
  std::map<std::string, std::optional<LocaleDefinition>> locales_;
};

}  // namespace feedsync::cms
