#include "cms/cms_error.hpp"

namespace feedsync::cms {

std::string describe(const ArticleRef& article) {
  return "feed=" + article.feed + " guid=" + article.guid + " key=" + article.key;
}

std::string_view to_string(CmsErrorKind kind) {
  switch (kind) {
    case CmsErrorKind::retryable: return "retryable";
    case CmsErrorKind::auth: return "auth";
    case CmsErrorKind::permanent: return "permanent";
    case CmsErrorKind::cancelled: return "cancelled";
  }
  return "?";
}

CmsErrorKind kind_of(net::Disposition disposition) {
  switch (disposition) {
    case net::Disposition::retryable: return CmsErrorKind::retryable;
    case net::Disposition::auth: return CmsErrorKind::auth;
    case net::Disposition::cancelled: return CmsErrorKind::cancelled;
    case net::Disposition::success:
    case net::Disposition::permanent: break;
  }
  return CmsErrorKind::permanent;
}

CmsError make_error(CmsErrorKind kind, std::string message, int status) {
  CmsError error;
  error.kind = kind;
  error.status = status;
  error.message = std::move(message);
  return error;
}

}  // namespace feedsync::cms
