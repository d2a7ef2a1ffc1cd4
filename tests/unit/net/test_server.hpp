#pragma once
// Raw-socket servers for the HTTP client's tests: blocking POSIX sockets (and blocking OpenSSL
// for TLS), one thread per connection, so that each test scripts precisely how the server
// misbehaves: stall, close early, cut a body, never speak TLS. They count accepts and
// concurrently open connections, and remember every request they read.
//
// Waits are never sleeps: a stalled handler blocks in wait_closed() until the client gives up
// (closes) or the server stops (shuts every socket down), and destruction joins every thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace feedsync::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t connection = 0;  // accept number of the connection it came on (0-based)
  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
};

class TestServer;

class ServerConnection {
 public:
  ServerConnection(TestServer* server, int fd, std::size_t index, SSL* ssl)
      : server_(server), fd_(fd), index_(index), ssl_(ssl) {}
  std::size_t index() const { return index_; }
  // Reads one request (header and Content-Length body). nullopt when the peer closed.
  std::optional<ReceivedRequest> read_request();
  bool write(std::string_view data);
  // Sends FIN without a word (no "Connection: close"): what a server's keep-alive timeout does.
  void close();
  // Blocks until the peer closes or the server stops: a server that never answers.
  void wait_closed();
  int fd() const { return fd_; }

 private:
  long recv_some(char* data, std::size_t size);
  TestServer* server_;
  int fd_;
  std::size_t index_;
  SSL* ssl_;
  std::string buffer_;
};

class TestServer {
 public:
  using Handler = std::function<void(ServerConnection&)>;
  struct Tls {
    std::string cert_pem;
    std::string key_pem;
  };
  explicit TestServer(Handler handler, std::optional<Tls> tls = std::nullopt);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/", std::string_view host = "127.0.0.1") const;
  std::size_t accepts() const { return accepts_; }
  std::size_t max_concurrent() const { return max_concurrent_; }
  std::size_t tls_failures() const { return tls_failures_; }
  std::vector<ReceivedRequest> requests() const;
  // Blocks until `n` connections were accepted or `limit` passed; true when they were.
  bool wait_for_accepts(std::size_t n, std::chrono::milliseconds limit);
  // Blocks until `n` requests were read or `limit` passed; true when they were.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds limit);

 private:
  friend class ServerConnection;
  void accept_loop();
  void serve(int fd, std::size_t index);
  void record(ReceivedRequest request);

  Handler handler_;
  SSL_CTX* ssl_ctx_ = nullptr;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> accepts_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> max_concurrent_{0};
  std::atomic<std::size_t> tls_failures_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ReceivedRequest> requests_;
  std::vector<int> fds_;  // closed only after every thread is joined
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

// An HTTP response with Content-Length, as bytes.
std::string http_response(int status, std::string_view body,
                          std::vector<std::pair<std::string, std::string>> headers = {});
// A handler that answers every request on a connection with 200 and `body`, keeping it alive.
TestServer::Handler keep_alive_handler(std::string body = "ok");
// gzip-compresses `data` (for servers that send Content-Encoding: gzip).
std::string gzip_compress(std::string_view data);

// An HTTP proxy: CONNECT host:port is dialled and relayed both ways; other requests (absolute
// form) are answered directly with 200 "via proxy". `refuse_with` != 0 answers CONNECT with it.
class ConnectProxy {
 public:
  explicit ConnectProxy(int refuse_with = 0);
  std::uint16_t port() const { return server_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::vector<ReceivedRequest> requests() const { return server_.requests(); }
  std::size_t accepts() const { return server_.accepts(); }

 private:
  TestServer server_;
};

// A listening socket whose accept queue is full and never drained: a further connect gets no
// SYN-ACK and hangs, like a blackholed address, deterministically and on loopback.
class FullBacklogListener {
 public:
  FullBacklogListener();
  ~FullBacklogListener();
  bool ok() const { return ok_; }  // false when the kernel would not fill up (then skip)
  std::uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> fillers_;
  bool ok_ = false;
};

}  // namespace feedsync::testing
