# Precompiled headers where they pay (DESIGN.md §3 "Build time"). Measured on the 2-core
# machine: in a typical translation unit of lib/ or sim/ at -O1, parsing the standard library,
# Boost.JSON/URL and Asio's headers is a third to a half of its compile time; a target's PCH
# costs one such parse. So targets with many TUs get one, small targets do not.
#
# The header sets keep the layering of DESIGN.md §2: no Asio for core/config/store, Beast only
# for net. Project headers stay out: they change often and would rebuild every PCH.
#
#   feedsync_precompile(target [JSON] [URL] [ASIO] [BEAST] [GTEST])
#
# GTEST adds GoogleTest's headers, for the test binaries with many files (tests/CMakeLists.txt).
option(FEEDSYNC_PCH "Use precompiled headers for the larger targets" ON)

set(FEEDSYNC_PCH_STD
  <algorithm> <array> <chrono> <cstdint> <functional> <map> <memory> <optional> <span>
  <stdexcept> <string> <string_view> <utility> <variant> <vector>)
set(FEEDSYNC_PCH_JSON
  <boost/json/array.hpp> <boost/json/object.hpp> <boost/json/parse.hpp>
  <boost/json/serialize.hpp> <boost/json/value.hpp>)
set(FEEDSYNC_PCH_URL <boost/url/parse.hpp> <boost/url/url.hpp> <boost/url/url_view.hpp>)
set(FEEDSYNC_PCH_ASIO
  <boost/asio/any_io_executor.hpp> <boost/asio/as_tuple.hpp> <boost/asio/awaitable.hpp>
  <boost/asio/co_spawn.hpp> <boost/asio/io_context.hpp> <boost/asio/redirect_error.hpp>
  <boost/asio/steady_timer.hpp> <boost/asio/this_coro.hpp> <boost/asio/use_awaitable.hpp>)
set(FEEDSYNC_PCH_GTEST <gtest/gtest.h> <gmock/gmock.h>)
set(FEEDSYNC_PCH_BEAST
  <boost/beast/core/flat_buffer.hpp> <boost/beast/core/tcp_stream.hpp>
  <boost/beast/http/message.hpp> <boost/beast/http/string_body.hpp>)

function(feedsync_precompile target)
  if(NOT FEEDSYNC_PCH)
    return()
  endif()
  cmake_parse_arguments(ARG "JSON;URL;ASIO;BEAST;GTEST" "" "" ${ARGN})
  set(headers ${FEEDSYNC_PCH_STD})
  foreach(set JSON URL ASIO BEAST GTEST)
    if(ARG_${set})
      list(APPEND headers ${FEEDSYNC_PCH_${set}})
    endif()
  endforeach()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
