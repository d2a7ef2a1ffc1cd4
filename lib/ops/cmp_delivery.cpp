#include "ops/cmp_delivery.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace feedsync::ops {
namespace {

constexpr std::size_t kMaxEventName = 64;
// Deeply nested JSON is refused by the parser rather than walked.
constexpr std::size_t kMaxDepth = 64;

std::string printable(std::string_view text) {
  std::string out(text.substr(0, kMaxEventName));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

CmpDelivery read_cmp_delivery(std::string_view body) {
  CmpDelivery delivery;
  boost::json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(body, ec, {}, options);
  if (ec) {
    delivery.problem = "the body is not JSON (" + ec.message() + ")";
    return delivery;
  }
  const auto* object = value.if_object();
  if (object == nullptr) {
    delivery.problem = "the body is not a JSON object";
    return delivery;
  }
  const auto* name = object->if_contains("event_name");
  if (name == nullptr || !name->is_string() || name->as_string().empty()) {
    delivery.problem = "the body has no event_name string";
    return delivery;
  }
  const std::string_view event(name->as_string());
  delivery.event = printable(event);
  delivery.kind = event.starts_with("asset_") ? CmpDeliveryKind::content_change : CmpDeliveryKind::other_event;
  return delivery;
}

}  // namespace feedsync::ops
