# The CMS (SaaS) REST API part of feedsync-sim (cms_sim.hpp). Included by sim/CMakeLists.txt.
target_sources(feedsync_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cms_content_api.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_editor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_flat.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_merge_patch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_problem.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_schema_api.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_sim.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_tokens.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_v1.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cms_webhooks.cpp
)
# Basic credentials are base64 (OpenSSL); form bodies are decoded by Boost.URL.
target_link_libraries(feedsync_sim PRIVATE OpenSSL::Crypto Boost::url Boost::json)
