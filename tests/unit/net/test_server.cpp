#include "unit/net/test_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <csignal>
#include <cerrno>
#include <stdexcept>

namespace feedsync::testing {
namespace {

// OpenSSL writes TLS records to the socket with write(2), which raises SIGPIPE when the client
// has already closed: that would kill the whole test binary. Ignore it, as any network server
// must; the failed write then shows up as an error the test can see.
const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int listen_on_loopback(int backlog, std::uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = loopback(0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, backlog) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 407: return "Proxy Authentication Required";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    default: return "Status";
  }
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return "";
}

long ServerConnection::recv_some(char* data, std::size_t size) {
  if (ssl_) return SSL_read(ssl_, data, static_cast<int>(size));
  for (;;) {
    const auto n = ::recv(fd_, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    return static_cast<long>(n);
  }
}

std::optional<ReceivedRequest> ServerConnection::read_request() {
  char chunk[4096];
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    const long n = recv_some(chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  ReceivedRequest request;
  request.connection = index_;
  std::string_view head(buffer_.data(), end);
  auto line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.find(' ', sp1 + 1);
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    line = head.substr(0, line_end);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  buffer_.erase(0, end + 4);
  const std::string length = request.header("Content-Length");
  const std::size_t want = length.empty() ? 0 : std::stoul(length);
  while (buffer_.size() < want) {
    const long n = recv_some(chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  request.body = buffer_.substr(0, want);
  buffer_.erase(0, want);
  server_->record(request);
  return request;
}

bool ServerConnection::write(std::string_view data) {
  if (!ssl_) return send_all(fd_, data);
  while (!data.empty()) {
    const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void ServerConnection::close() { ::shutdown(fd_, SHUT_RDWR); }

void ServerConnection::wait_closed() {
  char chunk[4096];
  while (recv_some(chunk, sizeof chunk) > 0) {
  }
}

TestServer::TestServer(Handler handler, std::optional<Tls> tls) : handler_(std::move(handler)) {
  if (tls) {
    ssl_ctx_ = SSL_CTX_new(TLS_server_method());
    BIO* cert_bio = BIO_new_mem_buf(tls->cert_pem.data(), static_cast<int>(tls->cert_pem.size()));
    BIO* key_bio = BIO_new_mem_buf(tls->key_pem.data(), static_cast<int>(tls->key_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    const bool ok = cert && key && SSL_CTX_use_certificate(ssl_ctx_, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(ssl_ctx_, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    if (!ok) {
      SSL_CTX_free(ssl_ctx_);
      throw std::runtime_error("test server: cannot load certificate");
    }
  }
  listen_fd_ = listen_on_loopback(64, &port_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // wakes every blocked recv()
  }
  for (auto& thread : connections_) thread.join();
  for (int fd : fds_) ::close(fd);
  ::close(listen_fd_);
  if (ssl_ctx_) SSL_CTX_free(ssl_ctx_);
}

std::string TestServer::url(std::string_view path, std::string_view host) const {
  const std::string scheme = ssl_ctx_ ? "https://" : "http://";
  return scheme + std::string(host) + ":" + std::to_string(port_) + std::string(path);
}

void TestServer::accept_loop() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    fds_.push_back(fd);
    const std::size_t index = accepts_++;
    connections_.emplace_back([this, fd, index] { serve(fd, index); });
    changed_.notify_all();
  }
}

void TestServer::serve(int fd, std::size_t index) {
  const std::size_t now_open = ++open_;
  std::size_t peak = max_concurrent_;
  while (now_open > peak && !max_concurrent_.compare_exchange_weak(peak, now_open)) {
  }
  SSL* ssl = nullptr;
  bool ready = true;
  if (ssl_ctx_) {
    ssl = SSL_new(ssl_ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      ++tls_failures_;
      ready = false;
    }
  }
  if (ready) {
    ServerConnection connection(this, fd, index, ssl);
    handler_(connection);
  }
  if (ssl) SSL_free(ssl);
  ::shutdown(fd, SHUT_RDWR);
  --open_;
  std::lock_guard lock(mutex_);
  changed_.notify_all();
}

void TestServer::record(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
  changed_.notify_all();
}

std::vector<ReceivedRequest> TestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool TestServer::wait_for_accepts(std::size_t n, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] { return accepts_ >= n; });
}

bool TestServer::wait_for_requests(std::size_t n, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] { return requests_.size() >= n; });
}

std::string http_response(int status, std::string_view body,
                          std::vector<std::pair<std::string, std::string>> headers) {
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) + "\r\n";
  bool has_length = false;
  for (const auto& [name, value] : headers) {
    out += name + ": " + value + "\r\n";
    has_length =
        has_length || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding");
  }
  if (!has_length) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

TestServer::Handler keep_alive_handler(std::string body) {
  return [body](ServerConnection& c) {
    while (c.read_request()) c.write(http_response(200, body));
  };
}

std::string gzip_compress(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

namespace {

int dial(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = host_port.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

// Copies bytes both ways until either side closes.
void relay(int a, int b) {
  char chunk[16384];
  for (;;) {
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const auto n = ::recv(fds[i].fd, chunk, sizeof chunk, 0);
      if (n <= 0 || !send_all(fds[1 - i].fd, std::string_view(chunk, static_cast<std::size_t>(n))))
        return;
    }
  }
}

}  // namespace

ConnectProxy::ConnectProxy(int refuse_with)
    : server_([refuse_with](ServerConnection& c) {
        auto request = c.read_request();
        if (!request) return;
        if (request->method != "CONNECT") {
          c.write(http_response(200, "via proxy"));
          return;
        }
        if (refuse_with != 0) {
          c.write(http_response(refuse_with, "refused", {{"Proxy-Authenticate", "Basic"}}));
          return;
        }
        const int upstream = dial(request->target);
        if (upstream < 0) {
          c.write(http_response(502, "cannot reach " + request->target));
          return;
        }
        c.write("HTTP/1.1 200 Connection established\r\n\r\n");
        relay(c.fd(), upstream);
        ::close(upstream);
      }) {}

FullBacklogListener::FullBacklogListener() {
  listen_fd_ = listen_on_loopback(0, &port_);
  const sockaddr_in addr = loopback(port_);
  // Linux queues backlog + 1 completed connections and then drops SYNs. Fill the queue until one
  // connect stays pending: from then on every connect hangs.
  for (int i = 0; i < 16 && !ok_; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    fillers_.push_back(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) continue;
    if (errno != EINPROGRESS) break;
    pollfd p{fd, POLLOUT, 0};
    ok_ = ::poll(&p, 1, 500) == 0;
  }
}

FullBacklogListener::~FullBacklogListener() {
  for (int fd : fillers_) ::close(fd);
  ::close(listen_fd_);
}

}  // namespace feedsync::testing
