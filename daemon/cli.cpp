#include "cli.hpp"

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/version.hpp"
#include "exit_codes.hpp"

namespace feedsync::daemon {
namespace {

constexpr const char* kDefaultConfig = "/etc/feedsync/feedsync.yaml";

void add_output_option(CLI::App& sub, CliRequest& request) {
  sub.add_option("-o,--output", request.output, "Output format")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, OutputFormat>{{"text", OutputFormat::text},
                                              {"json", OutputFormat::json}},
          CLI::ignore_case));
}

}  // namespace

const char* command_name(Command command) {
  switch (command) {
    case Command::run: return "run";
    case Command::once: return "once";
    case Command::plan: return "plan";
    case Command::check: return "check";
    case Command::status: return "status";
    case Command::retry: return "retry";
    case Command::resync: return "resync";
    case Command::pause: return "pause";
    case Command::resume: return "resume";
    case Command::approve_deletes: return "approve-deletes";
    case Command::backup: return "backup";
    case Command::audit: return "audit";
    case Command::webhooks_register_cms: return "webhooks register-cms";
  }
  return "?";
}

std::variant<CliRequest, CliExit> parse_cli(int argc, char** argv) {
  CliRequest request;
  request.config_path = kDefaultConfig;

  CLI::App app{"feedsyncd keeps an Optimizely CMS in step with Optimizely CMP content feeds.",
               "feedsyncd"};
  app.set_version_flag("--version", std::string("feedsyncd ") + kVersion);
  // Options given before or after the subcommand both count: `feedsyncd --config X status`
  // and `feedsyncd status --config X` are the same request.
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.add_option("-c,--config", request.config_path, "Configuration file")
      ->envname("FEEDSYNC_CONFIG")
      ->capture_default_str();

  auto* run = app.add_subcommand("run", "Run the daemon in the foreground (the default)");
  auto* once = app.add_subcommand("once", "Run one sync cycle for every feed, then exit");
  once->add_option("--timeout", request.once_timeout,
                   "Give up draining the CMS queue after this long (e.g. 30s, 10m)")
      ->capture_default_str();
  auto* plan = app.add_subcommand("plan", "Dry run: show what would change, write nothing");
  plan->add_option("--feed", request.feed, "Only this feed");
  add_output_option(*plan, request);
  auto* check = app.add_subcommand("check", "Validate the configuration and print its feeds");
  check->add_flag("--connect", request.connect,
                  "Also fetch a CMS token and the first page of every feed");
  auto* status = app.add_subcommand("status", "Per feed: last success, counts, lag, dead letters");
  add_output_option(*status, request);
  auto* retry = app.add_subcommand("retry", "Retry dead-lettered operations");
  retry->add_option("feed", request.feed, "Only this feed");
  retry->add_option("--guid", request.guid, "Only this article");
  auto* resync = app.add_subcommand("resync", "Force a re-push of a feed or one article");
  resync->add_option("feed", request.feed, "Feed name")->required();
  resync->add_option("guid", request.guid, "Only this article");
  resync->add_option("--guid", request.guid, "Only this article");
  auto* pause = app.add_subcommand("pause", "Stop polling a feed (persists across restarts)");
  pause->add_option("feed", request.feed, "Feed name")->required();
  auto* resume = app.add_subcommand("resume", "Resume polling a paused feed");
  resume->add_option("feed", request.feed, "Feed name")->required();
  auto* approve = app.add_subcommand("approve-deletes",
                                     "Carry out deletions held by the mass-delete guard");
  approve->add_option("feed", request.feed, "Feed name")->required();
  auto* backup = app.add_subcommand("backup", "Write a consistent copy of the state database");
  backup->add_option("path", request.backup_path, "Target file (must not exist)")->required();

  auto* audit = app.add_subcommand("audit", "Compare the CMS with what feedsync wrote; --repair fixes the drift");
  audit->add_option("--feed", request.feed, "Only this feed");
  audit->add_flag("--repair", request.repair,
                  "Fix what drifted: restore deleted or missing items, move moved ones back, adopt orphans");
  audit->add_flag("--rebuild-state", request.rebuild_state,
                  "Rebuild an empty or lost state database from the feeds and the CMS, writing nothing to the CMS");
  audit->add_option("--timeout", request.once_timeout,
                    "--repair: give up writing the articles marked to be written again after this long (as once --timeout)")
      ->capture_default_str();
  add_output_option(*audit, request);

  auto* webhooks = app.add_subcommand("webhooks", "Event-driven sync: set up webhooks");
  webhooks->require_subcommand(1);
  auto* register_cms = webhooks->add_subcommand(
      "register-cms", "Subscribe /hooks/cms to the CMS's publish events (/v1/experimental/webhooks)");
  register_cms->add_option("--url", request.webhook_url,
                           "The public URL of this daemon's /hooks/cms, e.g. https://feedsync.example.com/hooks/cms")
      ->required();
  register_cms->add_flag("--dry-run", request.dry_run, "Print the request as a curl command; send nothing");

  const std::pair<CLI::App*, Command> commands[] = {
      {run, Command::run},         {once, Command::once},       {plan, Command::plan},
      {check, Command::check},     {status, Command::status},   {retry, Command::retry},
      {resync, Command::resync},   {pause, Command::pause},     {resume, Command::resume},
      {approve, Command::approve_deletes}, {backup, Command::backup},   {audit, Command::audit},
      {register_cms, Command::webhooks_register_cms}};

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return CliExit{kExitOk};
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return CliExit{kExitOk};
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return CliExit{kExitOk};
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return CliExit{kExitUsage};
  }
  for (const auto& [sub, command] : commands) {
    if (sub->parsed()) request.command = command;
  }
  return request;
}

}  // namespace feedsync::daemon
