#pragma once
// The CMS simulator's state: content items and their versions, shared by both dialects. The
// store owns the service's rules (which content types and containers exist, what a locale
// needs, which status transitions are legal, that publishing demotes the previous version);
// the dialects own the wire shapes. Errors come back as problems ready to send.
//
// Versions are numbered by one instance-wide counter and shown as strings, as the service does.
// Every change bumps a revision (also instance-wide) that becomes the ETag of the changed item
// (metadata: container, deletion) or version.

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "sim/cms_problem.hpp"
#include "sim/cms_sim.hpp"

namespace feedsync::sim {

enum class CmsStatus { draft, ready, published, previous, scheduled, rejected, in_review };
std::string_view to_string(CmsStatus status);  // "draft", ..., "inReview"
std::optional<CmsStatus> parse_cms_status(std::string_view text);

struct CmsVersion {
  std::uint64_t number = 0;
  std::string locale;  // empty for a type that is not localized
  std::string display_name;
  boost::json::object properties;
  std::optional<std::string> route_segment;
  CmsStatus status = CmsStatus::draft;
  std::optional<std::int64_t> delay_publish_until;  // unix ms, while scheduled
  std::optional<std::int64_t> published_ms;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::string created_by;
  std::string modified_by;
  std::uint64_t revision = 0;

  std::string id() const { return std::to_string(number); }
};

struct CmsItem {
  std::string key;
  std::string content_type;
  std::string container;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::string created_by;
  std::string modified_by;
  std::optional<std::int64_t> deleted_ms;
  std::uint64_t revision = 0;
  std::vector<CmsVersion> versions;  // oldest first

  CmsVersion* find_version(std::string_view id);
};

// What a new version (or an item's first one) asks for.
struct CmsVersionInput {
  std::optional<std::string> locale;
  std::string display_name;
  boost::json::object properties;
  std::optional<std::string> route_segment;
  CmsStatus status = CmsStatus::draft;
  std::optional<std::int64_t> delay_publish_until;
};

struct CmsCreateInput {
  std::optional<std::string> key;  // already normalised to 32 lower-case hex
  std::string content_type;
  std::string container;
  CmsVersionInput version;
};

// The editable state a PATCH asks a version to end up in (whole, not a delta).
struct CmsVersionEdit {
  std::string display_name;
  boost::json::object properties;
  std::optional<std::string> route_segment;
  CmsStatus status = CmsStatus::draft;
  std::optional<std::int64_t> delay_publish_until;
};

// Who did it and when: the token's identity and the simulated time.
struct CmsActor {
  std::string name;
  std::int64_t now_ms = 0;
};

class CmsStore {
 public:
  explicit CmsStore(std::vector<CmsContentType> types, std::vector<CmsLocale> locales = {});

  // Publishes scheduled versions that are due at `now_ms`.
  void settle(std::int64_t now_ms);

  // nullptr when absent, or soft-deleted and !allow_deleted.
  CmsItem* find(std::string_view key, bool allow_deleted);
  using ItemMap = std::map<std::string, CmsItem, std::less<>>;
  const ItemMap& items() const { return items_; }
  // Non-deleted items directly in `container`, in key order.
  std::vector<CmsItem*> children(std::string_view container);
  const CmsContentType* content_type(std::string_view name) const;
  // The locale as GET /locales/{key} shows it; nullopt when the instance has no such locale.
  std::optional<CmsLocale> locale(std::string_view key) const;

  Expected<CmsItem*, CmsProblem> create(CmsCreateInput input, const CmsActor& actor);
  Expected<CmsVersion*, CmsProblem> add_version(CmsItem& item, CmsVersionInput input, const CmsActor& actor);
  std::optional<CmsProblem> edit(CmsItem& item, CmsVersion& version, const CmsVersionEdit& edit,
                                 const CmsActor& actor);
  std::optional<CmsProblem> set_status(CmsItem& item, CmsVersion& version, CmsStatus status,
                                       std::optional<std::int64_t> delay, const CmsActor& actor);
  std::optional<CmsProblem> delete_version(CmsItem& item, std::string_view id);
  std::optional<CmsProblem> delete_locale(CmsItem& item, std::string_view locale);
  std::optional<CmsProblem> move(CmsItem& item, const std::string& container, const CmsActor& actor);
  // An editor takes a published version offline (issue 22): it goes back to draft, so no version
  // of its locale is published any more. Not an API transition (the API refuses it).
  void unpublish(CmsItem& item, CmsVersion& version, const CmsActor& actor);
  void soft_delete(CmsItem& item, const CmsActor& actor);
  void undelete(CmsItem& item, const CmsActor& actor);
  void erase(const std::string& key);
  Expected<CmsItem*, CmsProblem> copy(const CmsItem& source, std::optional<std::string> container,
                                      bool keep_published, const CmsActor& actor);

  bool container_exists(std::string_view key) const;
  void add_container(std::string key) { containers_.insert(std::move(key)); }
  void drop_properties_next_n(std::size_t n) { drop_properties_ = n; }
  // 400 (a field error) or 409 (a conflict naming the field) for a taken route segment.
  void set_route_collision_status(int status) { route_collision_status_ = status; }
  void clear() {
    items_.clear();
    segments_.clear();
    next_due_.reset();
  }

 private:
  std::vector<CmsFieldError> validate_content(const CmsContentType& type, const std::string& display_name,
                                              const std::optional<std::string>& route_segment,
                                              const boost::json::object& properties) const;
  std::vector<CmsFieldError> validate_locale(const CmsContentType& type,
                                             const std::optional<std::string>& locale) const;
  std::optional<CmsProblem> validate(const CmsContentType& type, const CmsVersionInput& input) const;
  CmsVersion& append_version(CmsItem& item, CmsVersionInput input, const CmsActor& actor);
  // A route segment is unique per container and locale among items not deleted (issue 16): the
  // field error when another item (not `key`) holds `segment` there.
  std::optional<CmsFieldError> segment_in_use(const std::string& container, const std::string& locale,
                                              const std::optional<std::string>& segment, const std::string& key) const;
  // The answer to a write whose segment is taken, as set_route_collision_status() says.
  CmsProblem segment_taken(CmsFieldError error) const;
  void apply_status(CmsItem& item, CmsVersion& version, CmsStatus status, std::optional<std::int64_t> delay,
                    std::int64_t now_ms);
  void publish(CmsItem& item, CmsVersion& version, std::int64_t now_ms);
  void note_schedules(const CmsItem& item);
  void store_properties(CmsVersion& version, boost::json::object properties);
  CmsItem* copy_tree(const CmsItem& source, const std::string& container, bool keep_published,
                     const CmsActor& actor);
  std::string new_key();
  std::uint64_t bump() { return ++revision_; }

  std::vector<CmsContentType> types_;
  std::vector<CmsLocale> locales_;  // empty: every well-formed locale, enabled
  std::set<std::string, std::less<>> containers_;
  ItemMap items_;
  std::uint64_t next_version_ = 1;
  std::uint64_t revision_ = 0;
  std::size_t drop_properties_ = 0;
  int route_collision_status_ = 400;
  // The earliest schedule of a live item, or earlier (stale after deletions: costs one scan).
  std::optional<std::int64_t> next_due_;
  // container \n locale \n segment -> keys that were given it. Entries can be stale (an edit, a
  // deletion): segment_in_use() checks the item itself before saying "in use".
  std::unordered_map<std::string, std::set<std::string>> segments_;
  std::mt19937_64 random_{std::random_device{}()};
};

// "My First Story!" -> "my-first-story": what publishing derives when no routeSegment was given.
std::string derive_route_segment(std::string_view display_name);

}  // namespace feedsync::sim
