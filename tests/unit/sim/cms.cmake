# The CMS part of feedsync-sim (sim/cms_*), over real loopback sockets.
feedsync_add_test(sim_cms_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/cms_content_api_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cms_merge_patch_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cms_token_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cms_flat_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cms_flat_versions_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cms_v1_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cms_schema_test.cpp
  LIBS feedsync_sim_test_support
  PCH JSON ASIO)
