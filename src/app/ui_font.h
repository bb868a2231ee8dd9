// ui_font.h: the UI font's bytes (Inter cut to the glyphs the UI draws), compiled into the module
// by the build (cmake/embed_bytes.cmake), so the page needs no file system to load it.
#pragma once

#include <cstddef>

extern const unsigned char kUiFont[];
extern const std::size_t kUiFontSize;
