// json.h: the project's one JSON type, nlohmann's ordered_json. Objects keep their keys in the
// order written (state files and --json output read top-down), and one instantiation of the
// library serves every file: the page's module carried two (std::map's and ordered_map's).
#pragma once

// nlohmann reports bad JSON by throwing, and its inline code must be compiled one way in every
// file that uses it: a file compiled without exceptions would turn every such report into an abort
// wherever the linker kept its copy. The wasm build lists the files that need them
// (src/core/CMakeLists.txt, src/app/CMakeLists.txt).
#if !defined(__cpp_exceptions)
#error "core/json.h needs C++ exceptions: add this file to its target's list of exception sources"
#endif

#include <nlohmann/json.hpp>

namespace scalecalc {

using Json = nlohmann::ordered_json;

}  // namespace scalecalc
