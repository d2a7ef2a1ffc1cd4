# The HTTP server core (router, sessions, listener). Included by lib/net/CMakeLists.txt.
target_sources(feedsync_net PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/router.cpp
  ${CMAKE_CURRENT_LIST_DIR}/server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/server_message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/server_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/server_wire.cpp
)
# The access log and handler failures go through feedsync's logger.
target_link_libraries(feedsync_net PUBLIC feedsync_log)
