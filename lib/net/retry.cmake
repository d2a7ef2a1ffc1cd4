# Retry policy, Retry-After, rate limiting and the retrying decorator (included by CMakeLists.txt).
target_sources(feedsync_net PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/rate_limiter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rate_limiter_bucket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/retry_after.cpp
  ${CMAKE_CURRENT_LIST_DIR}/retry_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/retrying_client.cpp
)
# The retrying client logs each retry.
target_link_libraries(feedsync_net PUBLIC feedsync_log)
