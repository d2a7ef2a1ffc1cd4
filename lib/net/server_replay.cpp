#include "net/server_replay.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <exception>
#include <optional>
#include <sstream>
#include <utility>
#include <variant>

#include "log/log.hpp"
#include "net/server_wire.hpp"

namespace feedsync::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using detail::ReadFailure;

// A SyncReadStream whose client has sent everything and closed its side: every read is EOF, so
// Beast parses what is buffered and reports a partial request the way a socket read would.
class EndOfInput {
 public:
  template <class Buffers>
  std::size_t read_some(const Buffers&, boost::system::error_code& ec) {
    ec = asio::error::eof;
    return 0;
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    read_some(buffers, ec);
    throw boost::system::system_error(ec);
  }
};

struct Answer {
  ServerResponse response;
  bool handler_failed = false;
};

// Runs the handler to completion on `io`, answering 500 when it throws (as the session does).
Answer run_handler(asio::io_context& io, const Handler& handler, ServerRequest request) {
  std::optional<ServerResponse> response;
  std::string failure = "unknown exception";
  std::string route = request.route;
  try {
    asio::co_spawn(io, handler(std::move(request)), [&](std::exception_ptr error, ServerResponse value) {
      if (!error) {
        response = std::move(value);
        return;
      }
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        failure = e.what();
      } catch (...) {
      }
    });
    io.restart();
    io.run();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (response) return {std::move(*response), false};
  log::error("http handler failed", {{"route", route}, {"peer", "replay"}, {"error", failure}});
  return {detail::error_response(500), true};
}

ReplayedResponse frame(ServerResponse response, unsigned version, bool head, bool keep_alive,
                       bool handler_failed) {
  ReplayedResponse out;
  auto prepared = detail::prepare_response(std::move(response), version, head, keep_alive);
  out.status = static_cast<int>(prepared.message.result_int());
  out.handler_failed = handler_failed;
  std::ostringstream wire;
  wire << prepared.message;
  out.wire = std::move(wire).str();
  return out;
}

}  // namespace

std::vector<ReplayedResponse> replay_connection(asio::io_context& io, const Router& router,
                                                std::string_view bytes, std::size_t max_body) {
  beast::flat_buffer buffer;
  buffer.commit(asio::buffer_copy(buffer.prepare(bytes.size()), asio::buffer(bytes.data(), bytes.size())));
  EndOfInput stream;
  std::vector<ReplayedResponse> out;
  while (buffer.size() > 0) {
    detail::WireParser parser;
    detail::limit_request(parser, max_body);
    boost::system::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) {
      const ReadFailure failure = detail::classify_read_error(ec);
      if (failure != ReadFailure::drop)
        out.push_back(frame(detail::error_response(detail::status_for(failure)), 11, false, false, false));
      break;
    }
    detail::WireRequest wire = parser.release();
    const bool head = wire.method() == http::verb::head;
    const unsigned version = wire.version();
    bool keep_alive = wire.keep_alive();
    auto routed = detail::route_request(router, std::move(wire), "replay");
    Answer answer;
    if (auto* own = std::get_if<ServerResponse>(&routed)) {
      answer.response = std::move(*own);
    } else {
      auto& match = std::get<detail::Routed>(routed);
      answer = run_handler(io, *match.handler, std::move(match.request));
    }
    if (answer.response.reset) break;
    keep_alive = keep_alive && !answer.response.close_connection && !answer.response.truncate_body_at;
    out.push_back(frame(std::move(answer.response), version, head, keep_alive, answer.handler_failed));
    if (!keep_alive) break;
  }
  return out;
}

}  // namespace feedsync::net
