# adapters/go/hb_go.cmake — build/hb-go, the Go runtime as a reference
# adapter (adapters/go/*.go, standard library only), when `go` is found.
#
# The sources are copied into the build tree with two files the build
# writes from hb-system: workloads.json (`hb-system info`: the C workloads'
# names, parameters and presets, embedded so a port cannot drift) and
# properties.jsonl (`hb-system conform --list`). GOCACHE, GOPATH and the
# module cache live in the build tree; GOTOOLCHAIN=local, GOPROXY=off,
# GOFLAGS=-mod=mod and no dependencies: a fresh Debian machine with only
# golang-go (scripts/deps.d/go.txt) builds it without network.
# Sets HB_GO_BUILT when hb-go will be built (target hb_go).
find_program(HB_GO_EXECUTABLE go)
set(HB_GO_BUILT OFF)
if(HB_GO_EXECUTABLE)
  set(HB_GO_BUILT ON)
  set(_go_src ${CMAKE_BINARY_DIR}/go/src)
  file(GLOB _go_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/adapters/go/*.go)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/hb-go
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${_go_src}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_go_src}
    COMMAND ${CMAKE_COMMAND} -E copy ${_go_files} ${CMAKE_SOURCE_DIR}/adapters/go/go.mod ${_go_src}/
    COMMAND sh -c "$<TARGET_FILE:hb-system> info > ${_go_src}/workloads.json"
    COMMAND sh -c "$<TARGET_FILE:hb-system> conform --list > ${_go_src}/properties.jsonl"
    COMMAND ${CMAKE_COMMAND} -E chdir ${_go_src} ${CMAKE_COMMAND} -E env GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on
            CGO_ENABLED=0 GOCACHE=${CMAKE_BINARY_DIR}/go/cache GOPATH=${CMAKE_BINARY_DIR}/go/path
            GOMODCACHE=${CMAKE_BINARY_DIR}/go/path/pkg/mod
            ${HB_GO_EXECUTABLE} build -trimpath -o ${CMAKE_BINARY_DIR}/hb-go .
    DEPENDS ${_go_files} ${CMAKE_SOURCE_DIR}/adapters/go/go.mod hb-system
    COMMENT "Building hb-go (the Go runtime, reference adapter)"
    VERBATIM)
  # The target is hb_go: a target named hb-go would clash with the file.
  add_custom_target(hb_go ALL DEPENDS ${CMAKE_BINARY_DIR}/hb-go)
else()
  message(STATUS "go not found: hb-go (the Go reference adapter) is not built (scripts/deps installs golang-go)")
endif()
