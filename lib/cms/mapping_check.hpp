#pragma once
// `feedsyncd check --connect`'s verdict on one feed's mapping against the CMS's definitions
// (issue 16): the content type exists, every mapped property exists on it and its type fits what
// the mapping produces (core/mapping_kind.hpp), every required property is mapped, the container
// exists and every locale the feed writes is enabled. Pure: the CMS reads are done by the caller
// (cms/content_schema.hpp) and handed in.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cms/content_schema.hpp"
#include "config/config.hpp"
#include "core/mapping.hpp"
#include "core/mapping_kind.hpp"

namespace feedsync::cms {

struct MappingProblem {
  config::SourcePos pos;  // the config line to change
  std::string message;    // names the feed and the property or key
};

// What the CMS answered for one feed's targets; nullopt where it answered 404.
struct FeedTargetsInCms {
  std::optional<ContentTypeDefinition> content_type;
  bool container_found = true;
  std::map<std::string, std::optional<LocaleDefinition>> locales;  // by CMS locale key
};

// The CMS locales the feed writes: `locale`, or every `locale_map` target (each once).
std::vector<std::string> target_locales(const config::FeedConfig& feed);

// Why a property of this definition cannot take what the mapping produces (with a hint), or
// nullopt when it fits. A shape the expression leaves open (a bare field) fits any type.
std::optional<std::string> property_misfit(const PropertyDefinition& property, const mapping::OutputShape& shape);

std::vector<MappingProblem> check_feed_against_cms(const config::FeedConfig& feed, const CompiledMapping& mapping,
                                                   const FeedTargetsInCms& cms);

// "file:line:col: message" (the position left out when unknown).
std::string format_problem(const MappingProblem& problem);

}  // namespace feedsync::cms
