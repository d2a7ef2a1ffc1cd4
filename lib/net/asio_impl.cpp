// The one translation unit that compiles Boost.Asio's implementation (and its SSL support).
// Everything else is built with BOOST_ASIO_SEPARATE_COMPILATION and links against this.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
