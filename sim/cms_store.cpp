#include "sim/cms_store.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <utility>

#include "core/strings.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

constexpr std::pair<CmsStatus, std::string_view> kStatusNames[] = {
    {CmsStatus::draft, "draft"},         {CmsStatus::ready, "ready"},
    {CmsStatus::published, "published"}, {CmsStatus::previous, "previous"},
    {CmsStatus::scheduled, "scheduled"}, {CmsStatus::rejected, "rejected"},
    {CmsStatus::in_review, "inReview"},
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// BCP 47-ish: a 2-3 letter language, then optional 1-8 character alphanumeric subtags.
bool valid_locale(std::string_view locale) {
  std::size_t i = 0;
  while (i < locale.size() && is_alpha(locale[i])) ++i;
  if (i < 2 || i > 3) return false;
  while (i < locale.size()) {
    if (locale[i++] != '-') return false;
    std::size_t start = i;
    while (i < locale.size() && (is_alpha(locale[i]) || is_digit(locale[i]))) ++i;
    if (i == start || i - start > 8) return false;
  }
  return true;
}

// A route segment is one URL path segment: no separators, no spaces, nothing to escape.
bool valid_route_segment(std::string_view segment) {
  if (segment.empty()) return false;
  return std::all_of(segment.begin(), segment.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
}

bool immutable(CmsStatus status) { return status == CmsStatus::published || status == CmsStatus::previous; }

// Whether a version in `from` may be asked into `to` (with `delay`); the store's one rulebook
// for create, new versions, flat PATCH and v1's actions.
std::optional<CmsProblem> transition_problem(CmsStatus from, CmsStatus to, const std::optional<std::int64_t>& delay) {
  if (to == CmsStatus::previous || to == CmsStatus::rejected || to == CmsStatus::in_review)
    return cms_invalid("status", "The status '" + std::string(to_string(to)) + "' cannot be set through the API.");
  if (to == CmsStatus::scheduled && !delay)
    return cms_invalid("delayPublishUntil", "The delayPublishUntil field is required when status is scheduled.");
  if (to != CmsStatus::scheduled && delay)
    return cms_invalid("delayPublishUntil", "The delayPublishUntil field is only allowed when status is scheduled.");
  if (from == CmsStatus::published && to != CmsStatus::published)
    return cms_invalid("status", "A published version cannot become '" + std::string(to_string(to)) +
                                     "'; create a new version instead.");
  if (from == CmsStatus::previous && to != CmsStatus::published && to != CmsStatus::previous)
    return cms_invalid("status", "A previously published version can only be published again.");
  return std::nullopt;
}

}  // namespace

std::string_view to_string(CmsStatus status) {
  for (const auto& [s, name] : kStatusNames)
    if (s == status) return name;
  return "draft";
}

std::optional<CmsStatus> parse_cms_status(std::string_view text) {
  for (const auto& [s, name] : kStatusNames)
    if (name == text) return s;
  return std::nullopt;
}

std::string derive_route_segment(std::string_view display_name) {
  std::string out;
  bool dash = false;
  for (char c : display_name) {
    if (is_alpha(c) || is_digit(c)) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += ascii_lower(c);
    } else {
      dash = true;
    }
  }
  return out.empty() ? "content" : out;
}

CmsVersion* CmsItem::find_version(std::string_view id) {
  for (auto& v : versions)
    if (v.id() == id) return &v;
  return nullptr;
}

CmsStore::CmsStore(std::vector<CmsContentType> types, std::vector<CmsLocale> locales)
    : types_(std::move(types)), locales_(std::move(locales)) {
  containers_.insert(kCmsRootContainer);
}

void CmsStore::settle(std::int64_t now_ms) {
  // Runs before every request: skip the scan until the earliest known schedule is due.
  if (!next_due_ || now_ms < *next_due_) return;
  next_due_.reset();
  for (auto& [key, item] : items_) {
    if (item.deleted_ms) continue;
    std::vector<CmsVersion*> due;
    for (auto& v : item.versions)
      if (v.status == CmsStatus::scheduled && v.delay_publish_until && *v.delay_publish_until <= now_ms)
        due.push_back(&v);
    // Oldest schedule first, so the latest due version of a locale ends up the published one.
    std::sort(due.begin(), due.end(), [](const CmsVersion* a, const CmsVersion* b) {
      return std::tie(*a->delay_publish_until, a->number) < std::tie(*b->delay_publish_until, b->number);
    });
    for (auto* v : due) {
      publish(item, *v, *v->delay_publish_until);
      v->modified_ms = now_ms;
    }
    note_schedules(item);
  }
}

void CmsStore::note_schedules(const CmsItem& item) {
  for (const auto& v : item.versions)
    if (v.status == CmsStatus::scheduled && v.delay_publish_until && (!next_due_ || *v.delay_publish_until < *next_due_))
      next_due_ = v.delay_publish_until;
}

CmsItem* CmsStore::find(std::string_view key, bool allow_deleted) {
  auto it = items_.find(key);
  if (it == items_.end() || (it->second.deleted_ms && !allow_deleted)) return nullptr;
  return &it->second;
}

std::vector<CmsItem*> CmsStore::children(std::string_view container) {
  std::vector<CmsItem*> out;
  for (auto& [key, item] : items_)
    if (!item.deleted_ms && item.container == container) out.push_back(&item);
  return out;
}

const CmsContentType* CmsStore::content_type(std::string_view name) const {
  for (const auto& t : types_)
    if (t.name == name) return &t;
  return nullptr;
}

std::optional<CmsLocale> CmsStore::locale(std::string_view key) const {
  if (locales_.empty()) return valid_locale(key) ? std::optional<CmsLocale>(CmsLocale{std::string(key)}) : std::nullopt;
  for (const auto& locale : locales_)
    if (locale.key == key) return locale;
  return std::nullopt;
}

bool CmsStore::container_exists(std::string_view key) const {
  if (containers_.contains(key)) return true;
  auto it = items_.find(key);
  return it != items_.end() && !it->second.deleted_ms;
}

std::vector<CmsFieldError> CmsStore::validate_content(const CmsContentType& type, const std::string& display_name,
                                                      const std::optional<std::string>& route_segment,
                                                      const json::object& properties) const {
  std::vector<CmsFieldError> errors;
  if (display_name.empty()) errors.push_back({"displayName", "The displayName field is required."});
  if (route_segment && !valid_route_segment(*route_segment))
    errors.push_back({"routeSegment", "The routeSegment '" + *route_segment + "' is not a valid URL segment."});
  if (type.properties.empty()) return errors;
  for (const auto& [name, value] : properties) {
    const bool defined = std::any_of(type.properties.begin(), type.properties.end(),
                                     [&](const CmsPropertyDef& p) { return p.name == name; });
    if (!defined)
      errors.push_back({"properties." + std::string(name),
                        "The property '" + std::string(name) + "' is not defined on content type '" + type.name + "'."});
  }
  for (const auto& property : type.properties) {
    if (property.required && !properties.contains(property.name))
      errors.push_back({"properties." + property.name, "The " + property.name + " field is required."});
  }
  return errors;
}

std::vector<CmsFieldError> CmsStore::validate_locale(const CmsContentType& type,
                                                     const std::optional<std::string>& locale) const {
  if (type.localized) {
    if (!locale || locale->empty())
      return {{"locale", "The locale field is required for the localized content type '" + type.name + "'."}};
    if (!valid_locale(*locale)) return {{"locale", "The locale '" + *locale + "' is not a valid locale."}};
    const auto known = this->locale(*locale);
    if (!known) return {{"locale", "The locale '" + *locale + "' does not exist."}};
    if (!known->enabled) return {{"locale", "The locale '" + *locale + "' is not enabled."}};
  } else if (locale && !locale->empty()) {
    return {{"locale", "The content type '" + type.name + "' is not localized; omit the locale."}};
  }
  return {};
}

std::optional<CmsProblem> CmsStore::validate(const CmsContentType& type, const CmsVersionInput& input) const {
  auto errors = validate_locale(type, input.locale);
  auto more = validate_content(type, input.display_name, input.route_segment, input.properties);
  errors.insert(errors.end(), more.begin(), more.end());
  if (!errors.empty()) return cms_invalid(std::move(errors));
  return transition_problem(CmsStatus::draft, input.status, input.delay_publish_until);
}

Expected<CmsItem*, CmsProblem> CmsStore::create(CmsCreateInput input, const CmsActor& actor) {
  std::vector<CmsFieldError> errors;
  const CmsContentType* type = content_type(input.content_type);
  if (input.content_type.empty()) {
    errors.push_back({"contentType", "The contentType field is required."});
  } else if (!type) {
    errors.push_back({"contentType", "The content type '" + input.content_type + "' does not exist."});
  }
  if (input.container.empty()) {
    errors.push_back({"container", "The container field is required."});
  } else if (!container_exists(input.container)) {
    errors.push_back({"container", "The container '" + input.container + "' does not exist."});
  }
  if (type) {
    auto locale = validate_locale(*type, input.version.locale);
    auto content = validate_content(*type, input.version.display_name, input.version.route_segment,
                                    input.version.properties);
    errors.insert(errors.end(), locale.begin(), locale.end());
    errors.insert(errors.end(), content.begin(), content.end());
  }
  if (!errors.empty()) return unexpected(cms_invalid(std::move(errors)));
  if (auto p = transition_problem(CmsStatus::draft, input.version.status, input.version.delay_publish_until))
    return unexpected(std::move(*p));
  if (input.key && items_.contains(*input.key))
    return unexpected(cms_problem(409, "Content with key '" + *input.key + "' already exists."));
  if (auto taken = segment_in_use(input.container, input.version.locale.value_or(""), input.version.route_segment,
                                  input.key.value_or("")))
    return unexpected(segment_taken(std::move(*taken)));

  std::string key = input.key ? *input.key : new_key();
  CmsItem& item = items_[key];
  item.key = key;
  item.content_type = input.content_type;
  item.container = input.container;
  item.created_ms = item.modified_ms = actor.now_ms;
  item.created_by = item.modified_by = actor.name;
  item.revision = bump();
  append_version(item, std::move(input.version), actor);
  return &item;
}

Expected<CmsVersion*, CmsProblem> CmsStore::add_version(CmsItem& item, CmsVersionInput input, const CmsActor& actor) {
  const CmsContentType* type = content_type(item.content_type);
  if (!type) return unexpected(cms_problem(400, "The item's content type no longer exists."));
  if (auto p = validate(*type, input)) return unexpected(std::move(*p));
  if (auto taken = segment_in_use(item.container, input.locale.value_or(""), input.route_segment, item.key))
    return unexpected(segment_taken(std::move(*taken)));
  return &append_version(item, std::move(input), actor);
}

std::optional<CmsFieldError> CmsStore::segment_in_use(const std::string& container, const std::string& locale,
                                                      const std::optional<std::string>& segment,
                                                      const std::string& key) const {
  if (!segment) return std::nullopt;
  auto it = segments_.find(container + '\n' + locale + '\n' + *segment);
  if (it == segments_.end()) return std::nullopt;
  for (const auto& other_key : it->second) {
    if (other_key == key) continue;
    auto other = items_.find(other_key);
    if (other == items_.end() || other->second.deleted_ms || other->second.container != container) continue;
    for (const auto& v : other->second.versions) {
      if (v.locale == locale && v.route_segment == segment)
        return CmsFieldError{"routeSegment", "The routeSegment '" + *segment + "' is already in use in this container."};
    }
  }
  return std::nullopt;
}

CmsProblem CmsStore::segment_taken(CmsFieldError error) const {
  if (route_collision_status_ != 409) return cms_invalid({std::move(error)});
  CmsProblem conflict = cms_problem(409, error.message);
  conflict.errors.push_back(std::move(error));
  return conflict;
}

CmsVersion& CmsStore::append_version(CmsItem& item, CmsVersionInput input, const CmsActor& actor) {
  CmsVersion& v = item.versions.emplace_back();
  v.number = next_version_++;
  v.locale = input.locale.value_or("");
  v.display_name = std::move(input.display_name);
  v.route_segment = std::move(input.route_segment);
  if (v.route_segment) segments_[item.container + '\n' + v.locale + '\n' + *v.route_segment].insert(item.key);
  store_properties(v, std::move(input.properties));
  v.created_ms = v.modified_ms = actor.now_ms;
  v.created_by = v.modified_by = actor.name;
  v.revision = bump();
  apply_status(item, v, input.status, input.delay_publish_until, actor.now_ms);
  return v;
}

void CmsStore::apply_status(CmsItem& item, CmsVersion& version, CmsStatus status,
                            std::optional<std::int64_t> delay, std::int64_t now_ms) {
  // On a content type with an approval sequence, "ready" starts the review (v1 `:ready`, a flat
  // status): every way into "ready" passes here.
  const CmsContentType* type = content_type(item.content_type);
  if (status == CmsStatus::ready && type && type->approvals) status = CmsStatus::in_review;
  if (status == CmsStatus::published || (status == CmsStatus::scheduled && delay && *delay <= now_ms)) {
    // A schedule already in the past publishes at once (seed: "published immediately").
    if (version.status != CmsStatus::published) publish(item, version, now_ms);
    return;
  }
  version.status = status;
  version.delay_publish_until = status == CmsStatus::scheduled ? delay : std::nullopt;
  version.revision = bump();
  note_schedules(item);
}

void CmsStore::publish(CmsItem& item, CmsVersion& version, std::int64_t now_ms) {
  for (auto& other : item.versions) {
    if (&other != &version && other.locale == version.locale && other.status == CmsStatus::published) {
      other.status = CmsStatus::previous;
      other.revision = bump();
    }
  }
  version.status = CmsStatus::published;
  version.published_ms = now_ms;
  version.delay_publish_until.reset();
  if (!version.route_segment) version.route_segment = derive_route_segment(version.display_name);
  version.revision = bump();
}

std::optional<CmsProblem> CmsStore::set_status(CmsItem& item, CmsVersion& version, CmsStatus status,
                                               std::optional<std::int64_t> delay, const CmsActor& actor) {
  if (auto p = transition_problem(version.status, status, delay)) return p;
  apply_status(item, version, status, delay, actor.now_ms);
  version.modified_ms = actor.now_ms;
  version.modified_by = actor.name;
  return std::nullopt;
}

std::optional<CmsProblem> CmsStore::edit(CmsItem& item, CmsVersion& version, const CmsVersionEdit& edit,
                                         const CmsActor& actor) {
  bool content_changed = edit.display_name != version.display_name || edit.properties != version.properties ||
                         edit.route_segment != version.route_segment;
  bool status_changed = edit.status != version.status || edit.delay_publish_until != version.delay_publish_until;
  if (!content_changed && !status_changed) return std::nullopt;
  if (content_changed) {
    if (immutable(version.status))
      return cms_invalid("status", "A published version is not edited in place; create a new version instead.");
    const CmsContentType* type = content_type(item.content_type);
    if (!type) return cms_problem(400, "The item's content type no longer exists.");
    auto errors = validate_content(*type, edit.display_name, edit.route_segment, edit.properties);
    if (!errors.empty()) return cms_invalid(std::move(errors));
  }
  if (status_changed)
    if (auto p = transition_problem(version.status, edit.status, edit.delay_publish_until)) return p;
  if (content_changed) {
    version.display_name = edit.display_name;
    version.route_segment = edit.route_segment;
    if (edit.properties != version.properties) store_properties(version, edit.properties);
  }
  if (status_changed) apply_status(item, version, edit.status, edit.delay_publish_until, actor.now_ms);
  version.modified_ms = actor.now_ms;
  version.modified_by = actor.name;
  version.revision = bump();
  return std::nullopt;
}

std::optional<CmsProblem> CmsStore::delete_version(CmsItem& item, std::string_view id) {
  auto it = std::find_if(item.versions.begin(), item.versions.end(), [&](const CmsVersion& v) { return v.id() == id; });
  if (it == item.versions.end()) return cms_problem(404, "Version '" + std::string(id) + "' does not exist.");
  if (it->status == CmsStatus::published) return cms_problem(400, "The published version cannot be deleted.");
  auto in_locale = std::count_if(item.versions.begin(), item.versions.end(),
                                 [&](const CmsVersion& v) { return v.locale == it->locale; });
  if (in_locale == 1)
    return cms_problem(400, "The only version of locale '" + it->locale + "' cannot be deleted; delete the locale.");
  item.versions.erase(it);
  return std::nullopt;
}

std::optional<CmsProblem> CmsStore::delete_locale(CmsItem& item, std::string_view locale) {
  auto in_locale = std::count_if(item.versions.begin(), item.versions.end(),
                                 [&](const CmsVersion& v) { return v.locale == locale; });
  if (in_locale == 0) return cms_problem(404, "The item has no locale '" + std::string(locale) + "'.");
  if (static_cast<std::size_t>(in_locale) == item.versions.size())
    return cms_problem(400, "The item's only locale cannot be deleted; delete the item instead.");
  std::erase_if(item.versions, [&](const CmsVersion& v) { return v.locale == locale; });
  return std::nullopt;
}

std::optional<CmsProblem> CmsStore::move(CmsItem& item, const std::string& container, const CmsActor& actor) {
  if (container == item.container) return std::nullopt;
  if (!container_exists(container))
    return cms_invalid("container", "The container '" + container + "' does not exist.");
  // Walk up from the target: meeting the item itself would make it its own ancestor.
  std::string at = container;
  for (std::size_t hops = 0; hops <= items_.size(); ++hops) {
    if (at == item.key) return cms_invalid("container", "An item cannot be moved into itself or its descendants.");
    auto it = items_.find(at);
    if (it == items_.end()) break;
    at = it->second.container;
  }
  item.container = container;
  item.modified_ms = actor.now_ms;
  item.modified_by = actor.name;
  item.revision = bump();
  return std::nullopt;
}

void CmsStore::unpublish(CmsItem& item, CmsVersion& version, const CmsActor& actor) {
  version.status = CmsStatus::draft;
  version.published_ms.reset();
  version.modified_ms = actor.now_ms;
  version.modified_by = actor.name;
  version.revision = bump();
  item.revision = bump();
}

void CmsStore::soft_delete(CmsItem& item, const CmsActor& actor) {
  item.deleted_ms = actor.now_ms;
  item.modified_ms = actor.now_ms;
  item.modified_by = actor.name;
  item.revision = bump();
}

void CmsStore::undelete(CmsItem& item, const CmsActor& actor) {
  item.deleted_ms.reset();
  note_schedules(item);  // settle() passed it by while it was deleted
  item.modified_ms = actor.now_ms;
  item.modified_by = actor.name;
  item.revision = bump();
}

void CmsStore::erase(const std::string& key) { items_.erase(key); }

Expected<CmsItem*, CmsProblem> CmsStore::copy(const CmsItem& source, std::optional<std::string> container,
                                              bool keep_published, const CmsActor& actor) {
  std::string target = container ? *container : source.container;
  if (!container_exists(target)) return unexpected(cms_invalid("container", "The container '" + target + "' does not exist."));
  return copy_tree(source, target, keep_published, actor);
}

CmsItem* CmsStore::copy_tree(const CmsItem& source, const std::string& container, bool keep_published,
                             const CmsActor& actor) {
  // Taken before the copy exists: a copy placed under its own source must not copy itself.
  std::vector<std::string> child_keys;
  for (const auto* child : children(source.key)) child_keys.push_back(child->key);

  std::string key = new_key();
  CmsItem& copy = items_[key];
  copy.key = key;
  copy.content_type = source.content_type;
  copy.container = container;
  copy.created_ms = copy.modified_ms = actor.now_ms;
  copy.created_by = copy.modified_by = actor.name;
  copy.revision = bump();
  // Per locale (in order of first appearance): the published version, else the latest.
  std::vector<std::string> locales;
  for (const auto& v : source.versions)
    if (std::find(locales.begin(), locales.end(), v.locale) == locales.end()) locales.push_back(v.locale);
  for (const auto& locale : locales) {
    const CmsVersion* pick = nullptr;
    for (const auto& v : source.versions) {
      if (v.locale != locale) continue;
      if (v.status == CmsStatus::published) {
        pick = &v;
        break;
      }
      pick = &v;
    }
    CmsVersionInput input;
    input.locale = pick->locale.empty() ? std::nullopt : std::optional<std::string>(pick->locale);
    input.display_name = pick->display_name;
    input.properties = pick->properties;
    input.route_segment = pick->route_segment;
    input.status = keep_published && pick->status == CmsStatus::published ? CmsStatus::published : CmsStatus::draft;
    append_version(copy, std::move(input), actor);
  }
  for (const auto& child_key : child_keys) {
    auto it = items_.find(child_key);
    if (it != items_.end()) copy_tree(it->second, key, keep_published, actor);
  }
  return &items_.at(key);
}

void CmsStore::store_properties(CmsVersion& version, json::object properties) {
  if (drop_properties_ > 0 && !properties.empty()) {
    --drop_properties_;
    version.properties.clear();
    return;
  }
  version.properties = std::move(properties);
}

std::string CmsStore::new_key() {
  for (;;) {
    char buffer[33];
    std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(random_()),
                  static_cast<unsigned long long>(random_()));
    if (!items_.contains(std::string_view(buffer, 32))) return std::string(buffer, 32);
  }
}

}  // namespace feedsync::sim
