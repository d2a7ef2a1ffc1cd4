// One request/response exchange on an open connection: write, read the header, read the body
// under the cap, decode gzip.
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/strings.hpp"
#include "net/beast_client_impl.hpp"
#include "net/gzip.hpp"

namespace feedsync::net {

namespace http = boost::beast::http;
using boost::asio::redirect_error;
using boost::asio::use_awaitable;

namespace {

constexpr std::uint32_t kHeaderLimit = 64 * 1024;  // Beast's 8 KiB is tight for CDN/CMS headers

using Failure = ExchangeFailure;
using Outcome = Expected<Exchanged, ExchangeFailure>;

Failure failure(ErrorKind kind, std::string message, bool stale = false) {
  return Failure{Error{kind, std::move(message)}, stale, 0};
}

// The peer went away: a clean close, a reset, or TLS without close_notify.
bool is_closed(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe ||
         ec == boost::asio::ssl::error::stream_truncated;
}

bool is_cancelled(const boost::system::error_code& ec) {
  return ec == boost::asio::error::operation_aborted;
}

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return ascii_lower(s);
}

// Converts Beast's response into ours, decoding gzip under the same cap as the wire body.
Outcome finish(http::response<http::string_body>&& beast, const ExchangeLimits& limits,
               bool keep_alive) {
  Exchanged out;
  out.keep_alive = keep_alive;
  out.wire_bytes = beast.body().size();
  out.response.status = beast.result_int();

  const std::string encoding = lower_trimmed(beast[http::field::content_encoding]);
  bool decoded = false;
  if (!encoding.empty() && encoding != "identity" && !beast.body().empty()) {
    if (encoding != "gzip" && encoding != "x-gzip")
      return unexpected(failure(ErrorKind::protocol, "unsupported Content-Encoding \"" + encoding +
                                                         "\" from " + limits.host));
    auto inflated = gunzip(beast.body(), limits.max_body);
    if (!inflated) {
      const auto& e = inflated.error();
      return unexpected(e.kind == GunzipError::too_large
                            ? failure(ErrorKind::body_too_large,
                                      "response body from " + limits.host + " exceeds the " +
                                          std::to_string(limits.max_body) +
                                          "-byte cap after gzip decoding")
                            : failure(ErrorKind::protocol,
                                      "bad gzip body from " + limits.host + ": " + e.message));
    }
    out.response.body = std::move(inflated.value());
    decoded = true;
  } else {
    out.response.body = std::move(beast.body());
  }

  for (const auto& field : beast) {
    // Callers see the decoded body: headers describing the encoded one would mislead them.
    if (decoded && (field.name() == http::field::content_encoding ||
                    field.name() == http::field::content_length))
      continue;
    out.response.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  if (decoded) out.response.headers.add("Content-Length", std::to_string(out.response.body.size()));
  return out;
}

using Parser = http::response_parser<http::string_body>;

// Why writing the request failed.
Failure write_failure(const boost::system::error_code& ec, const ExchangeLimits& limits) {
  const std::string& host = limits.host;
  if (ec == boost::beast::error::timeout)
    return failure(ErrorKind::timeout,
                   timeout_error("sending the request to " + host, limits.deadline,
                                 limits.deadline.at, {}, {})
                       .message);
  if (is_cancelled(ec)) return failure(ErrorKind::cancelled, "cancelled while sending to " + host);
  return failure(ErrorKind::connect,
                 "connection to " + host + " lost while sending the request: " + ec.message(),
                 is_closed(ec));
}

// Why reading the response header failed; `got_some`: the parser had seen bytes of it.
Failure header_failure(const boost::system::error_code& ec, bool got_some,
                       const ExchangeLimits& limits) {
  const std::string& host = limits.host;
  if (ec == boost::beast::error::timeout)
    return failure(ErrorKind::timeout,
                   timeout_error("waiting for the response from " + host, limits.deadline,
                                 limits.deadline.at, {}, {})
                       .message);
  if (is_cancelled(ec)) return failure(ErrorKind::cancelled, "cancelled while waiting for " + host);
  if (ec == http::error::body_limit)
    return failure(ErrorKind::body_too_large, "response body from " + host +
                                                  " declares more than the " +
                                                  std::to_string(limits.max_body) + "-byte cap");
  if (is_closed(ec) && !got_some)
    return failure(ErrorKind::truncated, "connection to " + host + " closed before any response",
                   true);
  if (is_closed(ec) || ec == http::error::partial_message)
    return failure(ErrorKind::truncated,
                   "connection to " + host + " closed in the response header");
  return failure(ErrorKind::protocol, "bad response header from " + host + ": " + ec.message());
}

// Why reading the response body failed after `got` bytes of it.
Failure body_failure(const boost::system::error_code& ec, std::size_t got,
                     const ExchangeLimits& limits) {
  const std::string& host = limits.host;
  auto fail = [&](ErrorKind kind, std::string message) {
    Failure f = failure(kind, std::move(message));
    f.wire_bytes = got;
    return f;
  };
  if (ec == boost::beast::error::timeout)
    return fail(ErrorKind::timeout,
                timeout_error("reading the response body from " + host + " (" +
                                  std::to_string(got) + " bytes received)",
                              limits.deadline, limits.deadline.at, {}, {})
                    .message);
  if (is_cancelled(ec)) return fail(ErrorKind::cancelled, "cancelled while reading from " + host);
  if (ec == http::error::body_limit)
    return fail(ErrorKind::body_too_large, "response body from " + host + " exceeds the " +
                                               std::to_string(limits.max_body) + "-byte cap");
  if (is_closed(ec) || ec == http::error::partial_message)
    return fail(ErrorKind::truncated, "connection to " + host +
                                          " closed before the end of the response body (" +
                                          std::to_string(got) + " bytes received)");
  return fail(ErrorKind::protocol, "bad response body from " + host + ": " + ec.message());
}

// Reads response headers until the final one: 1xx interim responses (103 Early Hints) precede
// it and are skipped. On success `parser` holds the final response's header.
template <class Stream>
boost::asio::awaitable<boost::system::error_code> read_final_header(
    Stream* stream, Connection* conn, std::optional<Parser>& parser, const ExchangeLimits& limits) {
  boost::system::error_code ec;
  for (;;) {
    parser.emplace();
    parser->header_limit(kHeaderLimit);
    parser->body_limit(limits.max_body);
    // A response to HEAD has no body whatever its Content-Length says.
    if (limits.head) parser->skip(true);
    conn->tcp().expires_at(limits.deadline.at);
    co_await http::async_read_header(*stream, conn->buffer, *parser,
                                     redirect_error(use_awaitable, ec));
    if (ec) co_return ec;
    const int status = parser->get().result_int();
    if (status < 100 || status >= 200 || status == 101) co_return ec;
  }
}

template <class Stream>
boost::asio::awaitable<Outcome> exchange_on(Stream* stream, Connection* conn,
                                            const BeastRequest* request, ExchangeLimits limits) {
  boost::system::error_code ec;
  conn->tcp().expires_at(limits.deadline.at);
  co_await http::async_write(*stream, *request, redirect_error(use_awaitable, ec));
  if (ec) co_return unexpected(write_failure(ec, limits));

  std::optional<Parser> parser;
  ec = co_await read_final_header(stream, conn, parser, limits);
  if (ec) co_return unexpected(header_failure(ec, parser->got_some(), limits));

  if (!parser->is_done()) {
    conn->tcp().expires_at(limits.deadline.at);
    co_await http::async_read(*stream, conn->buffer, *parser, redirect_error(use_awaitable, ec));
    if (ec) co_return unexpected(body_failure(ec, parser->get().body().size(), limits));
  }
  const bool keep_alive = parser->keep_alive();
  co_return finish(parser->release(), limits, keep_alive);
}

}  // namespace

boost::asio::awaitable<Expected<Exchanged, ExchangeFailure>> exchange(Connection* conn,
                                                                      const BeastRequest* request,
                                                                      ExchangeLimits limits) {
  if (conn->tls) co_return co_await exchange_on(&*conn->tls, conn, request, std::move(limits));
  co_return co_await exchange_on(&*conn->plain, conn, request, std::move(limits));
}

}  // namespace feedsync::net
