# Retry policy, Retry-After, rate limiting and the retrying decorator (included by CMakeLists.txt).
feedsync_add_test(net_retry_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/rate_limiter_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/retry_after_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/retry_client_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/retry_policy_test.cpp
  LIBS feedsync_net feedsync_log)
