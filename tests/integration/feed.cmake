feedsync_add_test(integration_feed_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/feed_sim_test.cpp
  LIBS feedsync_engine feedsync_sim_test_support)
