// Writes an RGB8 image as PNG (zlib-compressed), for --screenshot. Desktop build only.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace nl::platform {

// rgb: width*height*3 bytes, top row first.
Status write_png(const std::string& path, int width, int height, const std::vector<unsigned char>& rgb);

}  // namespace nl::platform
