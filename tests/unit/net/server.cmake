# The HTTP server core: the router on its own, the server over loopback sockets (plain and TLS).
feedsync_add_test(net_server_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/router_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/server_http_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/server_faults_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/server_stop_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/server_tls_test.cpp
  LIBS feedsync_net feedsync_log)
