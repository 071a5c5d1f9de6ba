# Unification: the library parts (tools/lib's vserver_unify) and the
# command-line behaviour of vunify and vdu on temporary trees under /tmp,
# with --no-attr (the build host's kernel has no immutable-linkage-invert;
# the attribute itself is tested in the guest, where unify_cli.sh can also run
# with VUNIFY_ATTR=1 and TMPDIR on ext4).  Included by
# tests/unit/CMakeLists.txt.
add_executable(unify_unit_tests test_unify.cpp)
target_compile_definitions(unify_unit_tests PRIVATE
    VUNIFY_EXCLUDE_FILE="${PROJECT_SOURCE_DIR}/etc/vunify-exclude")
target_link_libraries(unify_unit_tests PRIVATE vserver_unify vserver_warnings GTest::gtest_main)
gtest_discover_tests(unify_unit_tests)

add_test(NAME unify_cli
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unify_cli.sh
            $<TARGET_FILE:vunify> $<TARGET_FILE:vdu> ${PROJECT_SOURCE_DIR})
# 77: something the test needs is missing (reported).
set_tests_properties(unify_cli PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
